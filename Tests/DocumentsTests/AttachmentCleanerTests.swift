import Documents
import Domain
import Foundation
import PDFReading
import XCTest

/// Issue 27, finding 9: what an upload brings is read by the library of its format and what is
/// stored is what that library made of it. The samples come from independent tools (Pillow,
/// pypdf, a PDF written object by object: `attachment_samples.py`), and the results are read
/// back by Pillow, pypdf and pdftotext.
final class AttachmentCleanerTests: XCTestCase {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("attachment_samples.py")
    var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("anexos-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try PDFReading.run("/usr/bin/env", ["python3", Self.script.path, folder.path])
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    func sample(_ name: String) throws -> Data { try Data(contentsOf: folder.appendingPathComponent(name)) }

    /// The cleaned file as Pillow or pypdf read it.
    func inspect(_ data: Data) throws -> [String: Any] {
        let file = folder.appendingPathComponent("limpo-\(UUID().uuidString)")
        try data.write(to: file)
        let line = try PDFReading.run("/usr/bin/env", ["python3", Self.script.path, "--inspect", file.path])
        return try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], line)
    }

    func clean(_ name: String) throws -> Data {
        let data = try sample(name)
        let kind = try XCTUnwrap(AttachmentKind(sniffing: data), "\(name) sniffs as one of the three")
        return try AttachmentCleaner.clean(data, as: kind, name: name)
    }

    func refusal(_ name: String) throws -> String {
        do {
            _ = try clean(name)
            XCTFail("\(name) was accepted")
            return ""
        } catch let r as AttachmentCleaner.Refusal {
            return r.message
        }
    }

    func testAPDFKeepsItsPagesAndTextAndLosesEveryActiveThing() throws {
        let original = try inspect(sample("active.pdf"))
        XCTAssertEqual(original["names"] as? [String], ["/EmbeddedFiles", "/JavaScript"], "the sample is hostile")
        let cleaned = try clean("active.pdf")
        let report = try inspect(cleaned)
        XCTAssertEqual(report["pages"] as? Int, 1)
        XCTAssertEqual((report["text"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines), "RG 12.345.678-9 JOAO DA SILVA")
        XCTAssertTrue(try PDFReading.text(cleaned).contains("RG 12.345.678-9 JOAO DA SILVA"), "pdftotext reads it too")
        let catalogue = report["catalogue"] as? [String] ?? []
        XCTAssertFalse(catalogue.contains("/OpenAction"), "\(catalogue)")
        XCTAssertFalse(catalogue.contains("/AA"), "\(catalogue)")
        XCTAssertEqual(report["names"] as? [String], [], "no JavaScript or embedded files")
        XCTAssertEqual(report["annotations"] as? Int, 0, "the /Launch link is gone")
        XCTAssertEqual(report["page_actions"] as? Int, 0)
        XCTAssertEqual(report["contains"] as? [String], [])
    }

    func testWhatOnlyClaimsToBeAPDFIsRefused() throws {
        for name in ["script.pdf", "page.pdf", "elf.pdf", "zip.pdf"] {
            XCTAssertEqual(
                try refusal(name), "O arquivo \(name) não é um PDF válido (danificado ou incompleto): digitalize-o de novo.", name)
        }
        XCTAssertEqual(try refusal("empty.pdf"), "O arquivo empty.pdf não tem nenhuma página.")
        XCTAssertEqual(try refusal("locked.pdf"), "O arquivo locked.pdf está protegido por senha: anexe uma cópia sem senha.")
    }

    func testAJPEGKeepsItsPixelsAndLosesItsMetadataAndWhatFollows() throws {
        XCTAssertEqual(try inspect(sample("photo.jpg"))["info"] as? [String], ["comment", "exif"], "the sample carries metadata")
        let cleaned = try clean("photo.jpg")
        let report = try inspect(cleaned)
        XCTAssertEqual(report["format"] as? String, "JPEG")
        XCTAssertEqual(report["size"] as? [Int], [240, 160])
        XCTAssertEqual(report["info"] as? [String], [], "no EXIF, no comment")
        XCTAssertEqual(report["contains"] as? [String], [], "no location, nothing appended")
        XCTAssertEqual(
            try refusal("cut.jpg"), "O arquivo cut.jpg não é um JPEG válido (danificado ou incompleto): digitalize-o de novo.")
        XCTAssertEqual(
            try refusal("huge.jpg"),
            "A imagem huge.jpg tem 60000×60000 pixels; o limite é 50 megapixels: digitalize-a com menos resolução.")
    }

    func testAPNGKeepsItsPixelsAndLosesItsTextAndWhatFollows() throws {
        let cleaned = try clean("scan.png")
        let report = try inspect(cleaned)
        XCTAssertEqual(report["format"] as? String, "PNG")
        XCTAssertEqual(report["size"] as? [Int], [240, 160])
        XCTAssertEqual(report["mode"] as? String, "L", "a gray scan stays gray")
        XCTAssertEqual(report["info"] as? [String], [], "no text chunks")
        XCTAssertEqual(report["contains"] as? [String], [], "nothing after IEND")
        XCTAssertEqual(
            try refusal("cut.png"), "O arquivo cut.png não é um PNG válido (danificado ou incompleto): digitalize-o de novo.")
        XCTAssertEqual(
            try refusal("huge.png"),
            "A imagem huge.png tem 100000×100000 pixels; o limite é 50 megapixels: digitalize-a com menos resolução.")
    }
}
