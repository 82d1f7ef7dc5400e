import Foundation

/// What a person — or a barcode reader — gets from a PDF, with the real tools (poppler's
/// `pdftoppm` and `pdftotext`, zbar's `zbarimg`): shared by the tests that check documents.
public enum PDFReading {
    /// Every symbol a barcode reader finds on the rendered pages, page by page: `[(type, data)]`
    /// (`I2/5` for the FEBRABAN barcode, `QR-Code` for the PIX).
    public static func symbols(_ pdf: Data) throws -> (pages: Int, symbols: [(type: String, data: String)]) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agencia-pdf-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("doc.pdf")
        try pdf.write(to: file)
        try run("/usr/bin/pdftoppm", ["-r", "300", "-gray", "-png", file.path, dir.appendingPathComponent("page").path])
        let pages = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".png") }.sorted()
        let out = try run(
            "/usr/bin/zbarimg", ["-q", "-Sdisable", "-Sqrcode.enable", "-Si25.enable"] + pages.map { dir.appendingPathComponent($0).path })
        let symbols = out.split(separator: "\n").map {
            let parts = $0.split(separator: ":", maxSplits: 1)
            return (type: String(parts[0]), data: parts.count > 1 ? String(parts[1]) : "")
        }
        return (pages.count, symbols)
    }

    /// The text as laid out on the pages.
    public static func text(_ pdf: Data, layout: Bool = true) throws -> String {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("agencia-\(UUID().uuidString).pdf")
        try pdf.write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return try run("/usr/bin/pdftotext", (layout ? ["-layout"] : []) + [file.path, "-"])
    }

    @discardableResult
    public static func run(_ tool: String, _ args: [String]) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
