import API
import Domain
import Foundation
import TUI

/// The terminal's mode, from its configuration (PRODUCT.md, modes).
public enum TerminalMode: String, Sendable, Codable {
    case kiosk, counter, staff
}

/// What every screen may read: the mode, the session, the policy, the clock.
public final class AppState {
    public let mode: TerminalMode
    public var session: SessionOwner?
    public var token: TokenBox
    /// The kiosk policy as the server sent it (nil until loaded).
    public var policy: LoginPolicyInfo?
    public var now: Double
    /// The printer and the save directory of this terminal.
    public var output: DocumentOutput
    /// This terminal's name in its configuration (`terminalId`), sent with problem reports.
    public var terminalId: String?
    /// The high-contrast palette (issue 32): from `client.colors`, switched at the kiosk (F11).
    public var highContrast = false
    public var highContrastConfigured = false
    /// Speech (issue 32): whether this kiosk offers it (`client.speech.available`: it has a
    /// headphone jack) and whether the customer turned it on (F12; off at logout).
    public var speechAvailable = false
    public var speechOn = false
    /// The ouvidoria's counters for the staff header (nil until read; refreshed every minute).
    public var ouvidoria: Components.Schemas.OuvidoriaSummary?

    public init(mode: TerminalMode, token: TokenBox, now: Double = 0, output: DocumentOutput = .none) {
        self.mode = mode
        self.token = token
        self.now = now
        self.output = output
    }

    /// Saving PDFs is for attendants and staff; a kiosk has no disk for the customer.
    public var canSave: Bool { mode != .kiosk }

    /// Kiosk screens mask personal data; the server already does, this is for what the
    /// terminal itself types back (the CPF field after login, for instance).
    public var masksPersonalData: Bool { mode == .kiosk }

    /// Whether this terminal's session may call `operation`, by the server's own table
    /// (`Permissions`, in Domain): screens offer only what the role may do (issue 28.19). A staff
    /// session whose role the login did not say is not narrowed (the server still decides).
    public func may(_ operation: String) -> Bool {
        switch session {
        case nil: return Permissions.allows(.publico, operation)
        case .customer?: return Permissions.allows(.cliente, operation)
        case .staff(_, _, let role, _)?:
            guard let role else { return true }
            switch role {
            case .atendente: return Permissions.allows(.atendente, operation)
            case .backoffice: return Permissions.allows(.backoffice, operation)
            case .supervisor: return Permissions.allows(.supervisor, operation)
            }
        }
    }
}

/// The policy fields the login screen and the idle timer need.
public struct LoginPolicyInfo: Equatable, Sendable {
    public var policy: LoginPolicy
    public var rule: MatriculaRule
    public var idleSeconds: Int
    public var warningSeconds: Int
    public var registrationHelp: String
    /// Documents can be sent by e-mail from here (the server has a mail server configured).
    public var emailEnabled = true
    public var demoHints: [(matricula: String, documento: String?, description: String)]
    public var demoStaff: [(usuario: String, senha: String?, description: String)]

    public static func == (a: LoginPolicyInfo, b: LoginPolicyInfo) -> Bool {
        a.policy == b.policy && a.rule == b.rule && a.idleSeconds == b.idleSeconds
    }
}

/// The bearer token, shared with the client middleware that adds it to requests (which run on
/// other threads).
public final class TokenBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: String?

    public init() {}

    public var token: String? {
        get {
            lock.lock()
            defer { lock.unlock() }
            return value
        }
        set {
            lock.lock()
            value = newValue
            lock.unlock()
        }
    }
}
