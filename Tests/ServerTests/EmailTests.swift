import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import SQLKit
import XCTest

@testable import Server

#if canImport(Glibc)
    import Glibc
#endif

/// A real SMTP server on loopback (aiosmtpd, Maildir delivery) the tests start and stop.
final class SMTPSink {
    let port: Int
    let dir: URL
    private var process: Process?

    /// `smtputf8`: the server announces SMTPUTF8 (RFC 6531) and takes non-ASCII addresses.
    let smtputf8: Bool

    init(smtputf8: Bool = false) throws {
        self.smtputf8 = smtputf8
        port = try SMTPSink.freePort()
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("agencia-smtp-\(UUID().uuidString)")
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard ok else { throw POSIXError(.EADDRNOTAVAIL) }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    func start() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments =
            ["python3", "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)"] + (smtputf8 ? ["-u"] : [])
            + ["-c", "aiosmtpd.handlers.Mailbox", dir.path]
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        process = p
        // Ready when it accepts a connection.
        for _ in 0..<100 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_addr.s_addr = inet_addr("127.0.0.1")
            addr.sin_port = UInt16(port).bigEndian
            let rc = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            close(fd)
            if rc == 0 { return }
            usleep(100_000)
        }
        XCTFail("aiosmtpd did not start (pip install aiosmtpd)")
    }

    func stop() {
        // SIGKILL: aiosmtpd's event loop does not always end on SIGTERM.
        if let p = process, p.isRunning { kill(p.processIdentifier, SIGKILL) }
        process?.waitUntilExit()
        process = nil
    }

    /// Every message delivered so far, raw.
    func messages() -> [String] {
        let files = ["new", "cur"].flatMap { sub in
            ((try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(sub).path)) ?? []).map {
                dir.appendingPathComponent(sub).appendingPathComponent($0)
            }
        }
        return files.compactMap { try? String(contentsOf: $0, encoding: .utf8) }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(at: dir)
    }
}

/// E-mail through the outbox to a real SMTP server: delivered with the PDF, survives the mail
/// server being down, never sent twice.
final class EmailTests: XCTestCase {
    func testEmailArrivesWithPDFAfterTheMailServerComesBackOnce() async throws {
        try await forEachEngine { try await run($0) }
    }

