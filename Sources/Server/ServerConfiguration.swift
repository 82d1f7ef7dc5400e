import Domain
import Foundation

/// Everything `agencia-server` can be told. Read from a JSON file (`--config`), then
/// `AGENCIA_*` environment variables, then command-line flags, each overriding the previous.
/// Every key is in `config.example.json` (section `server`).
public struct ServerConfiguration: Codable, Sendable, Equatable {
    /// Address to listen on; loopback unless deliberately exposed.
    public var host: String = "127.0.0.1"
    /// TCP port; 0 picks a free one (the embedded demo backend does this).
    public var port: Int = 8080
    /// `sqlite:PATH` or `postgres://user:pass@host:port/db`.
    public var database: String = "sqlite:agencia.sqlite"
    /// Fill an empty database: `demo` (a few hundred properties) or `ci` (100 000 × 24 months).
    public var seed: String?
    /// Kiosk login fields (PRODUCT.md A1).
    public var loginPolicy: LoginPolicy = .matriculaDVDocumento
    /// How the matrícula check digit is computed.
    public var matriculaRule: MatriculaRule = .mod11
    /// Customer session lifetime, seconds.
    public var customerSessionSeconds: Int = 1800
    /// Staff session lifetime, seconds (one working shift).
    public var staffSessionSeconds: Int = 8 * 3600
    /// Failed logins allowed per matrícula (or staff user) within the window.
    public var maxFailuresPerAccount: Int = 5
    /// Failed logins allowed per client address within the window.
    public var maxFailuresPerAddress: Int = 30
    /// Length of the attempt-counting window, seconds.
    public var attemptWindowSeconds: Int = 900
    /// Request bodies above this size are refused with 413.
    public var maxBodyBytes: Int = 64 * 1024
    /// Kiosk idle time before the warning, and the warning's countdown, seconds.
    public var kioskIdleSeconds: Int = 90
    public var kioskWarningSeconds: Int = 15
    /// What a customer does to get a CPF/CNPJ linked to a property (seed 000).
    public var registrationHelp: String =
        "Para cadastrar seu CPF/CNPJ neste imóvel, compareça a uma agência de atendimento com documento de identidade com foto, o CPF/CNPJ e um comprovante de vínculo com o imóvel (escritura, contrato de locação ou conta recente), ou ligue 0800 000 0115."
    /// Show demo matrículas, documents and staff logins on the login screens. Only for demo data.
    public var demoHints: Bool = false
    /// The utility's time zone: decides what "today" is for due dates.
    public var timeZone: String = "America/Sao_Paulo"
    /// Log level: trace, debug, info, notice, warning, error, critical.
    public var logLevel: String = "info"

    public init() {}

    enum CodingKeys: String, CodingKey {
        case host, port, database, seed, loginPolicy, matriculaRule, customerSessionSeconds,
            staffSessionSeconds, maxFailuresPerAccount, maxFailuresPerAddress, attemptWindowSeconds,
            maxBodyBytes, kioskIdleSeconds, kioskWarningSeconds, registrationHelp, demoHints, timeZone, logLevel
    }

    /// Decodes a partial document: keys that are absent keep their defaults.
    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func take<T: Decodable>(_ key: CodingKeys, _ path: WritableKeyPath<ServerConfiguration, T>) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { self[keyPath: path] = v }
        }
        try take(.host, \.host)
        try take(.port, \.port)
        try take(.database, \.database)
        if let v = try c.decodeIfPresent(String.self, forKey: .seed) { seed = v }
        try take(.loginPolicy, \.loginPolicy)
        try take(.matriculaRule, \.matriculaRule)
        try take(.customerSessionSeconds, \.customerSessionSeconds)
        try take(.staffSessionSeconds, \.staffSessionSeconds)
        try take(.maxFailuresPerAccount, \.maxFailuresPerAccount)
        try take(.maxFailuresPerAddress, \.maxFailuresPerAddress)
        try take(.attemptWindowSeconds, \.attemptWindowSeconds)
        try take(.maxBodyBytes, \.maxBodyBytes)
        try take(.kioskIdleSeconds, \.kioskIdleSeconds)
        try take(.kioskWarningSeconds, \.kioskWarningSeconds)
        try take(.registrationHelp, \.registrationHelp)
        try take(.demoHints, \.demoHints)
        try take(.timeZone, \.timeZone)
        try take(.logLevel, \.logLevel)
    }

    /// Applies `AGENCIA_HOST`, `AGENCIA_PORT`, `AGENCIA_DATABASE`, `AGENCIA_SEED`,
    /// `AGENCIA_LOGIN_POLICY`, `AGENCIA_LOG_LEVEL`.
    public mutating func apply(environment env: [String: String]) throws {
        if let v = env["AGENCIA_HOST"] { host = v }
        if let v = env["AGENCIA_PORT"] {
            guard let p = Int(v) else { throw ConfigurationError.invalid("AGENCIA_PORT", v) }
            port = p
        }
        if let v = env["AGENCIA_DATABASE"] { database = v }
        if let v = env["AGENCIA_SEED"] { seed = v }
        if let v = env["AGENCIA_LOGIN_POLICY"] {
            guard let p = LoginPolicy(rawValue: v) else { throw ConfigurationError.invalid("AGENCIA_LOGIN_POLICY", v) }
            loginPolicy = p
        }
        if let v = env["AGENCIA_LOG_LEVEL"] { logLevel = v }
    }

    /// Checks values that would otherwise fail later and less clearly.
    public func validate() throws {
        guard (0...65535).contains(port) else { throw ConfigurationError.invalid("port", String(port)) }
        guard database.hasPrefix("sqlite:") || database.hasPrefix("postgres://") || database.hasPrefix("postgresql://")
        else { throw ConfigurationError.invalid("database", database) }
        if let s = seed, !["demo", "ci"].contains(s) { throw ConfigurationError.invalid("seed", s) }
        guard maxBodyBytes >= 1024 else { throw ConfigurationError.invalid("maxBodyBytes", String(maxBodyBytes)) }
    }

    /// Reads a JSON file holding either this object or `{"server": {...}}` (the shared
    /// `config.example.json` layout).
    public static func load(file: String) throws -> ServerConfiguration {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            throw ConfigurationError.unreadable(file, String(describing: error))
        }
        struct Wrapper: Decodable { let server: ServerConfiguration? }
        do {
            if let w = try? JSONDecoder().decode(Wrapper.self, from: data), let s = w.server { return s }
            return try JSONDecoder().decode(ServerConfiguration.self, from: data)
        } catch {
            throw ConfigurationError.unreadable(file, String(describing: error))
        }
    }
}

/// A configuration that cannot be used, with the key and the value at fault.
public enum ConfigurationError: Error, CustomStringConvertible {
    case invalid(String, String)
    case unreadable(String, String)

    public var description: String {
        switch self {
        case .invalid(let key, let value): return "configuração inválida: \(key) = \(value)"
        case .unreadable(let file, let why): return "não foi possível ler \(file): \(why)"
        }
    }
}
