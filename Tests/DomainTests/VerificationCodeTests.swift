import XCTest

@testable import Domain

/// The certidão's verification code: typed by people, so every single wrong symbol in every
/// position, and every swap of neighbours, must be caught; case, dashes and Crockford's
/// look-alikes must not matter.
final class VerificationCodeTests: XCTestCase {
    func testShapeAndEntropy() {
        var rng = SplitMix64(seed: 1)
        let code = VerificationCode.generate(using: &rng)
        XCTAssertEqual(code.count, 24)
        XCTAssertNotNil(code.range(of: "^([0-9A-HJKMNP-TV-Y]{4}-){4}[0-9A-HJKMNP-TV-Y]{4}$", options: .regularExpression), code)
        XCTAssertEqual(VerificationCode.normalized(code), code)
        // 19 symbols of 31: at least 80 bits (DOMAIN.md).
        XCTAssertGreaterThanOrEqual(Double(VerificationCode.dataLength) * log2(31), 80)
        var seen = Set<String>()
        for _ in 0..<10_000 { seen.insert(VerificationCode.generate(using: &rng)) }
        XCTAssertEqual(seen.count, 10_000)
    }

    func testEverySingleSubstitutionInEveryPositionIsCaught() {
        var rng = SplitMix64(seed: 7)
        var tried = 0
        for _ in 0..<50 {
            let chars = Array(VerificationCode.generate(using: &rng).filter { $0 != "-" })
            for position in chars.indices {
                for other in VerificationCode.alphabet where other != chars[position] {
                    var typo = chars
                    typo[position] = other
                    XCTAssertNil(VerificationCode.normalized(String(typo)), "\(String(chars)) → \(String(typo))")
                    tried += 1
                }
            }
        }
        XCTAssertEqual(tried, 50 * 20 * 30)
    }

    func testSwappedNeighboursAreCaught() {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<200 {
            let chars = Array(VerificationCode.generate(using: &rng).filter { $0 != "-" })
            for i in 0..<(chars.count - 1) where chars[i] != chars[i + 1] {
                var typo = chars
                typo.swapAt(i, i + 1)
                XCTAssertNil(VerificationCode.normalized(String(typo)), "\(String(chars)) → \(String(typo))")
            }
        }
    }

    func testTypingIsForgiving() {
        // A code with 0 and 1 in it, typed with O, I and L, in lower case, without dashes.
        let data = Array("0123456789ABCDEF01L").map { $0 == "L" ? Character("1") : $0 }
        let code = VerificationCode.grouped(String(data) + String(VerificationCode.check(data)))
        let typed = code.lowercased().replacingOccurrences(of: "-", with: " ").replacingOccurrences(of: "0", with: "o")
            .replacingOccurrences(of: "1", with: "l")
        XCTAssertEqual(VerificationCode.normalized(typed), code)
        XCTAssertNil(VerificationCode.normalized("ABCD-EFGH"), "too short")
        XCTAssertNil(VerificationCode.normalized(code + "0"), "too long")
        XCTAssertNil(VerificationCode.normalized(code.replacingOccurrences(of: "A", with: "Z")), "Z is not in the alphabet")
    }
}
