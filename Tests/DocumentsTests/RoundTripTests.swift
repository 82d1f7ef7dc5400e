import Barcodes
import Documents
import Domain
import Foundation
import PDFReading
import XCTest

/// Documents rendered to PDF, rasterised by poppler (`pdftoppm`) and decoded by a real barcode
/// reader (`zbarimg`): the bar code and the QR code must read back exactly.
final class RoundTripTests: XCTestCase {
    static let issuer = PayableDocument.Issuer(
        name: "Companhia de Saneamento (demo)", cnpj: "12.345.678/0001-95", address: "Rua da Água, 100 - Centro, Aracaju/SE",
        contact: "0800 000 0000 · agencia.example.br")

    static func document(seed: UInt64, kind: PayableDocument.Kind) throws -> PayableDocument {
        var rng = SplitMix64(seed: seed)
        let today = CivilDate(iso: "2026-11-23")!
        let count = kind == .bill ? 1 : seed == 8 ? PDFRenderer.maxLines : Int(rng.next() % 12) + 1
        var lines: [PayableDocument.Line] = []
        for i in 0..<count {
            let due = today.adding(days: -30 * (count - i) + 10)
            let value = Money(cents: Int64(rng.next() % 150_000) + 1)
            lines.append(
                .init(
                    competencia: Competencia(year: due.year, month: due.month)!, due: due, consumptionM3: Int(rng.next() % 40),
                    charges: LateCharges(original: value, due: due, paidOn: today, calendar: .national)))
        }
        let total = lines.reduce(Money.zero) { $0 + $1.charges.total }
        let number = Int64(rng.next() % 10_000_000)
        let barcode = try ArrecadacaoBarcode(
            valueID: seed % 2 == 0 ? .reaisMod10 : .reaisMod11, amount: total, company: "0123",
            freeField: ArrecadacaoBarcode.freeField(due: today, kind: 2, number: number))
        let pix = try PixBRCode(
            key: "12345678000195", name: "Companhia de Saneamento", city: "Aracaju", amount: total, txid: "AVE\(number)")
        return PayableDocument(
            kind: kind, number: String(number), issuer: issuer, issuedOn: today, customerName: "Maria Aparecida da Silva",
            customerDocument: "***.444.777-**", matricula: "10001-3", address: "Rua das Flores, 120 - Centro, Aracaju/SE",
            categoria: "Residencial", lines: lines, due: today, barcode: barcode, pix: pix,
            notes: ["Valores de contas vencidas atualizados até o vencimento deste documento."])
    }

    /// Decodes every symbol in a one-page PDF: `[(type, data)]`.
    static func decode(pdf: Data) throws -> [(String, String)] {
        let read = try PDFReading.symbols(pdf)
        XCTAssertEqual(read.pages, 1, "one A4 page")
        return read.symbols.map { ($0.type, $0.data) }
    }

    @discardableResult
    static func run(_ tool: String, _ args: [String]) throws -> String { try PDFReading.run(tool, args) }

    func testBillsAndStatementsReadBack() throws {
        for seed in UInt64(1)...8 {
            let doc = try Self.document(seed: seed, kind: seed % 3 == 0 ? .bill : .statement)
            let pdf = try PDFRenderer.render(doc)
            if let dir = ProcessInfo.processInfo.environment["AGENCIA_KEEP_PDF"] {
                try pdf.write(to: URL(fileURLWithPath: "\(dir)/doc-\(seed).pdf"))
            }
            XCTAssertTrue(pdf.starts(with: Data("%PDF-".utf8)))
            let symbols = try Self.decode(pdf: pdf)
            let barcodes = symbols.filter { $0.0 == "I2/5" }.map(\.1)
            let qrs = symbols.filter { $0.0 == "QR-Code" }.map(\.1)
            XCTAssertEqual(barcodes, [doc.barcode.digits], "seed \(seed)")
            XCTAssertEqual(qrs, [doc.pix.payload], "seed \(seed)")
            // And what was read is a valid document for the right amount.
            XCTAssertEqual(barcodes.first.flatMap(ArrecadacaoBarcode.init(reading:))?.amount, doc.total)
        }
    }

    /// The statement's real footnote (long) stays on the page: every word poppler finds lies
    /// inside the page's margins, and the note reads whole.
    func testLongNotesWrapInsideThePage() throws {
        var doc = try Self.document(seed: 3, kind: .statement)
        let note =
            "Valores de contas vencidas atualizados até o vencimento deste extrato (26/11/2026): multa de 2 %, juros de 1 % ao mês pro rata die e correção monetária pelo índice publicado pela companhia."
        doc.notes = [note, "Vencimento em dia sem expediente bancário: pague sem encargos até 30/11/2026."]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agencia-notes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("doc.pdf")
        try PDFRenderer.render(doc).write(to: file)
        let html = try Self.run("/usr/bin/pdftotext", ["-bbox", file.path, "-"])
        let page = try XCTUnwrap(html.range(of: #"<page width="([0-9.]+)""#, options: .regularExpression).map { html[$0] })
        let pageWidth = try XCTUnwrap(Double(page.split(separator: "\"")[1]))
        let xMax = html.matches(of: /xMax="([0-9.]+)"/).compactMap { Double($0.1) }
        XCTAssertFalse(xMax.isEmpty)
        XCTAssertLessThanOrEqual(xMax.max() ?? .infinity, pageWidth - 20, "a word runs off the page")
        let text = try Self.run("/usr/bin/pdftotext", [file.path, "-"]).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        XCTAssertTrue(text.contains(note), text)
    }

    func testSymbolGeometry() throws {
        // 44 digits: start (4) + 22 pairs × 18 + stop (5) = 405 modules, as FEBRABAN specifies.
        let itf = try BarcodeMatrix.interleaved2of5(String(repeating: "8", count: 44))
        XCTAssertEqual(itf.rows, 1)
        XCTAssertEqual(itf.columns, 405)
        let qr = try BarcodeMatrix.qr(String(repeating: "A", count: 180))
        XCTAssertEqual(qr.rows, qr.columns)
        XCTAssertTrue(qr[0, 0] && qr[6, 6] && !qr[7, 7], "finder pattern in the corner")
        XCTAssertThrowsError(try BarcodeMatrix.interleaved2of5("123"))
    }
}
