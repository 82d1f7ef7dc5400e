import Crypto
import Curl
import Foundation
import HTTPTypes
import Logging
import OpenAPIRuntime

/// The accredited card companies: the configured ones plus, when enabled, the sandbox.
struct CardCompanyDirectory: Sendable {
    static let sandboxID = "sandbox"
    let configured: [CardCompany]
    let sandboxSecret: String?
    let runtime: ServerRuntime

    init(config: ServerConfiguration, runtime: ServerRuntime) {
        configured = config.cardCompanies
        sandboxSecret = config.sandboxCardCompany == nil ? nil : config.sandboxCardCompanySecret ?? SessionToken.make()
        self.runtime = runtime
    }

    var all: [CardCompany] {
        var list = configured
        if let secret = sandboxSecret {
            list.append(
                CardCompany(
                    id: Self.sandboxID, nome: "Operadora Sandbox (teste — nada é cobrado)", feeBasisPoints: 299,
                    endpoint: "http://127.0.0.1:\(runtime.port)/sandbox-operadora", secret: secret))
        }
        return list
    }

    func company(_ id: String) -> CardCompany? { all.first { $0.id == id } }
}

/// The message a company signs when it reports a decision (openapi.yaml, cardCompanyCallback).
enum CardSignature {
    static func sign(secret: String, reference: String, status: String, companyReference: String) -> String {
        let message = "\(reference):\(status):\(companyReference)"
        let mac = HMAC<SHA256>.authenticationCode(for: Data(message.utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return mac.hex
    }

    static func verify(_ signature: String, secret: String, reference: String, status: String, companyReference: String) -> Bool {
        let expected = sign(secret: secret, reference: reference, status: status, companyReference: companyReference)
        // Constant-time comparison.
        guard expected.utf8.count == signature.utf8.count else { return false }
        return zip(expected.utf8, signature.utf8).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// The companies' API as this server calls it (docs/CARD-COMPANIES.md):
/// `POST {endpoint}/negotiations` with `X-Api-Key`, JSON in and out.
struct CardCompanyClient: Sendable {
    struct Negotiation: Codable, Sendable {
        var reference: String
        var amountCents: Int64
        var feeCents: Int64
        var totalCents: Int64
        var description: String
        var callbackUrl: String
        var expiresAt: Int64
    }

    struct Accepted: Codable, Sendable {
        var id: String
        var instructions: String
    }

    let transport: CurlTransport

    init() {
        var o = CurlTransport.Options()
        o.connectTimeout = .seconds(3)
        o.totalTimeout = .seconds(10)
        transport = CurlTransport(options: o)
    }

    func post<T: Encodable>(_ url: String, json: T, headers: [String: String]) async throws -> (Int, Data) {
        guard let base = URL(string: url) else { throw CurlTransportError.other(-1, "URL inválida: \(url)") }
        var request = HTTPRequest(method: .post, scheme: nil, authority: nil, path: "")
        request.headerFields[.contentType] = "application/json"
        for (k, v) in headers { if let n = HTTPField.Name(k) { request.headerFields[n] = v } }
        let (response, body) = try await transport.send(
            request, body: HTTPBody(try JSONEncoder().encode(json)), baseURL: base, operationID: "card-company")
        var data = Data()
        if let body { data = try await Data(collecting: body, upTo: 1 << 20) }
        return (response.status.code, data)
    }

    func start(_ n: Negotiation, at company: CardCompany) async throws -> Accepted {
        let (status, data) = try await post("\(company.endpoint)/negotiations", json: n, headers: ["X-Api-Key": company.secret])
        guard status == 201 || status == 200 else {
            throw CurlTransportError.other(status, String(decoding: data.prefix(200), as: UTF8.self))
        }
        return try JSONDecoder().decode(Accepted.self, from: data)
    }
}
