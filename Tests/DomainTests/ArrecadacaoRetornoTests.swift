import Domain
import Foundation
import XCTest

/// The banks' return file: a file written by `febraban-barcode`'s registro A/G/Z (committed with
/// the script, scripts/vectors/payment_vectors.py) parses to exactly the payments the script
/// recorded; every kind of damage is refused with its line and nothing parsed.
final class ArrecadacaoRetornoTests: XCTestCase {
    /// The day after the file's (it is dated 30/11/2026).
    static let today = CivilDate(year: 2026, month: 12, day: 1)!

    struct Vector: Decodable {
        var nsr: Int
        var paid: String
        var barcode: String
        var cents: Int64
        var kind: Int
        var number: Int64
        var channel: String
    }

    func file() throws -> (String, [Vector]) {
        let text = try String(
            contentsOf: XCTUnwrap(Bundle.module.url(forResource: "Vectors/retorno", withExtension: "txt")), encoding: .utf8)
        let json = try Data(contentsOf: XCTUnwrap(Bundle.module.url(forResource: "Vectors/retorno", withExtension: "json")))
        return (text, try JSONDecoder().decode([Vector].self, from: json))
    }

    func testTheLibrarysFileParsesToItsPayments() throws {
        let (text, vectors) = try file()
        let f = try ArrecadacaoRetorno.parse(text, today: Self.today)
        XCTAssertEqual(f.bank, "104")
        XCTAssertEqual(f.bankName, "CAIXA")
        XCTAssertEqual(f.convenio, "000123")
        XCTAssertEqual(f.nsa, 42)
        XCTAssertEqual(f.generatedOn.iso, "2026-11-30")
        XCTAssertEqual(f.payments.count, vectors.count)
        for (p, v) in zip(f.payments, vectors) {
            XCTAssertEqual(p.nsr, v.nsr)
            XCTAssertEqual(p.paidOn.iso, v.paid)
            XCTAssertEqual(p.creditedOn, p.paidOn.adding(days: 1))
            XCTAssertEqual(p.barcode.digits, v.barcode)
            XCTAssertEqual(p.amount.cents, v.cents, "NSR \(v.nsr)")
            XCTAssertEqual(p.amount, p.barcode.amount)
            XCTAssertEqual(String(p.channel), v.channel)
            let expected: ArrecadacaoRetorno.Target =
                switch v.kind {
                case 1: .bill(v.number)
                case 2: .statement(v.number)
                case 3: .serviceFee(v.number)
                default: .installment(agreement: v.number / 1000, seq: Int(v.number % 1000))
                }
            XCTAssertEqual(ArrecadacaoRetorno.target(of: p.barcode), expected)
        }
        // Line endings do not matter.
        XCTAssertEqual(try ArrecadacaoRetorno.parse(text.replacingOccurrences(of: "\r\n", with: "\n"), today: Self.today), f)
    }

    func testDamageIsRefusedWithItsLine() throws {
        let (text, _) = try file()
        let lines = text.split(separator: "\r\n").map(String.init)
        func problems(_ changed: [String], today: CivilDate = Self.today) -> [String] {
            do {
                _ = try ArrecadacaoRetorno.parse(changed.joined(separator: "\n"), today: today)
                return []
            } catch let p as ArrecadacaoRetorno.Problems {
                return p.items.map(\.description)
            } catch { return ["\(error)"] }
        }
        func replacing(_ i: Int, _ range: Range<Int>, with s: String) -> [String] {
            var l = lines
            var chars = Array(l[i])
            chars.replaceSubrange(range, with: Array(s))
            l[i] = String(chars)
            return l
        }
        XCTAssertEqual(
            problems(Array(lines.prefix(3)) + [String(lines[3].prefix(149))] + lines.dropFirst(4)),
            [
                "linha 4: o registro tem 149 caracteres; o layout pede 150"
            ])
        XCTAssertEqual(problems(replacing(0, 1..<2, with: "1")), ["linha 1: código de remessa 1: este é o arquivo de retorno do banco (2)"])
        // One barcode digit changed: its check digit no longer holds.
        let digit = Array(lines[5])[50] == "0" ? "1" : "0"
        XCTAssertEqual(problems(replacing(5, 50..<51, with: digit)).count, 1)
        XCTAssertTrue(problems(replacing(5, 50..<51, with: digit))[0].hasPrefix("linha 6: código de barras"))
        // The trailer must count every record and add every payment.
        let z = lines.count - 1
        XCTAssertEqual(
            problems(replacing(z, 1..<7, with: "000099")), ["linha \(z + 1): o trailer conta 99 registros; o arquivo tem \(lines.count)"])
        XCTAssertTrue(problems(replacing(z, 7..<24, with: String(repeating: "0", count: 17)))[0].contains("o trailer soma R$ 0,00"))
        XCTAssertEqual(problems(Array(lines.dropLast())), ["linha \(lines.count - 1): falta o trailer \"Z\" no fim do arquivo"])
        XCTAssertEqual(
            problems(lines.prefix(1) + [lines[2]] + lines.dropFirst(1)).last, "linha \(lines.count + 1): NSR repetido no arquivo")
        // Issue 27: a blank count or total in the trailer is refused, not skipped (a file with
        // one payment more than it says would otherwise pass).
        XCTAssertEqual(
            problems(replacing(z, 1..<7, with: "      ")),
            ["linha \(z + 1): o trailer não informa a quantidade de registros (posições 2–7)"])
        XCTAssertEqual(
            problems(replacing(z, 7..<24, with: String(repeating: " ", count: 17))),
            ["linha \(z + 1): o trailer não informa o valor total recebido (posições 8–24)"])
        // Dates against the file's own date and today: a payment in 2099 or in 1900, credited
        // before it was paid, or a file dated tomorrow.
        XCTAssertEqual(
            problems(replacing(5, 21..<29, with: "20991130")),
            ["linha 6: data de pagamento 30/11/2099 fora do período do arquivo (gerado em 30/11/2026)"])
        XCTAssertEqual(
            problems(replacing(5, 21..<29, with: "19001130")),
            ["linha 6: data de pagamento 30/11/1900 fora do período do arquivo (gerado em 30/11/2026)"])
        XCTAssertEqual(
            problems(replacing(5, 29..<37, with: "20250101")).first?.hasPrefix("linha 6: data de crédito 01/01/2025 anterior ao pagamento"),
            true)
        XCTAssertEqual(
            problems(lines, today: CivilDate(year: 2026, month: 11, day: 29)!),
            ["linha 1: data de geração 30/11/2026 posterior a hoje (29/11/2026)"])
        XCTAssertEqual(problems(lines, today: CivilDate(year: 2026, month: 11, day: 30)!), [], "a file of today")
    }
}
