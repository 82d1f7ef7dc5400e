import CCurl
import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Why a request did not get an answer, with the message the terminal shows.
public enum CurlTransportError: LocalizedError, Equatable, CustomStringConvertible {
    case unreachable
    case timedOut
    /// Not HTTP, or cut short (fewer bytes than announced): a proxy or server in trouble.
    case badReply
    case cancelled
    case tls(String)
    case other(Int, String)

    public var description: String {
        switch self {
        case .unreachable: return "Servidor indisponível. Tente novamente em instantes."
        case .timedOut: return "O servidor não respondeu a tempo. Tente novamente."
        case .badReply: return "A resposta do servidor chegou incompleta ou ilegível. Tente novamente."
        case .cancelled: return "Operação cancelada."
        case .tls(let m): return "Falha na conexão segura com o servidor (\(m))."
        case .other(let code, let m): return "Falha de comunicação com o servidor (curl \(code): \(m))."
        }
    }

    public var errorDescription: String? { description }
}

/// An OpenAPI `ClientTransport` over libcurl. Easy handles are kept in a pool and reused, so
/// the connection to the server stays open between requests (one handle per concurrent request;
/// `curl_easy_reset` keeps the connection cache). Each transfer runs on a worker thread, never on
/// the caller's; Task cancellation aborts it through the progress callback.
public final class CurlTransport: ClientTransport, @unchecked Sendable {
    public struct Options: Sendable {
        public var connectTimeout: Duration = .seconds(3)
        public var totalTimeout: Duration = .seconds(15)
        /// CA bundle for TLS (`https://` servers with a private CA).
        public var caFile: String?
        public init() {}
    }

    private let options: Options
    /// New TCP connections opened so far (connection reuse is measured, not assumed).
    public var connectionsOpened: Int {
        lock.lock()
        defer { lock.unlock() }
        return opened
    }
    private var opened = 0
    private var idle: [UnsafeMutableRawPointer] = []
    private let lock = NSLock()
    private let queue = DispatchQueue(label: "agencia.curl", attributes: .concurrent)

    static let ensureGlobalInit: Void = { curl_global_init(Int(CURL_GLOBAL_ALL)) }()

    public init(options: Options = Options()) {
        _ = Self.ensureGlobalInit
        self.options = options
    }

    deinit {
        for h in idle { curl_easy_cleanup(h) }
    }

    private func takeHandle() -> UnsafeMutableRawPointer? {
        lock.lock()
        defer { lock.unlock() }
        if let h = idle.popLast() { return h }
        return curl_easy_init()
    }

    private func giveBack(_ h: UnsafeMutableRawPointer) {
        lock.lock()
        defer { lock.unlock() }
        if idle.count < 4 { idle.append(h) } else { curl_easy_cleanup(h) }
    }

    public func send(
        _ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String
    ) async throws -> (HTTPResponse, HTTPBody?) {
        var requestBody: Data?
        if let body { requestBody = try await Data(collecting: body, upTo: 16 * 1024 * 1024) }
        let base = baseURL.absoluteString.hasSuffix("/") ? String(baseURL.absoluteString.dropLast()) : baseURL.absoluteString
        let url = base + (request.path ?? "")
        let transfer = Transfer(
            method: request.method.rawValue, url: url,
            headers: request.headerFields.map { "\($0.name.canonicalName): \($0.value)" }, body: requestBody)
        let result: Transfer.Result = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { cont in
                queue.async { [self] in
                    guard let h = takeHandle() else {
                        cont.resume(throwing: CurlTransportError.other(-1, "curl_easy_init"))
                        return
                    }
                    let r = transfer.perform(handle: h, options: options)
                    var connects = 0
                    _ = agc_getinfo_long(h, CURLINFO_NUM_CONNECTS, &connects)
                    lock.lock()
                    opened += connects
                    lock.unlock()
                    giveBack(h)
                    cont.resume(with: r)
                }
            }
        } onCancel: {
            transfer.cancel()
        }
        var response = HTTPResponse(status: .init(code: result.status))
        for line in result.headers {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].trimmingCharacters(in: .whitespaces)
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
            if let n = HTTPField.Name(name) { response.headerFields.append(HTTPField(name: n, value: value)) }
        }
        return (response, result.body.isEmpty ? nil : HTTPBody(result.body))
    }
}

/// One request's state, shared with libcurl's callbacks through an unmanaged pointer.
final class Transfer: @unchecked Sendable {
    struct Result {
        var status: Int
        var headers: [String]
        var body: Data
    }

    let method: String
    let url: String
    let headers: [String]
    let body: Data?
    private var received = Data()
    private var receivedHeaders: [String] = []
    private let cancelLock = NSLock()
    private var cancelled = false