    func run(_ engine: Engine) async throws {
        let sink = try SMTPSink()
        let clock = TestClock()
        try await Harness.withServer(
            engine, clock: clock,
            configure: {
                $0.smtp.url = "smtp://127.0.0.1:\(sink.port)"
                $0.smtp.retryBaseSeconds = 1
            }
        ) { client, server in
            let policy = try await client.get("/v1/auth/policy")
            XCTAssertEqual(policy.json["emailEnabled"] as? Bool, true, "terminals offer e-mail when the server can send it")
            let token = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
            let bills = try await client.get("/v1/properties/\(Demo.mariaNorm)/bills", token: token)
            let items = try XCTUnwrap(bills.json["items"] as? [[String: Any]])
            let open = try XCTUnwrap(items.first { $0["situacao"] as? String == "aberta" }?["id"] as? Int)
            let paid = try XCTUnwrap(items.first { $0["situacao"] as? String == "paga" }?["id"] as? Int)
            let path = "/v1/properties/\(Demo.mariaNorm)/emails"

            // Bad input changes nothing.
            let bad = try await client.post(
                path, ["document": ["kind": "bill", "id": open], "to": "maria@"], token: token, headers: ["Idempotency-Key": "mail-0001"])
            XCTAssertEqual(bad.status, .badRequest)
            XCTAssertEqual(bad.errorMessage, EmailAddress.Problem.missingAt.message)
            let notOpen = try await client.post(
                path, ["document": ["kind": "bill", "id": paid]], token: token, headers: ["Idempotency-Key": "mail-0002"])
            XCTAssertEqual(notOpen.status, .conflict)

            // The mail server is down: the request is accepted all the same.
            let r = try await client.post(
                path, ["document": ["kind": "bill", "id": open]], token: token, headers: ["Idempotency-Key": "mail-0003"])
            XCTAssertEqual(r.status, .accepted, "\(r.json)")
            XCTAssertEqual(r.json["to"] as? String, "m***@example.com", "masked for the customer")
            XCTAssertEqual(r.json["status"] as? String, "pendente")
            // A retry of the same request is the same message.
            let again = try await client.post(
                path, ["document": ["kind": "bill", "id": open]], token: token, headers: ["Idempotency-Key": "mail-0003"])
            XCTAssertEqual(again.json["id"] as? Int, r.json["id"] as? Int)
            // The sender tries, fails, and schedules a retry.
            var attempts = 0
            for _ in 0..<40 where attempts == 0 {
                try await Task.sleep(for: .milliseconds(250))
                attempts = try await server.store.read { db in
                    try await db.raw("SELECT attempts FROM email_outbox").first()?.decode(column: "attempts", as: Int.self) ?? 0
                }
            }
            XCTAssertGreaterThan(attempts, 0, "the sender tried while the server was down")
            XCTAssertEqual(sink.messages().count, 0)

            // The mail server comes back: the message arrives, once.
            try sink.start()
            for _ in 0..<60 where sink.messages().isEmpty {
                clock.advance(2)
                try await Task.sleep(for: .milliseconds(250))
            }
            for _ in 0..<8 {
                clock.advance(120)
                try await Task.sleep(for: .milliseconds(250))
            }
            let messages = sink.messages()
            XCTAssertEqual(messages.count, 1, "delivered exactly once")
            let m = try XCTUnwrap(messages.first)
            XCTAssertTrue(m.contains("To: maria.silva@example.com"))
            XCTAssertTrue(m.contains("Subject: =?UTF-8?B?"), "subject encoded (RFC 2047)")
            XCTAssertTrue(m.contains("Content-Type: application/pdf"))
            // The attachment decodes to a PDF.
            let b64 =
                try XCTUnwrap(m.components(separatedBy: "Content-Transfer-Encoding: base64").last)
                .components(separatedBy: "\n\n").dropFirst().first?.components(separatedBy: "\n--").first ?? ""
            let pdf = try XCTUnwrap(Data(base64Encoded: b64.filter { !$0.isWhitespace }))
            XCTAssertTrue(pdf.starts(with: Data("%PDF-".utf8)))
            let status = try await server.store.read { db in
                try await db.raw("SELECT status FROM email_outbox").first()?.decode(column: "status", as: String.self)
            }
            XCTAssertEqual(status, "enviado")
        }
        sink.stop()
    }

    /// An approved card payment's receipt by e-mail: the PDF attached is the comprovante.
    func testCardReceiptByEmail() async throws {
        let sink = try SMTPSink()
        try sink.start()
        try await Harness.withServer(
            .sqlite,
            configure: {
                $0.smtp.url = "smtp://127.0.0.1:\(sink.port)"
                $0.sandboxCardCompany = 0
                $0.sandboxCardCompanySecret = Harness.sandboxSecret
            }
        ) { client, server in
            let token = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
            let bills = try await client.get("/v1/properties/\(Demo.mariaNorm)/bills", token: token)
            let open = try XCTUnwrap(
                (bills.json["items"] as? [[String: Any]])?.first { $0["situacao"] as? String == "aberta" }?["id"] as? Int)
            let card = try await client.post(
                "/v1/properties/\(Demo.mariaNorm)/card-payments", ["companyId": "sandbox", "billIds": [open]], token: token,
                headers: ["Idempotency-Key": "receipt-0001"])
            let id = try XCTUnwrap(card.json["id"] as? Int)
            let path = "/v1/properties/\(Demo.mariaNorm)/emails"
            let early = try await client.post(
                path, ["document": ["kind": "receipt", "id": id]], token: token, headers: ["Idempotency-Key": "receipt-0002"])
            XCTAssertEqual(early.status, .conflict, "no receipt before the company approves")
            let approve = try await client.execute(
                uri: "/sandbox-operadora/negotiations/SBX-000001/approve", method: .post, headers: Harness.sandboxHeaders, body: nil)
            XCTAssertEqual(approve.status, .ok)
            let r = try await client.post(
                path, ["document": ["kind": "receipt", "id": id]], token: token, headers: ["Idempotency-Key": "receipt-0003"])
            XCTAssertEqual(r.status, .accepted, "\(r.json)")
            for _ in 0..<80 where sink.messages().isEmpty { try await Task.sleep(for: .milliseconds(100)) }
            let m = try XCTUnwrap(sink.messages().first, "the receipt arrived")
            XCTAssertTrue(m.contains("comprovante-AV-CP-\(id).pdf"), m)
            let b64 =
                try XCTUnwrap(m.components(separatedBy: "Content-Transfer-Encoding: base64").last)
                .components(separatedBy: "\n\n").dropFirst().first?.components(separatedBy: "\n--").first ?? ""
            let pdf = try XCTUnwrap(Data(base64Encoded: b64.filter { !$0.isWhitespace }))
            XCTAssertTrue(try pdfText(pdf).contains("Comprovante de pagamento"))
        }
        sink.stop()
    }

