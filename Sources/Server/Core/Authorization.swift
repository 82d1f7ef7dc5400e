import Domain

/// What an operation needs from its caller.
enum Access: Sendable {
    /// Any live session, customer or staff.
    case session
    /// A property the caller may act on: for a customer, the property logged in with and those
    /// linked to the CPF/CNPJ it authenticated; for staff, any existing property.
    case property(String)
    /// Staff only, in one of `roles`, and in `unit` when one is given (a supervisor reaches
    /// every unit).
    case staff(roles: Set<StaffRole>, unit: String? = nil)
}

/// What the caller was granted: who they are and, for `.property`, the normalised matrícula.
struct Grant: Sendable {
    let principal: Principal
    let matricula: String

    var staff: StaffMember? { principal.staff }
}

/// The one place that decides who may do what (DECISIONS 8): by property for customers, by role
/// and unit for staff. A customer asking for a property that is not theirs gets the same 404 as
/// for one that does not exist.
struct Authorization: Sendable {
    let properties: PropertyRepository

    func check(_ access: Access) async throws -> Grant {
        guard let principal = Principal.current else { throw APIError.unauthenticated }
        switch access {
        case .session:
            return Grant(principal: principal, matricula: "")
        case .staff(let roles, let unit):
            guard let s = principal.staff, roles.contains(s.role) else { throw APIError.forbidden }
            if let unit, s.role != .supervisor, s.unit != unit { throw APIError.forbidden }
            return Grant(principal: principal, matricula: "")
        case .property(let raw):
            let matricula = raw.filter(\.isNumber)
            guard !matricula.isEmpty, matricula.count == raw.count else { throw APIError.notFound }
            switch principal {
            case .customer(let own, let documento, _):
                if matricula == own { return Grant(principal: principal, matricula: matricula) }
                if let d = documento, try await properties.isLinked(matricula: matricula, documento: d) {
                    return Grant(principal: principal, matricula: matricula)
                }
                throw APIError.notFound
            case .staff:
                guard try await properties.exists(matricula) else { throw APIError.notFound }
                return Grant(principal: principal, matricula: matricula)
            }
        }
    }
}
