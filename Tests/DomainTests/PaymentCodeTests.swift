import Domain
import Foundation
import XCTest

/// FEBRABAN barcodes and PIX BR Codes against vectors made by independent implementations
/// (`scripts/vectors/payment_vectors.py`), plus the edge cases of both moduli.
final class PaymentCodeTests: XCTestCase {
    struct BarcodeVector: Decodable {
        let cents: Int64, valueID: Int, company: String, barcode: String, linha: String
        let due: String?, kind: Int?, number: Int64?, free: String?
    }
    struct PixVector: Decodable {
        let key: String, name: String, city: String, txid: String, cents: Int64, payload: String
    }

    func load<T: Decodable>(_ name: String) throws -> [T] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Vectors/\(name)", withExtension: "json"))
        return try JSONDecoder().decode([T].self, from: Data(contentsOf: url))
    }

    func testBarcodesMatchFebrabanBarcodeLibrary() throws {
        let vectors: [BarcodeVector] = try load("febraban")
        XCTAssertGreaterThan(vectors.count, 300)
        for v in vectors {
            let free =
                try v.free
                ?? ArrecadacaoBarcode.freeField(
                    due: XCTUnwrap(CivilDate(iso: XCTUnwrap(v.due))), kind: XCTUnwrap(v.kind), number: XCTUnwrap(v.number))
            let code = try ArrecadacaoBarcode(
                valueID: XCTUnwrap(.init(rawValue: v.valueID)), amount: Money(cents: v.cents), company: v.company, freeField: free)
            XCTAssertEqual(code.digits, v.barcode, "\(v)")
            XCTAssertEqual(code.linhaDigits, v.linha, "\(v)")
            // Reading back, from either form, gives the same document.
            XCTAssertEqual(ArrecadacaoBarcode(reading: v.barcode), code)
            XCTAssertEqual(ArrecadacaoBarcode(reading: code.linhaDigitavel), code)
            XCTAssertEqual(code.amount.cents, v.cents)
            XCTAssertEqual(code.company, v.company)
        }
    }

    func testDocumentedExamples() throws {
        let six = try ArrecadacaoBarcode(
            valueID: .reaisMod10, amount: Money(cents: 12345), company: "0123", freeField: "2026101512345678900000001")
        XCTAssertEqual(six.digits, "82610000001234501232026101512345678900000001")
        XCTAssertEqual(six.linhaDigitavel, "82610000001-5 23450123202-4 61015123456-0 78900000001-6")
        let eight = try ArrecadacaoBarcode(
            valueID: .reaisMod11, amount: Money(cents: 12345), company: "0123", freeField: "2026101512345678900000001")
        XCTAssertEqual(eight.linhaDigitavel, "82850000001-9 23450123202-5 61015123456-1 78900000001-5")
    }

    func testModulusEdgeCases() {
        // Mod 10: a sum that is a multiple of 10 gives 0, not 10.
        XCTAssertEqual(Modulus.mod10([0, 0, 0]), 0)
        XCTAssertEqual(Modulus.mod10([1, 9]), 0)  // 1·1 + (9·2 → 1+8) = 10
        XCTAssertEqual(Modulus.mod10([0, 1, 2, 3, 0, 0, 6, 7, 8, 9, 6]), 3)  // FEBRABAN's worked example
        // Mod 11 (arrecadação): remainders 0 and 1 give 0, remainder 10 gives 1 (not the boleto rule).
        func dv(_ d: [Int]) -> Int { Modulus.mod11(d, zeroWhen: [0, 1], tenGives: 1) }
        XCTAssertEqual(dv([0]), 0)  // r = 0
        XCTAssertEqual(dv([5, 6]), 6)  // 5·3 + 6·2 = 27, r = 5 → 6
        XCTAssertEqual(dv([6]), 0)  // 12, r = 1 → 0
        XCTAssertEqual(dv([0, 1, 2, 3, 0, 0, 6, 7, 8, 9, 6]), 0)  // FEBRABAN's worked example: r = 1 → 0
        XCTAssertEqual(dv([5]), 1)  // 5·2 = 10, r = 10 → 1
        XCTAssertEqual(dv([4]), 3)  // 8, r = 8 → 3
    }

    func testCorruptedCodesAreRefused() throws {
        let code = try ArrecadacaoBarcode(
            valueID: .reaisMod11, amount: Money(cents: 4568), company: "1234", freeField: String(repeating: "7", count: 25))
        var line = Array(code.linhaDigits)
        for i in line.indices {
            let original = line[i]
            line[i] = original == "9" ? "0" : Character(String(original.wholeNumberValue! + 1))
            XCTAssertNil(ArrecadacaoBarcode(reading: String(line)), "digit \(i) changed and still read")
            line[i] = original
        }
        XCTAssertThrowsError(
            try ArrecadacaoBarcode(
                valueID: .reaisMod10, amount: Money(cents: 1), company: "12A4", freeField: String(repeating: "0", count: 25)))
        XCTAssertThrowsError(
            try ArrecadacaoBarcode(
                valueID: .reaisMod10, amount: Money(cents: 100_000_000_000), company: "1234", freeField: String(repeating: "0", count: 25)))
    }

    func testPixPayloadsMatchStarkbankBRCode() throws {
        let vectors: [PixVector] = try load("pix")
        XCTAssertEqual(vectors.count, 200)
        for v in vectors {
            let pix = try PixBRCode(key: v.key, name: v.name, city: v.city, amount: Money(cents: v.cents), txid: v.txid)
            XCTAssertEqual(pix.payload, v.payload, "\(v)")
            let fields = try XCTUnwrap(PixBRCode.fields(of: pix.payload))
            XCTAssertLessThanOrEqual(fields["59"]!.count, 25)
            XCTAssertLessThanOrEqual(fields["60"]!.count, 15)
        }
    }

    func testBancoCentralExample() throws {
        let bc =
            "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D"
        XCTAssertEqual(PixBRCode.crcHex(String(bc.dropLast(4))), "1D3D")
        XCTAssertNotNil(PixBRCode.fields(of: bc))
        XCTAssertNil(PixBRCode.fields(of: String(bc.dropLast()) + "E"))
        XCTAssertThrowsError(try PixBRCode(key: "k", name: "n", city: "c", amount: nil, txid: "com-hifen"))
        XCTAssertThrowsError(try PixBRCode(key: "k", name: "n", city: "c", amount: nil, txid: String(repeating: "A", count: 26)))
    }

    func testLateChargesDocumentedExample() throws {
        let due = try XCTUnwrap(CivilDate(iso: "2026-03-10"))
        let c = LateCharges(original: Money(cents: 10_000), due: due, paidOn: due.adding(days: 45), calendar: .national)
        XCTAssertEqual(c.fine, Money(cents: 200))
        XCTAssertEqual(c.interest, Money(cents: 150))
        XCTAssertEqual(c.correction, .zero)
        XCTAssertEqual(c.total, Money(cents: 10_350))
        // On time, or early: nothing.
        XCTAssertEqual(LateCharges(original: Money(cents: 10_000), due: due, paidOn: due, calendar: .national).charges, .zero)
        XCTAssertEqual(
            LateCharges(original: Money(cents: 10_000), due: due, paidOn: due.adding(days: -3), calendar: .national).charges, .zero)
    }

    func testLateChargesRoundingAndCorrection() throws {
        let due = try XCTUnwrap(CivilDate(iso: "2025-01-31"))  // a Friday: a business day
        // 1 day on R$ 45,68: fine 0,9136 → 0,91; interest 45,68 × 1 % / 30 = 0,01523 → 0,02.
        let one = LateCharges(original: Money(cents: 4568), due: due, paidOn: due.adding(days: 1), calendar: .national)
        XCTAssertEqual(one.fine.cents, 91)
        XCTAssertEqual(one.interest.cents, 2)
        // Half a cent rounds up: R$ 0,25 × 2 % = 0,005 → 0,01.
        XCTAssertEqual(LateCharges(original: Money(cents: 25), due: due, paidOn: due.adding(days: 1), calendar: .national).fine.cents, 1)
        // Whole months: 31/01 → 28/02 is one month (the day does not exist in February).
        XCTAssertEqual(LateCharges.wholeMonths(from: due, to: CivilDate(iso: "2025-02-28")!), 1)
        XCTAssertEqual(LateCharges.wholeMonths(from: due, to: CivilDate(iso: "2025-02-27")!), 0)
        XCTAssertEqual(LateCharges.wholeMonths(from: CivilDate(iso: "2025-03-10")!, to: CivilDate(iso: "2025-05-15")!), 2)
        // Correction compounds the index of each whole month: 1 % then 0,5 % on R$ 100,00 = 1,505 → 1,51.
        let index: LateCharges.Index = { c in c.month == 1 ? 10_000 : c.month == 2 ? 5_000 : 99_000 }
        let c = LateCharges(
            original: Money(cents: 10_000), due: due, paidOn: CivilDate(iso: "2025-03-31")!, calendar: .national, index: index)
        XCTAssertEqual(c.correction.cents, 151)
        XCTAssertEqual(c.daysLate, 59)
        XCTAssertEqual(c.total.cents, 10_000 + 200 + 197 + 151)
    }
}
