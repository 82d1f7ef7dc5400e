import Foundation

/// A static PIX BR Code (Banco Central, *Manual de Padrões para Iniciação do Pix*): the
/// "copia e cola" text, also drawn as a QR code. DOMAIN.md lists the fields.
public struct PixBRCode: Hashable, Sendable {
    public let payload: String

    public enum Problem: Error, Equatable, Sendable {
        case key, txid, tooLong, corrupted
    }

    /// `name` and `city` are folded to ASCII upper case and cut to 25 and 15 characters; `txid`
    /// must be 1…25 letters and digits (it identifies the document).
    public init(key: String, name: String, city: String, amount: Money?, txid: String) throws {
        guard !key.isEmpty, key.utf8.count <= 77 else { throw Problem.key }
        guard (1...25).contains(txid.count), txid.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw Problem.txid
        }
        var merchant = Self.field("00", "br.gov.bcb.pix") + Self.field("01", key)
        merchant = Self.field("26", merchant)
        var s = Self.field("00", "01") + merchant + Self.field("52", "0000") + Self.field("53", "986")
        if let amount, amount.cents > 0 { s += Self.field("54", Self.decimal(amount)) }
        s += Self.field("58", "BR")
        s += Self.field("59", String(Self.fold(name).prefix(25)))
        s += Self.field("60", String(Self.fold(city).prefix(15)))
        s += Self.field("62", Self.field("05", txid))
        s += "6304"
        s += Self.crcHex(s)
        guard s.utf8.count <= 512 else { throw Problem.tooLong }
        payload = s
    }

    /// A payload stored earlier (checked: its fields and CRC must be intact).
    public init(storedPayload: String) throws {
        guard Self.fields(of: storedPayload) != nil else { throw Problem.corrupted }
        payload = storedPayload
    }

    /// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), as 4 upper-case hex digits.
    public static func crcHex(_ text: String) -> String {
        var crc: UInt16 = 0xFFFF
        for byte in text.utf8 {
            crc ^= UInt16(byte) << 8
            for _ in 0..<8 { crc = crc & 0x8000 != 0 ? (crc << 1) ^ 0x1021 : crc << 1 }
        }
        let hex = String(crc, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - hex.count) + hex
    }

    /// Reads the top-level fields of a payload (ids to values), checking lengths and the CRC.
    public static func fields(of payload: String) -> [String: String]? {
        guard payload.count > 8, payload.hasSuffix(crcHex(String(payload.dropLast(4)))) else { return nil }
        var out: [String: String] = [:]
        var rest = Substring(payload)
        while !rest.isEmpty {
            guard rest.count >= 4, let len = Int(rest.dropFirst(2).prefix(2)), rest.count >= 4 + len else { return nil }
            out[String(rest.prefix(2))] = String(rest.dropFirst(4).prefix(len))
            rest = rest.dropFirst(4 + len)
        }
        return out
    }

    static func field(_ id: String, _ value: String) -> String {
        let n = value.utf8.count
        return id + (n < 10 ? "0" : "") + String(n) + value
    }

    static func decimal(_ m: Money) -> String {
        let c = m.cents % 100
        return "\(m.cents / 100).\(c < 10 ? "0" : "")\(c)"
    }

    /// Upper-case ASCII without accents (`São Cristóvão` → `SAO CRISTOVAO`).
    static func fold(_ s: String) -> String {
        String(
            String.UnicodeScalarView(
                s.decomposedStringWithCanonicalMapping.unicodeScalars.filter {
                    $0.isASCII && !$0.properties.isGraphemeExtend && $0.value >= 0x20
                }
            )
        ).uppercased()
    }
}
