import Documents
import Domain
import Foundation

/// Payment codes and printable documents from stored records, with the utility's identities
/// (configuration `utility`). The same inputs always give the same barcode, PIX and PDF.
struct DocumentFactory: Sendable {
    let utility: UtilitySettings

    func codes(kind: PayableDocument.Kind, number: Int64, amount: Money, due: CivilDate) throws -> (ArrecadacaoBarcode, PixBRCode) {
        try codes(digit: kind.barcodeDigit, txidPrefix: kind.txidPrefix, number: number, amount: amount, due: due)
    }

    /// An agreement's installment (`seq` 0: the down payment): kind digit 4, number id·1000 + seq;
    /// a dívida ativa agreement's under its collection agreement's company code.
    func installmentCodes(agreement id: Int64, seq: Int, amount: Money, due: CivilDate, kind: AgreementKind) throws -> (
        ArrecadacaoBarcode, PixBRCode
    ) {
        try codes(
            digit: 4, txidPrefix: "AVP", number: id * 1000 + Int64(seq), amount: amount, due: due,
            company: kind == .dividaAtiva ? utility.dividaAtivaFebrabanCompany : utility.febrabanCompany)
    }

    /// The company codes whose barcodes are ours (the bank's return file checks them).
    var companies: Set<String> { [utility.febrabanCompany, utility.dividaAtivaFebrabanCompany] }

    private func codes(digit: Int, txidPrefix: String, number: Int64, amount: Money, due: CivilDate, company: String? = nil) throws -> (
        ArrecadacaoBarcode, PixBRCode
    ) {
        let barcode = try ArrecadacaoBarcode(
            valueID: utility.valueID, amount: amount, company: company ?? utility.febrabanCompany,
            freeField: ArrecadacaoBarcode.freeField(due: due, kind: digit, number: number))
        let pix = try PixBRCode(
            key: utility.pixKey, name: utility.pixName, city: utility.pixCity, amount: amount, txid: "\(txidPrefix)\(number)")
        return (barcode, pix)
    }

    /// A bill's own codes: its original value and due date.
    func billCodes(_ b: Bill) throws -> (ArrecadacaoBarcode, PixBRCode) {
        try codes(kind: .bill, number: b.id, amount: b.value, due: b.due)
    }

    /// A person's name as a document shows it: whole for a staff session (a counter, the back
    /// office); otherwise, as a kiosk screen shows it (first name and initials), whether the
    /// document is printed at a kiosk or sent by e-mail (DECISIONS 62).
    static func holder(_ name: String) -> String {
        Principal.current?.staff != nil ? name : Masking.name(name)
    }

    var issuer: PayableDocument.Issuer {
        .init(name: utility.name, cnpj: utility.cnpj, address: utility.address, contact: utility.contact)
    }

    func billDocument(_ b: Bill, property p: Property, today: CivilDate, calendar: BusinessCalendar) throws -> PayableDocument {
        let (barcode, pix) = try billCodes(b)
        var notes: [String] = []
        let payable = calendar.payableUntil(due: b.due)
        if payable != b.due, !b.isOverdue(on: today, calendar: calendar) {
            notes.append("Vencimento em dia sem expediente bancário: pague sem encargos até \(payable.formatted).")
        }
        if b.isOverdue(on: today, calendar: calendar) {
            notes.append("Conta vencida: o banco recebe o valor original; multa, juros e correção virão na próxima conta.")
            notes.append("Para pagar agora com os encargos e quitar de vez, emita um extrato de débitos.")
        }
        return PayableDocument(
            kind: .bill, number: String(b.id), issuer: issuer, issuedOn: today, customerName: Self.holder(p.titular.nome),
            customerDocument: TaxID(p.titular.documento)?.masked ?? "", matricula: Matricula.display(p.matricula),
            address: p.address.oneLine, categoria: p.categoria.label,
            lines: [
                .init(
                    competencia: b.competencia, due: b.due, consumptionM3: b.consumptionM3,
                    charges: LateCharges(original: b.value, due: b.due, paidOn: b.due, calendar: calendar))
            ], due: b.due, barcode: barcode, pix: pix, notes: notes)
    }

    func statementDocument(_ s: Statement, property p: Property) throws -> PayableDocument {
        guard let barcode = ArrecadacaoBarcode(reading: s.barcode), let pix = try? PixBRCode(storedPayload: s.pix) else {
            throw StorageError.corrupt("statement \(s.id) codes")
        }
        return PayableDocument(
            kind: .statement, number: String(s.id), issuer: issuer, issuedOn: s.issuedOn, customerName: Self.holder(p.titular.nome),
            customerDocument: TaxID(p.titular.documento)?.masked ?? "", matricula: Matricula.display(p.matricula),
            address: p.address.oneLine, categoria: p.categoria.label,
            lines: s.lines.map {
                .init(competencia: $0.bill.competencia, due: $0.bill.due, consumptionM3: $0.bill.consumptionM3, charges: $0.charges)
            },
            due: s.due, barcode: barcode, pix: pix,
            notes: [
                "Valores de contas vencidas atualizados até o vencimento deste extrato (\(s.due.formatted)): multa de 2 %, juros de 1 % ao mês pro rata die e correção monetária."
            ])
    }

