/// A protocol's number (DOMAIN.md, "Protocols"): the year and a sequence that starts at 1 every
/// year, gap-free; `2026000123` in the API and the database, `2026/000123` on screen and paper.
public struct ProtocolNumber: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let sequence: Int

    public init?(year: Int, sequence: Int) {
        guard (2000...9999).contains(year), (1...999_999).contains(sequence) else { return nil }
        self.year = year
        self.sequence = sequence
    }

    /// Reads what a person types or the API carries: `2026/000123`, `2026/123`, `2026000123`
    /// (spaces, dots and dashes ignored).
    public init?(parsing text: String) {
        let kept = text.filter { !" .-".contains($0) }
        let parts = kept.split(separator: "/", omittingEmptySubsequences: false)
        let year: Int?
        let sequence: Int?
        switch parts.count {
        case 1 where kept.count == 10 && kept.allSatisfy(\.isASCII):
            year = Int(kept.prefix(4))
            sequence = Int(kept.suffix(6))
        case 2 where parts[0].count == 4 && (1...6).contains(parts[1].count):
            year = Int(parts[0])
            sequence = Int(parts[1])
        default:
            return nil
        }
        guard let year, let sequence, kept.allSatisfy({ $0 == "/" || ($0.isASCII && $0.isNumber) }) else { return nil }
        self.init(year: year, sequence: sequence)
    }

    /// `2026000123`.
    public var compact: String { "\(year)\(Self.six(sequence))" }
    /// `2026/000123`.
    public var formatted: String { "\(year)/\(Self.six(sequence))" }
    public var description: String { formatted }

    private static func six(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: "0", count: max(0, 6 - s.count)) + s
    }

    public static func < (a: ProtocolNumber, b: ProtocolNumber) -> Bool { (a.year, a.sequence) < (b.year, b.sequence) }
}

/// Where a protocol stands: aberto → recebido → em andamento → concluído (→ reaberto);
/// forwarding returns it to aberto in the new unit.
public enum ProtocolSituation: String, Sendable, CaseIterable, Codable {
    case aberto
    case recebido
    case emAndamento = "em_andamento"
    case concluido
    case reaberto

    public var label: String {
        switch self {
        case .aberto: return "Aberto"
        case .recebido: return "Recebido"
        case .emAndamento: return "Em andamento"
        case .concluido: return "Concluído"
        case .reaberto: return "Reaberto"
        }
    }

    /// Waiting for someone in its unit to take it.
    public var awaitsReceipt: Bool { self == .aberto || self == .reaberto }
}

/// What staff do to a protocol in their queue.
public enum ProtocolAction: String, Sendable, CaseIterable, Codable {
    /// Takes it: the unit's alert stops.
    case receive
    /// A dispatch (despacho): text and attachments, public or private.
    case dispatch
    /// Sends it to another unit, with a dispatch; it is open again there.
    case forward
    /// Changes type, subject or deadline (audited with the old values).
    case edit
    /// Ends it with a final public dispatch.
    case conclude
    /// Opens a concluded protocol again (supervisor).
    case reopen

    public var label: String {
        switch self {
        case .receive: return "Receber"
        case .dispatch: return "Despachar"
        case .forward: return "Encaminhar"
        case .edit: return "Editar"
        case .conclude: return "Concluir"
        case .reopen: return "Reabrir"
        }
    }

    /// The situation after the action, from `situation`.
    public func situation(after situation: ProtocolSituation) -> ProtocolSituation {
        switch self {
        case .receive: return .recebido
        case .dispatch: return .emAndamento
        case .forward: return .aberto
        case .edit: return situation
        case .conclude: return .concluido
        case .reopen: return .reaberto
        }
    }

    /// Why `role` of `staffUnit` may not take this action on a protocol in `situation` at
    /// `protocolUnit`; nil when it may. Atendentes open and consult; backoffice works its own
    /// unit's queue; supervisors work every unit and alone reopen.
    public func refusal(role: StaffRole, staffUnit: String, situation: ProtocolSituation, protocolUnit: String) -> String? {
        switch role {
        case .atendente:
            return "Atendentes abrem e consultam protocolos; os trâmites são da unidade de destino."
        case .backoffice:
            if self == .reopen { return "Só um supervisor reabre um protocolo concluído." }
            if staffUnit != protocolUnit {
                return "Este protocolo está em outra unidade: só a unidade dele (ou um supervisor) o movimenta."
            }
        case .supervisor:
            break
        }
        switch self {
        case .receive:
            return situation.awaitsReceipt ? nil : "Este protocolo já foi recebido."
        case .dispatch, .conclude:
            if situation == .concluido { return "Este protocolo está concluído: reabra-o para movimentá-lo." }
            return situation.awaitsReceipt ? "Receba o protocolo antes (ele ainda está aguardando a unidade)." : nil
        case .forward, .edit:
            return situation == .concluido ? "Este protocolo está concluído: reabra-o para movimentá-lo." : nil
        case .reopen:
            return situation == .concluido ? nil : "Só um protocolo concluído pode ser reaberto."
        }
    }
}

/// What a customer reads of a protocol (issue 28), the one rule behind "Meus protocolos" and the
/// public lookup alike: the subject, the opening text (the request as registered, as the staff
/// form says; what is for staff only goes in a private dispatch), the public steps, and the files
/// below.
public enum CustomerProtocolView {
    /// Which files reach a customer: only the utility's answers — files of a public step other
    /// than the opening — and only to the requester (proven by a session of their CPF/CNPJ, or by
    /// the lookup with it). The documents a requester brings, scanned with the opening at the
    /// counter, and every file of a private step stay with staff; another customer of the
    /// property reads the protocol, never its files.
    public static func showsFile(stepAction: String, stepPublic: Bool, toRequester: Bool) -> Bool {
        stepPublic && toRequester && stepAction != "open"
    }
}
