import Curl
import Domain
import Foundation
import Logging
import ServiceLifecycle

/// The server's own chores, run as a service beside the HTTP server: sends the e-mail outbox
/// over SMTP (retries with exponential backoff, a lease so two instances never send the same
/// row) and releases the bills of card payments nobody decided in time. Stops between two
/// messages on a graceful shutdown.
struct BackgroundWork: Service {
    let handlers: Handlers

    var repository: Repository { handlers.repository }
    var logger: Logger { handlers.logger }

    func run() async throws {
        // On a graceful shutdown the loop is cancelled between two steps; a message being
        // handed to the SMTP server finishes first (the transfer does not observe cancellation).
        try? await cancelWhenGracefulShutdown { try await loop() }
    }

    func loop() async throws {
        let smtp = handlers.config.smtp
        let client = smtp.url.map {
            SMTPClient(url: $0, username: smtp.username, password: smtp.password, requireTLS: smtp.requireTLS, timeoutSeconds: 30)
        }
        var lastSweep = Int64(0)
        while true {
            // Nothing to do until the server listens (on PostgreSQL, migrations run just before).
            if handlers.runtime.port != 0 {
                do {
                    if let client {
                        while let message = try await repository.claimEmail(now: handlers.now, lease: 120) {
                            await send(message, with: client)
                            try Task.checkCancellation()
                        }
                    }
                    if handlers.now - lastSweep >= 5 {
                        lastSweep = handlers.now
                        let n = try await repository.expireCardPayments(now: handlers.now, today: handlers.today)
                        if n > 0 { logger.info("card payments expired", metadata: ["count": "\(n)"]) }
                    }
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    // The database may be briefly unavailable: try again on the next round.
                    logger.warning("background work failed", metadata: ["error": "\(error)"])
                }
            }
            try await Task.sleep(for: .seconds(max(1, smtp.pollSeconds)))
        }
    }

    func send(_ m: OutboxRecord, with client: SMTPClient) async {
        let smtp = handlers.config.smtp
        do {
            let (subject, text, pdf, filename) = try await compose(m)
            try await client.send(
                MailMessage(
                    from: smtp.from, to: m.recipient, subject: subject, text: text, attachment: (filename, "application/pdf", pdf),
                    messageID: m.dedupeKey, date: handlers.clock()))
            try await repository.markEmailSent(id: m.id, now: handlers.now)
            logger.info("e-mail sent", metadata: ["outbox": "\(m.id)", "attempt": "\(m.attempts)"])
        } catch {
            let permanent = error is APIError
            let retryAt: Int64? =
                permanent || m.attempts >= smtp.maxAttempts
                ? nil : handlers.now + min(3600, Int64(smtp.retryBaseSeconds) << Int64(min(m.attempts - 1, 20)))
            logger.warning(
                "e-mail not sent",
                metadata: ["outbox": "\(m.id)", "attempt": "\(m.attempts)", "retry": "\(retryAt.map(String.init) ?? "não")"])
            try? await repository.markEmailFailed(id: m.id, error: String(describing: error), retryAt: retryAt, now: handlers.now)
        }
    }

    /// Subject, text, PDF and file name of a queued message, from the document it carries.
    func compose(_ m: OutboxRecord) async throws -> (String, String, Data, String) {
        let utility = handlers.config.utility
        let kind: DocumentFactory.Kind = m.documentKind == "statement" ? .statement : .bill
        let doc = try await handlers.payableDocument(kind, id: m.documentId, matricula: m.matricula)
        let pdf = try await handlers.pdf(doc)
        let subject: String
        let what: String
        let file: String
        switch kind {
        case .bill:
            let comp = doc.lines.first?.competencia.formatted ?? ""
            subject = "Segunda via da conta \(comp) — matrícula \(doc.matricula)"
            what = "a segunda via da conta de \(comp)"
            file = "conta-\(doc.lines.first?.competencia.iso ?? doc.number).pdf"
        case .statement:
            subject = "Extrato de débitos nº \(doc.number) — matrícula \(doc.matricula)"
            what = "o extrato de débitos nº \(doc.number), com \(doc.lines.count) conta(s),"
            file = "extrato-\(doc.number).pdf"
        }
        let text = """
            Olá,

            Segue em anexo \(what) do imóvel de matrícula \(doc.matricula).

            Valor: \(doc.total.formatted)
            Vencimento: \(doc.due.formatted)
            Linha digitável: \(doc.barcode.linhaDigitavel)

            PIX copia e cola:
            \(doc.pix.payload)

            \(utility.name) · \(utility.contact)
            Mensagem automática; não responda.
            """
        return (subject, text, pdf, file)
    }
}
