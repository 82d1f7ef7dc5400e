import Foundation
import XCTest

@testable import Domain

/// Issue 32: what the kiosk says. Numbers and money against `num2words` (pt_BR; an independent
/// implementation, `scripts/vectors/spoken_vectors.py` wrote `Vectors/spoken.json`), then a table
/// of cases written from the rules of Portuguese for what it does not cover (dates, codes).
final class SpokenTests: XCTestCase {
    struct Vectors: Decodable {
        struct Number: Decodable {
            var value: Int64
            var words: String
        }
        struct Amount: Decodable {
            var cents: Int64
            var words: String
        }
        var numbers: [Number]
        var money: [Amount]
    }

    /// Every word as num2words says it. Between two classes (milhões, mil, the units) num2words
    /// chooses "," or "e" by a pattern on its own text (a class after "… entos" becomes "," when
    /// any later word has an "e": "dois bilhões, quinhentos milhões"); the grammar's rule — "e"
    /// before a class under a hundred or of round hundreds — is the table below. So here the two
    /// separators count as one; the words, scales, plurals and "cem"/"cento" must be the same.
    func testAgainstAnIndependentImplementation() throws {
        let data = try Data(contentsOf: XCTUnwrap(Bundle.module.url(forResource: "Vectors/spoken", withExtension: "json")))
        let v = try JSONDecoder().decode(Vectors.self, from: data)
        XCTAssertGreaterThan(v.numbers.count + v.money.count, 300)
        func words(_ s: String) -> String { s.replacingOccurrences(of: ", ", with: " e ") }
        var sameSeparators = 0
        for n in v.numbers {
            XCTAssertEqual(words(Spoken.number(n.value)), words(n.words), "\(n.value)")
            if Spoken.number(n.value) == n.words { sameSeparators += 1 }
        }
        for m in v.money { XCTAssertEqual(words(Spoken.money(cents: m.cents)), words(m.words), "\(m.cents) centavos") }
        // The separators differ only where num2words' pattern fires: a handful, not a rule of ours.
        XCTAssertGreaterThan(sameSeparators, v.numbers.count * 9 / 10)
    }

    /// Joining classes, by the grammar's rule for the thousands (Cegalla, Novíssima Gramática:
    /// "e" between milhar and centena only when the centena is round or starts with zero),
    /// extended to every class.
    func testClassesJoinByTheGrammar() {
        let cases: [(Int64, String)] = [
            (1_100, "mil e cem"), (1_101, "mil, cento e um"), (1_080, "mil e oitenta"), (2_030, "dois mil e trinta"),
            (1_200_300, "um milhão e duzentos mil e trezentos"), (3_062_488, "três milhões e sessenta e dois mil, quatrocentos e oitenta e oito"),
            (2_500_000_000, "dois bilhões e quinhentos milhões"), (91_001_310, "noventa e um milhões e mil, trezentos e dez"),
            (1_234_567, "um milhão, duzentos e trinta e quatro mil, quinhentos e sessenta e sete"), (1_000_001, "um milhão e um"),
        ]
        for (n, expected) in cases { XCTAssertEqual(Spoken.number(n), expected, "\(n)") }
    }

    func testTheRulesOfPortuguese() {
        let cases: [(String, String)] = [
            (Spoken.number(0), "zero"), (Spoken.number(1), "um"), (Spoken.number(2), "dois"), (Spoken.number(100), "cem"),
            (Spoken.number(101), "cento e um"), (Spoken.number(1_000), "mil"), (Spoken.number(1_000_000), "um milhão"),
            (Spoken.number(-3), "menos três"), (Spoken.number(2_026), "dois mil e vinte e seis"),
            (Spoken.money(cents: 0), "zero reais"), (Spoken.money(cents: 1), "um centavo"), (Spoken.money(cents: 50), "cinquenta centavos"),
            (Spoken.money(cents: 100), "um real"), (Spoken.money(cents: 101), "um real e um centavo"),
            (Spoken.money(cents: 100_000_001), "um milhão de reais e um centavo"),
            (Spoken.money(cents: 12_105), "cento e vinte e um reais e cinco centavos"),
            (Spoken.money(cents: -250), "menos dois reais e cinquenta centavos"),
            (Spoken.date(CivilDate(year: 2026, month: 12, day: 1)!), "primeiro de dezembro de dois mil e vinte e seis"),
            (Spoken.date(CivilDate(year: 2026, month: 11, day: 10)!), "dez de novembro de dois mil e vinte e seis"),
            (Spoken.date(CivilDate(year: 2028, month: 2, day: 29)!), "vinte e nove de fevereiro de dois mil e vinte e oito"),
            (Spoken.date(CivilDate(year: 2027, month: 1, day: 21)!), "vinte e um de janeiro de dois mil e vinte e sete"),
            (Spoken.month(year: 2026, month: 10), "outubro de dois mil e vinte e seis"),
            (Spoken.digits("10001-3"), "um, zero, zero, zero, um, traço, três"),
            (Spoken.digits("***.444.777-**"), "ponto, quatro, quatro, quatro, ponto, sete, sete, sete, traço"),
            (Spoken.protocolNumber(ProtocolNumber(year: 2026, sequence: 123)!), "dois mil e vinte e seis barra cento e vinte e três"),
            (Spoken.linhaDigitavel("83610000001 2"), "oito, três, seis, um, zero, zero, zero, zero, zero, zero, um; dois"),
        ]
        for (said, expected) in cases { XCTAssertEqual(said, expected) }
    }
}
