import CCurl
import Foundation

/// One e-mail: plain text in UTF-8 and an optional attachment.
public struct MailMessage: Sendable {
    public var from: String
    public var to: String
    public var subject: String
    public var text: String
    public var attachment: (filename: String, mimeType: String, data: Data)?
    /// `<id@host>` without the angle brackets; the same on every retry, so a receiver can drop
    /// a duplicate after a crash between "sent" and "recorded".
    public var messageID: String
    /// The `Date:` header: when the sender composed it, by the sender's clock.
    public var date: Date

    public init(
        from: String, to: String, subject: String, text: String, attachment: (String, String, Data)?, messageID: String, date: Date
    ) {
        self.date = date
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.attachment = attachment.map { (filename: $0.0, mimeType: $0.1, data: $0.2) }
        self.messageID = messageID
    }

    /// The address inside `Name <address>`, or the whole string.
    static func address(_ s: String) -> String {
        if let open = s.lastIndex(of: "<"), let close = s.lastIndex(of: ">"), open < close {
            return String(s[s.index(after: open)..<close])
        }
        return s.trimmingCharacters(in: .whitespaces)
    }

    /// RFC 2047 encoded word for non-ASCII header text.
    static func encodedWord(_ s: String) -> String {
        s.allSatisfy({ $0.isASCII }) ? s : "=?UTF-8?B?\(Data(s.utf8).base64EncodedString())?="
    }

    /// `Agência <x@y>` with the display name encoded.
    static func mailbox(_ s: String) -> String {
        guard let open = s.lastIndex(of: "<") else { return s }
        let name = s[..<open].trimmingCharacters(in: .whitespaces)
        return name.isEmpty ? String(s[open...]) : "\(encodedWord(name)) \(s[open...])"
    }
}

public struct SMTPError: Error, CustomStringConvertible {
    public let code: Int
    public let message: String
    public var description: String { "SMTP (curl \(code)): \(message)" }
}

/// Sends mail through an SMTP server with libcurl (MIME built by curl, attachment in base64).
public struct SMTPClient: Sendable {
    public var url: String
    public var username: String?
    public var password: String?
    public var requireTLS: Bool
    public var timeoutSeconds: Int

    public init(url: String, username: String? = nil, password: String? = nil, requireTLS: Bool = false, timeoutSeconds: Int = 30) {
        self.url = url
        self.username = username
        self.password = password
        self.requireTLS = requireTLS
        self.timeoutSeconds = timeoutSeconds
    }

    private static let queue = DispatchQueue(label: "agencia.smtp", attributes: .concurrent)

