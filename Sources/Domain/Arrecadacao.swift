/// A FEBRABAN collection barcode ("código de barras de arrecadação", DOMAIN.md): 44 digits, and
/// its 48-digit linha digitável. Segment 2 (saneamento) for the utility's documents.
public struct ArrecadacaoBarcode: Hashable, Sendable {
    /// The 44 digits of the bar code.
    public let digits: String

    public enum ValueID: Int, Sendable, CaseIterable {
        /// Value in reais, check digits by mod 10.
        case reaisMod10 = 6
        /// Reference value, mod 10.
        case referenceMod10 = 7
        /// Value in reais, mod 11.
        case reaisMod11 = 8
        /// Reference value, mod 11.
        case referenceMod11 = 9

        var usesMod11: Bool { self == .reaisMod11 || self == .referenceMod11 }

        func checkDigit(_ digits: [Int]) -> Int {
            usesMod11 ? Modulus.mod11(digits, zeroWhen: [0, 1], tenGives: 1) : Modulus.mod10(digits)
        }
    }

    public enum Problem: Error, Equatable, Sendable {
        case companyCode, freeField, amount
    }

    /// Builds the barcode. `freeField` is the company's 25 digits (use `freeField(due:reference:)`).
    public init(segment: Int = 2, valueID: ValueID, amount: Money, company: String, freeField: String) throws {
        guard company.count == 4, company.allSatisfy(\.isASCIIDigit) else { throw Problem.companyCode }
        guard freeField.count == 25, freeField.allSatisfy(\.isASCIIDigit) else { throw Problem.freeField }
        guard amount.cents >= 0, amount.cents <= 99_999_999_999 else { throw Problem.amount }
        let value = String(amount.cents).leftPadded(to: 11)
        let body = "8\(segment)\(valueID.rawValue)" + value + company + freeField
        let ints = body.compactMap(\.wholeNumberValue)
        let dv = valueID.checkDigit(ints)
        var s = body
        s.insert(Character(String(dv)), at: s.index(s.startIndex, offsetBy: 3))
        digits = s
    }

    /// Reads a barcode (44 digits) or a linha digitável (48 digits, any punctuation), checking
    /// every check digit. Nil when anything does not add up.
    public init?(reading input: String) {
        let d = input.filter(\.isASCIIDigit)
        guard d.first == "8", d.count == 44 || d.count == 48 else { return nil }
        let chars = Array(d)
        guard let id = chars[2].wholeNumberValue.flatMap(ValueID.init(rawValue:)) else { return nil }
        var code = ""
        if d.count == 48 {
            for b in 0..<4 {
                let block = chars[(b * 12)..<(b * 12 + 11)].compactMap(\.wholeNumberValue)
                guard id.checkDigit(block) == chars[b * 12 + 11].wholeNumberValue else { return nil }
                code += String(chars[(b * 12)..<(b * 12 + 11)])
            }
        } else {
            code = d
        }
        var ints = code.compactMap(\.wholeNumberValue)
        let dv = ints.remove(at: 3)
        guard id.checkDigit(ints) == dv else { return nil }
        digits = code
    }

    public var valueID: ValueID { ValueID(rawValue: Array(digits)[2].wholeNumberValue!)! }

    /// The amount (value ids 6 and 8).
    public var amount: Money { Money(cents: Int64(digits.dropFirst(4).prefix(11))!) }
    public var company: String { String(digits.dropFirst(15).prefix(4)) }
    public var freeField: String { String(digits.suffix(25)) }

    /// The four blocks of 11 digits, each with its own check digit.
    public var blocks: [(digits: String, check: Int)] {
        let chars = Array(digits)
        return (0..<4).map { b in
            let block = chars[(b * 11)..<(b * 11 + 11)]
            return (String(block), valueID.checkDigit(block.compactMap(\.wholeNumberValue)))
        }
    }

    /// `82610000001-5 23450123202-4 61015123456-0 78900000001-6`.
    public var linhaDigitavel: String { blocks.map { "\($0.digits)-\($0.check)" }.joined(separator: " ") }

    /// The 48 digits of the line without punctuation.
    public var linhaDigits: String { blocks.map { "\($0.digits)\($0.check)" }.joined() }

    /// The free field this project uses: due date `AAAAMMDD` first (as FEBRABAN asks when the
    /// field carries one), then a document kind digit and the document number (16 digits).
    public static func freeField(due: CivilDate, kind: Int, number: Int64) -> String {
        precondition((0...9).contains(kind) && number >= 0)
        return due.iso.filter(\.isASCIIDigit) + String(kind) + String(number).leftPadded(to: 16)
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
