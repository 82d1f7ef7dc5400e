/// What a staff member may do (PRODUCT.md A3): attendants open and consult for customers at a
/// counter; back-office staff work their unit's queues; supervisors also act across units.
public enum StaffRole: String, Sendable, CaseIterable, Codable {
    case atendente
    case backoffice
    case supervisor

    public var label: String {
        switch self {
        case .atendente: return "Atendente"
        case .backoffice: return "Retaguarda"
        case .supervisor: return "Supervisor"
        }
    }
}
