import Domain
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import SQLKit
import XCTest

@testable import Server

/// The ouvidoria through the API (issue 12, Lei 13.460/2017) on both engines, pinned on Monday
/// 23/11/2026, 10:00 in Aracaju: who may manifest and how, the anonymous denúncia and its secret,
/// the 30-day deadline extended once, the alerts until received and the overdue list.
final class OuvidoriaAPITests: XCTestCase {
    static let outsider = (doc: "529.982.247-25", norm: "52998224725")

    static func configure(_ c: inout ServerConfiguration) {
        c.ouvidoria.anonymousTypes = ["denuncia"]
        c.ouvidoria.email = "ouvidoria@saneamento.example.br"
        // E-mail on (a closed port: what is queued waits), so the confirmation is said to go out.
        c.smtp.url = "smtp://127.0.0.1:9"
    }

    private var key = 0
    private func manifest(_ client: any TestClientProtocol, _ body: [String: Any], token: String? = nil) async throws -> TestResponse {
        key += 1
        var headers: HTTPFields = [.contentType: "application/json", HTTPField.Name("Idempotency-Key")!: "ouv-key-\(key)"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(
            uri: "/v1/ouvidoria/manifestations", method: .post, headers: headers,
            body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
    }

    private func lookup(_ client: any TestClientProtocol, _ body: [String: Any]) async throws -> TestResponse {
        try await client.post("/v1/protocol-lookup", body)
    }

    private func outbox(_ store: any Store, kind: String) async throws -> [String] {
        try await store.read { db in
            try await db.raw("SELECT recipient FROM email_outbox WHERE document_kind = \(bind: kind) ORDER BY id").all().map {
                try $0.decode(column: "recipient", as: String.self)
            }
        }
    }

    func testIdentifiedAnonymousAndFromASession() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(engine, configure: Self.configure) { client, server in
                let carla = try await client.staffToken("carla", "supervisao123")
                let info = try await client.get("/v1/ouvidoria")
                AEq(info.status, .ok, "\(engine): no session needed")
                let types = info.json["types"] as? [[String: Any]] ?? []
                AEq(
                    types.compactMap { $0["code"] as? String },
                    ["denuncia", "elogio", "ouvidoria-outros", "reclamacao", "solicitacao-ouvidoria", "sugestao"], "\(engine)")
                AEq(types.filter { $0["anonymous"] as? Bool == true }.compactMap { $0["code"] as? String }, ["denuncia"])
                AEq(info.json["deadlineDays"] as? Int, 30)

                // Identified, without a session: a valid CPF and a name; the answer is due in 30 days.
                let requester: [String: Any] = [
                    "kind": "outro", "documento": Self.outsider.doc, "nome": "João Batista dos Santos", "email": "joao@example.com",
                ]
                var r = try await manifest(
                    client, ["typeCode": "reclamacao", "text": "Fui mal atendido na agência Centro em 20/11.", "requester": requester])
                AEq(r.status, .created, "\(engine): \(r.json)")
                AEq(r.json["deadlineOn"] as? String, "2026-12-23")
                AEq(r.json["emailTo"] as? String, Masking.email("joao@example.com"))
                ATrue(r.json["secret"] == nil, "identified: no secret")
                let number = try XCTUnwrap(r.json["number"] as? String)
                let detail = try await client.get("/v1/protocols/\(number)", token: carla).json
                AEq(detail["unit"] as? String, "ouvidoria", "\(engine)")
                AEq(detail["deadlineAt"] as? String, "2026-12-24T02:59:00Z", "23:59 of 23/12 in Aracaju")
                AEq((detail["ouvidoria"] as? [String: Any])?["deadlineOn"] as? String, "2026-12-23")
                AEq((detail["ouvidoria"] as? [String: Any])?["extended"] as? Bool, false)
                // The confirmation with the number goes to the manifestant, the alert to the unit.
                AEq(try await outbox(server.store, kind: "protocol_step"), ["joao@example.com"], "\(engine)")
                AEq(try await outbox(server.store, kind: "ouvidoria_alert"), ["ouvidoria@saneamento.example.br"])
                // Anyone consults it with the number and the CPF.
                AEq(try await lookup(client, ["number": number, "documento": Self.outsider.doc]).status, .ok)

                // Refusals change nothing: a bad CPF, nobody named, an anonymous reclamação, a file from a customer.
                let before = try await client.get("/v1/queue?unit=ouvidoria", token: carla).json["total"] as? Int
                var bad = requester
                bad["documento"] = "529.982.247-26"
                r = try await manifest(client, ["typeCode": "reclamacao", "text": "Texto suficiente para a reclamação.", "requester": bad])
                AEq(r.status, .badRequest, "\(engine)")
                AEq(r.errorMessage, "CPF/CNPJ inválido: dígitos verificadores não conferem.")
                r = try await manifest(client, ["typeCode": "reclamacao", "text": "Texto suficiente para a reclamação."])
                AEq(r.errorMessage, "Informe CPF/CNPJ e nome de quem se manifesta.")
                r = try await manifest(
                    client, ["typeCode": "reclamacao", "text": "Texto suficiente para a reclamação.", "anonymous": true])
                AEq(r.errorMessage, "Reclamação exige identificação: informe CPF/CNPJ e nome.")
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                r = try await manifest(
                    client, ["typeCode": "elogio", "text": "Atendimento excelente na agência.", "attachments": [1]], token: maria)
                AEq(r.errorMessage, "Documentos são anexados no atendimento presencial (balcão).")
                AEq(try await client.get("/v1/queue?unit=ouvidoria", token: carla).json["total"] as? Int, before, "\(engine)")

                // From her session, Maria is the manifestant.
                r = try await manifest(client, ["typeCode": "elogio", "text": "Atendimento excelente na agência."], token: maria)
                AEq(r.status, .created, "\(engine): \(r.json)")
                let hers = try await client.get("/v1/protocols/\(r.json["number"] as? String ?? "")", token: carla).json
                AEq((hers["requester"] as? [String: Any])?["nome"] as? String, "Maria Aparecida da Silva")

                // Anonymous denúncia: a secret, shown once, is the only way in.
                r = try await manifest(
                    client, ["typeCode": "denuncia", "text": "Ligação clandestina na Rua Itabaiana, 300.", "anonymous": true])
                AEq(r.status, .created, "\(engine): \(r.json)")
                let secret = try XCTUnwrap(r.json["secret"] as? String)
                ATrue(
                    secret.range(of: "^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$", options: .regularExpression) != nil,
                    secret)
                let anon = try XCTUnwrap(r.json["number"] as? String)
                var found = try await lookup(client, ["number": anon, "secret": secret])
                AEq(found.status, .ok, "\(engine)")
                ATrue(found.json["requester"] == nil)
                AEq((found.json["ouvidoria"] as? [String: Any])?["anonymous"] as? Bool, true)
                found = try await lookup(client, ["number": anon, "secret": secret.lowercased().replacingOccurrences(of: "-", with: "")])
                AEq(found.status, .ok, "typed without dashes, in lower case")
                var wrong = Array(secret)
                wrong[0] = wrong[0] == "A" ? "B" : "A"
                AEq(try await lookup(client, ["number": anon, "secret": String(wrong)]).status, .notFound)
                AEq(try await lookup(client, ["number": anon, "documento": Self.outsider.doc]).status, .notFound)
                AEq(try await lookup(client, ["number": number, "secret": secret]).status, .notFound, "another's secret")
                let stored = try await server.store.read { db in
                    try await db.raw("SELECT requester_document, requester_name, secret_hash FROM protocols WHERE number = \(bind: anon)")
                        .first()
                }
                AEq(try stored?.decode(column: "requester_document", as: String.self), "")
                ATrue(try stored?.decode(column: "secret_hash", as: String.self).contains(secret) == false, "only its hash is kept")
            }
        }
    }

