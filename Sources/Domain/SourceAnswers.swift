/// What the utility's service-management system says of a request it received (issue 31, GSAN.md
/// §9.4): by the API (`addSourceStep`) or by file (`solicitacoes_retorno.csv`), checked by one
/// rule and applied by one function.
public enum SourceSituation: String, CaseIterable, Sendable {
    case recebida
    case pendente
    case emExecucao = "em_execucao"
    case bloqueada
    case concluida
    case rejeitada

    /// The file's word for it: GSAN says `encerrada` for `concluida`.
    public init?(file: String) {
        if file == "encerrada" {
            self = .concluida
        } else {
            self.init(rawValue: file)
        }
    }

    /// As the customer reads it in the protocol's history and e-mail.
    public var label: String {
        switch self {
        case .recebida: return "Recebida pela concessionária"
        case .pendente: return "Pendente na concessionária"
        case .emExecucao: return "Em execução"
        case .bloqueada: return "Suspensa na concessionária"
        case .concluida: return "Concluída"
        case .rejeitada: return "Não atendida"
        }
    }

    /// Concludes the protocol in the agência.
    public var concludes: Bool { self == .concluida || self == .rejeitada }

    /// The agência's situation after it.
    public var situation: ProtocolSituation { concludes ? .concluido : .emAndamento }

    /// The public text of the step: the situation in words, then the source's text.
    public func text(_ texto: String?) -> String {
        guard let t = texto, !t.isEmpty else { return label + "." }
        return "\(label): \(t)"
    }
}

public enum SourceAnswerRules {
    public static let maxText = 4000
    public static let maxReference = 40

    /// Why a source's answer cannot be applied to a protocol in `current`; nil when it can.
    public static func refusal(_ s: SourceSituation, texto: String?, current: ProtocolSituation) -> String? {
        let text = texto ?? ""
        if s == .concluida, text.isEmpty { return "Uma conclusão leva o parecer (texto) para o cliente." }
        if s == .rejeitada, text.isEmpty { return "Uma rejeição leva o motivo (texto) para o cliente." }
        if text.count > maxText { return "O texto passa de \(maxText) caracteres." }
        if current == .concluido {
            return "O protocolo já está concluído na agência: um novo andamento precisa que o supervisor o reabra."
        }
        return nil
    }

    /// Why a reference (the source's key or number) is refused; nil when it is fine.
    public static func referenceRefusal(_ value: String?, what: String) -> String? {
        guard let v = value else { return nil }
        if v.isEmpty || v.count > maxReference || v.contains(where: { $0.isNewline }) {
            return "\(what): de 1 a \(maxReference) caracteres, numa linha."
        }
        return nil
    }
}
