import API
import Domain
import Foundation
import OpenAPIRuntime

/// Service requests (PRODUCT.md E1/E2, issue 12): what a property may ask for, with fee, data
/// prevista and form, and the request itself — a protocol of the service kind, never twice
/// while one of the same type is pending.
struct ServiceHandlers: Sendable {
    let services: ServiceRepository
    let protocols: ProtocolRepository
    let properties: PropertyRepository
    let bills: BillRepository
    let documents: DocumentService
    let authorization: Authorization
    let limits: AttachmentLimits
    let timeZone: String
    /// How long a fee document is payable (the statements' validity).
    let feeValidDays: Int
    let mail: MailAddresses

    func listServices(_ input: Operations.ListServices.Input) async throws -> Operations.ListServices.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        let context = try await eligibility(grant)
        let units = try await protocols.unitNames()
        let pending = try await services.pending(grant.matricula)
        let items = try await services.types().map { t in
            offer(t, units: units, refusal: context.refusal(t), pending: pending[t.code], grant: grant)
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    private func offer(
        _ t: ServiceType, units: [String: String], refusal: String?, pending p: (number: ProtocolNumber, expectedAt: Int64?)?, grant: Grant
    ) -> S.ServiceOffer {
        S.ServiceOffer(
            code: t.code, name: t.name, description: t.description, unitName: units[t.unit] ?? t.unit, deadline: t.deadlineText,
            expectedAt: expected(t, grant: grant), feeCents: t.feeCents.map(Int64.init),
            feeOn: t.feeCents == nil ? nil : .init(rawValue: t.feeOn.rawValue),
            fields: t.fields.map { .init(key: $0.key, label: $0.label, required: $0.required) }, available: refusal == nil,
            reason: refusal, needsProperty: t.needsProperty, documents: t.documents,
            pending: p.map { .init(number: $0.number.compact, formatted: $0.number.formatted, expectedAt: $0.expectedAt.map(Self.date)) })
    }

    /// The services asked for an address, not a property (counter and staff).
    func listPropertylessServices(_ input: Operations.ListPropertylessServices.Input) async throws
        -> Operations.ListPropertylessServices.Output
    {
        let grant = try await authorization.check(.staff())
        let units = try await protocols.unitNames()
        let items = try await services.types().filter { !$0.needsProperty }.map {
            offer($0, units: units, refusal: nil, pending: nil, grant: grant)
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    /// Ligação nova at a counter: the address and the requester instead of a property.
    func requestNewConnection(_ input: Operations.RequestNewConnection.Input) async throws -> Operations.RequestNewConnection.Output {
        let grant = try await authorization.check(.staff())
        guard case .json(let body) = input.body, let staff = grant.staff else { throw APIError.badRequest }
        guard let type = try await services.types().first(where: { $0.code == body.typeCode && !$0.needsProperty }) else {
            throw APIError.invalid("Serviço desconhecido ou que exige um imóvel: escolha a ligação nova.")
        }
        var requester = try await ProtocolHandlers.requester(body.requester, properties: properties, mail: mail)
        requester.matricula = nil
        let a = body.address
        let cep = a.cep.filter(\.isNumber)
        guard cep.count == 8 else { throw APIError.invalid("CEP inválido: 8 dígitos.") }
        let address = Address(
            logradouro: a.logradouro.trimmingCharacters(in: .whitespaces), numero: a.numero.trimmingCharacters(in: .whitespaces),
            complemento: a.complemento.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 },
            bairro: a.bairro.trimmingCharacters(in: .whitespaces), cidade: a.cidade.trimmingCharacters(in: .whitespaces),
            uf: a.uf.uppercased(), cep: "\(cep.prefix(5))-\(cep.suffix(3))")
        guard [address.logradouro, address.numero, address.bairro, address.cidade].allSatisfy({ !$0.isEmpty }) else {
            throw APIError.invalid("Informe o endereço completo: logradouro, número, bairro e cidade.")
        }
        let answers = try Self.answers(body.answers?.additionalProperties, for: type)
        let expectedAt = expected(type, grant: grant)
        let lines =
            ["Endereço: \(address.oneLine), CEP \(address.cep)"]
            + type.fields.compactMap { f in answers[f.key].map { "\(f.label): \($0)" } }
        let draft = ProtocolDraft(
            typeCode: type.code, subject: "\(type.name) — \(address.logradouro), \(address.numero)", body: lines.joined(separator: "\n"),
            unit: type.unit, requester: requester, channel: staff.role == .atendente ? .counter : .staff, openedBy: staff.usuario,
            deadlineAt: Int64(expectedAt.timeIntervalSince1970))
        let claim = IdempotencyClaim(
            grant.principal, operation: "new-connection", key: input.headers.idempotencyKey,
            body: body)
        var fee = feeDraft(type, grant: grant)
        fee?.payer = .init(name: requester.nome, documento: requester.documento, address: "\(address.oneLine), CEP \(address.cep)")
        let result = try await services.request(
            draft, matricula: nil, expectedAt: Int64(expectedAt.timeIntervalSince1970),
            answers: answers.merging(["endereco": address.oneLine]) { a, _ in a },
            fee: fee, year: grant.today.year, claim: claim, now: grant.now)
        if !result.duplicate && !result.replayed { try await grant.record("solicitar_servico", detail: "\(type.code) \(result.number)") }
        let answer = try await self.result(result.number, type: type, expectedAt: expectedAt, duplicate: result.duplicate)
        if result.duplicate || result.replayed { return .ok(.init(body: .json(answer))) }
        return .created(.init(body: .json(answer)))
    }

    /// A fee by id for counter and staff (a ligação nova has no property to reach it through).
    func getAnyServiceFee(_ input: Operations.GetAnyServiceFee.Input) async throws -> Operations.GetAnyServiceFee.Output {
        _ = try await authorization.check(.staff())
        guard let fee = try await services.fee(id: input.path.feeId) else { throw APIError.serviceFeeNotFound }
        return .ok(.init(body: .json(try view(fee))))
    }

    func getAnyServiceFeePDF(_ input: Operations.GetAnyServiceFeePDF.Input) async throws -> Operations.GetAnyServiceFeePDF.Output {
        let grant = try await authorization.check(.staff())
        guard let fee = try await services.fee(id: input.path.feeId) else { throw APIError.serviceFeeNotFound }
        let pdf = try await documents.pdf(try await documents.feeDocument(fee))
        try await grant.record("taxa_pdf", detail: String(input.path.feeId))
        return .ok(.init(body: .pdf(HTTPBody(pdf))))
    }

    func requestService(_ input: Operations.RequestService.Input) async throws -> Operations.RequestService.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        guard let type = try await services.types().first(where: { $0.code == body.typeCode }) else {
            throw APIError.invalid("Serviço desconhecido: escolha um serviço da lista.")
        }
        if let refusal = try await eligibility(grant).refusal(type) {
            throw APIError(status: .conflict, code: "service_refused", message: refusal)
        }
        let answers = try Self.answers(body.answers?.additionalProperties, for: type)
        let requester = try await self.requester(grant, email: body.email, telefone: body.telefone)
        let files = body.attachments ?? []
        if let refusal = limits.countRefusal(files.count) { throw APIError.invalid(refusal) }
        if !files.isEmpty && grant.staff == nil {
            throw APIError.invalid("Documentos são anexados no atendimento presencial: \(type.documents ?? "leve-os a uma agência").")
        }
        let expectedAt = expected(type, grant: grant)
        let text = type.fields.compactMap { f in answers[f.key].map { "\(f.label): \($0)" } }.joined(separator: "\n")
        let channel: ProtocolChannel = grant.staff == nil ? .kiosk : grant.staff?.role == .atendente ? .counter : .staff
        let draft = ProtocolDraft(
            typeCode: type.code, subject: type.name, body: text.isEmpty ? type.description : text, unit: type.unit, requester: requester,
            channel: channel, openedBy: grant.staff?.usuario, deadlineAt: Int64(expectedAt.timeIntervalSince1970), attachments: files)
        let claim = IdempotencyClaim(
            grant.principal, operation: "service", key: input.headers.idempotencyKey,
            path: [grant.matricula], body: body
        )
        let result = try await services.request(
            draft, matricula: grant.matricula, expectedAt: Int64(expectedAt.timeIntervalSince1970), answers: answers,
            fee: feeDraft(type, grant: grant), year: grant.today.year, claim: claim, now: grant.now)
        if !result.duplicate && !result.replayed { try await grant.record("solicitar_servico", detail: "\(type.code) \(result.number)") }
        let answer = try await self.result(result.number, type: type, expectedAt: expectedAt, duplicate: result.duplicate)
        if result.duplicate || result.replayed { return .ok(.init(body: .json(answer))) }
        return .created(.init(body: .json(answer)))
    }

    /// The form's answers the type asks for, trimmed, or its first problem in the form's order.
    static func answers(_ typed: [String: String]?, for type: ServiceType) throws -> [String: String] {
        let answers = (typed ?? [:]).mapValues { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { key, value in !value.isEmpty && type.fields.contains { $0.key == key } }
        let problems = type.problems(answers)
        if let first = type.fields.compactMap({ problems[$0.key] }).first { throw APIError.invalid(first) }
        return answers
    }

    /// What a request's answer says: its protocol, where it went, when expected, its fee.
    private func result(_ number: ProtocolNumber, type: ServiceType, expectedAt: Date, duplicate: Bool) async throws
        -> S.ServiceRequestResult
    {
        guard let record = try await protocols.protocolRecord(number) else { throw StorageError.corrupt("service \(number)") }
        let units = try await protocols.unitNames()
        let fee = try await services.fee(protocol: number)
        return S.ServiceRequestResult(
            number: number.compact, formatted: number.formatted, typeName: type.name, unitName: units[record.unit] ?? record.unit,
            expectedAt: record.deadlineAt.map(Self.date) ?? expectedAt, feeCents: (fee?.amount.cents ?? type.feeCents.map(Int64.init)),
            feeOn: (fee?.collection ?? (type.feeCents == nil ? nil : type.feeOn)).flatMap { .init(rawValue: $0.rawValue) },
            fee: try fee.map(view), duplicate: duplicate)
    }

    /// A service request's fee.
    func getServiceFee(_ input: Operations.GetServiceFee.Input) async throws -> Operations.GetServiceFee.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        guard let fee = try await services.fee(grant.matricula, id: input.path.feeId) else { throw APIError.serviceFeeNotFound }
        return .ok(.init(body: .json(try view(fee))))
    }

    /// A fee's payable document as PDF.
    func getServiceFeePDF(_ input: Operations.GetServiceFeePDF.Input) async throws -> Operations.GetServiceFeePDF.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        let pdf = try await documents.pdf(documents.document(.serviceFee, id: input.path.feeId, matricula: grant.matricula))
        try await grant.record("taxa_pdf", detail: String(input.path.feeId))
        return .ok(.init(body: .pdf(HTTPBody(pdf))))
    }