    init(method: String, url: String, headers: [String], body: Data?) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    func cancel() {
        cancelLock.lock()
        cancelled = true
        cancelLock.unlock()
    }

    var isCancelled: Bool {
        cancelLock.lock()
        defer { cancelLock.unlock() }
        return cancelled
    }

    func perform(handle h: UnsafeMutableRawPointer, options: CurlTransport.Options) -> Swift.Result<Result, Error> {
        if isCancelled { return .failure(CurlTransportError.cancelled) }
        curl_easy_reset(h)
        let me = Unmanaged.passUnretained(self).toOpaque()
        _ = agc_setopt_str(h, CURLOPT_URL, url)
        _ = agc_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        _ = agc_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, Int(options.connectTimeout.components.seconds * 1000))
        _ = agc_setopt_long(h, CURLOPT_TIMEOUT_MS, Int(options.totalTimeout.components.seconds * 1000))
        _ = agc_setopt_long(h, CURLOPT_TCP_KEEPALIVE, 1)
        if let ca = options.caFile { _ = agc_setopt_str(h, CURLOPT_CAINFO, ca) }
        _ = agc_setopt_str(h, CURLOPT_CUSTOMREQUEST, method)
        if method == "HEAD" { _ = agc_setopt_long(h, CURLOPT_NOBODY, 1) }
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers { list = curl_slist_append(list, header) }
        // Sent without a body, libcurl would add "Expect: 100-continue" for larger bodies: off.
        list = curl_slist_append(list, "Expect:")
        defer { curl_slist_free_all(list) }
        _ = agc_setopt_slist(h, CURLOPT_HTTPHEADER, list)
        if let body {
            _ = agc_setopt_off(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            body.withUnsafeBytes { raw in
                if let base = raw.baseAddress {
                    _ = agc_setopt_ptr(h, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: base))
                } else {
                    _ = agc_setopt_str(h, CURLOPT_COPYPOSTFIELDS, "")
                }
            }
        }
        _ = agc_setopt_datacb(h, CURLOPT_WRITEFUNCTION) { ptr, size, n, ud in
            guard let ptr, let ud else { return 0 }
            let t = Unmanaged<Transfer>.fromOpaque(ud).takeUnretainedValue()
            t.received.append(UnsafeRawPointer(ptr).assumingMemoryBound(to: UInt8.self), count: size * n)
            return size * n
        }
        _ = agc_setopt_ptr(h, CURLOPT_WRITEDATA, me)
        _ = agc_setopt_datacb(h, CURLOPT_HEADERFUNCTION) { ptr, size, n, ud in
            guard let ptr, let ud else { return 0 }
            let t = Unmanaged<Transfer>.fromOpaque(ud).takeUnretainedValue()
            let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: size * n), as: UTF8.self)
            if line.hasPrefix("HTTP/") { t.receivedHeaders = [] } else if line.contains(":") { t.receivedHeaders.append(line) }
            return size * n
        }
        _ = agc_setopt_ptr(h, CURLOPT_HEADERDATA, me)
        _ = agc_setopt_long(h, CURLOPT_NOPROGRESS, 0)
        _ = agc_setopt_xferinfo(h) { ud, _, _, _, _ in
            guard let ud else { return 0 }
            return Unmanaged<Transfer>.fromOpaque(ud).takeUnretainedValue().isCancelled ? 1 : 0
        }
        _ = agc_setopt_ptr(h, CURLOPT_XFERINFODATA, me)
        let code = curl_easy_perform(h)
        switch code {
        case CURLE_OK:
            var status = 0
            _ = agc_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
            return .success(Result(status: status, headers: receivedHeaders, body: received))
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_GOT_NOTHING, CURLE_RECV_ERROR, CURLE_SEND_ERROR:
            return .failure(CurlTransportError.unreachable)
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(CurlTransportError.timedOut)
        case CURLE_WEIRD_SERVER_REPLY, CURLE_PARTIAL_FILE, CURLE_BAD_CONTENT_ENCODING:
            return .failure(CurlTransportError.badReply)
        case CURLE_UNSUPPORTED_PROTOCOL where url.hasPrefix("http://") || url.hasPrefix("https://"):
            // An answer that is not HTTP at all (libcurl refuses to read it as HTTP/0.9).
            return .failure(CurlTransportError.badReply)
        case CURLE_ABORTED_BY_CALLBACK:
            return .failure(CurlTransportError.cancelled)
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE:
            return .failure(CurlTransportError.tls(String(cString: curl_easy_strerror(code))))
        default:
            return .failure(CurlTransportError.other(Int(code.rawValue), String(cString: curl_easy_strerror(code))))
        }
    }
}
