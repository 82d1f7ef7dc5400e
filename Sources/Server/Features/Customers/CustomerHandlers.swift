import API
import Domain
import Foundation

/// The customer's record (issue 12): the e-mail address changed by a code sent to it, or at a
/// counter with the person present; at the counter, the people linked to the property, linking
/// and unlinking with a document, their phones, and the property's contact history.
struct CustomerHandlers: Sendable {
    let emailChanges: EmailChangeRepository
    let people: PeopleRepository
    let protocols: ProtocolRepository
    let protocolHandlers: ProtocolHandlers
    let properties: PropertyRepository
    let authorization: Authorization
    let limiter: AttemptLimiter
    let emailEnabled: Bool
    let mail: MailAddresses
    let timeZone: String

    func startEmailChange(_ input: Operations.StartEmailChange.Input) async throws -> Operations.StartEmailChange.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        let email = try await mail.check(body.email)
        // Whose address: the customer of the session; at a counter, a person linked to the property (the holder by default).
        guard let holder = try await properties.property(grant.matricula)?.titular else { throw APIError.notFound }
        var documento = holder.documento
        switch grant.principal {
        case .customer(_, let d?, _): documento = d
        case .staff:
            if let typed = body.documento, !typed.isEmpty {
                guard case .success(let id) = TaxID.parse(typed) else {
                    throw APIError.invalid("CPF/CNPJ inválido: confira o que foi digitado.")
                }
                let linked = try await properties.isLinked(matricula: grant.matricula, documento: id.normalized)
                guard id.normalized == holder.documento || linked else {
                    throw APIError.invalid("Este CPF/CNPJ não está vinculado a este imóvel.")
                }
                documento = id.normalized
            }
        default: break
        }
        guard let person = try await properties.customer(documento) else { throw APIError.notFound }
        if person.email?.lowercased() == email.lowercased() { throw APIError.invalid("Este já é o e-mail do cadastro.") }
        let claim = IdempotencyClaim(
            grant.principal, operation: "email-change", key: input.headers.idempotencyKey, path: [grant.matricula], body: body)

