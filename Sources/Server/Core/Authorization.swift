import Domain

/// What an operation needs from its caller.
enum Access: Sendable {
    /// Any live session, customer or staff.
    case session
    /// A property the caller may act on: for a customer, the property logged in with and those
    /// linked to the CPF/CNPJ it authenticated; for staff, any existing property.
    case property(String)
    /// Staff only (which roles: `Permissions`), and in `unit` when one is given (a supervisor
    /// reaches every unit).
    case staff(unit: String? = nil)
}

/// What the caller was granted: who they are, for `.property` the normalised matrícula, and the
/// request's moment (one reading of the clock, so "today" cannot change halfway through).
struct Grant: Sendable {
    let principal: Principal
    let matricula: String
    let now: Int64
    let today: CivilDate
    /// The utility's business days, which decide when a bill is overdue.
    let calendar: BusinessCalendar
    let audit: AuditLog

    var staff: StaffMember? { principal.staff }

    /// Records an attendant's action on the granted property in the audit trail (nothing for a
    /// customer).
    func record(_ action: String, detail: String? = nil) async throws {
        try await audit.record(principal, action, matricula: matricula.isEmpty ? nil : matricula, detail: detail)
    }
}

/// The one place that decides who may do what (DECISIONS 8, 63): by operation and role
/// (`permit`, before any handler runs), then by property for customers and by unit for staff
/// (`check`, in the handler). A customer asking for a property that is not theirs gets the same
/// 404 as for one that does not exist.
struct Authorization: Sendable {
    let properties: PropertyRepository
    let audit: AuditLog
    let clock: AppClock

    /// Whether the caller's role may call `operation` at all (`Permissions.table`); an operation
    /// missing from the table is refused to everyone.
    static func permit(_ operation: String) throws {
        let allowed = Permissions.table[operation] ?? []
        if allowed.contains(.publico) { return }
        guard let principal = Principal.current else { throw APIError.unauthenticated }
        let actor = Actor(principal)
        guard allowed.contains(actor) else {
            let who: String
            switch principal {
            case .customer: who = "Uma sessão de cliente"
            case .staff(let s, _): who = "Seu perfil (\(s.role.label))"
            case .integration: who = "Uma chave de integração"
            }
            throw APIError(status: .forbidden, code: "role_forbidden", message: "\(who) não permite esta operação.")
        }
    }

    func check(_ access: Access) async throws -> Grant {
        guard let principal = Principal.current else { throw APIError.unauthenticated }
        let instant = clock.now()
        func grant(_ matricula: String = "") -> Grant {
            Grant(
                principal: principal, matricula: matricula, now: Int64(instant.timeIntervalSince1970),
                today: LocalCalendar.today(instant, timeZone: clock.timeZone), calendar: clock.calendar, audit: audit)
        }
        switch access {
        case .session:
            return grant()
        case .staff(let unit):
            guard let s = principal.staff else { throw APIError.forbidden }
            if let unit, s.role != .supervisor, s.unit != unit { throw APIError.forbidden }
            return grant()
        case .property(let raw):
            let matricula = raw.filter(\.isNumber)
            guard !matricula.isEmpty, matricula.count == raw.count else { throw APIError.notFound }
            switch principal {
            case .customer(let own, let documento, _):
                if matricula == own { return grant(matricula) }
                if let d = documento, try await properties.isLinked(matricula: matricula, documento: d) {
                    return grant(matricula)
                }
                throw APIError.notFound
            case .staff:
                guard try await properties.exists(matricula) else { throw APIError.notFound }
                return grant(matricula)
            case .integration:
                throw APIError.forbidden
            }
        }
    }
}
