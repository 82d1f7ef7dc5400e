import CZint

/// The module matrix of a barcode symbol, encoded by libzint (no hand-written encoder): rows ×
/// columns of dark/light modules, ready to be drawn on paper (cairo) or in a terminal (half blocks).
public struct BarcodeMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    private let bits: [Bool]

    public subscript(row: Int, column: Int) -> Bool {
        guard row >= 0, row < rows, column >= 0, column < columns else { return false }
        return bits[row * columns + column]
    }

    public enum Failure: Error, CustomStringConvertible {
        case encoder(String)
        public var description: String {
            switch self {
            case .encoder(let m): return "Falha ao gerar o código de barras: \(m)"
            }
        }
    }

    /// A QR code (error correction level M) for `text`.
    /// Error correction of a QR code: M for paper (smudges, folds), L for a screen (the
    /// smallest symbol, so it fits a 80×24 terminal).
    public enum Correction: Int32, Sendable {
        case low = 1
        case medium = 2
    }

    public static func qr(_ text: String, correction: Correction = .medium) throws -> BarcodeMatrix {
        try encode(text, symbology: BARCODE_QRCODE) { $0.pointee.option_1 = correction.rawValue }
    }

    /// Interleaved 2 of 5 for an even number of digits: narrow 1 module, wide 3 (the FEBRABAN
    /// ratio), no check digit of its own. One row: the bars.
    public static func interleaved2of5(_ digits: String) throws -> BarcodeMatrix {
        guard !digits.isEmpty, digits.count % 2 == 0, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw Failure.encoder("ITF requer um número par de dígitos")
        }
        return try encode(digits, symbology: BARCODE_C25INTER) { _ in }
    }

    private static func encode(
        _ text: String, symbology: Int32, configure: (UnsafeMutablePointer<zint_symbol>) -> Void
    ) throws -> BarcodeMatrix {
        guard let symbol = ZBarcode_Create() else { throw Failure.encoder("sem memória") }
        defer { ZBarcode_Delete(symbol) }
        symbol.pointee.symbology = symbology
        symbol.pointee.input_mode = Int32(DATA_MODE)
        configure(symbol)
        let bytes = Array(text.utf8)
        let rc = bytes.withUnsafeBufferPointer { ZBarcode_Encode(symbol, $0.baseAddress, Int32($0.count)) }
        guard rc < ZINT_ERROR else {
            let message = withUnsafeBytes(of: symbol.pointee.errtxt) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            throw Failure.encoder(message)
        }
        let rows = Int(symbol.pointee.rows)
        let columns = Int(symbol.pointee.width)
        var bits = [Bool](repeating: false, count: rows * columns)
        for r in 0..<rows {
            for c in 0..<columns { bits[r * columns + c] = agc_zint_module(symbol, Int32(r), Int32(c)) != 0 }
        }
        return BarcodeMatrix(rows: rows, columns: columns, bits: bits)
    }
}
