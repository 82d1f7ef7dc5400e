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
    /// Not owed, for a reason of the utility's commercial system (issue 30, DECISIONS 93):
    /// cancelled, replaced by a rectified bill, prescribed, carried into another bill, or in an
    /// installment agreement made there. The source's words say which.
    case baixada

    /// What a property owes (issue 27), the one definition every feature uses: a bill is owed
    /// until it is paid. Open, and open in dívida ativa (an open bill with its inscription date);
    /// under review, because a pending card payment pays nothing until the company approves it;
    /// in an agreement, owed through the agreement's installments.
    public var isOwed: Bool { self != .paga && self != .baixada }

    /// Owed by the bill itself, so that its own due date decides whether it is overdue: open or
    /// under review. A bill in an agreement is owed through the agreement's installments, whose
    /// dates decide instead (`AgreementStanding`).
    public var isOwedOnItsOwn: Bool { self == .aberta || self == .emRevisao }

    /// Whether it can be paid or negotiated now (a document, a card payment, an agreement, its
    /// second copy): open only. Under review waits for the company; in an agreement is paid
    /// through the carnê.
    public var isPayable: Bool { self == .aberta }

    /// Whether a bill in this situation, due on `due`, is overdue on `today`: owed on its own and
    /// past the last day it could be paid without charges (`BusinessCalendar.isLate`). The one
    /// definition of "vencida" (home banner, debts, certidão, services, negotiation).
    public func isOverdue(due: CivilDate, today: CivilDate, calendar: BusinessCalendar) -> Bool {
        isOwedOnItsOwn && calendar.isLate(due: due, on: today)
    }

    public var label: String {
        switch self {
        case .aberta: return "Em aberto"
        case .paga: return "Paga"
        case .emRevisao: return "Em revisão"
        case .parcelada: return "Parcelada"
        case .baixada: return "Sem cobrança"
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

/// Where a property is.
public struct Address: Sendable, Equatable {
    public var logradouro: String
    public var numero: String
    public var complemento: String?
    public var bairro: String
    public var cidade: String
    public var uf: String
    public var cep: String

    public init(logradouro: String, numero: String, complemento: String?, bairro: String, cidade: String, uf: String, cep: String) {
        self.logradouro = logradouro
        self.numero = numero
        self.complemento = complemento
        self.bairro = bairro
        self.cidade = cidade
        self.uf = uf
        self.cep = cep
    }

    /// `Rua das Flores, 120 apto 2 - Centro, Aracaju/SE`.
    public var oneLine: String {
        "\(logradouro), \(numero)\(complemento.map { " \($0)" } ?? "") - \(bairro), \(cidade)/\(uf)"
    }
}

/// A customer: the holder of a property or another person or company linked to it.
public struct Customer: Sendable, Equatable {
    /// Normalised CPF/CNPJ (digits and uppercase letters).
    public var documento: String
    public var nome: String
    public var email: String?
    public var telefone: String?

    public init(documento: String, nome: String, email: String?, telefone: String?) {
        self.documento = documento
        self.nome = nome
        self.email = email
        self.telefone = telefone
    }
}

/// A property (imóvel) served by one water connection, with its holder (titular).
public struct Property: Sendable, Equatable {
    public var matricula: String
    public var address: Address
    public var categoria: Categoria
    public var economias: Int
    public var situacaoLigacao: SituacaoLigacao
    /// Since when the connection is in that situation, when known (the cut, the removal).
    public var situacaoLigacaoSince: CivilDate?
    public var esgoto: Bool
    public var titular: Customer

    public init(
        matricula: String, address: Address, categoria: Categoria, economias: Int, situacaoLigacao: SituacaoLigacao,
        situacaoLigacaoSince: CivilDate? = nil, esgoto: Bool, titular: Customer
    ) {
        self.matricula = matricula
        self.address = address
        self.categoria = categoria
        self.economias = economias
        self.situacaoLigacao = situacaoLigacao
        self.situacaoLigacaoSince = situacaoLigacaoSince
        self.esgoto = esgoto
        self.titular = titular
    }
}
