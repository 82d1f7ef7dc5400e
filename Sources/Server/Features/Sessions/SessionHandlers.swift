import API
import Domain
import Foundation
import Logging

/// Login policy, customer and staff login, logout (PRODUCT.md A1–A3). Unknown matrícula and a
/// CPF/CNPJ not linked to it answer alike (DECISIONS 7); attempts are limited per account and
/// per client address through the database.
struct SessionHandlers: Sendable {
    let config: ServerConfiguration
    let sessions: SessionRepository
    let properties: PropertyRepository
    let audit: AuditLog
    let clock: AppClock
    let limiter: AttemptLimiter
    let logger: Logger

    /// Which fields the kiosk login asks for, and the idle timeout.
    func getAuthPolicy(_ input: Operations.GetAuthPolicy.Input) async throws -> Operations.GetAuthPolicy.Output {
        let hints = config.demoHints ? DemoData.customerHints.map(demoHint) : nil
        let staff = config.demoHints ? DemoData.staffHints.map(demoHint) : nil
        return .ok(
            .init(
                body: .json(
                    .init(
                        policy: .init(rawValue: config.loginPolicy.rawValue) ?? .matriculaDvDocumento,
                        matriculaRule: .init(rawValue: config.matriculaRule.rawValue) ?? .mod11,
                        kioskIdleSeconds: config.kioskIdleSeconds,
                        kioskWarningSeconds: config.kioskWarningSeconds,
                        registrationHelp: config.registrationHelp,
                        emailEnabled: config.smtp.url != nil,
                        timeZone: config.timeZone,
                        demoHints: hints,
                        demoStaff: staff))))
    }

    private func demoHint(_ h: DemoData.Hint) -> S.DemoHint {
        S.DemoHint(matricula: h.matricula, documento: h.documento, description: h.description)
    }

