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

/// How much of a protocol a staff member reads (issue 27): the one definition of who sees what,
/// used by the protocol's page, its attachments and the audit.
public enum ProtocolReading: Equatable, Sendable {
    /// Not found, as for a number that does not exist.
    case none
    /// What the requester reads: public steps and their files.
    case publicPart
    /// Everything: private dispatches and files.
    case full

    /// What the protocol is, as far as reading it goes.
    public struct Facts: Sendable {
        /// The unit that has it now.
        public var unit: String
        /// An ouvidoria manifestation: its complainant's identity is protected (Lei 13.460/2017
        /// art. 10 § 7) — only the ouvidoria reads it.
        public var ouvidoria: Bool
        public var openedBy: String?
        /// Who wrote its steps, and the units it was in.
        public var stepStaff: Set<String>
        public var units: Set<String>
        public init(unit: String, ouvidoria: Bool, openedBy: String?, stepStaff: Set<String>, units: Set<String>) {
            self.unit = unit
            self.ouvidoria = ouvidoria
            self.openedBy = openedBy
            self.stepStaff = stepStaff
            self.units = units
        }
    }

    /// A supervisor reads everything. The ouvidoria's manifestations: its unit only. Back office:
    /// the protocols its unit has or had, and those it wrote in. An attendant: the public part of
    /// what they opened or of the protocols of the customer at their counter (`serving`: the
    /// protocol's property was opened on their screen during the shift).
    public static func of(
        role: StaffRole, unit: String, usuario: String, ouvidoriaUnit: String, facts f: Facts, serving: Bool
    ) -> ProtocolReading {
        if role == .supervisor { return .full }
        if f.ouvidoria { return unit == ouvidoriaUnit ? .full : .none }
        switch role {
        case .backoffice:
            return f.unit == unit || f.units.contains(unit) || f.stepStaff.contains(usuario) ? .full : .none
        case .atendente:
            return f.openedBy == usuario || f.stepStaff.contains(usuario) || serving ? .publicPart : .none
        case .supervisor:
            return .full
        }
    }
}
