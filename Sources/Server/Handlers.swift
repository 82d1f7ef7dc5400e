import API
import Domain
import Foundation
import HummingbirdBcrypt
import Logging
import NIOPosix
import OpenAPIRuntime

/// The API's operations (`openapi.yaml`). Errors are thrown as `APIError` and turned into the
/// common error body by `ErrorMiddleware`.
struct Handlers: APIProtocol {
    let config: ServerConfiguration
    let repository: Repository
    let engine: String
    let clock: @Sendable () -> Date
    let logger: Logger
    let documents: DocumentFactory
    let cards: CardCompanyDirectory
    let cardClient: CardCompanyClient
    let runtime: ServerRuntime

    var now: Int64 { Int64(clock().timeIntervalSince1970) }
    var today: CivilDate { LocalCalendar.today(clock(), timeZone: config.timeZone) }

    // MARK: Public

    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        .ok(.init(body: .json(.init(status: .ok, database: engine, version: "1.0.0"))))
    }

    func getAuthPolicy(_ input: Operations.GetAuthPolicy.Input) async throws -> Operations.GetAuthPolicy.Output {
        let hints =
            config.demoHints
            ? DemoData.customerHints.map {
                Components.Schemas.DemoHint(matricula: $0.matricula, documento: $0.documento, description: $0.description)
            } : nil
        let staff =
            config.demoHints
            ? DemoData.staffHints.map {
                Components.Schemas.DemoHint(matricula: $0.matricula, documento: $0.documento, description: $0.description)
            } : nil
        return .ok(
            .init(
                body: .json(
                    .init(
                        policy: .init(rawValue: config.loginPolicy.rawValue) ?? .matriculaDvDocumento,
                        matriculaRule: .init(rawValue: config.matriculaRule.rawValue) ?? .mod11,
                        kioskIdleSeconds: config.kioskIdleSeconds,
                        kioskWarningSeconds: config.kioskWarningSeconds,
                        registrationHelp: config.registrationHelp,
                        demoHints: hints,
                        demoStaff: staff))))
    }

    // MARK: Sessions

    func loginCustomer(_ input: Operations.LoginCustomer.Input) async throws -> Operations.LoginCustomer.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        let policy = config.loginPolicy
        // 1. The numbers themselves (no database, no attempt counted: typing errors are not attacks).
        let matricula: Matricula
        if policy.asksCheckDigit {
            guard let m = Matricula(parsing: body.matricula, rule: config.matriculaRule) else {
                throw APIError.invalid("Matrícula inválida: confira o número e o dígito verificador impressos na sua conta.")
            }
            matricula = m
        } else {
            let digits = body.matricula.filter(\.isNumber)
            guard !digits.isEmpty, digits.count == body.matricula.filter({ !$0.isWhitespace }).count,
                let m = Matricula(sequence: digits, rule: config.matriculaRule)
            else { throw APIError.invalid("Matrícula inválida: informe apenas os números da matrícula.") }
            matricula = m
        }
        var documento: TaxID?
        if policy.asksDocument {
            switch TaxID.parse(body.documento ?? "") {
            case .success(let id): documento = id
            case .failure(let p): throw APIError.invalid(p.message)
            }
        }
        // 2. Attempt limits, per matrícula and per client address, shared through the database.
        let scopes = ["m:\(matricula.normalized)", "ip:\(Principal.clientAddress)"]
        try await enforceAttemptLimits(account: scopes[0], address: scopes[1])
        // 3. The check. Unknown matrícula and unlinked document give the same answer.
        let exists = try await repository.propertyExists(matricula.normalized)
        var ok = exists
        if ok, let d = documento {
            ok = try await repository.isLinked(matricula: matricula.normalized, documento: d.normalized)
        }
        guard ok else {
            try await repository.recordFailure(scopes: scopes, now: now, window: Int64(config.attemptWindowSeconds))
            logger.notice("customer login refused", metadata: ["matricula": "\(matricula.normalized)"])
            if documento != nil {
                throw APIError(
                    status: .unauthorized, code: "login_failed",
                    message:
                        "Matrícula e CPF/CNPJ não conferem: este documento não está cadastrado para este imóvel. \(config.registrationHelp)"
                )
            }
            throw APIError(
                status: .unauthorized, code: "login_failed",
                message: "Matrícula não encontrada. Confira o número impresso na sua conta de água.")
        }
        try await repository.clearFailures(scope: scopes[0])
        let token = SessionToken.make()
        let expires = now + Int64(config.customerSessionSeconds)
        try await repository.createSession(
            tokenHash: SessionToken.hash(token),
            record: .init(
                kind: "customer", matricula: matricula.normalized, documento: documento?.normalized, staffUsuario: nil, expiresAt: expires),
            now: now)
        return .created(
            .init(
                body: .json(
                    .init(
                        token: token, expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)), kind: .customer,
                        matricula: matricula.normalized))))
    }

    func loginStaff(_ input: Operations.LoginStaff.Input) async throws -> Operations.LoginStaff.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        let usuario = body.usuario.trimmingCharacters(in: .whitespaces).lowercased()
        guard !usuario.isEmpty, !body.senha.isEmpty else { throw APIError.invalid("Informe usuário e senha.") }
        let scopes = ["s:\(usuario)", "ip:\(Principal.clientAddress)"]
        try await enforceAttemptLimits(account: scopes[0], address: scopes[1])
        let staff = try await repository.staff(usuario)
        // bcrypt is slow on purpose: run it on the thread pool, and run it even for an unknown
        // user so the answer takes the same time.
        let hash = staff?.senhaHash ?? DemoData.timingDummyHash
        let senha = body.senha
        let matches = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(senha, hash: hash) }
        guard let staff, staff.ativo, matches else {
            try await repository.recordFailure(scopes: scopes, now: now, window: Int64(config.attemptWindowSeconds))
            throw APIError.staffLoginFailed
        }
        try await repository.clearFailures(scope: scopes[0])
        let token = SessionToken.make()
        let expires = now + Int64(config.staffSessionSeconds)
        try await repository.createSession(
            tokenHash: SessionToken.hash(token),
            record: .init(kind: "staff", matricula: nil, documento: nil, staffUsuario: staff.usuario, expiresAt: expires), now: now)
        try await repository.audit(staff: staff.usuario, action: "login", matricula: nil, detail: nil, now: now)
        return .created(
            .init(
                body: .json(
                    .init(
                        token: token, expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)), kind: .staff,
                        staff: .init(
                            usuario: staff.usuario, nome: staff.nome,
                            papel: .init(rawValue: staff.papel) ?? .atendente, unidade: staff.unidade)))))
    }

    func logout(_ input: Operations.Logout.Input) async throws -> Operations.Logout.Output {
        guard let p = Principal.current else { throw APIError.unauthenticated }
        try await repository.revokeSession(tokenHash: p.tokenHash, now: now)
        if case .staff(let u, _) = p {
            try await repository.audit(staff: u, action: "logout", matricula: nil, detail: nil, now: now)
        }
        return .noContent(.init())
    }

    // MARK: Properties

    func getProperty(_ input: Operations.GetProperty.Input) async throws -> Operations.GetProperty.Output {
        let (matricula, principal) = try await authorize(input.path.matricula)
        guard let p = try await repository.property(matricula) else { throw APIError.notFound }
        let debts = try await repository.debtSummary(matricula, today: today)
        let isStaff: Bool
        if case .staff(let u, _) = principal {
            isStaff = true
            try await repository.audit(staff: u, action: "consultar_imovel", matricula: matricula, detail: nil, now: now)
        } else {
            isStaff = false
        }
        let doc = TaxID(p.titular.documento)
        return .ok(
            .init(
                body: .json(
                    .init(
                        matricula: p.matricula,
                        endereco: .init(
                            logradouro: p.logradouro, numero: p.numero, complemento: p.complemento, bairro: p.bairro,
                            cidade: p.cidade, uf: p.uf, cep: p.cep),
                        categoria: .init(rawValue: p.categoria) ?? .residencial,
                        economias: p.economias,
                        situacaoLigacao: .init(rawValue: p.situacaoLigacao) ?? .ativa,
                        esgoto: p.esgoto,
                        titular: .init(
                            nome: isStaff ? p.titular.nome : Masking.name(p.titular.nome),
                            documento: isStaff ? (doc?.formatted ?? p.titular.documento) : (doc?.masked ?? ""),
                            email: isStaff ? p.titular.email : nil,
                            telefone: isStaff ? p.titular.telefone : nil),
                        debts: .init(
                            openCount: debts.openCount, openTotalCents: debts.openTotalCents,
                            overdueCount: debts.overdueCount, oldestDueDate: debts.oldestDueDate,
                            underReviewCount: debts.underReviewCount)))))
    }

    func getLinkedProperties(_ input: Operations.GetLinkedProperties.Input) async throws -> Operations.GetLinkedProperties.Output {
        let (matricula, principal) = try await authorize(input.path.matricula)
        let documento: String?
        switch principal {
        case .customer(_, let d, _): documento = d
        case .staff: documento = try await repository.property(matricula)?.titular.documento
        }
        var items: [PropertyBriefRecord] = []
        if let documento { items = try await repository.linkedProperties(documento: documento, excluding: matricula) }
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: items.map {
                            .init(matricula: $0.matricula, endereco: $0.endereco, categoria: $0.categoria, openCount: $0.openCount)
                        }))))
    }

    func searchCustomers(_ input: Operations.SearchCustomers.Input) async throws -> Operations.SearchCustomers.Output {
        guard let principal = Principal.current else { throw APIError.unauthenticated }
        guard case .staff(let usuario, _) = principal else { throw APIError.forbidden }
        let q = input.query.q.trimmingCharacters(in: .whitespaces)
        let limit = min(max(input.query.limit ?? 50, 1), 100)
        let key = try searchKey(q, by: input.query.by ?? .auto)
        var hits = try await repository.search(key, limit: limit)
        if case .nome = key, hits.isEmpty, input.query.by ?? .auto == .auto {
            hits = try await repository.search(.endereco(SearchText.terms(q)), limit: limit)
        }
        try await repository.audit(staff: usuario, action: "buscar_cliente", matricula: nil, detail: q, now: now)
        let truncated = hits.count > limit
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: hits.prefix(limit).map {
                            .init(
                                matricula: $0.matricula, nome: $0.nome, documento: TaxID($0.documento)?.formatted ?? $0.documento,
                                endereco: $0.endereco, situacaoLigacao: $0.situacaoLigacao)
                        }, truncated: truncated))))
    }

    // MARK: Helpers

    /// The normalised matrícula of a path, if the caller may see it. A customer asking for a
    /// property that is not theirs gets the same 404 as for one that does not exist.
    func authorize(_ raw: String) async throws -> (String, Principal) {
        guard let principal = Principal.current else { throw APIError.unauthenticated }
        let matricula = raw.filter(\.isNumber)
        guard !matricula.isEmpty, matricula.count == raw.count else { throw APIError.notFound }
        switch principal {
        case .customer(let own, let documento, _):
            if matricula == own { return (matricula, principal) }
            if let d = documento, try await repository.isLinked(matricula: matricula, documento: d) {
                return (matricula, principal)
            }
            throw APIError.notFound
        case .staff:
            guard try await repository.propertyExists(matricula) else { throw APIError.notFound }
            return (matricula, principal)
        }
    }

    private func searchKey(_ q: String, by: Operations.SearchCustomers.Input.Query.ByPayload) throws -> Repository.SearchKey {
        func terms() throws -> [String] {
            let t = SearchText.terms(q)
            guard !t.isEmpty else { throw APIError.invalid("Informe ao menos uma palavra para a busca.") }
            return t
        }
        func matricula() throws -> Repository.SearchKey {
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

    private func enforceAttemptLimits(account: String, address: String) async throws {
        let window = Int64(config.attemptWindowSeconds)
        let a = try await repository.attempts(scope: account, now: now, window: window)
        let b = try await repository.attempts(scope: address, now: now, window: window)
        if a.failures >= config.maxFailuresPerAccount {
            throw APIError.tooManyAttempts(retryAfter: Int(a.windowStart + window - now))
        }
        if b.failures >= config.maxFailuresPerAddress {
            throw APIError.tooManyAttempts(retryAfter: Int(b.windowStart + window - now))
        }
    }
}