        if body.presential == true {
            guard let staff = grant.staff else {
                throw APIError(
                    status: .forbidden, code: "forbidden", message: "Sem o código, só no atendimento presencial, com o cliente presente.")
            }
            let (id, replayed) = try await emailChanges.record(
                documento: documento, matricula: grant.matricula, newEmail: email, oldEmail: person.email, staff: staff.usuario,
                claim: claim, now: grant.now)
            if !replayed { try await grant.record("alterar_email_presencial", detail: "alteração \(id)") }
            return .accepted(.init(body: .json(.init(id: id, to: email, status: .confirmado))))
        }
        guard emailEnabled else {
            throw APIError.emailDisabled("O envio de e-mail não está disponível: altere o e-mail no atendimento presencial.")
        }
        // Codes sent per person: as many as login attempts in the window.
        let sent = try await limiter.reserve(["email-code:\(documento)"])
        let code = String(format: "%06d", Int.random(in: 0..<1_000_000))
        let (id, replayed) = try await emailChanges.start(
            documento: documento, matricula: grant.matricula, newEmail: email, oldEmail: person.email, code: code, claim: claim,
            now: grant.now)
        if replayed {
            try await sent.release()
        } else {
            try await grant.record("alterar_email_codigo", detail: "alteração \(id)")
        }
        guard let change = try await emailChanges.change(id) else { throw StorageError.corrupt("email change \(id)") }
        return .accepted(.init(body: .json(view(change, grant: grant))))
    }

    func confirmEmailChange(_ input: Operations.ConfirmEmailChange.Input) async throws -> Operations.ConfirmEmailChange.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        let code = body.code.filter { !$0.isWhitespace }
        guard code.count == 6, code.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw APIError.invalid("O código tem 6 dígitos.") }
        guard let outcome = try await emailChanges.confirm(id: input.path.changeId, matricula: grant.matricula, code: code, now: grant.now)
        else { throw APIError(status: .notFound, code: "email_change_not_found", message: "Alteração de e-mail não encontrada.") }
        switch outcome {
        case .confirmed:
            try await grant.record("confirmar_email", detail: "alteração \(input.path.changeId)")
            guard let change = try await emailChanges.change(input.path.changeId) else { throw APIError.badRequest }
            return .ok(.init(body: .json(view(change, grant: grant))))
        case .wrong(let left):
            throw APIError(
                status: .badRequest, code: "wrong_code",
                message: "Código incorreto: \(left == 1 ? "resta 1 tentativa" : "restam \(left) tentativas").")
        case .exhausted:
            throw APIError(
                status: .conflict, code: "code_attempts",
                message: "Cinco códigos errados: a alteração foi cancelada e o e-mail continua o mesmo. Peça um novo código.")
        case .expired:
            throw APIError(status: .conflict, code: "code_expired", message: "O código expirou (vale 15 minutos): peça um novo.")
        case .ended:
            throw APIError(
                status: .conflict, code: "code_used",
                message: "Esta alteração já terminou (código já usado ou cancelado). Para outra alteração, peça um novo código.")
        }
    }

    // MARK: People and history (counter and staff)

    /// The property's grant, for staff only (customers do not read the record of others).
    private func staffGrant(_ matricula: String) async throws -> (Grant, StaffMember) {
        let grant = try await authorization.check(.property(matricula))
        guard let staff = grant.staff else {
            throw APIError(status: .forbidden, code: "forbidden", message: "O cadastro do imóvel é consultado no atendimento presencial.")
        }
        return (grant, staff)
    }

    private func peopleView(_ matricula: String) async throws -> S.PeopleList {
        S.PeopleList(
            items: try await people.people(matricula).map {
                S.LinkedPerson(
                    documento: TaxID($0.documento)?.formatted ?? $0.documento, nome: $0.nome,
                    papel: .init(rawValue: $0.role.rawValue) ?? .usuario,
                    since: $0.since.map { Date(timeIntervalSince1970: TimeInterval($0)) }, email: $0.email, telefone: $0.telefone)
            })
    }

    func listPeople(_ input: Operations.ListPeople.Input) async throws -> Operations.ListPeople.Output {
        let (grant, _) = try await staffGrant(input.path.matricula)
        return .ok(.init(body: .json(try await peopleView(grant.matricula))))
    }

    /// The protocol type that records link changes (`vinculo-cadastral` in the catalogue).
    static let linkType = "vinculo-cadastral"

    private func recordDraft(
        _ staff: StaffMember, grant: Grant, subject: String, text: String, person: (documento: String, nome: String), attachment: Int64
    ) async throws -> ProtocolDraft {
        guard let type = try await protocols.types().first(where: { $0.code == Self.linkType }) else {
            throw APIError.unavailable(
                "not_configured", "O registro de vínculos não está configurado (tipo \(Self.linkType) no catálogo de protocolos).")
        }
        return ProtocolDraft(
            typeCode: type.code, subject: subject, body: text, unit: type.defaultUnit,
            requester: Requester(
                kind: .cliente, documento: person.documento, nome: person.nome, matricula: grant.matricula, telefone: nil, email: nil),
            channel: staff.role == .atendente ? .counter : .staff, openedBy: staff.usuario, deadlineAt: nil, attachments: [attachment])
    }

    func linkPerson(_ input: Operations.LinkPerson.Input) async throws -> Operations.LinkPerson.Output {
        let (grant, staff) = try await staffGrant(input.path.matricula)
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        let documento: String
        switch TaxID.parse(body.documento) {
        case .success(let id): documento = id.normalized
        case .failure(let p): throw APIError.invalid(p.message)
        }
        let existing = try await properties.customer(documento)
        let nome = existing?.nome ?? body.nome?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        guard nome.count >= 2 else { throw APIError.invalid("CPF/CNPJ sem cadastro: informe o nome ou a razão social.") }
        let email = try await mail.checkOptional(body.email)
        guard let role = PeopleRepository.Role(rawValue: body.papel.rawValue) else { throw APIError.badRequest }
        let label = role == .usuario ? "usuário (inquilino)" : "responsável financeiro"
        let draft = try await recordDraft(
            staff, grant: grant, subject: "Vínculo de \(label)",
            text: "Vinculado ao imóvel como \(label), com documento apresentado no balcão.",
            person: (documento, nome), attachment: body.attachment)
        let claim = IdempotencyClaim(
            grant.principal, operation: "link", key: input.headers.idempotencyKey,
            path: [grant.matricula], body: body)
        let (number, replayed) = try await people.link(
            matricula: grant.matricula,
            person: .init(
                documento: documento, nome: nome, role: role, since: nil, email: email?.isEmpty == false ? email : nil,
                telefone: body.telefone?.isEmpty == false ? body.telefone : nil),
            record: draft, conclusion: "Vínculo registrado: \(label).", year: grant.today.year, claim: claim, now: grant.now)
        if !replayed { try await grant.record("vincular_pessoa", detail: number.formatted) }
        return .created(.init(body: .json(.init(_protocol: number.compact, formatted: number.formatted))))
    }

    func unlinkPerson(_ input: Operations.UnlinkPerson.Input) async throws -> Operations.UnlinkPerson.Output {
        let (grant, staff) = try await staffGrant(input.path.matricula)
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        guard case .success(let id) = TaxID.parse(input.path.documento) else { throw APIError.invalid("CPF/CNPJ inválido.") }
        let reason = body.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count >= 3 else { throw APIError.invalid("Informe o motivo do desvínculo.") }
        let person = try await properties.customer(id.normalized)
        let draft = try await recordDraft(
            staff, grant: grant, subject: "Desvínculo do imóvel", text: "Desvinculado do imóvel. Motivo: \(reason)",
            person: (id.normalized, person?.nome ?? "—"), attachment: body.attachment)
        let claim = IdempotencyClaim(
            grant.principal, operation: "unlink", key: input.headers.idempotencyKey,
            path: [grant.matricula, input.path.documento], body: body)
        let (number, replayed) = try await people.unlink(
            matricula: grant.matricula, documento: id.normalized, record: draft, conclusion: "Desvínculo registrado.",
            year: grant.today.year, claim: claim, now: grant.now)
        if !replayed { try await grant.record("desvincular_pessoa", detail: number.formatted) }
        return .ok(.init(body: .json(.init(_protocol: number.compact, formatted: number.formatted))))
    }

    func setPhone(_ input: Operations.SetPhone.Input) async throws -> Operations.SetPhone.Output {
        let (grant, _) = try await staffGrant(input.path.matricula)
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        guard case .success(let id) = TaxID.parse(input.path.documento) else { throw APIError.invalid("CPF/CNPJ inválido.") }
        let phone = body.telefone?.trimmingCharacters(in: .whitespaces)
        if let phone, !phone.isEmpty, PhoneNumber.normalized(phone) == nil { throw APIError.invalid(PhoneNumber.problem) }
        guard
            try await people.setPhone(matricula: grant.matricula, documento: id.normalized, telefone: phone?.isEmpty == false ? phone : nil)
        else { throw APIError(status: .notFound, code: "person_not_linked", message: "Esta pessoa não está vinculada a este imóvel.") }
        try await grant.record("alterar_telefone")
        return .ok(.init(body: .json(try await peopleView(grant.matricula))))
    }

    func getContactHistory(_ input: Operations.GetContactHistory.Input) async throws -> Operations.GetContactHistory.Output {
        let (grant, _) = try await staffGrant(input.path.matricula)
        let types = Dictionary(try await protocols.types().map { ($0.code, $0.name) }) { a, _ in a }
        let units = try await protocols.unitNames()
        let items = try await people.history(grant.matricula, typeNames: types, timeZone: timeZone).map {
            S.ContactHistory.ItemsPayloadPayload(
                at: Date(timeIntervalSince1970: TimeInterval($0.at)), kind: .init(rawValue: $0.kind.rawValue) ?? .protocolo,
                title: $0.title,
                detail: $0.detail, channel: $0.channel, unit: $0.unit.map { units[$0] ?? $0 }, staff: $0.staff)
        }
        try await grant.record("consultar_historico")
        return .ok(.init(body: .json(.init(items: items))))
    }

    /// A CPF/CNPJ update request applied by the back office after checking the documents.
    func applyDocumentChange(_ input: Operations.ApplyDocumentChange.Input) async throws -> Operations.ApplyDocumentChange.Output {
        let grant = try await authorization.check(.staff())
        guard let staff = grant.staff, let number = ProtocolNumber(parsing: input.path.number) else { throw APIError.protocolNotFound }
        let claim = IdempotencyClaim(
            grant.principal, operation: "apply-document", key: input.headers.idempotencyKey, path: [input.path.number]
        )
        let replayed = try await people.applyDocumentChange(number, staff: staff, claim: claim, now: grant.now)
        if !replayed { try await grant.record("aplicar_cpf_cnpj", detail: number.formatted) }
        guard let record = try await protocols.protocolRecord(number) else { throw APIError.protocolNotFound }
        return .ok(.init(body: .json(try await protocolHandlers.view(record, audience: .staff))))
    }

    private func view(_ c: EmailChangeRepository.Change, grant: Grant) -> S.EmailChange {
        S.EmailChange(
            id: c.id, to: grant.staff == nil ? Masking.email(c.newEmail) : c.newEmail,
            status: .init(rawValue: c.status.rawValue) ?? .cancelado,
            expiresAt: c.status == .pendente ? Date(timeIntervalSince1970: TimeInterval(c.expiresAt)) : nil)
    }
}
