import API
import Domain

typealias S = Components.Schemas

extension Bill {
    /// Fine, interest and correction of this bill if paid on `asOf` (DOMAIN.md, late charges).
    func charges(asOf: CivilDate, calendar: BusinessCalendar, index: [String: Int64]) -> LateCharges {
        LateCharges(original: value, due: due, paidOn: asOf, calendar: calendar, index: { index[$0.iso] })
    }
}

/// The API's shapes of bills, charges and payment codes, shared by every feature that shows them.
enum BillViews {
    static func bill(_ b: Bill, today: CivilDate, calendar: BusinessCalendar, index: [String: Int64]) -> S.Bill {
        let overdue = b.isOverdue(on: today, calendar: calendar)
        let payable = calendar.payableUntil(due: b.due)
        return S.Bill(
            id: b.id, competencia: b.competencia.iso, dueOn: b.due.iso, amountCents: b.value.cents,
            situacao: S.Situacao(rawValue: b.situacao.rawValue) ?? .aberta, consumptionM3: b.consumptionM3, estimated: b.estimated,
            paidOn: b.paidOn?.iso, payableUntilOn: payable == b.due ? nil : payable.iso, overdue: overdue,
            updated: overdue ? charges(b.charges(asOf: today, calendar: calendar, index: index), asOf: today) : nil,
            dividaAtivaOn: b.dividaAtivaSince?.iso, situacaoOrigem: b.sourceSituation)
    }

    static func charges(_ c: LateCharges, asOf: CivilDate) -> S.Charges {
        S.Charges(
            daysLate: c.daysLate, fineCents: c.fine.cents, interestCents: c.interest.cents, correctionCents: c.correction.cents,
            totalCents: c.total.cents, asOf: asOf.iso)
    }

    static func paymentCode(_ barcode: ArrecadacaoBarcode, _ pix: PixBRCode, due: CivilDate, total: Money) -> S.PaymentCode {
        S.PaymentCode(
            barcode: barcode.digits, linhaDigitavel: barcode.linhaDigitavel, pix: pix.payload, dueOn: due.iso, totalCents: total.cents)
    }
}

/// The errors every bill-related operation answers alike.
extension APIError {
    static let billNotFound = APIError(status: .notFound, code: "bill_not_found", message: "Conta não encontrada para este imóvel.")
    static let statementNotFound = APIError(status: .notFound, code: "statement_not_found", message: "Extrato não encontrado.")
    static let serviceFeeNotFound = APIError(
        status: .notFound, code: "service_fee_not_found", message: "Documento de taxa de serviço não encontrado.")
    static let cardPaymentNotFound = APIError(
        status: .notFound, code: "card_payment_not_found", message: "Pagamento com cartão não encontrado.")
    static let notPayable = APIError.conflict("Esta conta não está em aberto: não há segunda via para pagar.")
}
