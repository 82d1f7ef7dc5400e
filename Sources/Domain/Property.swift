/// A property's tariff category (DOMAIN.md, tariffs).
public enum Categoria: String, Sendable, CaseIterable, Codable {
    case residencialSocial = "residencial_social"
    case residencial
    case comercial
    case industrial
    case publica

    /// The label on screen.
    public var label: String {
        switch self {
        case .residencialSocial: return "Residencial social"
        case .residencial: return "Residencial"
        case .comercial: return "Comercial"
        case .industrial: return "Industrial"
        case .publica: return "Pública"
        }
    }
}

/// The situation of the water connection ("situação da ligação").
public enum SituacaoLigacao: String, Sendable, CaseIterable, Codable {
    case ativa
    case cortada
    case suprimida
    case factivel

    public var label: String {
        switch self {
        case .ativa: return "Ativa"
        case .cortada: return "Cortada (corte por débito)"
        case .suprimida: return "Suprimida"
        case .factivel: return "Factível (sem ligação)"
        }
    }
}

/// The situation of a bill.
public enum SituacaoConta: String, Sendable, CaseIterable, Codable {
    /// Issued and not paid (overdue when past its due date).
    case aberta
    /// Paid.
    case paga
    /// In a card negotiation: neither payable nor selectable until the company answers.
    case emRevisao = "em_revisao"
    /// Included in an installment agreement.
    case parcelada

    /// Whether a bill in this situation, due on `due`, is overdue on `today`: open and past its
    /// due date. The one definition of "vencida" (home banner, debts, statements, simulations).
    public func isOverdue(due: CivilDate, today: CivilDate) -> Bool {
        self == .aberta && due < today
    }

    public var label: String {
        switch self {
        case .aberta: return "Em aberto"
        case .paga: return "Paga"
        case .emRevisao: return "Em revisão"
        case .parcelada: return "Parcelada"
        }
    }
}

/// The state of a card payment (PRODUCT.md B4): pending with the company until it decides, the
/// sweeper expires it, or the call to the company fails.
public enum CardPaymentStatus: String, Sendable, CaseIterable, Codable {
    case pendente
    case aprovado
    case recusado
    case expirado
    /// The company could not be reached: nothing was charged.
    case falhou
}