    func testDeadlineExtendedOnceQueueAlertsAndOverdue() async throws {
        let clock = TestClock()
        try await forEachEngine { engine in
            try await Harness.withServer(engine, clock: clock, configure: Self.configure) { client, server in
                let start = clock.now
                defer { clock.advance(start.timeIntervalSince(clock.now)) }
                let carla = try await client.staffToken("carla", "supervisao123")
                let bruno = try await client.staffToken("bruno", "backoffice123")
                let diego = try await client.staffToken("diego", "comercial123")
                let ana = try await client.staffToken()
                let requester: [String: Any] = ["kind": "outro", "documento": Self.outsider.doc, "nome": "João Batista dos Santos"]
                var numbers: [String] = []
                for text in ["Primeira reclamação, sobre a fatura.", "Segunda reclamação, sobre o atendimento."] {
                    let r = try await manifest(client, ["typeCode": "reclamacao", "text": text, "requester": requester])
                    AEq(r.status, .created, "\(engine): \(r.json)")
                    numbers.append(r.json["number"] as? String ?? "")
                    clock.advance(60)
                }
                // The header's counters: for the ouvidoria and supervisors only.
                var summary = try await client.get("/v1/ouvidoria/summary", token: bruno).json
                AEq(summary["watching"] as? Bool, true)
                AEq(summary["unreceived"] as? Int, 2, "\(engine)")
                AEq((try await client.get("/v1/ouvidoria/summary", token: diego).json)["watching"] as? Bool, false)
                // An atendente's terminal does not ask (the back office's business).
                AEq(try await client.get("/v1/ouvidoria/summary", token: ana).errorCode, "role_forbidden")

                // Bruno receives the older one: the unreceived one comes first in the queue.
                var r = try await client.post(
                    "/v1/protocols/\(numbers[0])/steps", ["action": "receive"], token: bruno,
                    headers: ["Idempotency-Key": "ouv-rcv-\(engine)"])
                AEq(r.status, .ok, "\(engine): \(r.json)")
                let queue = try await client.get("/v1/queue", token: bruno).json["items"] as? [[String: Any]] ?? []
                AEq(queue.compactMap { $0["number"] as? String }, [numbers[1], numbers[0]], "\(engine): unreceived first")
                summary = try await client.get("/v1/ouvidoria/summary", token: bruno).json
                AEq(summary["unreceived"] as? Int, 1)

                // Issue 28.11: the law's deadline does not move by an edit, not even a supervisor's.
                for (who, token) in [("bruno", bruno), ("carla", carla)] {
                    let later = ISO8601DateFormatter().string(from: clock.now.addingTimeInterval(60 * 86_400))
                    let edit = try await client.post(
                        "/v1/protocols/\(numbers[0])/steps", ["action": "edit", "deadlineAt": later], token: token,
                        headers: ["Idempotency-Key": "ouv-edit-\(engine)-\(who)"])
                    AEq(edit.status, .badRequest, "\(engine) \(who)")
                    AEq(
                        edit.errorMessage,
                        "O prazo de uma manifestação à Ouvidoria é o da lei: só muda pela prorrogação (uma vez, com o motivo).")
                }

                // The extension: not by another unit, not without a reason; once, for 30 days; never twice.
                func extend(_ token: String, _ reason: String, _ n: String? = nil) async throws -> TestResponse {
                    key += 1
                    return try await client.post(
                        "/v1/protocols/\(n ?? numbers[0])/extension", ["reason": reason], token: token,
                        headers: ["Idempotency-Key": "ouv-ext-\(engine)-\(key)"])
                }
                AEq(try await extend(diego, "Aguardando laudo da área técnica.").status, .forbidden, "\(engine)")
                AEq(try await extend(ana, "Aguardando laudo da área técnica.").status, .forbidden)
                r = try await extend(bruno, "curto")
                AEq(r.status, .conflict)
                AEq(r.errorMessage, "Informe o motivo da prorrogação: ele é mostrado ao manifestante.")
                r = try await extend(bruno, "Aguardando laudo da área técnica.")
                AEq(r.status, .ok, "\(engine): \(r.json)")
                AEq((r.json["ouvidoria"] as? [String: Any])?["deadlineOn"] as? String, "2027-01-22", "23/12 + 30")
                AEq((r.json["ouvidoria"] as? [String: Any])?["extended"] as? Bool, true)
                let step = (r.json["steps"] as? [[String: Any]])?.last
                AEq(step?["action"] as? String, "extend")
                AEq(step?["public"] as? Bool, true)
                AEq(step?["text"] as? String, "Prazo de resposta prorrogado até 22/01/2027. Motivo: Aguardando laudo da área técnica.")
                r = try await extend(carla, "Outro motivo qualquer, bem explicado.")
                AEq(r.status, .conflict, "\(engine)")
                AEq(r.errorMessage, "O prazo desta manifestação já foi prorrogado uma vez; a lei não permite outra prorrogação.")
                // The manifestant reads the reason in the public lookup.
                let seen = try await lookup(client, ["number": numbers[0], "documento": Self.outsider.doc]).json
                ATrue(
                    (seen["steps"] as? [[String: Any]])?.contains { ($0["text"] as? String)?.contains("Aguardando laudo") == true } == true)

                // Daily alerts of the unreceived one: once a day, whoever runs the job.
                let repository = OuvidoriaRepository(store: server.store, unit: "ouvidoria")
                let email = "ouvidoria@saneamento.example.br"
                let today = CivilDate(year: 2026, month: 11, day: 23)!
                AEq(try await repository.alertUnreceived(email: email, today: today, now: 0), 0, "alerted at arrival today")
                AEq(try await repository.alertUnreceived(email: email, today: today.adding(days: 1), now: 0), 1, "\(engine)")
                AEq(try await repository.alertUnreceived(email: email, today: today.adding(days: 1), now: 0), 0, "once a day")
                AEq(try await outbox(server.store, kind: "ouvidoria_alert").count, 3, "two arrivals and one reminder")

                // 31 days later the unextended one is overdue: counted and listed for the supervisor.
                clock.advance(31 * 86_400)
                let carlaLater = try await client.staffToken("carla", "supervisao123")
                let diegoLater = try await client.staffToken("diego", "comercial123")
                summary = try await client.get("/v1/ouvidoria/summary", token: carlaLater).json
                AEq(summary["overdue"] as? Int, 1, "\(engine)")
                let overdue = try await client.get("/v1/ouvidoria/overdue", token: carlaLater)
                AEq((overdue.json["items"] as? [[String: Any]])?.compactMap { $0["number"] as? String }, [numbers[1]])
                AEq((overdue.json["items"] as? [[String: Any]])?.first?["deadlineState"] as? String, "atrasado")
                AEq(try await client.get("/v1/ouvidoria/overdue", token: diegoLater).status, .forbidden)
            }
        }
    }
}

/// Issue 28.10: with e-mail off, the answer never claims a confirmation went out.
final class OuvidoriaMailOffAPITests: XCTestCase {
    func testNoConfirmationClaimedWhenMailIsOff() async throws {
        try await Harness.withServer(
            .sqlite,
            configure: {
                OuvidoriaAPITests.configure(&$0)
                $0.smtp.url = nil
            }
        ) { client in
            var h: HTTPFields = [.contentType: "application/json"]
            h[HTTPField.Name("Idempotency-Key")!] = "ouv-mail-off-1"
            let body: [String: Any] = [
                "typeCode": "reclamacao", "text": "Reclamação sobre o atendimento.",
                "requester": ["kind": "outro", "documento": "529.982.247-25", "nome": "João Batista dos Santos", "email": "joao@example.com"],
            ]
            let r = try await client.execute(
                uri: "/v1/ouvidoria/manifestations", method: .post, headers: h,
                body: ByteBuffer(data: try JSONSerialization.data(withJSONObject: body)))
            AEq(r.status, .created, "\(r.json)")
            ATrue(r.json["emailTo"] == nil, "\(r.json)")
            AEq((try await client.get("/v1/auth/policy")).json["emailEnabled"] as? Bool, false)
        }
    }
}
