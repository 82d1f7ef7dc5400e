import API
import Domain
import Foundation

/// The ouvidoria (PRODUCT.md E5, seed 001 item 21, Lei 13.460/2017): its types, manifestations
/// with or without a session (identified by a valid CPF/CNPJ, or anonymous where configured),
/// the 30-day deadline extended once, and what keeps the unit from forgetting one: the staff
/// header's counters, the overdue list, e-mail alerts until received.
struct OuvidoriaHandlers: Sendable {
    let repository: OuvidoriaRepository
    let protocols: ProtocolRepository
    let protocolHandlers: ProtocolHandlers
    let properties: PropertyRepository
    let authorization: Authorization
    let limiter: AttemptLimiter
    let limits: AttachmentLimits
    let settings: OuvidoriaSettings
    let clock: AppClock

    /// The manifestation types: the public protocol types routed to the ouvidoria's unit.
    private func types() async throws -> [ProtocolType] {
        try await protocols.types().filter { $0.isPublic && $0.defaultUnit == settings.unit }
    }

    func getOuvidoria(_ input: Operations.GetOuvidoria.Input) async throws -> Operations.GetOuvidoria.Output {
        let items = try await types().map {
            S.OuvidoriaInfo.TypesPayloadPayload(
                code: $0.code, name: $0.name, description: $0.description, anonymous: settings.anonymousTypes.contains($0.code))
        }
        return .ok(
            .init(
                body: .json(
                    .init(types: items, deadlineDays: OuvidoriaDeadline.answerDays, extensionDays: OuvidoriaDeadline.extensionDays))))
    }

    func createManifestation(_ input: Operations.CreateManifestation.Input) async throws -> Operations.CreateManifestation.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        guard let type = try await types().first(where: { $0.code == body.typeCode }) else {
            throw APIError.invalid("Tipo de manifestação desconhecido: escolha um tipo da lista.")
        }
        let text = body.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count >= 10 else { throw APIError.invalid("Descreva a manifestação: o que aconteceu, quando e onde.") }
        let principal = Principal.current
        let anonymous = body.anonymous == true
        if anonymous && !settings.anonymousTypes.contains(type.code) {
            throw APIError.invalid("\(type.name) exige identificação: informe CPF/CNPJ e nome.")
        }
        let files = body.attachments ?? []
        if !files.isEmpty && principal?.staff == nil {
            throw APIError.invalid("Documentos são anexados no atendimento presencial (balcão).")
        }
        if let refusal = limits.countRefusal(files.count) { throw APIError.invalid(refusal) }

        // Who manifests: nobody (anonymous), the requester typed in, or the customer logged in.
        var requester = Requester(kind: .outro, documento: "", nome: "Manifestante anônimo", matricula: nil, telefone: nil, email: nil)
        var who = Principal.origin.limitKey
        // A requester typed in is only declared unless an attendant saw the document or the
        // customer's session proves it (its CPF/CNPJ, and the property its own or linked).
        var declared = false
        if !anonymous {
            if let r = body.requester {
                requester = try await ProtocolHandlers.requester(r, properties: properties, mail: protocolHandlers.mail)
                switch principal {
                case .staff?: declared = false
                case .customer(let m, let d?, _)? where d == requester.documento:
                    if let typed = requester.matricula, typed != m {
                        declared = !(try await properties.isLinked(matricula: typed, documento: d))
                    }
                default: declared = true
                }
            } else if case .customer(let m, let d, _)? = principal, let person = try await properties.person(of: m, documento: d) {
                requester = Requester(
                    kind: .cliente, documento: person.documento, nome: person.nome, matricula: m, telefone: person.telefone,
                    email: person.email)
            } else {
                throw APIError.invalid("Informe CPF/CNPJ e nome de quem se manifesta.")
            }
        }
        switch principal {
        case .customer(let m, let d, _)?: who = "c:\(d ?? m)"
        case .staff(let s, _)?: who = "s:\(s.usuario)"
        case .integration(let name, _)?: who = "i:\(name)"
        case nil: break
        }
        // Customers and terminals without a session: five per window (staff are not limited).
        let scopes = ["ouvidoria:\(who)"]
        let claim =
            principal.map { IdempotencyClaim($0, operation: "ouvidoria", key: input.headers.idempotencyKey, body: body) }
            ?? IdempotencyClaim(anonymous: Principal.origin.address, operation: "ouvidoria", key: input.headers.idempotencyKey, body: body)
        // A retry is its first answer, whatever the limit says now.
        var sent: AttemptLimiter.Reservation?
        if principal?.staff == nil, try await Idempotency.completed(claim, store: protocols.store, now: clock.epochSeconds) == nil {
            sent = try await limiter.reserve(scopes)
        }

