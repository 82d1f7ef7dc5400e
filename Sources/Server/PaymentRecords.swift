import Domain

/// A bill as stored.
struct BillRecord: Sendable {
    var id: Int64
    var matricula: String
    var competencia: String
    var vencimento: String
    var valorCents: Int64
    var situacao: String
    var consumoM3: Int
    var leituraEstimada: Bool
    var pagoEm: String?

    var due: CivilDate { CivilDate(iso: vencimento) ?? CivilDate(year: 2000, month: 1, day: 1)! }
    var value: Money { Money(cents: valorCents) }
}

struct StatementLineRecord: Sendable {
    var bill: BillRecord
    var fineCents: Int64
    var interestCents: Int64
    var correctionCents: Int64
    var daysLate: Int
    var totalCents: Int64 { bill.valorCents + fineCents + interestCents + correctionCents }
}

struct StatementRecord: Sendable {
    var id: Int64
    var matricula: String
    var issuedOn: String
    var dueOn: String
    var totalCents: Int64
    var barcode: String
    var pix: String
    var lines: [StatementLineRecord]
}

struct PaymentRecord: Sendable {
    var paidOn: String
    var amountCents: Int64
    var channel: String
    var billId: Int64
    var competencia: String
}

struct CardPaymentRecord: Sendable {
    var id: Int64
    var matricula: String
    var company: String
    var status: String
    var amountCents: Int64
    var feeCents: Int64
    var expiresAt: Int64
    var instructions: String?
    var billIds: [Int64]
}

struct OutboxRecord: Sendable {
    var id: Int64
    var dedupeKey: String
    var matricula: String
    var recipient: String
    var documentKind: String
    var documentId: Int64
    var attempts: Int
}

/// An idempotent write's key: who (scope), the client's key, and a digest of the request.
struct IdempotencyClaim: Sendable {
    var scope: String
    var key: String
    var requestHash: String
}
