import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// **Sandbox** card company: a stand-in for an accredited company's API, served on loopback at
/// `/sandbox-operadora` for the demo and the tests (configuration `sandboxCardCompany`). Nothing
/// is charged. It accepts negotiations like a real company and reports its decision to the
/// callback URL, signed. In automatic mode it decides after N seconds: amounts ending in ,13 are
/// declined, in ,14 never answered (the payment expires), any other approved. In manual mode
/// (0) a test decides: `POST /sandbox-operadora/negotiations/{id}/approve` or `/decline`.
final class SandboxCardCompany: @unchecked Sendable {
    struct Entry: Codable, Sendable {
        var id: String
        var reference: String
        var totalCents: Int64
        var callbackUrl: String
        var status: String
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var next = 1
    let secret: String
    let autoSeconds: Int
    let client = CardCompanyClient()
    let logger: Logger

    init(secret: String, autoSeconds: Int, logger: Logger) {
        self.secret = secret
        self.autoSeconds = autoSeconds
        self.logger = logger
    }

    func register(on router: Router<AppRequestContext>) {
        let group = router.group("sandbox-operadora")
        group.post("negotiations") { request, context -> Response in
            try self.authenticate(request)
            let n = try await request.decode(as: CardCompanyClient.Negotiation.self, context: context)
            let entry: Entry = self.lock.withLock {
                let e = Entry(
                    id: String(format: "SBX-%06d", self.next), reference: n.reference, totalCents: n.totalCents,
                    callbackUrl: n.callbackUrl, status: "pendente")
                self.next += 1
                self.entries[e.id] = e
                return e
            }
            if self.autoSeconds > 0, n.totalCents % 100 != 14 {
                let approve = n.totalCents % 100 != 13
                Task {
                    try? await Task.sleep(for: .seconds(self.autoSeconds))
                    _ = try? await self.decide(entry.id, approve: approve)
                }
            }
            let accepted = CardCompanyClient.Accepted(
                id: entry.id,
                instructions:
                    "Operadora Sandbox (ambiente de teste, nenhuma cobrança real): transação \(entry.id) aguardando a confirmação da operadora."
            )
            return try Self.json(accepted, status: .created)
        }
        group.post("negotiations/{id}/{decision}") { request, context -> Response in
            try self.authenticate(request)
            let id = try context.parameters.require("id")
            let decision = try context.parameters.require("decision")
            guard decision == "approve" || decision == "decline" else { throw Self.notFound }
            let status = try await self.decide(id, approve: decision == "approve")
            return try Self.json(["callbackStatus": status], status: .ok)
        }
        group.get("negotiations") { request, _ -> Response in
            try self.authenticate(request)
            let list = self.lock.withLock { Array(self.entries.values).sorted { $0.id < $1.id } }
            return try Self.json(list, status: .ok)
        }
    }

    /// Every endpoint asks for the company's secret (`X-Api-Key`), as a real company's API
    /// asks for its client's key; tests read it from the server's card-company directory.
    private func authenticate(_ request: Request) throws {
        guard request.headers[HTTPField.Name("X-Api-Key")!] == secret else {
            throw APIError(status: .unauthorized, code: "unauthenticated", message: "Chave da operadora (X-Api-Key) ausente ou errada.")
        }
    }

    /// Records the decision and calls the utility back; returns the callback's HTTP status.
    func decide(_ id: String, approve: Bool) async throws -> Int {
        let entry: Entry? = lock.withLock {
            guard var e = entries[id], e.status == "pendente" else { return nil }
            e.status = approve ? "approved" : "declined"
            entries[id] = e
            return e
        }
        guard let entry else { throw Self.notFound }
        struct Callback: Encodable {
            var reference: String
            var companyReference: String
            var status: String
        }
        let signature = CardSignature.sign(secret: secret, reference: entry.reference, status: entry.status, companyReference: entry.id)
        let (status, _) = try await client.post(
            entry.callbackUrl, json: Callback(reference: entry.reference, companyReference: entry.id, status: entry.status),
            headers: ["X-Signature": signature])
        logger.info("sandbox card company decided", metadata: ["id": "\(id)", "status": "\(entry.status)", "callback": "\(status)"])
        return status
    }

    static let notFound = APIError(status: .notFound, code: "not_found", message: "Transação não encontrada ou já decidida.")

    static func json<T: Encodable>(_ value: T, status: HTTPResponse.Status) throws -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(data: try JSONEncoder().encode(value))))
    }
}