        let now = clock.epochSeconds
        let today = clock.today
        var secret: String?
        if anonymous {
            var rng = SystemRandomNumberGenerator()
            secret = AnonymousSecret.generate(using: &rng)
        }
        let staff = principal?.staff
        let draft = ProtocolDraft(
            typeCode: type.code, subject: type.name, body: text, unit: settings.unit, requester: requester,
            channel: staff == nil ? .kiosk : staff?.role == .atendente ? .counter : .staff, openedBy: staff?.usuario,
            deadlineAt: ProtocolHandlers.legalDeadline(from: today, timeZone: clock.timeZone), attachments: files, ouvidoria: true,
            secretHash: secret.flatMap(AnonymousSecret.normalized).map(ProtocolHandlers.secretHash), identityDeclared: declared)
        let (number, replayed) = try await repository.create(
            draft, year: today.year, alertTo: settings.email, today: today, claim: claim, now: now)
        if replayed { try await sent?.release() }
        if replayed && anonymous {
            // The secret is shown once; a replay cannot show it again (only its hash is kept).
            throw APIError.conflict("Esta manifestação anônima já foi registrada: use o número e o código mostrados na primeira vez.")
        }
        if !replayed, let staff {
            try await authorization.audit.record(staff: staff.usuario, "registrar_manifestacao", detail: number.formatted)
        }
        return .created(
            .init(
                headers: .init(idempotencyReplayed: replayed ? "true" : nil),
                body: .json(
                    .init(
                        number: number.compact, formatted: number.formatted, typeName: type.name,
                        deadlineOn: OuvidoriaDeadline.due(receivedOn: today).iso, secret: secret,
                        // Only when a confirmation really goes out (issue 28.10).
                        emailTo: protocolHandlers.mail.smtp.url == nil ? nil : requester.email.map(Masking.email)))))
    }

    /// Whether `staff` answers for the ouvidoria: a member of its unit, or a supervisor.
    private func watches(_ staff: StaffMember) -> Bool { staff.unit == settings.unit || staff.role == .supervisor }

    func getOuvidoriaSummary(_ input: Operations.GetOuvidoriaSummary.Input) async throws -> Operations.GetOuvidoriaSummary.Output {
        let grant = try await authorization.check(.staff())
        guard let staff = grant.staff, watches(staff) else {
            return .ok(.init(body: .json(.init(watching: false, unreceived: 0, overdue: 0))))
        }
        let (unreceived, overdue) = try await repository.counters(now: grant.now)
        return .ok(.init(body: .json(.init(watching: true, unreceived: unreceived, overdue: overdue))))
    }

    func getOuvidoriaOverdue(_ input: Operations.GetOuvidoriaOverdue.Input) async throws -> Operations.GetOuvidoriaOverdue.Output {
        let grant = try await authorization.check(.staff())
        guard let staff = grant.staff, watches(staff) else { throw APIError.forbidden }
        let types = Dictionary(try await protocols.types().map { ($0.code, $0.name) }) { a, _ in a }
        let items = try await repository.overdue(now: grant.now).map {
            ProtocolHandlers.queueItem($0, types: types, now: grant.now, timeZone: clock.timeZone)
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    /// The one extension of a manifestation's deadline, by the ouvidoria or a supervisor.
    func extendManifestation(_ input: Operations.ExtendManifestation.Input) async throws -> Operations.ExtendManifestation.Output {
        let grant = try await authorization.check(.staff())
        guard case .json(let body) = input.body, let staff = grant.staff else { throw APIError.badRequest }
        guard watches(staff) else {
            throw APIError(
                status: .forbidden, code: "forbidden", message: "Só a ouvidoria ou um supervisor prorroga o prazo de uma manifestação.")
        }
        guard let number = ProtocolNumber(parsing: input.path.number) else { throw APIError.protocolNotFound }
        let reason = body.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        let claim = IdempotencyClaim(
            grant.principal, operation: "ouvidoria-extend", key: input.headers.idempotencyKey, path: [input.path.number], body: body)
        let replayed = try await repository.extend(
            number, reason: reason, staff: staff, timeZone: clock.timeZone, claim: claim, now: grant.now)
        if !replayed { try await grant.record("prorrogar_manifestacao", detail: number.formatted) }
        guard let record = try await protocols.protocolRecord(number) else { throw APIError.protocolNotFound }
        return .ok(.init(body: .json(try await protocolHandlers.view(record, audience: .staff))))
    }
}