    /// A fee's document: for the property's holder, or for the payer of a request with no
    /// property (ligação nova: no matrícula yet, the address asked for).
    func feeDocument(_ f: ServiceFee, property p: Property?) throws -> PayableDocument {
        guard let due = f.due, let barcode = f.barcode.flatMap(ArrecadacaoBarcode.init(reading:)),
            let pix = try? PixBRCode(storedPayload: f.pix ?? "")
        else { throw StorageError.corrupt("service fee \(f.id) codes") }
        return PayableDocument(
            kind: .serviceFee, number: String(f.id), issuer: issuer, issuedOn: f.issuedOn,
            customerName: Self.holder(p?.titular.nome ?? f.payer?.name ?? ""),
            customerDocument: TaxID(p?.titular.documento ?? f.payer?.documento ?? "")?.masked ?? "",
            matricula: p.map { Matricula.display($0.matricula) } ?? "a definir",
            address: p?.address.oneLine ?? f.payer?.address ?? "", categoria: p?.categoria.label ?? "—",
            lines: [.init(fee: f.amount, reference: f.protocolNumber.formatted, due: due)], due: due, barcode: barcode, pix: pix,
            notes: [
                "Taxa do serviço \(f.description), pedido pelo protocolo nº \(f.protocolNumber.formatted).",
                "Acompanhe o pedido pelo número do protocolo e o CPF/CNPJ do requerente.",
            ])
    }

    /// The carnê of an agreement: its terms and a slip per installment in `slips` (its open ones,
    /// or the one asked for again).
    func carne(
        _ a: Agreement, slips: [Agreement.Installment], property p: Property, settings: AgreementSettings
    ) throws -> Carne {
        let n = a.count
        let installments = a.installments.filter { $0.seq > 0 }
        let channel = ["kiosk": "no autoatendimento", "counter": "no balcão", "staff": "na retaguarda"][a.channel] ?? ""
        var terms = [
            "Acordo nº \(a.id), assinado em \(a.signedOn.formatted) \(channel) pelo titular (CPF/CNPJ \(TaxID(a.signerDocument)?.masked ?? "")).",
            "Débitos incluídos, atualizados até \(a.signedOn.formatted): "
                + a.bills.map { "\($0.competencia.formatted) \($0.amount.formatted)" }.joined(separator: ", ")
                + "; total \(a.debt.formatted).",
        ]
        var plan = ""
        if let entry = a.installments.first(where: { $0.seq == 0 }) {
            plan += "Entrada de \(entry.amount.formatted) com vencimento em \(entry.due.formatted); "
        }
        if let firstInstallment = installments.first, let last = installments.last {
            let rate = String(format: "%.2f", Double(a.rateBasisPoints) / 100).replacingOccurrences(of: ".", with: ",")
            plan +=
                "\(counted(n, "parcela")) de \(firstInstallment.amount.formatted)"
                + (last.amount == firstInstallment.amount ? "" : " (a última de \(last.amount.formatted))")
                + ", juros de \(rate) % ao mês (Tabela Price), de \(firstInstallment.due.formatted) a \(last.due.formatted)."
        }
        terms.append(plan)
        if a.kind == AgreementKind.dividaAtiva.rawValue {
            terms.append(
                "Débitos inscritos em dívida ativa, negociados no \(utility.dividaAtivaConvenio): os boletos deste carnê são desse "
                    + "convênio (empresa \(utility.dividaAtivaFebrabanCompany)).")
        }
        terms.append(
            "Parcela paga depois do vencimento tem multa de 2 %, juros de 1 % ao mês pro rata die e correção monetária até o pagamento; "
                + "um vencimento em dia sem expediente bancário passa para o dia útil seguinte.")
        terms.append(
            "O acordo é rompido com \(settings.maxOverdueInstallments) parcelas vencidas e não pagas, ou com uma parcela vencida há "
                + "\(settings.maxOverdueDays) dias: o saldo volta a ser dívida em aberto, com os encargos.")
        return Carne(
            issuer: issuer, title: "\(a.kind == "divida_ativa" ? "Acordo de dívida ativa" : "Acordo de parcelamento") nº \(a.id)",
            customerName: Self.holder(p.titular.nome), customerDocument: TaxID(p.titular.documento)?.masked ?? "",
            matricula: Matricula.display(p.matricula), address: p.address.oneLine, terms: terms,
            slips: try slips.map { i in
                guard let barcode = ArrecadacaoBarcode(reading: i.barcode) else { throw StorageError.corrupt("agreement \(a.id) barcode") }
                return Carne.Slip(
                    label: i.seq == 0 ? "Entrada" : "Parcela \(i.seq) de \(n)", due: i.due, amount: i.amount, barcode: barcode,
                    pix: try PixBRCode(storedPayload: i.pix))
            })
    }

    func cardReceipt(_ c: CardPayment, companyName: String, approvedAt: String, property p: Property, lines: [CardReceipt.Line])
        -> CardReceipt
    {
        CardReceipt(
            issuer: issuer, reference: "AV-CP-\(c.id)", companyName: companyName, companyReference: c.companyReference,
            approvedAt: approvedAt,
            customerName: Self.holder(p.titular.nome), customerDocument: TaxID(p.titular.documento)?.masked ?? "",
            matricula: Matricula.display(p.matricula),
            address: p.address.oneLine, lines: lines, fee: c.fee)
    }
}
