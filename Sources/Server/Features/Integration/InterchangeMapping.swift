import Domain

/// How the package's canonical values become the agência's model (issue 30, DECISIONS 92):
/// one definition each, used by the loader and checked by a table test. A value without a
/// counterpart gives nil, and its row is set aside with the reason.
enum InterchangeMapping {
    /// The water connection: in service (even under inspection), cut, removed (also partly, or
    /// being cancelled), or not yet there.
    static func ligacao(_ agua: String) -> SituacaoLigacao? {
        switch agua {
        case "ligada", "em_fiscalizacao": return .ativa
        case "cortada": return .cortada
        case "suprimida", "suprimida_parcial", "em_cancelamento": return .suprimida
        case "potencial", "factivel": return .factivel
        default: return nil
        }
    }

    /// The other way, for the export.
    static func canonical(_ s: SituacaoLigacao) -> String {
        switch s {
        case .ativa: return "ligada"
        case .cortada: return "cortada"
        case .suprimida: return "suprimida"
        case .factivel: return "factivel"
        }
    }

    /// The category and the social tariff, for the export.
    static func canonical(_ c: Categoria) -> (principal: String, tarifaSocial: Bool) {
        c == .residencialSocial ? ("residencial", true) : (c.rawValue, false)
    }

    /// Whether the property is served by the sewer (what the agência bills sewage on).
    static func esgoto(_ situacao: String) -> Bool { situacao == "ligado" || situacao == "em_fiscalizacao" }

    /// The agência's category: the residential social tariff is a category of its own here.
    static func categoria(_ principal: String, tarifaSocial: Bool) -> Categoria? {
        switch principal {
        case "residencial": return tarifaSocial ? .residencialSocial : .residencial
        case "comercial": return .comercial
        case "industrial": return .industrial
        case "publica": return .publica
        default: return nil
        }
    }

    /// A link of a property to a customer, as the package has it.
    struct Link: Equatable {
        var customer: String
        var tipo: String
        var inicio: CivilDate
        var fim: CivilDate?
        var nomeNaConta: Bool
    }

    /// The holder the agência shows and logs in with: among the links in force on `today`, the
    /// one named on the bill; else the newest `usuario`; else the newest `proprietario`; else the
    /// newest `responsavel`. Nil when no link is in force.
    static func holder(_ links: [Link], on today: CivilDate) -> String? {
        let current = links.filter { $0.inicio <= today && ($0.fim.map { $0 >= today } ?? true) }
        if let named = current.filter(\.nomeNaConta).max(by: { $0.inicio < $1.inicio }) { return named.customer }
        for tipo in ["usuario", "proprietario", "responsavel"] {
            if let l = current.filter({ $0.tipo == tipo }).max(by: { $0.inicio < $1.inicio }) { return l.customer }
        }
        return nil
    }
}
