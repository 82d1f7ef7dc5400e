import API
import Domain
import Foundation
import OpenAPIRuntime

/// The source system's operations (issue 31): the event feed and its answers. Only an
/// `integracao` key reaches them (`Permissions`), and it reaches nothing else.
struct IntegrationHandlers: Sendable {
    let store: any Store
    let clock: AppClock
    let authorization: Authorization
    let audit: AuditLog
    let webhooks: [String]

    private func source() throws -> String {
        guard case .integration(let name, _)? = Principal.current else { throw APIError.unauthenticated }
        return name
    }

    /// Publishes what was committed, then reads: the ids only grow, from any instance. The
    /// requests the feed gives count as sent from then on ("enviada à concessionária").
    func listIntegrationEvents(_ input: Operations.ListIntegrationEvents.Input) async throws -> Operations.ListIntegrationEvents.Output {
        _ = try source()
        let after = max(0, input.query.after ?? 0)
        let limit = min(1_000, max(1, input.query.limit ?? 100))
        try await IntegrationEvents.publish(store)
        let events = try await store.read { db in try await IntegrationEvents.after(after, limit: limit, db: db) }
        if let first = events.first?.id, let last = events.last?.id {
            try await IntegrationEvents.markSent(from: first, to: last, now: clock.epochSeconds, store: store)
        }
        return .ok(
            .init(
                body: .json(
                    .init(
                        eventos: try events.map { .init(id: $0.id, tipo: $0.type, evento: try Self.schema($0.body)) },
                        ultimo: events.last?.id ?? after))))
    }

    /// An event's body as the generated type (the same JSON the webhook sends).
    static func schema(_ body: IntegrationEvents.Body) throws -> Components.Schemas.EventoIntegracao {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(Components.Schemas.EventoIntegracao.self, from: IntegrationEvents.encode(body))
    }

    func updateSourceReference(_ input: Operations.UpdateSourceReference.Input) async throws -> Operations.UpdateSourceReference.Output {
        let name = try source()
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        guard let number = ProtocolNumber(parsing: input.path.number) else { throw SourceAnswers.unknown }
        let answer = SourceAnswer(
            number: number, sourceId: body.idOrigem, sourceNumber: body.protocoloOrigem, expectedOn: try Self.date(body.dataPrevista))
        let (view, _) = try await apply(answer, source: name)
        return .ok(.init(body: .json(view)))
    }

    func addSourceStep(_ input: Operations.AddSourceStep.Input) async throws -> Operations.AddSourceStep.Output {
        let name = try source()
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        guard let number = ProtocolNumber(parsing: input.path.number) else { throw SourceAnswers.unknown }
        guard let situation = SourceSituation(rawValue: body.situacao.rawValue) else { throw APIError.badRequest }
        let text = body.texto?.trimmingCharacters(in: .whitespacesAndNewlines)
        let answer = SourceAnswer(
            number: number, situation: situation, at: Int64(body.eventoEm.timeIntervalSince1970),
            text: text?.isEmpty == false ? text : nil, sourceId: body.idOrigem, sourceNumber: body.protocoloOrigem,
            expectedOn: try Self.date(body.dataPrevista))
        let (view, replayed) = try await apply(answer, source: name)
        return .ok(.init(headers: .init(idempotencyReplayed: replayed ? "true" : nil), body: .json(view)))
    }

    /// `dataPrevista`, refused when it is not a date.
    static func date(_ text: String?) throws -> CivilDate? {
        guard let text else { return nil }
        guard let d = CivilDate(iso: text) else { throw APIError.invalid("dataPrevista: data inválida (use AAAA-MM-DD).") }
        return d
    }

    private func apply(_ answer: SourceAnswer, source: String) async throws -> (Components.Schemas.ProtocoloOrigem, Bool) {
        let postgres = store.engine == .postgres
        let now = clock.epochSeconds
        let timeZone = clock.timeZone
        let (v, replayed) = try await store.write { db in
            let replayed = try await SourceAnswers.apply(answer, source: source, now: now, timeZone: timeZone, postgres: postgres, db: db)
            return (try await SourceAnswers.view(answer.number, db: db), replayed)
        }
        return (
            .init(
                protocolo: v.number.formatted, situacao: .init(rawValue: v.situation.rawValue) ?? .aberto, idOrigem: v.sourceId,
                protocoloOrigem: v.sourceNumber, dataPrevista: v.expectedOn?.iso,
                confirmadaEm: v.confirmedAt.map { Date(timeIntervalSince1970: TimeInterval($0)) }), replayed
        )
    }

    // MARK: The supervisor's

    func listIntegrationDeliveries(_ input: Operations.ListIntegrationDeliveries.Input) async throws
        -> Operations.ListIntegrationDeliveries.Output
    {
        _ = try await authorization.check(.staff())
        let counts = try await IntegrationDeliveries.counts(store)
        let items = try await IntegrationDeliveries.troubled(store)
        func date(_ t: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(t)) }
        return .ok(
            .init(
                body: .json(
                    .init(
                        webhooks: webhooks.map { .init(name: $0, pending: counts[$0]?.pending ?? 0, parked: counts[$0]?.parked ?? 0) },
                        items: items.map {
                            .init(
                                webhook: $0.webhook, eventId: $0.eventId, _protocol: $0.protocolNumber, _type: $0.type,
                                state: .init(rawValue: $0.state) ?? .parado, attempts: $0.attempts, lastStatus: $0.lastStatus,
                                lastError: $0.lastError, nextAt: date($0.nextAt), updatedAt: date($0.updatedAt), waiting: $0.waiting)
                        }))))
    }

    func decideIntegrationDelivery(_ input: Operations.DecideIntegrationDelivery.Input) async throws
        -> Operations.DecideIntegrationDelivery.Output
    {
        let grant = try await authorization.check(.staff())
        guard case .json(let body) = input.body, let decision = IntegrationDeliveries.Decision(rawValue: body.decision.rawValue) else {
            throw APIError.badRequest
        }
        let (webhook, id) = (input.path.webhook, input.path.eventId)
        guard try await IntegrationDeliveries.decide(decision, webhook: webhook, eventId: id, now: grant.now, store: store) else {
            throw APIError(
                status: .notFound, code: "delivery_not_found",
                message: "Não há entrega parada ou com falha para este evento (já entregue, descartada ou sendo enviada agora).")
        }
        try await audit.record(
            grant.principal, decision == .retry ? "reenviar_evento" : "descartar_evento", matricula: nil, detail: "\(webhook): evento \(id)")
        return .noContent(.init())
    }
}
