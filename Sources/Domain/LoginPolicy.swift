/// What the kiosk login asks for (PRODUCT.md A1): the utility's choice, served by the server.
public enum LoginPolicy: String, Sendable, CaseIterable, Codable {
    /// The sequence number only.
    case matricula
    /// Sequence and check digit.
    case matriculaDV = "matricula_dv"
    /// Sequence, check digit and the CPF/CNPJ of a customer linked to the property.
    case matriculaDVDocumento = "matricula_dv_documento"

    public var asksCheckDigit: Bool { self != .matricula }
    public var asksDocument: Bool { self == .matriculaDVDocumento }
}
