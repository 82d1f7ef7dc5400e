import Curl
import Domain
import Foundation
import NIOConcurrencyHelpers

/// The one check of an e-mail address the server stores or sends to (issue 14, point 8):
/// deliverable syntax (`EmailAddress`), the domain kept in its ASCII form, and a local part with
/// letters outside ASCII only when the configured mail server announces SMTPUTF8 (asked once
/// and remembered for ten minutes per server).
struct MailAddresses: Sendable {
    let smtp: SMTPSettings

    private static let known = NIOLockedValueBox<[String: (utf8: Bool, at: ContinuousClock.Instant)]>([:])
    static let rememberFor: Duration = .seconds(600)

    /// The address as stored and used (`maria@xn--bcher-kva.example`), or a 400 saying what is
    /// wrong with it.
    func check(_ text: String) async throws -> String {
        switch EmailAddress.parse(text) {
        case .failure(let problem):
            throw APIError.invalid(problem.message)
        case .success(let address):
            if address.needsSMTPUTF8, await !supportsUTF8() {
                throw APIError.invalid(
                    "Este e-mail tem acento ou letra especial antes do @, e o servidor de e-mail da companhia não entrega a endereços assim: informe outro endereço."
                )
            }
            return address.description
        }
    }

    /// `check` for an optional field: nil or blank stays nil.
    func checkOptional(_ text: String?) async throws -> String? {
        guard let t = text?.trimmingCharacters(in: .whitespaces), !t.isEmpty else { return nil }
        return try await check(t)
    }

    /// Whether the mail server announces SMTPUTF8. Unknown (no server, or it does not answer)
    /// counts as no, and is asked again next time.
    func supportsUTF8() async -> Bool {
        guard let url = smtp.url else { return false }
        if let k = Self.known.withLockedValue({ $0[url] }), ContinuousClock.now - k.at < Self.rememberFor { return k.utf8 }
        let client = SMTPClient(url: url, username: smtp.username, password: smtp.password, requireTLS: smtp.requireTLS, timeoutSeconds: 10)
        guard let extensions = try? await client.extensions() else { return false }
        let utf8 = extensions.contains("SMTPUTF8")
        Self.known.withLockedValue { $0[url] = (utf8, ContinuousClock.now) }
        return utf8
    }
}
