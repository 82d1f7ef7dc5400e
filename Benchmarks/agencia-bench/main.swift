import API
import Curl
import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Client-side figures through the real libcurl transport: the kiosk's login → home round trip
/// (policy, login, property, linked properties, logout), repeated, on one transport (so the
/// connection is reused as in the terminal). Prints p50/p99; used by scripts/bench.
///   agencia-bench URL MATRICULA DOCUMENTO [ITERATIONS]
let args = CommandLine.arguments
guard args.count >= 4, let base = URL(string: args[1]) else {
    print("uso: agencia-bench URL MATRICULA DOCUMENTO [ITERACOES]")
    exit(2)
}
let iterations = args.count > 4 ? Int(args[4]) ?? 200 : 200

final class Bearer: ClientMiddleware, @unchecked Sendable {
    var token: String?
    func intercept(
        _ request: HTTPTypes.HTTPRequest, body: OpenAPIRuntime.HTTPBody?, baseURL: URL, operationID: String,
        next: (HTTPTypes.HTTPRequest, OpenAPIRuntime.HTTPBody?, URL) async throws -> (HTTPTypes.HTTPResponse, OpenAPIRuntime.HTTPBody?)
    ) async throws -> (HTTPTypes.HTTPResponse, OpenAPIRuntime.HTTPBody?) {
        var r = request
        if let token { r.headerFields[.authorization] = "Bearer \(token)" }
        return try await next(r, body, baseURL)
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

let transport = CurlTransport()
let bearer = Bearer()
let client = Client(serverURL: base.appendingPathComponent("v1"), transport: transport, middlewares: [bearer])
var times: [Double] = []
let clock = ContinuousClock()
for _ in 0..<iterations {
    let start = clock.now
    _ = try await client.getAuthPolicy().ok
    let session = try await client.loginCustomer(body: .json(.init(matricula: args[2], documento: args[3]))).created.body.json
    bearer.token = session.token
    let m = session.matricula ?? args[2]
    _ = try await client.getProperty(path: .init(matricula: m)).ok
    _ = try await client.getLinkedProperties(path: .init(matricula: m)).ok
    _ = try await client.logout().noContent
    bearer.token = nil
    let d = clock.now - start
    times.append(Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15)
}
times.sort()
print(
    String(
        format: "cliente login→início (5 requisições, libcurl): n=%d p50=%.2f ms p99=%.2f ms conexões abertas=%d",
        iterations, percentile(times, 0.5), percentile(times, 0.99), transport.connectionsOpened))