    /// The fee a new request of `type` is charged: on a document payable for the statements'
    /// validity, or on the next bill.
    private func feeDraft(_ type: ServiceType, grant: Grant) -> ServiceFee.Draft? {
        guard let cents = type.feeCents else { return nil }
        let amount = Money(cents: Int64(cents))
        let today = grant.today
        let due = type.feeOn == .documento ? today.adding(days: feeValidDays) : nil
        let factory = documents.factory
        return ServiceFee.Draft(amount: amount, collection: type.feeOn, description: type.name, issuedOn: today, due: due) { id in
            let (barcode, pix) = try factory.codes(kind: .serviceFee, number: id, amount: amount, due: due ?? today)
            return (barcode.digits, pix.payload)
        }
    }

    private func view(_ f: ServiceFee) throws -> S.ServiceFee {
        var payment: S.PaymentCode?
        if let due = f.due, let digits = f.barcode, let pixText = f.pix {
            guard let barcode = ArrecadacaoBarcode(reading: digits) else { throw StorageError.corrupt("service fee \(f.id) barcode") }
            payment = BillViews.paymentCode(barcode, try PixBRCode(storedPayload: pixText), due: due, total: f.amount)
        }
        return S.ServiceFee(
            id: f.id, protocolNumber: f.protocolNumber.formatted, serviceName: f.description, amountCents: f.amount.cents,
            feeOn: .init(rawValue: f.collection.rawValue) ?? .documento, issuedOn: f.issuedOn.iso, payment: payment)
    }

