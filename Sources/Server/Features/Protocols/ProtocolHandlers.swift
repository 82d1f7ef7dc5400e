import API
import Crypto
import Documents
import Domain
import Foundation
import NIOPosix
import OpenAPIRuntime

/// Protocols (PRODUCT.md E6–E9, issue 11): the catalogue, opening a protocol for a requester at a
/// counter or in the back office, reading one (staff: all of it; its customer: without private
/// texts and staff names), a property's list, and the public lookup by number and CPF/CNPJ.
struct ProtocolHandlers: Sendable {
    let protocols: ProtocolRepository
    let properties: PropertyRepository
    let authorization: Authorization
    let limiter: AttemptLimiter
    let limits: AttachmentLimits
    let clock: AppClock
    /// The ouvidoria's unit: its types open manifestations, its queue shows unreceived ones first.
    let ouvidoriaUnit: String
    let mail: MailAddresses
    /// Who the receipts say issued them.
    let issuer: PayableDocument.Issuer

    /// The units and the protocol types (internal types for staff only).
    func getProtocolCatalogue(_ input: Operations.GetProtocolCatalogue.Input) async throws -> Operations.GetProtocolCatalogue.Output {
        let grant = try await authorization.check(.session)
        let types = try await protocols.types().filter { $0.isPublic || grant.staff != nil }
        return .ok(
            .init(
                body: .json(
                    .init(
                        units: try await protocols.units().map { .init(code: $0.code, name: $0.name) },
                        types: types.map {
                            .init(
                                code: $0.code, name: $0.name, description: $0.description, defaultUnit: $0.defaultUnit,
                                deadlineDays: $0.deadlineDays, _public: $0.isPublic)
                        }, attachmentMaxBytes: limits.maxBytes, attachmentsPerStep: limits.maxPerStep))))
    }

    /// Opens a protocol for a requester (counter and staff); its number is gap-free per year.
    func createProtocol(_ input: Operations.CreateProtocol.Input) async throws -> Operations.CreateProtocol.Output {
        let grant = try await authorization.check(.staff())
        guard case .json(let body) = input.body, let staff = grant.staff else { throw APIError.badRequest }
        guard let type = try await protocols.types().first(where: { $0.code == body.typeCode }) else {
            throw APIError.invalid("Tipo de protocolo desconhecido: escolha um tipo do catálogo.")
        }
        let unit = body.unit ?? type.defaultUnit
        guard try await protocols.units().contains(where: { $0.code == unit }) else {
            throw APIError.invalid("Unidade de destino desconhecida.")
        }
        let requester = try await Self.requester(body.requester, properties: properties, mail: mail)
        let subject = body.subject.trimmingCharacters(in: .whitespacesAndNewlines)
        let text = body.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard subject.count >= 3, text.count >= 3 else { throw APIError.invalid("Informe o assunto e o texto do protocolo.") }
        var deadline = body.deadlineAt.map { Int64($0.timeIntervalSince1970) }
        if let d = deadline, d <= grant.now { throw APIError.invalid("O prazo precisa ser uma data futura.") }
        if deadline == nil, let days = type.deadlineDays { deadline = grant.now + Int64(days) * 86_400 }
        // A type of the ouvidoria opens a manifestation, whose deadline is the law's.
        let ouvidoria = type.defaultUnit == ouvidoriaUnit
        if ouvidoria { deadline = Self.legalDeadline(from: grant.today, timeZone: clock.timeZone) }
        let files = body.attachments ?? []
        if let refusal = limits.countRefusal(files.count) { throw APIError.invalid(refusal) }
        let draft = ProtocolDraft(
            typeCode: type.code, subject: subject, body: text, unit: unit, requester: requester,
            channel: staff.role == .atendente ? .counter : .staff, openedBy: staff.usuario, deadlineAt: deadline, attachments: files,
            ouvidoria: ouvidoria)
        let claim = IdempotencyClaim(
            grant.principal, operation: "protocol", key: input.headers.idempotencyKey, body: body)
        let (number, replayed) = try await protocols.create(draft, year: grant.today.year, claim: claim, now: grant.now)
        if !replayed { try await grant.record("abrir_protocolo", detail: number.formatted) }
        guard let record = try await protocols.protocolRecord(number) else { throw StorageError.corrupt("protocol \(number)") }
        return .created(
            .init(
                headers: .init(idempotencyReplayed: replayed ? "true" : nil),
                body: .json(try await view(record, audience: .staff))))
    }

