import Curl
import Domain
import Foundation
import Logging

/// Sends the e-mail outbox over SMTP (DECISIONS 21): claims one due message at a time with a
/// lease, renders its document, sends it, records the result; failures retry with exponential
/// backoff up to `smtp.maxAttempts`.
struct OutboxSender: Sendable {
    let outbox: OutboxRepository
    let documents: DocumentService
    let smtp: SMTPSettings
    let utility: UtilitySettings
    let clock: AppClock
    let logger: Logger
    let client: SMTPClient

    init?(
        outbox: OutboxRepository, documents: DocumentService, smtp: SMTPSettings, utility: UtilitySettings, clock: AppClock,
        logger: Logger
    ) {
        guard let url = smtp.url else { return nil }
        self.outbox = outbox
        self.documents = documents
        self.smtp = smtp
        self.utility = utility
        self.clock = clock
        self.logger = logger
        client = SMTPClient(url: url, username: smtp.username, password: smtp.password, requireTLS: smtp.requireTLS, timeoutSeconds: 30)
    }

    /// Sends every message due now; stops between two messages when the task is cancelled.
    func sendDue() async throws {
        while let message = try await outbox.claim(now: clock.epochSeconds, lease: 120) {
            await send(message)
            try Task.checkCancellation()
        }
    }

    func send(_ m: OutboxMessage) async {
        do {
            let (subject, text, pdf, filename) = try await compose(m)
            try await client.send(
                MailMessage(
                    from: smtp.from, to: m.recipient, subject: subject, text: text,
                    attachment: pdf.map { (filename, "application/pdf", $0) },
                    messageID: m.dedupeKey, date: clock.now()))
            try await outbox.markSent(m, now: clock.epochSeconds)
            logger.info("e-mail sent", metadata: ["outbox": "\(m.id)", "attempt": "\(m.attempts)"])
        } catch {
            // A document that cannot be rendered any more (paid since, say) is not retried.
            let permanent = error is APIError
            let now = clock.epochSeconds
            let retryAt: Int64? =
                permanent || m.attempts >= smtp.maxAttempts
                ? nil : now + min(3600, Int64(smtp.retryBaseSeconds) << Int64(min(m.attempts - 1, 20)))
            logger.warning(
                "e-mail not sent",
                metadata: ["outbox": "\(m.id)", "attempt": "\(m.attempts)", "retry": "\(retryAt.map(String.init) ?? "não")"])
            try? await outbox.markFailed(m, error: String(describing: error), retryAt: retryAt, now: now)
        }
    }

    /// Subject, text, PDF and file name of a queued message, from the document it carries.
    func compose(_ m: OutboxMessage) async throws -> (String, String, Data?, String) {
        let d = try await documents.delivery(m.document, id: m.documentId, matricula: m.matricula)
        let text = """
            Olá,

            \(d.body)

            \(utility.name) · \(utility.contact)
            Mensagem automática; não responda.
            """
        return (d.subject, text, d.pdf, d.fileName)
    }
}
