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

    /// What is said of `text`: personal documents masked, nothing else changed.
    public static func utterance(_ text: String) -> String { Masking.cpfsInText(text) }

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
