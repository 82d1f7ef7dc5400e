import API
import Domain
import Foundation
import TUI

/// The contract of a screen (tig, gitui): it lists its commands, draws into a surface, and
/// answers events with effects the runtime performs. It never blocks and never touches the
/// network itself.
public protocol Screen: AnyObject {
    /// Shown in the title bar.
    var title: String { get }
    /// What the screen is for, in a sentence: said after its title when speech is on (issue 32).
    var purpose: String { get }
    /// The screen's own commands; F1, Esc and F10 are added by the app.
    var commands: [Command] { get }
    /// Whether a request of this screen is in flight (the title bar says "aguarde").
    var isBusy: Bool { get }
    /// Drawn on the whole terminal, without title and function bars (the PIX QR).
    var fullScreen: Bool { get }
    func render(_ s: inout Surface, area: Rect, app: AppState)
    func handle(_ event: Event, app: AppState) -> [Effect]
    /// The result of one of this screen's `.call` effects.
    func receive(_ message: Any, app: AppState) -> [Effect]
    /// The screen was opened: start loading what it shows.
    func appear(app: AppState) -> [Effect]
    /// The screen is on top again after the one above it closed (what it shows may have changed).
    func reappear(app: AppState) -> [Effect]
    /// Something typed on it would be lost by leaving (a half-typed login, a protocol's text): a
    /// kiosk's idle rule wipes it, and F10 asks before discarding it.
    var holdsTypedText: Bool { get }
    /// It is waiting for an outcome the customer must see (a card payment at the company): the
    /// kiosk's idle timer holds while it waits.
    var awaitsOutcome: Bool { get }
}

extension Screen {
    public var purpose: String { "" }
    public var isBusy: Bool { false }
    public var fullScreen: Bool { false }
    public func receive(_ message: Any, app: AppState) -> [Effect] { [] }
    public func appear(app: AppState) -> [Effect] { [] }
    public func reappear(app: AppState) -> [Effect] { [] }
    public var holdsTypedText: Bool { false }
    public var awaitsOutcome: Bool { false }
}

/// What a screen asks the runtime to do.
public enum Effect {
    /// Runs `operation` off the UI thread with the API client; its result comes back to the
    /// screen through `receive`.
    case call(@Sendable (Client) async -> Any)
    /// Runs `operation` after `seconds`, like `call` but in the background: the screen is not
    /// busy meanwhile (Esc still goes back, tests do not wait for it). Cancelled with the screen.
    case follow(after: Double, @Sendable (Client) async -> Any)
    case push(any Screen)
    case pop
    /// Replaces the whole stack (after login, after logout).
    case reset(any Screen)
    /// Ends the session server-side and returns to the mode's login screen with `message`.
    case logout(message: String?)
    /// Remembers the session of a successful login.
    case setSession(token: String, who: SessionOwner)
    /// Cancels the top screen's calls in flight (Esc while waiting); each one then comes back
    /// as a "cancelled" failure, so the screen stops waiting.
    case cancelCalls
    case quit
}

/// Who the current session belongs to.
public enum SessionOwner: Equatable, Sendable {
    case customer(matricula: String)
    /// `role` and `unit` as the login answered (nil when unknown): screens offer only what the
    /// server would allow.
    case staff(usuario: String, nome: String, role: StaffRole? = nil, unit: String? = nil)
}

/// A failed call, ready for the screen: the server's Portuguese message, or the transport's.
public struct APIFailure: Error, Equatable, Sendable {
    /// Whether trying again may succeed (no answer, the server's fault, too busy or too many
    /// tries): only then does a screen say "F5 tenta de novo" (issue 28.19).
    public var retryable: Bool { status == 0 || status == 408 || status == 429 || status >= 500 }
    public var status: Int
    public var code: String
    public var message: String
    public var retryAfterSeconds: Int?

    public init(status: Int, code: String, message: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// From the common error body.
    public init(status: Int, _ body: Components.Responses._Error) {
        if case .json(let e) = body.body {
            self.init(status: status, code: e.error.code, message: e.error.message, retryAfterSeconds: e.error.retryAfterSeconds)
        } else {
            self.init(status: status, code: "bad_response", message: "Resposta inesperada do servidor.")
        }
    }

    /// From anything the client threw: transport failures carry their own message.
    public init(_ error: any Error) {
        var underlying: any Error = error
        if let e = error as? ClientErrorDescribing { underlying = e.underlying }
        if let d = underlying as? LocalizedError, let message = d.errorDescription {
            // Transport failures (server down, timeout) describe themselves in Portuguese.
            self.init(status: 0, code: "transport", message: message)
        } else if underlying is CancellationError {
            self.init(status: 0, code: "cancelled", message: "Operação cancelada.")
        } else {
            self.init(status: 0, code: "bad_response", message: "Resposta inesperada do servidor. Tente novamente.")
        }
    }
}

/// A screen's message that may carry a failed call: the runtime looks for an expired session
/// in every message, so no screen has to handle it.
public protocol CallResultMessage {
    var failure: APIFailure? { get }
}

extension Result where Failure == APIFailure {
    var failure: APIFailure? { if case .failure(let f) = self { return f } else { return nil } }
}

/// Lets `APIFailure` see through the OpenAPI runtime's error wrapper without importing it here.
public protocol ClientErrorDescribing { var underlying: any Error { get } }