    /// Issue 13's documents by e-mail — an agreement's carnê, a declaração anual, a certidão —
    /// each arrives once with its PDF, whose text is that document's.
    func testAgreementDocumentsByEmail() async throws {
        let sink = try SMTPSink()
        try sink.start()
        try await Harness.withServer(.sqlite, configure: { $0.smtp.url = "smtp://127.0.0.1:\(sink.port)" }) { client, _ in
            let staff = try await client.staffToken()
            let m = "100080"  // Josefa: an agreement in good standing
            let agreements = try await client.get("/v1/properties/\(m)/agreements", token: staff).json
            let agreement = try XCTUnwrap((agreements["items"] as? [[String: Any]])?.first?["id"] as? Int)
            let issued = try await client.post("/v1/properties/\(m)/declaracoes", ["ano": 2025], token: staff).json
            let declaracao = try XCTUnwrap(issued["id"] as? Int)
            let cert = try await client.post("/v1/properties/\(m)/certidoes", [:], token: staff, headers: ["Idempotency-Key": "mail-cert"])
            let certidao = try XCTUnwrap(cert.json["id"] as? Int)
            let expected = [
                ("carne", agreement, "carne-acordo-\(agreement).pdf", "Acordo de parcelamento nº \(agreement)"),
                ("declaracao", declaracao, "quitacao-anual-2025.pdf", "Ano base: 2025"),
                ("certidao", certidao, "certidao-\(certidao).pdf", "Certidão Positiva de Débitos com Efeito de Negativa"),
            ]
            for (kind, id, _, _) in expected {
                let r = try await client.post(
                    "/v1/properties/\(m)/emails", ["document": ["kind": kind, "id": id]], token: staff,
                    headers: ["Idempotency-Key": "mail-\(kind)"])
                XCTAssertEqual(r.status, .accepted, "\(kind): \(r.json)")
                XCTAssertEqual(r.json["to"] as? String, "josefa.prado@example.com", "the holder's address, whole for staff")
            }
            for _ in 0..<100 where sink.messages().count < expected.count { try await Task.sleep(for: .milliseconds(100)) }
            let messages = sink.messages()
            XCTAssertEqual(messages.count, expected.count)
            for (kind, _, file, text) in expected {
                let m = try XCTUnwrap(messages.first { $0.contains(file) }, "\(kind) arrived")
                let b64 =
                    try XCTUnwrap(m.components(separatedBy: "Content-Transfer-Encoding: base64").last)
                    .components(separatedBy: "\n\n").dropFirst().first?.components(separatedBy: "\n--").first ?? ""
                let pdf = try XCTUnwrap(Data(base64Encoded: b64.filter { !$0.isWhitespace }))
                let words = try pdfText(pdf).split(whereSeparator: \.isWhitespace).joined(separator: " ")
                XCTAssertTrue(words.contains(text), "\(kind): \(words)")
            }
        }
        sink.stop()
    }

