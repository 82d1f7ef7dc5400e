import Domain

/// The declaração anual de quitação de débitos as printed (Lei 12.007/2009): the law's words,
/// the property and its holder, and each bill of the year with the date it was paid.
public struct DeclaracaoDocument: Sendable {
    public var issuer: PayableDocument.Issuer
    public var year: Int
    public var number: String
    public var holderName: String
    public var holderDocument: String
    public var matricula: String
    public var address: String
    public var issuedOn: CivilDate
    public var lines: [DeclaracaoAnual.Line]

    public init(
        issuer: PayableDocument.Issuer, year: Int, number: String, holderName: String, holderDocument: String, matricula: String,
        address: String, issuedOn: CivilDate, lines: [DeclaracaoAnual.Line]
    ) {
        self.issuer = issuer
        self.year = year
        self.number = number
        self.holderName = holderName
        self.holderDocument = holderDocument
        self.matricula = matricula
        self.address = address
        self.issuedOn = issuedOn
        self.lines = lines
    }

    public var title: String { "Declaração Anual de Quitação de Débitos — \(year)" }
    public var total: Money { lines.reduce(.zero) { $0 + $1.amount } }
}
