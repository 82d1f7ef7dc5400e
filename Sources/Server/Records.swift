import Domain

/// A property as stored, with its holder.
struct PropertyRecord: Sendable {
    var matricula: String
    var logradouro: String
    var numero: String
    var complemento: String?
    var bairro: String
    var cidade: String
    var uf: String
    var cep: String
    var categoria: String
    var economias: Int
    var situacaoLigacao: String
    var esgoto: Bool
    var titular: CustomerRecord
}

struct CustomerRecord: Sendable {
    var documento: String
    var nome: String
    var email: String?
    var telefone: String?
}

/// The open-debt summary shown on the home screen (PRODUCT.md A4).
struct DebtSummaryRecord: Sendable {
    var openCount: Int
    var openTotalCents: Int64
    var overdueCount: Int
    var oldestDueDate: String?
    var underReviewCount: Int
}

struct StaffRecord: Sendable {
    var usuario: String
    var nome: String
    var senhaHash: String
    var papel: String
    var unidade: String
    var ativo: Bool
}

struct SessionRecord: Sendable {
    var kind: String
    var matricula: String?
    var documento: String?
    var staffUsuario: String?
    var expiresAt: Int64
}

struct PropertyBriefRecord: Sendable {
    var matricula: String
    var endereco: String
    var categoria: String
    var openCount: Int
}

struct SearchHitRecord: Sendable {
    var matricula: String
    var nome: String
    var documento: String
    var endereco: String
    var situacaoLigacao: String
}