    public func send(_ m: MailMessage) async throws {
        _ = CurlTransport.ensureGlobalInit
        try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Void, Error>) in
            Self.queue.async { cont.resume(with: Result { try perform(m) }) }
        }
    }

    /// The extensions the server announces in its answer to EHLO (`SMTPUTF8`, `STARTTLS`,
    /// `AUTH`…), upper case: libcurl connects, greets and stops before sending anything.
    public func extensions() async throws -> Set<String> {
        _ = CurlTransport.ensureGlobalInit
        return try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Set<String>, Error>) in
            Self.queue.async { cont.resume(with: Result { try probe() }) }
        }
    }

    /// Where and how to reach the server: the same for a message and for the EHLO probe.
    private func connect(_ h: UnsafeMutableRawPointer) {
        _ = agc_setopt_str(h, CURLOPT_URL, url)
        if let u = username { _ = agc_setopt_str(h, CURLOPT_USERNAME, u) }
        if let p = password { _ = agc_setopt_str(h, CURLOPT_PASSWORD, p) }
        if requireTLS { _ = agc_setopt_long(h, CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)) }
        _ = agc_setopt_long(h, CURLOPT_CONNECTTIMEOUT, 5)
        _ = agc_setopt_long(h, CURLOPT_TIMEOUT, timeoutSeconds)
        _ = agc_setopt_long(h, CURLOPT_NOSIGNAL, 1)
    }

    private final class Lines {
        var text = ""
    }

    private func probe() throws -> Set<String> {
        guard let h = curl_easy_init() else { throw SMTPError(code: -1, message: "curl_easy_init") }
        defer { curl_easy_cleanup(h) }
        let lines = Lines()
        let box = Unmanaged.passRetained(lines)
        defer { box.release() }
        _ = agc_setopt_long(h, CURLOPT_CONNECT_ONLY, 1)
        _ = agc_setopt_long(h, CURLOPT_VERBOSE, 1)
        _ = agc_setopt_ptr(h, CURLOPT_DEBUGDATA, box.toOpaque())
        _ = agc_setopt_debug(h) { _, type, data, size, ud in
            guard type == CURLINFO_HEADER_IN, let data, let ud else { return 0 }
            let bytes = UnsafeRawBufferPointer(start: data, count: size)
            Unmanaged<Lines>.fromOpaque(ud).takeUnretainedValue().text += String(decoding: bytes, as: UTF8.self)
            return 0
        }
        connect(h)
        let rc = curl_easy_perform(h)
        guard rc == CURLE_OK else { throw SMTPError(code: Int(rc.rawValue), message: String(cString: curl_easy_strerror(rc))) }
        // "250-SMTPUTF8", "250 SIZE 33554432": the keyword after the code and its separator.
        var found = Set<String>()
        for line in lines.text.split(whereSeparator: \.isNewline) where line.hasPrefix("250") && line.count > 4 {
            if let word = line.dropFirst(4).split(separator: " ").first { found.insert(word.uppercased()) }
        }
        return found
    }

    private func perform(_ m: MailMessage) throws {
        guard let h = curl_easy_init() else { throw SMTPError(code: -1, message: "curl_easy_init") }
        defer { curl_easy_cleanup(h) }
        var errbuf = [CChar](repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        _ = errbuf.withUnsafeMutableBufferPointer { agc_setopt_ptr(h, CURLOPT_ERRORBUFFER, $0.baseAddress) }
        _ = agc_setopt_str(h, CURLOPT_MAIL_FROM, "<\(MailMessage.address(m.from))>")
        let rcpt = curl_slist_append(nil, "<\(MailMessage.address(m.to))>")
        defer { curl_slist_free_all(rcpt) }
        _ = agc_setopt_slist(h, CURLOPT_MAIL_RCPT, rcpt)
        let date: String = {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "UTC")
            f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
            return f.string(from: m.date)
        }()
        var headers: UnsafeMutablePointer<curl_slist>?
        for line in [
            "Date: \(date)", "From: \(MailMessage.mailbox(m.from))", "To: \(m.to)", "Subject: \(MailMessage.encodedWord(m.subject))",
            "Message-ID: <\(m.messageID)>",
        ] {
            headers = curl_slist_append(headers, line)
        }
        defer { curl_slist_free_all(headers) }
        _ = agc_setopt_slist(h, CURLOPT_HTTPHEADER, headers)
        let mime = curl_mime_init(h)
        defer { curl_mime_free(mime) }
        let text = curl_mime_addpart(mime)
        let body = Array(m.text.utf8)
        body.withUnsafeBufferPointer { p in
            p.baseAddress!.withMemoryRebound(to: CChar.self, capacity: p.count) { _ = curl_mime_data(text, $0, p.count) }
        }
        curl_mime_type(text, "text/plain; charset=UTF-8")
        curl_mime_encoder(text, "quoted-printable")
        if let a = m.attachment {
            let part = curl_mime_addpart(mime)
            a.data.withUnsafeBytes { p in _ = curl_mime_data(part, p.bindMemory(to: CChar.self).baseAddress, p.count) }
            curl_mime_type(part, a.mimeType)
            curl_mime_filename(part, a.filename)
            curl_mime_encoder(part, "base64")
        }
        _ = agc_setopt_ptr(h, CURLOPT_MIMEPOST, UnsafeMutableRawPointer(mime))
        connect(h)
        let rc = curl_easy_perform(h)
        guard rc == CURLE_OK else {
            let detail = String(decoding: errbuf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw SMTPError(code: Int(rc.rawValue), message: detail.isEmpty ? String(cString: curl_easy_strerror(rc)) : detail)
        }
    }
}
