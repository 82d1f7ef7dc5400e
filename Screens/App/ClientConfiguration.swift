import Foundation

/// The terminal's configuration (the `client` object of `config.example.json`). With no file,
/// `agencia` runs the embedded demo backend.
public struct ClientConfiguration: Decodable, Equatable {
    /// kiosk, counter or staff: decided by the terminal's configuration, not by its user.
    public var mode: TerminalMode = .kiosk
    /// The backend's base URL (`http://host:port`), or nil for the embedded demo backend.
    public var server: String?
    public var connectTimeoutSeconds: Int = 3
    public var requestTimeoutSeconds: Int = 15
    /// CA bundle for an `https://` backend with a private CA.
    public var caFile: String?
    /// `auto` (what the terminal offers), `mono` (attributes only) or `alto-contraste` (white
    /// and yellow on black, every pair 7:1 or more; issue 32).
    public var colors: String = "auto"
    public static let colorChoices = ["auto", "mono", "alto-contraste"]
    /// Speech at a kiosk (issue 32): offered only where `available` (a headphone jack); the
    /// customer turns it on with F12. `command` gets the text as its last argument and plays it
    /// (espeak-ng's Brazilian voice on the default audio device by default).
    public var speech = SpeechSettings()
    /// Where the embedded demo backend keeps its SQLite file (a new temporary one by default).
    public var demoDatabase: String?
    /// Kiosk idle settings for the embedded demo backend (a real backend sends its own).
    public var demoIdleSeconds: Int?
    /// Log file for the client and the embedded backend (nothing is logged to the terminal).
    public var logFile: String?
    /// The command that prints a PDF given on its standard input (CUPS: `lp -d PRINTER`).
    public var printCommand: [String] = ["lp"]
    /// Where counter and staff terminals save PDFs.
    public var saveDirectory: String = FileManager.default.currentDirectoryPath
    /// Where counter and staff terminals pick files to attach to protocols (the scanner's drop
    /// folder; the user's home by default, as over SSH).
    public var attachmentsDirectory: String = ProcessInfo.processInfo.environment["HOME"] ?? "/"
    /// This terminal's name (`quiosque-centro-2`), sent with problem reports.
    public var terminalId: String?
    /// The terminal's secret (`agencia-server credencial-terminal ID` makes one). With
    /// `terminalId`, presented on every request: the server limits and audits per terminal.
    public var terminalSecret: String?

    enum CodingKeys: String, CodingKey {
        case mode, server, connectTimeoutSeconds, requestTimeoutSeconds, caFile, colors, speech, demoDatabase, demoIdleSeconds, logFile,
            printCommand, saveDirectory, attachmentsDirectory, terminalId, terminalSecret
    }

    public init() {}

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        mode = try c.decodeIfPresent(TerminalMode.self, forKey: .mode) ?? .kiosk
        server = try c.decodeIfPresent(String.self, forKey: .server)
        connectTimeoutSeconds = try c.decodeIfPresent(Int.self, forKey: .connectTimeoutSeconds) ?? 3
        requestTimeoutSeconds = try c.decodeIfPresent(Int.self, forKey: .requestTimeoutSeconds) ?? 15
        caFile = try c.decodeIfPresent(String.self, forKey: .caFile)
        colors = try c.decodeIfPresent(String.self, forKey: .colors) ?? "auto"
        guard Self.colorChoices.contains(colors) else {
            throw DecodingError.dataCorruptedError(
                forKey: .colors, in: c, debugDescription: "colors: use \(Self.colorChoices.joined(separator: ", ")) (não \"\(colors)\")")
        }
        speech = try c.decodeIfPresent(SpeechSettings.self, forKey: .speech) ?? speech
        demoDatabase = try c.decodeIfPresent(String.self, forKey: .demoDatabase)
        demoIdleSeconds = try c.decodeIfPresent(Int.self, forKey: .demoIdleSeconds)
        logFile = try c.decodeIfPresent(String.self, forKey: .logFile)
        printCommand = try c.decodeIfPresent([String].self, forKey: .printCommand) ?? printCommand
        saveDirectory = try c.decodeIfPresent(String.self, forKey: .saveDirectory) ?? saveDirectory
        attachmentsDirectory = try c.decodeIfPresent(String.self, forKey: .attachmentsDirectory) ?? attachmentsDirectory
        terminalId = try c.decodeIfPresent(String.self, forKey: .terminalId)
        terminalSecret = try c.decodeIfPresent(String.self, forKey: .terminalSecret)
    }

    /// `--config`, else `$AGENCIA_CONFIG`, else `./agencia.json`, `~/.config/agencia/config.json`,
    /// `/etc/agencia/config.json`; the first that exists. Nil: no file (embedded demo).
    public static func locate(explicit: String?) -> String? {
        if let explicit { return explicit }
        if let env = ProcessInfo.processInfo.environment["AGENCIA_CONFIG"] { return env }
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
        return ["agencia.json", "\(home)/.config/agencia/config.json", "/etc/agencia/config.json"]
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Reads either this object or `{"client": {...}}` (a file with a `client` object is read
    /// from it, and a bad value there is an error, never a silent default).
    public static func load(file: String) throws -> ClientConfiguration {
        try load(data: Data(contentsOf: URL(fileURLWithPath: file)))
    }

    public static func load(data: Data) throws -> ClientConfiguration {
        struct Wrapper: Decodable { let client: ClientConfiguration }
        let top = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        if top?["client"] != nil { return try JSONDecoder().decode(Wrapper.self, from: data).client }
        return try JSONDecoder().decode(ClientConfiguration.self, from: data)
    }
}