    /// Kiosk login by matrícula (and CPF/CNPJ, per policy).
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
        // 2. Attempt limits and the account's delay, shared through the database (DECISIONS 62).
        let attempt = limiter.login("m:\(matricula.normalized)")
        try await attempt.admit()
        // 3. The check. Unknown matrícula and unlinked document give the same answer.
        var ok = try await properties.exists(matricula.normalized)
        if ok, let d = documento {
            ok = try await properties.isLinked(matricula: matricula.normalized, documento: d.normalized)
        }
        let now = clock.epochSeconds
        guard ok else {
            try await attempt.failed()
            logger.notice(
                "customer login refused",
                metadata: [
                    "matricula": "\(matricula.normalized)", "client": "\(Principal.origin.address)",
                    "terminal": "\(Principal.origin.terminal ?? "-")",
                ])
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
        try await attempt.succeeded()
        guard try await properties.isActive(matricula.normalized) else {
            throw APIError(
                status: .forbidden, code: "property_inactive",
                message: "Este imóvel foi desativado no cadastro da companhia: não há conta nem serviço por aqui. Procure uma agência de atendimento.")
        }
        let token = SessionToken.make()
        let expires = now + Int64(config.customerSessionSeconds)
        try await sessions.create(
            .init(
                tokenHash: SessionToken.hash(token), kind: .customer, matricula: matricula.normalized, documento: documento?.normalized,
                origin: Principal.origin, now: now, expiresAt: expires,
                idleSeconds: Int64(config.kioskIdleSeconds + config.kioskWarningSeconds)))
        return .created(
            .init(
                body: .json(
                    .init(
                        token: token, expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)), kind: .customer,
                        matricula: matricula.normalized))))
    }

    /// Attendant or back-office login.
    func loginStaff(_ input: Operations.LoginStaff.Input) async throws -> Operations.LoginStaff.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        let usuario = body.usuario.trimmingCharacters(in: .whitespaces).lowercased()
        guard !usuario.isEmpty, !body.senha.isEmpty else { throw APIError.invalid("Informe usuário e senha.") }
        // A terminal's credential says what it is: a kiosk opens no staff session, a counter no
        // back-office one (issue 27).
        if let mode = Principal.origin.terminalMode, mode != body.modo.rawValue {
            throw APIError(
                status: .forbidden, code: "wrong_terminal",
                message: mode == "kiosk"
                    ? "Este terminal é um quiosque de autoatendimento: funcionários entram pelos terminais de balcão ou de retaguarda."
                    : "Este terminal é de \(mode == "counter" ? "balcão" : "retaguarda"): entre no modo dele.")
        }
        let attempt = limiter.login("s:\(usuario)")
        try await attempt.admit()
        let staff = try await sessions.staff(usuario)
        // bcrypt is slow on purpose: even an unknown user costs the same time.
        let matches = try await Passwords.verify(body.senha, hash: staff?.senhaHash)
        let now = clock.epochSeconds
        guard let staff, staff.ativo, matches else {
            try await attempt.failed()
            // The name tried, as typed but cut and stripped of control characters (it is not
            // personal data; a password typed in the wrong field is cut short).
            logger.notice(
                "staff login refused",
                metadata: [
                    "usuario": "\(String(usuario.unicodeScalars.filter { $0.properties.generalCategory != .control }.prefix(40)))",
                    "client": "\(Principal.origin.address)", "terminal": "\(Principal.origin.terminal ?? "-")",
                ])
            throw APIError.staffLoginFailed
        }
        try await attempt.succeeded()
        // The terminal's mode must be one the role works in (DECISIONS 63): told only to whom
        // gave the right password.
        guard Permissions.modes(of: staff.role).contains(body.modo.rawValue) else {
            logger.notice(
                "staff login from a terminal of another mode", metadata: ["usuario": "\(staff.usuario)", "modo": "\(body.modo.rawValue)"])
            let place = staff.role == .atendente ? "nos terminais de balcão" : "nos terminais de retaguarda"
            throw APIError(
                status: .forbidden, code: "wrong_terminal",
                message: "Seu perfil (\(staff.role.label)) trabalha \(place); entre por um deles.")
        }
        let token = SessionToken.make()
        let expires = now + Int64(config.staffSessionSeconds)
        try await sessions.create(
            .init(
                tokenHash: SessionToken.hash(token), kind: .staff, staff: staff.usuario, mode: body.modo.rawValue, origin: Principal.origin,
                now: now, expiresAt: expires, idleSeconds: Int64(config.staffIdleSeconds)))
        try await audit.record(staff: staff.usuario, "login")
        return .created(
            .init(
                body: .json(
                    .init(
                        token: token, expiresAt: Date(timeIntervalSince1970: TimeInterval(expires)), kind: .staff,
                        staff: .init(
                            usuario: staff.usuario, nome: staff.nome, papel: .init(rawValue: staff.role.rawValue) ?? .atendente,
                            unidade: staff.unit)))))
    }

    /// The caller's session (the request itself kept it alive).
    func getSession(_ input: Operations.GetSession.Input) async throws -> Operations.GetSession.Output {
        guard let p = Principal.current else { throw APIError.unauthenticated }
        guard let s = try await sessions.state(tokenHash: p.tokenHash) else { throw APIError.sessionExpired }
        return .ok(
            .init(
                body: .json(
                    .init(
                        kind: p.staff == nil ? .customer : .staff, expiresAt: Date(timeIntervalSince1970: TimeInterval(s.expiresAt)),
                        idleSeconds: Int(s.idleSeconds), terminal: s.terminal, modo: s.mode.flatMap { .init(rawValue: $0) }))))
    }

    /// Ends the session (the token is refused from then on, on every instance).
    func logout(_ input: Operations.Logout.Input) async throws -> Operations.Logout.Output {
        guard let p = Principal.current else { throw APIError.unauthenticated }
        try await sessions.revoke(tokenHash: p.tokenHash, now: clock.epochSeconds)
        try await audit.record(p, "logout")
        return .noContent(.init())
    }

}
