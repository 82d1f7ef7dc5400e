import Domain

/// A certidão de débitos as printed: who and what it certifies, until when, and the code anyone
/// checks it by.
public struct CertidaoDocument: Sendable {
    public var issuer: PayableDocument.Issuer
    public var title: String
    public var number: String
    public var holderName: String
    public var holderDocument: String
    public var matricula: String
    public var address: String
    /// What it certifies, in the utility's words.
    public var statement: String
    public var issuedOn: CivilDate
    public var validUntil: CivilDate
    public var code: String
    /// Where and how to check the code.
    public var howToVerify: String
    /// The signed text the QR carries (`AVCERT1|…`).
    public var seal: String

    public init(
        issuer: PayableDocument.Issuer, title: String, number: String, holderName: String, holderDocument: String, matricula: String,
        address: String, statement: String, issuedOn: CivilDate, validUntil: CivilDate, code: String, howToVerify: String, seal: String
    ) {
        self.seal = seal
        self.issuer = issuer
        self.title = title
        self.number = number
        self.holderName = holderName
        self.holderDocument = holderDocument
        self.matricula = matricula
        self.address = address
        self.statement = statement
        self.issuedOn = issuedOn
        self.validUntil = validUntil
        self.code = code
        self.howToVerify = howToVerify
    }
}