    /// A protocol with its history; a customer reaches only its own, without private steps.
    func getProtocol(_ input: Operations.GetProtocol.Input) async throws -> Operations.GetProtocol.Output {
        let grant = try await authorization.check(.session)
        guard let number = ProtocolNumber(parsing: input.path.number), let record = try await protocols.protocolRecord(number) else {
            throw APIError.protocolNotFound
        }
        if let staff = grant.staff {
            let reading = try await reading(record, by: staff, now: grant.now)
            guard reading != .none else { throw APIError.protocolNotFound }
            try await grant.audit.record(
                grant.principal, "consultar_protocolo", matricula: record.requester.matricula, detail: number.formatted)
            return .ok(.init(body: .json(try await view(record, audience: reading == .full ? .staff : .counter))))
        }
        guard try await belongsToCaller(record) else { throw APIError.protocolNotFound }
        return .ok(.init(body: .json(try await view(record, audience: .customer, toRequester: callerIsRequester(record)))))
    }

    /// The protocols of the property and, for a customer, of the CPF/CNPJ it logged in with.
    func listPropertyProtocols(_ input: Operations.ListPropertyProtocols.Input) async throws -> Operations.ListPropertyProtocols.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        var documento: String?
        if case .customer(_, let d, _) = grant.principal { documento = d }
        let list = try await protocols.list(matricula: grant.matricula, documento: documento)
        let units = try await unitNames()
        let types = try await typeNames()
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: list.map { r in
                            .init(
                                number: r.number.compact, formatted: r.number.formatted, typeName: types[r.typeCode] ?? r.typeCode,
                                subject: r.subject, situation: .init(rawValue: r.situation.rawValue) ?? .aberto,
                                unitName: units[r.unit] ?? r.unit, openedAt: Self.date(r.openedAt), deadlineAt: r.deadlineAt.map(Self.date))
                        }))))
    }

    /// Anyone consults a protocol by number and the requester's CPF/CNPJ: the public part only. A
    /// wrong pair, a missing protocol and a malformed number answer alike, under login's limits —
    /// counted where the guesses come from (the protocol from this origin, and the origin), so
    /// that nobody locks a protocol's lookup for everyone (issue 27).
    func lookupProtocol(_ input: Operations.LookupProtocol.Input) async throws -> Operations.LookupProtocol.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        return .ok(.init(body: .json(try await view(try await lookedUp(body), audience: .lookup, toRequester: true))))
    }

    /// A protocol's receipt to print where it was made (issue 28.15), asked as the lookup is; an
    /// anonymous manifestation's receipt carries the secret the caller proved.
    func getProtocolReceipt(_ input: Operations.GetProtocolReceipt.Input) async throws -> Operations.GetProtocolReceipt.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        // A session that reads the protocol needs no other proof: the customer who asked at the
        // kiosk, the attendant or staff member who may read it.
        var record: ProtocolRecord
        if body.documento == nil, body.secret == nil, let number = ProtocolNumber(parsing: body.number),
            let r = try await protocols.protocolRecord(number), try await sessionReads(r)
        {
            record = r
        } else {
            record = try await lookedUp(body)
        }
        let types = try await typeNames()
        let local = { (t: Int64) in LocalCalendar.local(Self.date(t), timeZone: self.clock.timeZone) }
        let opened = local(record.openedAt)
        let deadline = record.deadlineAt.map { "até \(local($0).date.formatted)" }
        let receipt = ProtocolReceipt(
            issuer: issuer, number: record.number.formatted, typeName: types[record.typeCode] ?? record.typeCode,
            openedAt: String(format: "%@ %02d:%02d", opened.date.formatted, opened.minute / 60, opened.minute % 60),
            deadline: deadline, secret: record.secretHash == nil ? nil : body.secret.flatMap(AnonymousSecret.formatted))
        let pdf = try await NIOThreadPool.singleton.runIfActive { try PDFRenderer.render(receipt) }
        return .ok(.init(body: .pdf(HTTPBody(pdf))))
    }

    /// The protocol the caller proved: its number with the requester's CPF/CNPJ or an anonymous
    /// manifestation's secret. A wrong pair, a missing protocol and a malformed number answer
    /// alike, under login's limits.
    private func lookedUp(_ body: S.ProtocolLookup) async throws -> ProtocolRecord {
        let number = ProtocolNumber(parsing: body.number)
        let origin = Principal.origin.limitKey
        let attempt = try await limiter.reserve(["p:\(number?.compact ?? "invalido")@\(origin)", origin])
        let documento: String? = if case .success(let id) = TaxID.parse(body.documento ?? "") { id.normalized } else { nil }
        let secret = body.secret.flatMap(AnonymousSecret.normalized).map(Self.secretHash)
        var record: ProtocolRecord?
        if let number { record = try await protocols.protocolRecord(number) }
        // An identified protocol by its requester's CPF/CNPJ; an anonymous manifestation by its secret.
        let matches =
            if let hash = record?.secretHash { hash == secret } else { documento != nil && record?.requester.documento == documento }
        guard let record, matches else { throw APIError.protocolNotFound }
        try await attempt.release()
        return record
    }

    /// Moves a protocol: receive, dispatch (public or private), forward, edit, conclude, reopen.
    func addProtocolStep(_ input: Operations.AddProtocolStep.Input) async throws -> Operations.AddProtocolStep.Output {
        let grant = try await authorization.check(.staff())
        guard case .json(let body) = input.body, let staff = grant.staff else { throw APIError.badRequest }
        guard let number = ProtocolNumber(parsing: input.path.number) else { throw APIError.protocolNotFound }
        guard let action = ProtocolAction(rawValue: body.action.rawValue) else { throw APIError.badRequest }
        let text = body.text?.trimmingCharacters(in: .whitespacesAndNewlines)
        var draft = StepDraft(
            action: action, staff: staff, text: text?.isEmpty == false ? text : nil, isPublic: body._public ?? false, toUnit: nil,
            attachments: body.attachments ?? [], limits: limits)
        if let refusal = limits.countRefusal(draft.attachments.count) { throw APIError.invalid(refusal) }
        if !draft.attachments.isEmpty, action == .receive || action == .edit {
            throw APIError.invalid("Anexos vão num despacho, encaminhamento, conclusão ou reabertura.")
        }
        switch action {
        case .dispatch, .forward, .conclude:
            guard draft.text != nil else { throw APIError.invalid("Escreva o despacho.") }
            if action == .conclude {
                guard body._public != false else {
                    throw APIError.invalid("A conclusão é sempre pública: o requerente precisa da resposta.")
                }
                draft.isPublic = true
            }
            if action == .forward {
                guard let to = body.toUnit, try await protocols.units().contains(where: { $0.code == to }) else {
                    throw APIError.invalid("Escolha a unidade de destino.")
                }
                draft.toUnit = to
            }
        case .edit:
            if let t = body.typeCode, !(try await protocols.types().contains { $0.code == t }) {
                throw APIError.invalid("Tipo de protocolo desconhecido.")
            }
            draft.typeCode = body.typeCode
            draft.subject = body.subject?.trimmingCharacters(in: .whitespacesAndNewlines)
            draft.deadlineAt = body.deadlineAt.map { Int64($0.timeIntervalSince1970) }
            if let dl = draft.deadlineAt, dl <= grant.now { throw APIError.invalid("O prazo precisa ser uma data futura.") }
            draft.timeZone = clock.timeZone
            draft.isPublic = false
        case .receive, .reopen:
            draft.isPublic = action == .reopen ? (body._public ?? false) : false
        }
        let claim = IdempotencyClaim(
            grant.principal, operation: "protocol-step", key: input.headers.idempotencyKey, path: [number.compact], body: body)
        let replayed = try await protocols.addStep(number, draft, claim: claim, now: grant.now)
        if !replayed { try await grant.record("protocolo_\(action.rawValue)", detail: number.formatted) }
        guard let record = try await protocols.protocolRecord(number) else { throw APIError.protocolNotFound }
        return .ok(
            .init(headers: .init(idempotencyReplayed: replayed ? "true" : nil), body: .json(try await view(record, audience: .staff))))
    }

    /// A unit's work queue, oldest first: the staff member's unit; a supervisor may ask for any.
    func getQueue(_ input: Operations.GetQueue.Input) async throws -> Operations.GetQueue.Output {
        let grant = try await authorization.check(.staff())
        guard let staff = grant.staff else { throw APIError.forbidden }
        let unit = input.query.unit ?? staff.unit
        if unit != staff.unit, staff.role != .supervisor { throw APIError.forbidden }
        let units = try await unitNames()
        let types = try await typeNames()
        var filter = QueueFilter(
            unit: unit, situation: input.query.situation.flatMap { ProtocolSituation(rawValue: $0.rawValue) }, type: input.query._type,
            awaitingFirst: unit == ouvidoriaUnit)
        // Each word: the start of a word of the number, subject or requester, or of a type's or a situation's name.
        func starts(_ name: String, _ term: String) -> Bool { SearchText.terms(name).contains { $0.hasPrefix(term) } }
        for term in SearchText.terms(input.query.q ?? "").prefix(6) {
            filter.words.append(
                .init(
                    term: term, types: types.filter { starts($0.value, term) }.map(\.key).sorted(),
                    situations: ProtocolSituation.allCases.filter { starts($0.label, term) }))
        }
        // "concluído" typed asks for the concluded ones, which the queue otherwise leaves out (issue 28.13).
        if filter.situation == nil, filter.words.contains(where: { $0.situations == [.concluido] }) { filter.situation = .concluido }
        let counts = try await protocols.counts(unit: unit)
        let (entries, matching) = try await protocols.queue(
            filter, offset: input.query.offset ?? 0, limit: min(200, max(1, input.query.limit ?? 30)))
        let total = matching ?? filter.situation.map { counts[$0.rawValue] ?? 0 } ?? counts.values.reduce(0, +)
        return .ok(
            .init(
                body: .json(
                    .init(
                        unit: unit, unitName: units[unit] ?? unit,
                        items: entries.map { Self.queueItem($0, types: types, now: grant.now, timeZone: clock.timeZone) },
                        counts: .init(additionalProperties: counts), total: total))))
    }

    /// A protocol as a queue row, with its deadline's state at `now` and the calendar days left
    /// at the utility (`timeZone`).
    static func queueItem(_ e: ProtocolBrief, types: [String: String], now: Int64, timeZone: String) -> S.QueueItem {
        let today = LocalCalendar.today(date(now), timeZone: timeZone)
        return S.QueueItem(
            number: e.number.compact, formatted: e.number.formatted, typeName: types[e.typeCode] ?? e.typeCode,
            subject: e.subject, situation: .init(rawValue: e.situation.rawValue) ?? .aberto, unit: e.unit,
            openedAt: date(e.openedAt), deadlineAt: e.deadlineAt.map(date), unread: e.situation.awaitsReceipt,
            requesterName: e.requesterName,
            deadlineState: e.deadlineAt.map { $0 < now ? .atrasado : $0 - now <= 2 * 86_400 ? .proximo : .emDia },
            daysLeft: e.deadlineAt.map { today.days(until: LocalCalendar.today(date($0), timeZone: timeZone)) })
    }

    /// The end (23:59 at the utility) of the last day to answer a manifestation made `today`.
    static func legalDeadline(from today: CivilDate, timeZone: String) -> Int64 {
        Int64(
            LocalCalendar.instant(OuvidoriaDeadline.due(receivedOn: today), minute: 23 * 60 + 59, timeZone: timeZone).timeIntervalSince1970)
    }

    /// How an anonymous manifestation's secret is kept.
    static func secretHash(_ normalized: String) -> String {
        SHA256.hash(data: Data("ouvidoria:\(normalized)".utf8)).hex
    }

    /// Counter and staff upload a file for their next step; what it is comes from its content.
    func uploadAttachment(_ input: Operations.UploadAttachment.Input) async throws -> Operations.UploadAttachment.Output {
        let grant = try await authorization.check(.staff())
        guard case .binary(let body) = input.body, let staff = grant.staff else { throw APIError.badRequest }
        // The body limit middleware already held it to `limits.maxBytes`.
        let content = try await Data(collecting: body, upTo: limits.maxBytes + 1)
        let name = Self.fileName(input.query.name)
        let kind = AttachmentKind(sniffing: content)
        if let refusal = limits.refusal(name: name, size: content.count, kind: kind) { throw APIError.invalid(refusal) }
        guard let kind else { throw APIError.badRequest }
        // What is kept is what the format's library made of the file (finding 9 of issue 27).
        let stored: Data
        do {
            stored = try await NIOThreadPool.singleton.runIfActive { try AttachmentCleaner.clean(content, as: kind, name: name) }
        } catch let refusal as AttachmentCleaner.Refusal {
            Telemetry.attachmentsUnreadable.increment()
            throw APIError.invalid(refusal.message)
        }
        let claim = IdempotencyClaim(
            grant.principal, operation: "attachment", key: input.headers.idempotencyKey, name: name, content: content)
        let meta = try await protocols.upload(
            name: name, kind: kind, content: stored, by: staff.usuario, limits: limits, claim: claim, now: grant.now)
        return .created(.init(body: .json(Self.attachment(meta))))
    }

    /// An attachment's file: staff any of the protocol's; its customer those of public steps.
    func getProtocolAttachment(_ input: Operations.GetProtocolAttachment.Input) async throws -> Operations.GetProtocolAttachment.Output {
        let grant = try await authorization.check(.session)
        guard let number = ProtocolNumber(parsing: input.path.number),
            let file = try await protocols.attachment(input.path.id, of: number)
        else { throw APIError.attachmentNotFound }
        guard let record = try await protocols.protocolRecord(number) else { throw APIError.attachmentNotFound }
        if let staff = grant.staff {
            let reading = try await reading(record, by: staff, now: grant.now)
            guard reading == .full || (reading == .publicPart && file.isPublic) else { throw APIError.attachmentNotFound }
            try await grant.audit.record(
                grant.principal, "anexo_protocolo", matricula: record.requester.matricula,
                detail: "\(number.formatted) anexo \(input.path.id)")
        } else {
            guard CustomerProtocolView.showsFile(stepAction: file.stepAction, stepPublic: file.isPublic, toRequester: callerIsRequester(record))
            else { throw APIError.attachmentNotFound }
        }
        let body = HTTPBody(file.content)
        switch file.meta.kind {
        case .pdf: return .ok(.init(body: .pdf(body)))
        case .png: return .ok(.init(body: .png(body)))
        case .jpeg: return .ok(.init(body: .jpeg(body)))
        }
    }

    /// The name as given, without folders or control characters (`scan 01.pdf`).
    static func fileName(_ raw: String) -> String {
        let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let clean = String(last.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.map(Character.init))
            .trimmingCharacters(in: .whitespaces)
        return clean.isEmpty ? "anexo" : String(clean.prefix(200))
    }

    static func attachment(_ m: AttachmentMeta) -> S.Attachment {
        .init(id: m.id, name: m.name, mediaType: .init(rawValue: m.kind.rawValue) ?? .applicationPdf, size: m.size)
    }

    /// The protocol type problem reports open (`problema-agencia` in the catalogue).
    static let problemType = "problema-agencia"

    /// Anyone, from any screen's help, reports a problem with the Agência Virtual itself: a
    /// protocol for the type's unit (IT), with the screen and the terminal. Five per 15 minutes
    /// per person or, without a session, per address.
    func reportProblem(_ input: Operations.ReportProblem.Input) async throws -> Operations.ReportProblem.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        let text = body.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count >= 3 else { throw APIError.invalid("Descreva o problema em poucas palavras.") }
        guard let type = try await protocols.types().first(where: { $0.code == Self.problemType }) else {
            throw APIError(
                status: .serviceUnavailable, code: "not_configured",
                message: "O relato de problemas não está configurado: avise o atendente (tipo \(Self.problemType) no catálogo).")
        }
        let principal = Principal.current
        let who: String
        var requester = Requester(kind: .outro, documento: "", nome: "Usuário de terminal", matricula: nil, telefone: nil, email: nil)
        switch principal {
        case .customer(let m, let d, _)?:
            who = "c:\(d ?? m)"
            if let person = try await properties.person(of: m, documento: d) {
                requester = Requester(
                    kind: .cliente, documento: person.documento, nome: person.nome, matricula: m, telefone: person.telefone,
                    email: person.email)
            }
        case .staff(let s, _)?:
            who = "s:\(s.usuario)"
            requester.nome = "\(s.usuario) (\(s.role.rawValue), \(s.unit))"
        case .integration, nil:
            who = Principal.origin.limitKey
        }
        let now = clock.epochSeconds
        let scopes = ["report:\(who)"]
        let claim =
            principal.map { IdempotencyClaim($0, operation: "problem", key: input.headers.idempotencyKey, body: body) }
            ?? IdempotencyClaim(anonymous: Principal.origin.address, operation: "problem", key: input.headers.idempotencyKey, body: body)
        // A retry is its first answer, whatever the limit says now.
        let sent = try await Idempotency.completed(claim, store: protocols.store, now: now) == nil ? try await limiter.reserve(scopes) : nil
        let terminal = body.terminal?.trimmingCharacters(in: .whitespaces)
        let mode = body.mode?.rawValue ?? "desconhecido"
        let facts = ["Tela: \(body.screen)", "Modo: \(mode)", terminal.map { "Terminal: \($0)" }].compactMap { $0 }
        let channel: ProtocolChannel = body.mode == .counter ? .counter : body.mode == .staff ? .staff : .kiosk
        let draft = ProtocolDraft(
            typeCode: type.code, subject: "Problema na tela \(body.screen)", body: "\(text)\n\n\(facts.joined(separator: "\n"))",
            unit: type.defaultUnit, requester: requester, channel: channel, openedBy: principal?.staff?.usuario,
            deadlineAt: type.deadlineDays.map { now + Int64($0) * 86_400 })
        let (number, replayed) = try await protocols.create(draft, year: clock.today.year, claim: claim, now: now)
        if replayed { try await sent?.release() }
        return .created(
            .init(
                headers: .init(idempotencyReplayed: replayed ? "true" : nil),
                body: .json(.init(number: number.compact, formatted: number.formatted))))
    }

    // MARK: Views

    /// Who reads: staff see everything; the requester (logged in) their own without private
    /// texts or staff names; the public lookup only the routing.
    /// Staff with everything; an attendant with the public part (the requester in full: they
    /// serve them); the requester; anyone with number and CPF/CNPJ (no personal data).
    enum Audience { case staff, counter, customer, lookup }

    /// How much of `r` a staff member reads (`ProtocolReading`): an attendant serves the customer
    /// whose property they opened on screen in the last `servingSeconds`.
    func reading(_ r: ProtocolRecord, by staff: StaffMember, now: Int64) async throws -> ProtocolReading {
        let facts = ProtocolReading.Facts(
            unit: r.unit, ouvidoria: r.ouvidoria, openedBy: r.openedBy, stepStaff: Set(r.steps.compactMap(\.staff)),
            units: Set(r.steps.flatMap { [$0.fromUnit, $0.toUnit].compactMap { $0 } }))
        var serving = false
        if staff.role == .atendente, let m = r.requester.matricula, !r.ouvidoria {
            serving = try await authorization.audit.consulted(staff: staff.usuario, matricula: m, since: now - Self.servingSeconds)
        }
        return ProtocolReading.of(
            role: staff.role, unit: staff.unit, usuario: staff.usuario, ouvidoriaUnit: ouvidoriaUnit, facts: facts, serving: serving)
    }

    /// An attendant's shift: the customer opened on their screen within it is the one they serve.
    static let servingSeconds: Int64 = 8 * 3600

    /// The protocol as `audience` reads it; a customer's files only when they are the requester
    /// (`toRequester`: their session's CPF/CNPJ, or the lookup with it), by `CustomerProtocolView`.
    func view(_ r: ProtocolRecord, audience: Audience, toRequester: Bool = false) async throws -> S.ProtocolDetail {
        let units = try await unitNames()
        let types = try await typeNames()
        let masked = audience == .customer || audience == .lookup
        let requester: S.ProtocolDetail.RequesterPayload? =
            audience == .lookup
            ? nil
            : .init(
                kind: r.requester.kind.rawValue,
                documento: masked
                    ? (TaxID(r.requester.documento)?.masked ?? "") : (TaxID(r.requester.documento)?.formatted ?? r.requester.documento),
                nome: masked ? Masking.name(r.requester.nome) : r.requester.nome, matricula: r.requester.matricula,
                telefone: masked ? nil : r.requester.telefone, email: masked ? r.requester.email.map(Masking.email) : r.requester.email)
        return S.ProtocolDetail(
            number: r.number.compact, formatted: r.number.formatted, typeCode: r.typeCode, typeName: types[r.typeCode] ?? r.typeCode,
            subject: r.subject, text: r.body,
            situation: .init(rawValue: r.situation.rawValue) ?? .aberto, unit: r.unit, unitName: units[r.unit] ?? r.unit,
            requester: requester, channel: .init(rawValue: r.channel.rawValue) ?? .staff, openedAt: Self.date(r.openedAt),
            deadlineAt: r.deadlineAt.map(Self.date),
            ouvidoria: r.ouvidoria
                ? .init(
                    deadlineOn: LocalCalendar.local(Self.date(r.deadlineAt ?? r.openedAt), timeZone: clock.timeZone).date.iso,
                    extended: r.extensions > 0, anonymous: r.secretHash != nil) : nil,
            source: r.source.map {
                .init(
                    sentAt: Self.date($0.sentAt), number: $0.number, confirmedAt: $0.confirmedAt.map(Self.date), expectedOn: $0.expectedOn?.iso)
            },
            steps: r.steps.map { s in
                .init(
                    at: Self.date(s.at), action: .init(rawValue: s.action) ?? .dispatch, situation: s.situation.rawValue,
                    fromUnit: s.fromUnit.map { units[$0] ?? $0 }, toUnit: s.toUnit.map { units[$0] ?? $0 },
                    text: s.isPublic || audience == .staff ? s.text : nil, _public: s.isPublic,
                    staff: audience == .staff ? (s.staff ?? s.source.map { "sistema \($0)" }) : nil,
                    detail: audience == .staff ? s.detail : nil,
                    attachments: audience == .staff || audience == .counter
                        ? (s.isPublic || audience == .staff ? s.attachments.map(Self.attachment) : nil)
                        : CustomerProtocolView.showsFile(stepAction: s.action, stepPublic: s.isPublic, toRequester: toRequester)
                            ? s.attachments.map(Self.attachment) : nil)
            })
    }

    private func unitNames() async throws -> [String: String] { try await protocols.unitNames() }

    private func typeNames() async throws -> [String: String] {
        Dictionary(try await protocols.types().map { ($0.code, $0.name) }) { a, _ in a }
    }

    static func date(_ epoch: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(epoch)) }

    /// Whether the customer calling is the requester or reaches the protocol's property.
    /// Never a protocol whose requester was only declared; an ouvidoria manifestation only by the
    /// complainant's own CPF/CNPJ, never by the property it names (issue 27).
    /// Whether the session calling reads `r`: its customer, or a staff member by `ProtocolReading`.
    private func sessionReads(_ r: ProtocolRecord) async throws -> Bool {
        switch Principal.current {
        case .customer: return try await belongsToCaller(r)
        case let p?:
            guard let staff = p.staff else { return false }
            return try await reading(r, by: staff, now: clock.epochSeconds) != .none
        case nil: return false
        }
    }

    /// Whether the customer calling is the protocol's requester, by their session's CPF/CNPJ.
    private func callerIsRequester(_ r: ProtocolRecord) -> Bool {
        guard case .customer(_, let documento?, _) = Principal.current, !r.identityDeclared else { return false }
        return documento == r.requester.documento
    }

    private func belongsToCaller(_ r: ProtocolRecord) async throws -> Bool {
        guard case .customer(let own, let documento, _) = Principal.current, !r.identityDeclared else { return false }
        if let d = documento, d == r.requester.documento { return true }
        guard !r.ouvidoria, let m = r.requester.matricula else { return false }
        if m == own { return true }
        if let d = documento { return try await properties.isLinked(matricula: m, documento: d) }
        return false
    }

    /// The requester as given, checked: a valid CPF/CNPJ, a name, an existing matrícula, a
    /// plausible e-mail.
    static func requester(_ r: S.Requester, properties: PropertyRepository, mail: MailAddresses) async throws -> Requester {
        let documento: String
        switch TaxID.parse(r.documento) {
        case .success(let id): documento = id.normalized
        case .failure(let p): throw APIError.invalid(p.message)
        }
        let nome = r.nome.trimmingCharacters(in: .whitespacesAndNewlines)
        guard nome.count >= 2 else { throw APIError.invalid("Informe o nome ou a razão social do requerente.") }
        var matricula: String?
        if let raw = r.matricula?.filter(\.isNumber), !raw.isEmpty {
            guard try await properties.exists(raw) else { throw APIError.invalid("Matrícula não encontrada.") }
            matricula = raw
        }
        let email = try await mail.checkOptional(r.email)
        let phone = r.telefone?.trimmingCharacters(in: .whitespaces)
        if let phone, !phone.isEmpty, PhoneNumber.normalized(phone) == nil { throw APIError.invalid(PhoneNumber.problem) }
        return Requester(
            kind: Requester.Kind(rawValue: r.kind.rawValue) ?? .outro, documento: documento, nome: nome, matricula: matricula,
            telefone: phone?.isEmpty == false ? phone : nil, email: email?.isEmpty == false ? email : nil)
    }
}

extension APIError {
    static let protocolNotFound = APIError(
        status: .notFound, code: "protocol_not_found", message: "Protocolo não encontrado para este número e CPF/CNPJ.")
    static let attachmentNotFound = APIError(status: .notFound, code: "attachment_not_found", message: "Anexo não encontrado.")
}
