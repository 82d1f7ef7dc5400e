import API
import Curl
import Foundation
import Glibc
import NIOCore
import NIOPosix
import OpenAPIRuntime
import XCTest

@testable import Server

/// QUALITY.md 13 and 16: the generated client over libcurl against a live server, and the
/// transport's answers when the server is down, silent or speaking garbage.
final class CurlTransportTests: XCTestCase {
    /// A live server over a fresh demo database.
    func startServer() async throws -> BackgroundServer {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agencia-curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var c = ServerConfiguration()
        c.database = "sqlite:\(dir.appendingPathComponent("db.sqlite").path)"
        c.port = 0
        c.seed = "demo"
        c.logLevel = "error"
        return try await BackgroundServer.start(c)
    }

    func testGeneratedClientOverCurlReusesOneConnection() async throws {
        let server = try await startServer()
        let port = server.port
        let transport = CurlTransport()
        let client = Client(serverURL: URL(string: "http://127.0.0.1:\(port)/v1")!, transport: transport)
        let login = try await client.loginCustomer(body: .json(.init(matricula: "10001-3", documento: "111.444.777-35")))
        let token = try login.created.body.json.token
        XCTAssertFalse(token.isEmpty)
        let policy = try await client.getAuthPolicy().ok.body.json
        XCTAssertEqual(policy.policy, .matriculaDvDocumento)
        for _ in 0..<20 { _ = try await client.getHealth().ok }
        let wrong = try await client.loginCustomer(body: .json(.init(matricula: "10001-3", documento: "529.982.247-25")))
        guard case .default(let status, let body) = wrong, case .json(let e) = body.body else { return XCTFail("\(wrong)") }
        XCTAssertEqual(status, 401)
        XCTAssertEqual(e.error.code, "login_failed")
        XCTAssertEqual(transport.connectionsOpened, 1, "23 requests on one kept-alive connection")
        await server.stop()
    }

    func testServerDownIsUnreachable() async throws {
        let client = Client(serverURL: URL(string: "http://127.0.0.1:9/v1")!, transport: CurlTransport())
        do {
            _ = try await client.getHealth()
            XCTFail("no server listens on port 9")
        } catch let e as ClientError {
            XCTAssertEqual(e.underlyingError as? CurlTransportError, .unreachable)
            XCTAssertEqual((e.underlyingError as? LocalizedError)?.errorDescription, "Servidor indisponível. Tente novamente em instantes.")
        }
    }

    /// A server that accepts and never answers: the total timeout ends the wait.
    func testSilentServerTimesOut() async throws {
        let (listener, port) = try Self.listener { _ in }
        defer { close(listener) }
        var options = CurlTransport.Options()
        options.totalTimeout = .seconds(1)
        let client = Client(serverURL: URL(string: "http://127.0.0.1:\(port)/v1")!, transport: CurlTransport(options: options))
        let start = ContinuousClock.now
        do {
            _ = try await client.getHealth()
            XCTFail("expected a timeout")
        } catch let e as ClientError {
            XCTAssertEqual(e.underlyingError as? CurlTransportError, .timedOut)
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
    }

    /// A server answering garbage: an error, not a crash or a hang.
    func testGarbageAnswerIsAnError() async throws {
        let (listener, port) = try Self.listener { fd in
            let junk = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{{{{{{{{{"
            _ = junk.withCString { write(fd, $0, strlen($0)) }
        }
        defer { close(listener) }
        let client = Client(serverURL: URL(string: "http://127.0.0.1:\(port)/v1")!, transport: CurlTransport())
        do {
            _ = try await client.getHealth()
            XCTFail("expected a decoding error")
        } catch is ClientError {}
    }

    /// Issue 15: an answer that is not HTTP, and one cut short (the connection closed before the
    /// announced length), both say so in Portuguese.
    func testNotHTTPAndTruncatedAnswersAreBadReplies() async throws {
        for answer in ["\u{16}\u{03}\u{01} isto nao e HTTP\r\n\r\n", "HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n{\"status\":"] {
            let (listener, port) = try Self.listener { fd in
                _ = answer.withCString { write(fd, $0, strlen($0)) }
                close(fd)
            }
            defer { close(listener) }
            let client = Client(serverURL: URL(string: "http://127.0.0.1:\(port)/v1")!, transport: CurlTransport())
            do {
                _ = try await client.getHealth()
                XCTFail("expected a transport error")
            } catch let e as ClientError {
                XCTAssertEqual(e.underlyingError as? CurlTransportError, .badReply, answer)
                XCTAssertEqual(
                    (e.underlyingError as? LocalizedError)?.errorDescription,
                    "A resposta do servidor chegou incompleta ou ilegível. Tente novamente.")
            }
        }
    }

    func testCancellationAbortsTheTransfer() async throws {
        let (listener, port) = try Self.listener { _ in }
        defer { close(listener) }
        let client = Client(serverURL: URL(string: "http://127.0.0.1:\(port)/v1")!, transport: CurlTransport())
        let start = ContinuousClock.now
        let task = Task { try await client.getHealth() }
        try await Task.sleep(nanoseconds: 200_000_000)
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("expected cancellation")
        } catch let e as ClientError {
            XCTAssertEqual(e.underlyingError as? CurlTransportError, .cancelled)
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(3), "Esc must not wait for the 15 s timeout")
    }

    /// A loopback TCP listener whose connections get `respond` then stay open.
    static func listener(respond: @escaping @Sendable (Int32) -> Void) throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        Glibc.listen(fd, 8)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        let port = Int(UInt16(bigEndian: addr.sin_port))
        Thread.detachNewThread {
            while true {
                let c = accept(fd, nil, nil)
                if c < 0 { return }
                var buf = [UInt8](repeating: 0, count: 4096)
                _ = read(c, &buf, buf.count)
                respond(c)
            }
        }
        return (fd, port)
    }
}
