import API
import Foundation
import HTTPTypes
import OpenAPIRuntime

@testable import Screens

/// A scripted API for journeys: each operation answers with canned JSON (what the real server
/// sends for the demo data), optionally after a delay. Counts calls per operation.
final class FakeTransport: ClientTransport, @unchecked Sendable {
    struct Reply {
        var status: Int
        var json: String
        var contentType = "application/json"
    }

    private let lock = NSLock()
    private var replies: [String: Reply] = [:]
    /// Operations that never answer (until cancelled), like a stuck server.
    private var stuck: Set<String> = []

    func hang(_ operation: String) {
        lock.lock()
        stuck.insert(operation)
        lock.unlock()
    }
    private(set) var calls: [String] = []
    private(set) var authorizations: [String?] = []
    /// Path and query of each request, and its body as text, in call order.
    private(set) var paths: [String] = []
    private(set) var bodies: [String] = []

    /// From now on, `operation` answers this.
    func on(_ operation: String, status: Int = 200, _ json: String, contentType: String = "application/json") {
        lock.lock()
        replies[operation] = Reply(status: status, json: json, contentType: contentType)
        lock.unlock()
    }

    /// The body of the last call of `operation`.
    func lastBody(_ operation: String) -> String {
        lock.lock()
        defer { lock.unlock() }
        return calls.lastIndex(of: operation).map { bodies[$0] } ?? ""
    }

    /// The path and query of every call of `operation` (calls made together may arrive in any order).
    func queries(_ operation: String) -> [String] {
        lock.lock()
        defer { lock.unlock() }
        return zip(calls, paths).filter { $0.0 == operation }.map(\.1)
    }

    func count(_ operation: String) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return calls.filter { $0 == operation }.count
    }

    func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
        let text = body == nil ? "" : try await String(collecting: body!, upTo: 1 << 20)
        lock.lock()
        paths.append(request.path ?? "")
        bodies.append(text)
        calls.append(operationID)
        authorizations.append(request.headerFields[.authorization])
        let reply = replies[operationID]
        let hangs = stuck.contains(operationID)
        lock.unlock()
        if hangs { try await Task.sleep(nanoseconds: 60_000_000_000) }
        guard let reply else { throw URLError(.badServerResponse) }
        var response = HTTPResponse(status: .init(code: reply.status))
        response.headerFields[.contentType] = reply.contentType
        return (response, HTTPBody(reply.json))
    }
}

enum Fixtures {
    static let policy = """
        {"policy":"matricula_dv_documento","matriculaRule":"mod11","kioskIdleSeconds":60,"kioskWarningSeconds":10,
         "registrationHelp":"Compareça a uma agência de atendimento.","emailEnabled":true,
         "demoHints":[{"matricula":"10001-3","documento":"111.444.777-35","description":"contas vencidas"}]}
        """
    static let session = #"{"token":"t0k3n","expiresAt":"2026-11-23T13:30:00Z","kind":"customer","matricula":"100013"}"#
    static let property = """
        {"matricula":"100013","endereco":{"logradouro":"Rua Laranjeiras","numero":"120","bairro":"Centro","cidade":"Aracaju","uf":"SE","cep":"49065-519"},
         "categoria":"residencial","economias":1,"situacaoLigacao":"ativa","esgoto":true,
         "titular":{"nome":"MARIA A. S.","documento":"***.444.777-**"},
         "debts":{"openCount":3,"openTotalCents":37842,"overdueCount":2,"oldestDueOn":"2026-09-28","underReviewCount":0,"inAgreementCount":0}}
        """
    static let paidProperty = """
        {"matricula":"100021","endereco":{"logradouro":"Avenida Beira Mar","numero":"2450","bairro":"Atalaia","cidade":"Aracaju","uf":"SE","cep":"49037-000"},
         "categoria":"residencial","economias":1,"situacaoLigacao":"ativa","esgoto":true,
         "titular":{"nome":"MARIA A. S.","documento":"***.444.777-**"},
         "debts":{"openCount":0,"openTotalCents":0,"overdueCount":0,"underReviewCount":0,"inAgreementCount":0}}
        """
    static let linked = """
        {"items":[{"matricula":"100021","endereco":"Avenida Beira Mar, 2450 - Atalaia, Aracaju/SE","categoria":"residencial","openCount":0,"underReviewCount":0},
                  {"matricula":"100030","endereco":"Rua João Pessoa, 33 - Centro, Aracaju/SE","categoria":"comercial","openCount":1,"underReviewCount":1}]}
        """
    /// Maria's property as a counter sees it, with a long name, e-mail and phone and a removed
    /// connection: the lines that wrap.
    static let longHolderProperty = property.replacingOccurrences(
        of: #""situacaoLigacao":"ativa""#, with: #""situacaoLigacao":"suprimida","situacaoLigacaoSinceOn":"2026-11-21""#
    ).replacingOccurrences(
        of: #""titular":{"nome":"MARIA A. S.","documento":"***.444.777-**"}"#,
        with:
            #""titular":{"nome":"Maria Aparecida da Silva Albuquerque de Vasconcelos","documento":"111.444.777-35","email":"maria.aparecida.albuquerque@example.com","telefone":"(79) 99876-1234"}"#
    )

    static func error(_ code: String, _ message: String) -> String {
        #"{"error":{"code":"\#(code)","message":"\#(message)"}}"#
    }
}
