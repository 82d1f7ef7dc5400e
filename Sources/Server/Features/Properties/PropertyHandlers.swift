import API
import Domain
import Foundation

/// A property's summary (holder masked for customers, open debts), its linked properties, and
/// the attendants' customer search (PRODUCT.md A4–A6).
struct PropertyHandlers: Sendable {
    let config: ServerConfiguration
    let properties: PropertyRepository
    let bills: BillRepository
    let authorization: Authorization

    /// The property and its open-debt summary.
    func getProperty(_ input: Operations.GetProperty.Input) async throws -> Operations.GetProperty.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        guard let (p, owed) = try await properties.summary(grant.matricula) else { throw APIError.notFound }
        let debts = DebtSummary(bills: owed, today: grant.today, calendar: grant.calendar)
        try await grant.record("consultar_imovel")
        let isStaff = grant.staff != nil
        let doc = TaxID(p.titular.documento)
        let a = p.address
        return .ok(
            .init(
                body: .json(
                    .init(
                        matricula: p.matricula,
                        endereco: .init(
                            logradouro: a.logradouro, numero: a.numero, complemento: a.complemento, bairro: a.bairro, cidade: a.cidade,
                            uf: a.uf, cep: a.cep),
                        categoria: .init(rawValue: p.categoria.rawValue) ?? .residencial,
                        economias: p.economias,
                        situacaoLigacao: .init(rawValue: p.situacaoLigacao.rawValue) ?? .ativa,
                        situacaoLigacaoSinceOn: p.situacaoLigacaoSince?.iso,
                        esgoto: p.esgoto,
                        titular: .init(
                            nome: isStaff ? p.titular.nome : Masking.name(p.titular.nome),
                            documento: isStaff ? CustomerKey.shown(p.titular.documento) : (doc?.masked ?? CustomerKey.noDocument),
                            email: isStaff ? p.titular.email : nil,
                            telefone: isStaff ? p.titular.telefone : nil),
                        debts: .init(
                            openCount: debts.openCount, openTotalCents: debts.openTotal.cents, overdueCount: debts.overdueCount,
                            oldestDueOn: debts.oldestDue?.iso, underReviewCount: debts.underReviewCount,
                            inAgreementCount: debts.inAgreementCount)))))
    }

    /// The other properties linked to the same CPF/CNPJ.
    func getLinkedProperties(_ input: Operations.GetLinkedProperties.Input) async throws -> Operations.GetLinkedProperties.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        let documento: String?
        switch grant.principal {
        case .customer(_, let d, _): documento = d
        case .staff: documento = try await properties.property(grant.matricula)?.titular.documento
        case .integration: throw APIError.forbidden
        }
        var items: [PropertyBrief] = []
        if let documento { items = try await properties.linked(documento: documento, excluding: grant.matricula) }
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: items.map {
                            .init(
                                matricula: $0.matricula, endereco: $0.address.oneLine, categoria: $0.categoria.rawValue,
                                openCount: $0.openCount, underReviewCount: $0.underReviewCount)
                        }))))
    }

    /// Staff only. Finds properties by matrícula, CPF/CNPJ, name or address.
    func searchCustomers(_ input: Operations.SearchCustomers.Input) async throws -> Operations.SearchCustomers.Output {
        let grant = try await authorization.check(.staff())
        let q = input.query.q.trimmingCharacters(in: .whitespaces)
        let limit = min(max(input.query.limit ?? 50, 1), 100)
        let key = try searchKey(q, by: input.query.by ?? .auto)
        var hits = try await properties.search(key, limit: limit)
        if case .nome = key, hits.isEmpty, input.query.by ?? .auto == .auto {
            hits = try await properties.search(.endereco(SearchText.terms(q)), limit: limit)
        }
        try await grant.record("buscar_cliente", detail: q)
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: hits.prefix(limit).map {
                            .init(
                                matricula: $0.matricula, nome: $0.nome, documento: CustomerKey.shown($0.documento),
                                endereco: $0.address.oneLine, situacaoLigacao: $0.situacaoLigacao.rawValue)
                        }, truncated: hits.count > limit))))
    }

    private func searchKey(_ q: String, by: Operations.SearchCustomers.Input.Query.ByPayload) throws -> PropertyRepository.SearchKey {
        func terms() throws -> [String] {
            let t = SearchText.terms(q)
            guard !t.isEmpty else { throw APIError.invalid("Informe ao menos uma palavra para a busca.") }
            return t
        }
        func matricula() throws -> PropertyRepository.SearchKey {
            let digits = q.filter(\.isNumber)
            if let m = Matricula(parsing: q, rule: config.matriculaRule) { return .matricula(m.normalized) }
            if !digits.isEmpty, let m = Matricula(sequence: digits, rule: config.matriculaRule) { return .matricula(m.normalized) }
            throw APIError.invalid("Matrícula inválida.")
        }
        switch by {
        case .matricula: return try matricula()
        case .documento:
            switch TaxID.parse(q) {
            case .success(let id): return .documento(id.normalized)
            case .failure(let p): throw APIError.invalid(p.message)
            }
        case .nome: return .nome(try terms())
        case .endereco: return .endereco(try terms())
        case .auto:
            if let id = TaxID(q) { return .documento(id.normalized) }
            if q.allSatisfy({ $0.isNumber || $0 == "-" || $0 == " " }) { return try matricula() }
            return .nome(try terms())
        }
    }
}
