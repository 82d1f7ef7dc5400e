import Domain

/// A protocol's receipt (issue 28.15): what a person takes away from a kiosk or a counter
/// instead of writing the number down — the number, what was asked and when, how to follow it
/// and, for an anonymous manifestation, its secret. Rendered by `PDFRenderer.render(_:)`.
public struct ProtocolReceipt: Sendable {
    public var issuer: PayableDocument.Issuer
    /// `2026/000123`.
    public var number: String
    public var typeName: String
    /// `05/12/2026 10:14`, at the utility.
    public var openedAt: String
    /// The answer's deadline as the customer should read it (`até 04/01/2027`), if any.
    public var deadline: String?
    /// An anonymous manifestation's secret, printed once here (the server keeps only its hash).
    public var secret: String?

    public init(issuer: PayableDocument.Issuer, number: String, typeName: String, openedAt: String, deadline: String?, secret: String?) {
        self.issuer = issuer
        self.number = number
        self.typeName = typeName
        self.openedAt = openedAt
        self.deadline = deadline
        self.secret = secret
    }
}
