import Domain
import Foundation

/// `client.speech` (issue 32).
public struct SpeechSettings: Codable, Sendable, Equatable {
    public var available = false
    public var command = ["espeak-ng", "-v", "pt-br", "-s", "165"]

    public init() {}

    enum CodingKeys: String, CodingKey { case available, command }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        available = try c.decodeIfPresent(Bool.self, forKey: .available) ?? available
        command = try c.decodeIfPresent([String].self, forKey: .command) ?? command
        guard !command.isEmpty else {
            throw DecodingError.dataCorruptedError(forKey: .command, in: c, debugDescription: "speech.command: o programa que fala")
        }
    }
}

/// Says a text aloud through an external synthesiser, one utterance at a time: a new one stops
/// the one playing (a key interrupts the speech). Never on the UI thread's way: the process is
/// started and left to run; if it fails (no audio device) the kiosk goes on silently. A CPF or
/// CNPJ is never said in full: what is said is masked first, whatever the screen had.
/// With `fileDirectory` (`agencia --speech-file DIR`, for tests) each utterance is written as a
/// WAV there (`0001.wav`…, espeak-ng's `-w`) and logged in `utterances.log`.
public final class Speaker: @unchecked Sendable {
    let command: [String]
    let fileDirectory: String?
    private let lock = NSLock()
    private var current: Process?
    private var count = 0

    public init(command: [String], fileDirectory: String? = nil) {
        self.command = command
        self.fileDirectory = fileDirectory
        if let fileDirectory { try? FileManager.default.createDirectory(atPath: fileDirectory, withIntermediateDirectories: true) }
    }

    /// What is said of `text`: a CPF masked, and what a synthesiser would read wrong put in
    /// words first — money ("R$ 118,42"), dates ("10/11/2026"), protocol numbers
    /// ("2026/000123"), matrículas and other codes with a check digit ("10001-3", digit by digit).
    public static func utterance(_ text: String) -> String {
        // A linha digitável first: its groups may hold eleven digits that pass as a CPF.
        let lines = rewrite(text, with: Self.linhas)
        return rewrite(Masking.cpfsInText(lines), with: Self.rewrites)
    }

    private static func rewrite(_ text: String, with patterns: [(NSRegularExpression, @Sendable (String) -> String)]) -> String {
        var out = text
        for (re, say) in patterns {
            var result = ""
            var last = out.startIndex
            for m in re.matches(in: out, range: NSRange(out.startIndex..., in: out)) {
                guard let r = Range(m.range, in: out) else { continue }
                result += out[last..<r.lowerBound]
                result += say(String(out[r]))
                last = r.upperBound
            }
            out = result + out[last...]
        }
        return out
    }

    /// What a frame says, one utterance: each piece a sentence (a full stop added only where it
    /// has none).
    public static func sentences(_ pieces: [String]) -> String {
        pieces.map { p in p.last.map { ".:!?".contains($0) } == true ? p : p + "." }.joined(separator: " ")
    }

    /// What was typed in the focused field, read back character by character on request: a CPF
    /// only in its masked form, a secret never.
    public static func readBack(_ field: (label: String, text: String)?) -> String {
        guard let field else { return "Nenhum campo em edição." }
        let name = field.label.isEmpty ? "Campo" : field.label
        guard !field.text.isEmpty else { return "\(name), vazio." }
        let masked = Masking.cpfsInText(field.text)
        var words: [String] = []
        for ch in masked {
            if ch == "*" { words.append("oculto") } else if ch == " " { words.append("espaço") } else { words.append(Spoken.digits(String(ch))) }
        }
        return "\(name): " + words.filter { !$0.isEmpty }.joined(separator: ", ") + "."
    }

    /// Compiled once: each utterance goes through them on the UI thread.
    static let rewrites: [(NSRegularExpression, @Sendable (String) -> String)] = compiled(patterns)
    static let linhas = compiled([
        // Arrecadação: four blocks of 11 digits and their check digit; a bank's: five groups.
        (#"\b[0-9]{11}-[0-9]( [0-9]{11}-[0-9]){3}\b"#, { Spoken.linhaDigitavel($0) }),
        (#"\b[0-9]{5}\.[0-9]{5} [0-9]{5}\.[0-9]{6} [0-9]{5}\.[0-9]{6} [0-9] [0-9]{14}\b"#, { Spoken.linhaDigitavel($0) }),
    ])

    private static func compiled(_ patterns: [(String, @Sendable (String) -> String)]) -> [(NSRegularExpression, @Sendable (String) -> String)] {
        patterns.compactMap { p, say in (try? NSRegularExpression(pattern: p)).map { ($0, say) } }
    }

    static let patterns: [(String, @Sendable (String) -> String)] = [
        (#"R\$ ?-?[0-9]{1,3}(\.[0-9]{3})*,[0-9]{2}"#, { text in
            let digits = text.filter(\.isNumber)
            let cents = Int64(digits) ?? 0
            return Spoken.money(cents: text.contains("-") ? -cents : cents)
        }),
        (#"\b[0-9]{2}/[0-9]{2}/[0-9]{4}\b"#, { text in
            let p = text.split(separator: "/").compactMap { Int($0) }
            return CivilDate(year: p[2], month: p[1], day: p[0]).map(Spoken.date) ?? text
        }),
        // A bill's month (competência): "10/2026" is October, not a fraction.
        (#"\b(0[1-9]|1[0-2])/[0-9]{4}\b"#, { text in
            let p = text.split(separator: "/").compactMap { Int($0) }
            return Spoken.month(year: p[1], month: p[0])
        }),
        (#"(?<=[0-9] )m³"#, { _ in "metros cúbicos" }),
        (#"\b[0-9]{4}/[0-9]{6}\b"#, { text in ProtocolNumber(parsing: text).map(Spoken.protocolNumber) ?? text }),
        (#"\b[0-9]{3,}-[0-9X]\b"#, { Spoken.digits($0) }),
    ]

    public func say(_ text: String) {
        let said = Self.utterance(text)
        guard !said.isEmpty else { return }
        lock.lock()
        defer { lock.unlock() }
        stopLocked()
        count += 1
        var arguments = Array(command.dropFirst())
        if let dir = fileDirectory {
            let wav = (dir as NSString).appendingPathComponent(String(format: "%04d.wav", count))
            arguments += ["-w", wav]
            let line = String(format: "%04d\t", count) + said.replacingOccurrences(of: "\n", with: " ") + "\n"
            if let h = FileHandle(forWritingAtPath: (dir as NSString).appendingPathComponent("utterances.log")) ?? create(dir) {
                h.seekToEndOfFile()
                h.write(Data(line.utf8))
                try? h.close()
            }
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [command[0]] + arguments + [said]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        p.standardInput = FileHandle.nullDevice
        do {
            try p.run()
            current = p
        } catch {
            current = nil  // no synthesiser: silent, the screen still says it all
        }
    }

    private func create(_ dir: String) -> FileHandle? {
        let path = (dir as NSString).appendingPathComponent("utterances.log")
        FileManager.default.createFile(atPath: path, contents: nil)
        return FileHandle(forWritingAtPath: path)
    }

    /// Stops what is being said (a key, a logout).
    public func stop() {
        lock.lock()
        defer { lock.unlock() }
        stopLocked()
    }

    private func stopLocked() {
        // Writing a file is not interrupted: the test reads every utterance whole.
        if let p = current, p.isRunning, fileDirectory == nil { p.terminate() }
        current = nil
    }

    /// Waits for the utterance in progress (tests, and the end of the program).
    public func wait() {
        lock.lock()
        let p = current
        lock.unlock()
        p?.waitUntilExit()
    }
}
