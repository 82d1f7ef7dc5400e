import Foundation
import Screens

/// This terminal's printer and disk: the configured command gets the PDF on its standard input
/// (`lp` by default); what it says reaches the user in Portuguese (`PrinterMessages`).
enum Printing {
    static func output(printCommand: [String], saveDirectory: String, attachmentsDirectory: String) -> DocumentOutput {
        DocumentOutput(
            print: { pdf, _ in await run(printCommand, input: pdf) },
            save: { pdf, name in
                let dir = URL(fileURLWithPath: saveDirectory)
                let url = dir.appendingPathComponent(name)
                do {
                    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                    try pdf.write(to: url, options: .atomic)
                    return .success("Arquivo salvo em \(url.path)")
                } catch {
                    return .failure(
                        APIFailure(
                            status: 0, code: "save_failed", message: "não foi possível gravar \(url.path) (\(error.localizedDescription))"))
                }
            }, attachmentsDirectory: attachmentsDirectory)
    }

    /// Runs the print command off the UI thread; success says what the command answered.
    static func run(_ command: [String], input: Data) async -> Result<String, APIFailure> {
        guard let tool = command.first else {
            return .failure(APIFailure(status: 0, code: "no_printer", message: "Nenhuma impressora configurada neste terminal."))
        }
        return await withCheckedContinuation { cont in
            DispatchQueue.global().async {
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                p.arguments = [tool] + command.dropFirst()
                let stdin = Pipe()
                let out = Pipe()
                let err = Pipe()
                p.standardInput = stdin
                p.standardOutput = out
                p.standardError = err
                do {
                    try p.run()
                } catch {
                    cont.resume(
                        returning: .failure(
                            APIFailure(status: 0, code: "print_failed", message: "comando de impressão \(tool) indisponível.")))
                    return
                }
                // Read the outputs while writing, so a chatty command cannot block on a full pipe.
                let group = DispatchGroup()
                var outData = Data()
                var errData = Data()
                group.enter()
                DispatchQueue.global().async {
                    outData = out.fileHandleForReading.readDataToEndOfFile()
                    group.leave()
                }
                group.enter()
                DispatchQueue.global().async {
                    errData = err.fileHandleForReading.readDataToEndOfFile()
                    group.leave()
                }
                try? stdin.fileHandleForWriting.write(contentsOf: input)
                try? stdin.fileHandleForWriting.close()
                p.waitUntilExit()
                group.wait()
                let said = String(decoding: p.terminationStatus == 0 ? outData : errData, as: UTF8.self)
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                if p.terminationStatus == 0 {
                    cont.resume(returning: .success(PrinterMessages.success(said)))
                } else {
                    cont.resume(returning: .failure(APIFailure(status: 0, code: "print_failed", message: PrinterMessages.failure(said))))
                }
            }
        }
    }
}
