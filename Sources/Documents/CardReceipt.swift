import Domain

/// The receipt (comprovante) of an approved card payment: who paid which bills, through which
/// company, with both references. Rendered by `PDFRenderer.render(_:)`.
public struct CardReceipt: Sendable {
    public struct Line: Sendable {
        public var competencia: Competencia
        public var due: CivilDate
        public var amount: Money
        public init(competencia: Competencia, due: CivilDate, amount: Money) {
            self.competencia = competencia
            self.due = due
            self.amount = amount
        }
    }

    public var issuer: PayableDocument.Issuer
    /// Ours (`AV-CP-7`): what the payments list shows.
    public var reference: String
    public var companyName: String
    public var companyReference: String?
    /// `29/11/2026 14:05`, at the utility.
    public var approvedAt: String
    public var customerName: String
    public var customerDocument: String
    public var matricula: String
    public var address: String
    public var lines: [Line]
    public var fee: Money

    public var amount: Money { lines.reduce(.zero) { $0 + $1.amount } }
    public var total: Money { amount + fee }

    public init(
        issuer: PayableDocument.Issuer, reference: String, companyName: String, companyReference: String?, approvedAt: String,
        customerName: String, customerDocument: String, matricula: String, address: String, lines: [Line], fee: Money
    ) {
        self.issuer = issuer
        self.reference = reference
        self.companyName = companyName
        self.companyReference = companyReference
        self.approvedAt = approvedAt
        self.customerName = customerName
        self.customerDocument = customerDocument
        self.matricula = matricula
        self.address = address
        self.lines = lines
        self.fee = fee
    }
}