    /// Issue 27, finding 12: the e-mail change's code reaches the new address through a real SMTP
    /// server, and from then on only its hash is stored; the code from the message still works.
    func testTheEmailCodeIsNotKeptOnceSent() async throws {
        let sink = try SMTPSink()
        try sink.start()
        try await forEachEngine { engine in
            try await Harness.withServer(engine, configure: { $0.smtp.url = "smtp://127.0.0.1:\(sink.port)" }) { client, server in
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let asked = try await client.post(
                    "/v1/properties/\(Demo.mariaNorm)/email-change", ["email": "maria.nova.\(engine)@example.com"], token: maria,
                    headers: ["Idempotency-Key": "code-mail-\(engine)"])
                AEq(asked.status, .accepted, "\(engine): \(asked.json)")
                let id = try XCTUnwrap(asked.json["id"] as? Int)
                func mine() -> String? { sink.messages().first { $0.contains("To: maria.nova.\(engine)@example.com") } }
                for _ in 0..<80 where mine() == nil { try await Task.sleep(for: .milliseconds(100)) }
                let mail = try XCTUnwrap(mine(), "\(engine): the code's message")
                // The subject, as a mail reader decodes it (RFC 2047, base64): "Código de confirmação do e-mail: 123456".
                let encoded = try XCTUnwrap(mail.split(separator: "\n").first { $0.hasPrefix("Subject: =?UTF-8?B?") })
                let subject = String(
                    decoding: Data(base64Encoded: String(encoded.dropFirst("Subject: =?UTF-8?B?".count).dropLast(2))) ?? Data(),
                    as: UTF8.self)
                ATrue(subject.hasPrefix("Código de confirmação do e-mail: "), subject)
                let code = String(subject.split(separator: " ").last ?? "")
                var stored: (code: String?, hash: String) = ("?", "")
                for _ in 0..<50 {
                    stored = try await server.store.read { db in
                        let row = try await db.raw("SELECT code, code_hash FROM email_changes WHERE id = \(bind: id)").first()
                        return (
                            try row?.decode(column: "code", as: String?.self), try row?.decode(column: "code_hash", as: String.self) ?? ""
                        )
                    }
                    if stored.code == nil { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                AEq(stored.code, nil, "\(engine): the code in clear is gone once sent")
                ATrue(stored.hash.count == 64 && !stored.hash.contains(code), "\(engine): only its hash")
                let confirmed = try await client.post(
                    "/v1/properties/\(Demo.mariaNorm)/email-change/\(id)/confirm", ["code": code], token: maria)
                AEq(confirmed.json["status"] as? String, "confirmado", "\(engine): \(confirmed.json)")
            }
        }
        sink.stop()
    }

    /// A protocol's requester hears of its creation and of every public step, once each; a
    /// private dispatch, a receipt and an edit send nothing.
    func testProtocolStepsByEmail() async throws {
        let sink = try SMTPSink()
        try sink.start()
        try await Harness.withServer(.sqlite, configure: { $0.smtp.url = "smtp://127.0.0.1:\(sink.port)" }) { client, _ in
            let ana = try await client.staffToken()
            let diego = try await client.staffToken("diego", "comercial123")
            let opened = try await client.post(
                "/v1/protocols", ProtocolAPITests.request(1), token: ana, headers: ["Idempotency-Key": "mail-proto-1"])
            let number = try XCTUnwrap(opened.json["number"] as? String)
            var key = 0
            func step(_ body: [String: Any]) async throws {
                key += 1
                let r = try await client.post(
                    "/v1/protocols/\(number)/steps", body, token: diego, headers: ["Idempotency-Key": "mail-step-\(1000 + key)"])
                XCTAssertEqual(r.status, .ok, "\(r.json)")
            }
            func waitFor(_ n: Int) async throws -> [String] {
                for _ in 0..<80 where sink.messages().count < n { try await Task.sleep(for: .milliseconds(100)) }
                try await Task.sleep(for: .milliseconds(600))  // and nothing more comes
                return sink.messages()
            }
            var messages = try await waitFor(1)
            XCTAssertEqual(messages.count, 1, "creation")
            XCTAssertTrue(messages[0].contains("To: maria.silva@example.com"))
            XCTAssertFalse(messages[0].contains("Content-Type: application/pdf"), "a notice, no attachment")
            try await step(["action": "receive"])
            try await step(["action": "dispatch", "text": "Nota interna: SEGREDO-123", "public": false])
            try await step(["action": "edit", "subject": "Consumo alto contestado"])
            messages = try await waitFor(2)
            XCTAssertEqual(messages.count, 1, "receipt, private dispatch and edit send nothing")
            try await step(["action": "dispatch", "text": "Leitura conferida em campo.", "public": true])
            try await step(["action": "conclude", "text": "Conta revista: crédito na próxima fatura.", "public": true])
            messages = try await waitFor(3)
            XCTAssertEqual(messages.count, 3, "one per public step")
            XCTAssertFalse(messages.joined().contains("SEGREDO-123"), "a private text never leaves")
            // The public texts reach the requester (bodies may be base64: decode every part).
            let texts = messages.map { m in
                m.components(separatedBy: "\n\n").compactMap { Data(base64Encoded: $0.filter { !$0.isWhitespace }) }
                    .map { String(decoding: $0, as: UTF8.self) }.joined() + m
            }.joined()
            XCTAssertTrue(texts.contains("Leitura conferida em campo."), texts)
            XCTAssertTrue(texts.contains("Conta revista"), texts)
        }
        sink.stop()
    }

    /// Point 8: an internationalised domain goes out as punycode; an address with letters
    /// outside ASCII before the @ only through a server that announces SMTPUTF8 (asked, not
    /// assumed); bad syntax is refused with what is wrong.
    func testDeliverableAddressesAndSMTPUTF8OnlyWhereAnnounced() async throws {
        for utf8 in [false, true] {
            let sink = try SMTPSink(smtputf8: utf8)
            try sink.start()
            try await Harness.withServer(.sqlite, configure: { $0.smtp.url = "smtp://127.0.0.1:\(sink.port)" }) { client in
                let token = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let bills = try await client.get("/v1/properties/\(Demo.mariaNorm)/bills", token: token)
                let open = try XCTUnwrap(
                    (bills.json["items"] as? [[String: Any]])?.first { $0["situacao"] as? String == "aberta" }?["id"] as? Int)
                var key = 0
                func send(_ to: String) async throws -> TestResponse {
                    key += 1
                    return try await client.post(
                        "/v1/properties/\(Demo.mariaNorm)/emails", ["document": ["kind": "bill", "id": open], "to": to], token: token,
                        headers: ["Idempotency-Key": "idn-\(utf8)-\(key)"])
                }
                for bad in ["ma..ria@example.com", "maria@exam_ple.com", "maria@[192.0.2.1]", "\"maria\"@example.com"] {
                    let r = try await send(bad)
                    AEq(r.status, .badRequest, bad)
                    XCTAssertTrue(r.errorMessage?.hasPrefix("E-mail inválido:") == true, "\(bad): \(r.errorMessage ?? "")")
                }
                let idn = try await send("maria@bücher.example")
                AEq(idn.status, .accepted, "\(idn.json)")
                AEq(idn.json["to"] as? String, "m***@xn--bcher-kva.example", "masked for the kiosk, the domain in ASCII")
                let accented = try await send("joão@example.com")
                if utf8 {
                    AEq(accented.status, .accepted, "\(accented.json)")
                } else {
                    AEq(accented.status, .badRequest)
                    XCTAssertTrue(accented.errorMessage?.contains("acento") == true, accented.errorMessage ?? "")
                }
                let expected = utf8 ? 2 : 1
                for _ in 0..<100 where sink.messages().count < expected { try await Task.sleep(for: .milliseconds(100)) }
                let delivered = sink.messages()
                AEq(delivered.count, expected, "utf8 \(utf8)")
                XCTAssertTrue(delivered.contains { $0.contains("maria@xn--bcher-kva.example") }, "the IDN address, as punycode")
                if utf8 { XCTAssertTrue(delivered.contains { $0.contains("joão@example.com") }, "the UTF-8 address, as typed") }
            }
            sink.stop()
        }
    }

    func testEmailOffWhenNotConfigured() async throws {
        try await Harness.withServer(.sqlite) { client in
            let token = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
            let r = try await client.post(
                "/v1/properties/\(Demo.mariaNorm)/emails", ["document": ["kind": "bill", "id": 1_000_100]], token: token,
                headers: ["Idempotency-Key": "mail-off-1"])
            XCTAssertEqual(r.status, .conflict)
            XCTAssertTrue(r.errorMessage?.contains("e-mail") == true)
        }
    }
}