    /// What decides whether the property may ask: its connection, its overdue bills and whether
    /// a statement issued today covers them.
    struct Eligibility {
        var situation: SituacaoLigacao
        var overdue: Int
        var statementToday: Bool

        func refusal(_ t: ServiceType) -> String? { t.refusal(situation: situation, overdueBills: overdue, statementToday: statementToday) }
    }

    private func eligibility(_ grant: Grant) async throws -> Eligibility {
        guard let property = try await properties.property(grant.matricula) else { throw StorageError.propertyNotFound }
        let overdue = try await bills.owed(grant.matricula).filter { $0.isOverdue(on: grant.today, calendar: grant.calendar) }
        let covered = try await services.statementToday(grant.matricula, covering: Set(overdue.map(\.id)), today: grant.today)
        return Eligibility(situation: property.situacaoLigacao, overdue: overdue.count, statementToday: covered)
    }

    /// The requester: the customer logged in (by the CPF/CNPJ of the session, else the holder);
    /// at a counter, the holder of the property on screen.
    private func requester(_ grant: Grant, email: String?, telefone: String?) async throws -> Requester {
        var documento: String?
        if case .customer(_, let d, _) = grant.principal { documento = d }
        guard let person = try await properties.person(of: grant.matricula, documento: documento) else {
            throw StorageError.propertyNotFound
        }
        let mail = try await self.mail.checkOptional(email)
        return Requester(
            kind: .cliente, documento: person.documento, nome: person.nome, matricula: grant.matricula,
            telefone: telefone?.isEmpty == false ? telefone : person.telefone, email: mail ?? person.email)
    }

    /// The data prevista if asked at the grant's moment.
    private func expected(_ t: ServiceType, grant: Grant) -> Date {
        let now = Date(timeIntervalSince1970: TimeInterval(grant.now))
        switch t.deadline {
        case .days(let d): return now.addingTimeInterval(TimeInterval(d * 86_400))
        case .businessHours(let h):
            let end = BusinessHours.adding(h, to: LocalCalendar.local(now, timeZone: timeZone), calendar: grant.calendar)
            return LocalCalendar.instant(end.date, minute: end.minute, timeZone: timeZone)
        }
    }

    private static func date(_ epoch: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(epoch)) }
}
