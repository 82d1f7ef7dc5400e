extension Sequence<UInt8> {
    /// Lower-case hexadecimal, two digits per byte (digests and MACs as they are stored).
    /// Written out by hand: `String(format:)` per byte cost 3 % of a request's CPU (issue 15).
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        for b in self {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
