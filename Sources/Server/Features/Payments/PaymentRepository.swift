import Domain
import SQLKit

/// A payment received for a bill.
struct Payment: Sendable {
    var paidOn: CivilDate
    var amount: Money
    /// `banco`, `pix`, `debito_automatico`, `loterica`, or `cartao:<company>` for a card payment.
    var channel: String
    var billId: Int64
    var competencia: Competencia
}

/// The property's payment history (PRODUCT.md B6). Served by `payments_matricula`.
struct PaymentRepository: Sendable {
    let store: any Store

    func payments(_ matricula: String) async throws -> [Payment] {
        try await store.read { db in
            try await db.raw(
                """
                SELECT p.paid_on, p.amount_cents, p.channel, p.bill_id, b.competencia
                FROM payments p JOIN bills b ON b.id = p.bill_id
                WHERE p.matricula = \(bind: matricula) ORDER BY p.paid_on DESC, p.bill_id DESC LIMIT 60
                """
            ).all().map { row in
                let paid = try row.decode(column: "paid_on", as: String.self)
                let comp = try row.decode(column: "competencia", as: String.self)
                guard let paidOn = CivilDate(iso: paid), let competencia = Competencia(iso: comp) else {
                    throw StorageError.corrupt("payment \(paid) \(comp)")
                }
                return try Payment(
                    paidOn: paidOn, amount: Money(cents: row.decode(column: "amount_cents", as: Int64.self)),
                    channel: row.decode(column: "channel", as: String.self), billId: row.decode(column: "bill_id", as: Int64.self),
                    competencia: competencia)
            }
        }
    }
}
