import Crypto
import Domain
import Foundation
import SQLKit

/// One answer of a source system about a request (issue 31): its references (key, number, data
/// prevista) and, optionally, a public step. The API and `solicitacoes_retorno.csv` both come here.
struct SourceAnswer: Sendable, Equatable {
    var number: ProtocolNumber
    var situation: SourceSituation?
    /// When it happened at the source: with the protocol, the key that makes it apply once.
    var at: Int64?
    var text: String?
    var sourceId: String?
    var sourceNumber: String?
    var expectedOn: CivilDate?

    /// What tells a replay from a different answer under the same key.
    var digest: String {
        let parts = [
            number.compact, situation?.rawValue ?? "", at.map(String.init) ?? "", text ?? "", sourceId ?? "", sourceNumber ?? "",
            expectedOn?.iso ?? "",
        ]
        return SHA256.hash(data: Data(parts.joined(separator: "\u{1F}").utf8)).hex
    }

    /// Why the answer is refused before anything is read; nil when it is well formed.
    var formRefusal: String? {
        if let r = SourceAnswerRules.referenceRefusal(sourceId, what: "idOrigem") { return r }
        if let r = SourceAnswerRules.referenceRefusal(sourceNumber, what: "protocoloOrigem") { return r }
        if situation == nil, sourceId == nil, sourceNumber == nil, expectedOn == nil { return "Nada a alterar." }
        if situation != nil, at == nil { return "Informe quando aconteceu (eventoEm)." }
        return nil
    }
}

/// The request as the agência holds it for its source (`ProtocoloOrigem`).
struct SourceView: Sendable, Equatable {
    var number: ProtocolNumber
    var situation: ProtocolSituation
    var sourceId: String?
    var sourceNumber: String?
    var expectedOn: CivilDate?
    var confirmedAt: Int64?
}

enum SourceAnswers {
    static let unknown = APIError(status: .notFound, code: "protocol_not_found", message: "Protocolo não encontrado na agência.")

    /// Applies `answer` from the source named `source` in the caller's transaction: the protocol
    /// locked, the answer checked, the references kept, the step recorded (public: the customer
    /// sees it and is told by e-mail, and it is an event), the answer's key remembered. Returns
    /// whether it had been applied already (a replay changes nothing). Refusals are `APIError`s.
    static func apply(
        _ a: SourceAnswer, source: String, now: Int64, timeZone: String, postgres: Bool, db: any SQLDatabase
    ) async throws -> Bool {
        if let r = a.formRefusal { throw APIError.invalid(r) }
        guard
            let row = try await db.raw(
                """
                SELECT situation, unit, matricula, email FROM protocols WHERE number = \(bind: a.number.compact)\(unsafeRaw: postgres ? " FOR UPDATE" : "")
                """
            ).first()
        else { throw unknown }
        if let at = a.at, a.situation != nil {
            if let seen = try await db.raw(
                "SELECT digest FROM integration_answers WHERE protocol = \(bind: a.number.compact) AND source_at = \(bind: at)"
            ).first() {
                guard try seen.decode(column: "digest", as: String.self) == a.digest else {
                    throw APIError(
                        status: .conflict, code: "answer_conflict",
                        message: "Já foi aplicado outro retorno deste protocolo com o mesmo instante (eventoEm).")
                }
                return true
            }
        }
        let current = try ProtocolRepository.situation(row)
        let unit = try row.decode(column: "unit", as: String.self)
        if let s = a.situation, let refusal = SourceAnswerRules.refusal(s, texto: a.text, current: current) {
            throw APIError(status: .conflict, code: "answer_refused", message: refusal)
        }
        try await db.raw(
            """
            UPDATE protocols SET source_name = \(bind: source), source_id = COALESCE(\(bind: a.sourceId), source_id),
              source_number = COALESCE(\(bind: a.sourceNumber), source_number),
              source_expected_on = COALESCE(\(bind: a.expectedOn?.iso), source_expected_on),
              source_confirmed_at = COALESCE(source_confirmed_at, \(bind: now))
            WHERE number = \(bind: a.number.compact)
            """
        ).run()
        // The source answered, so it has the request, however it came.
        try await db.raw(
            "UPDATE integration_events SET sent_at = \(bind: now) WHERE protocol = \(bind: a.number.compact) AND protocol_seq = 1 AND sent_at IS NULL"
        ).run()
        guard let s = a.situation, let at = a.at else { return false }
        let next = s.situation
        try await db.raw(
            "UPDATE protocols SET situation = \(bind: next.rawValue), updated_at = \(bind: now) WHERE number = \(bind: a.number.compact)"
        ).run()
        try await ProtocolRepository.recount(from: (unit, current), to: (unit, next), db: db)
        let stepId = try await ProtocolRepository.insertStep(
            a.number, at: now, action: "source", situation: next, fromUnit: nil, toUnit: nil, text: s.text(a.text), isPublic: true,
            staff: nil,
            detail: "\(source): \(s.rawValue), na origem em \(LocalCalendar.dateTime(Date(timeIntervalSince1970: TimeInterval(at)), timeZone: timeZone))",
            source: source, db: db)
        try await ProtocolRepository.tell(
            email: try row.decode(column: "email", as: String?.self), matricula: try row.decode(column: "matricula", as: String?.self),
            stepId: stepId, now: now, db: db)
        try await db.raw(
            """
            INSERT INTO integration_answers (protocol, source_at, source, digest, step_id, applied_at)
            VALUES (\(bind: a.number.compact), \(bind: at), \(bind: source), \(bind: a.digest), \(bind: stepId), \(bind: now))
            """
        ).run()
        return false
    }

    static func view(_ number: ProtocolNumber, db: any SQLDatabase) async throws -> SourceView {
        guard
            let row = try await db.raw(
                """
                SELECT situation, source_id, source_number, source_expected_on, source_confirmed_at FROM protocols
                WHERE number = \(bind: number.compact)
                """
            ).first()
        else { throw unknown }
        return SourceView(
            number: number, situation: try ProtocolRepository.situation(row), sourceId: try row.decode(column: "source_id", as: String?.self),
            sourceNumber: try row.decode(column: "source_number", as: String?.self),
            expectedOn: try row.decode(column: "source_expected_on", as: String?.self).flatMap(CivilDate.init(iso:)),
            confirmedAt: try row.decode(column: "source_confirmed_at", as: Int64?.self))
    }
}
