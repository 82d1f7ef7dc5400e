import API
import Barcodes
import Domain
import Foundation
import TUI

/// Draws a QR code with half blocks (two modules per character cell, quiet zone of 2).
enum QRView {
    static let quiet = 2

    static func draw(_ m: BarcodeMatrix, into s: inout Surface, x: Int, y: Int) {
        let size = m.columns + 2 * quiet
        var row = 0
        while row < size {
            var line = ""
            for col in 0..<size {
                let top = m[row - quiet, col - quiet]
                let bottom = row + 1 < size ? m[row + 1 - quiet, col - quiet] : false
                // Dark modules print as spaces on a light background: the QR reads as dark-on-light.
                switch (top, bottom) {
                case (false, false): line.append(s.glyphs.blockFull)
                case (true, false): line.append(s.glyphs.blockLower)
                case (false, true): line.append(s.glyphs.blockUpper)
                case (true, true): line.append(" ")
                }
            }
            s.put(line, x: x, y: y + row / 2, role: .normal)
            row += 2
        }
    }
}

/// The PIX QR alone, as large as the terminal allows.
public final class QRScreen: Screen {
    let payload: String
    let caption: String
    let matrix: BarcodeMatrix?

    init(payload: String, caption: String) {
        self.payload = payload
        self.caption = caption
        matrix = try? BarcodeMatrix.qr(payload)
    }

    public var title: String { "QR code do PIX" }
    public var commands: [Command] { [] }
    public func handle(_ event: Event, app: AppState) -> [Effect] { [] }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        guard let m = matrix, s.glyphs.unicodeText else {
            s.put("Este terminal não desenha o QR code: use o PIX copia e cola.", x: area.x + 2, y: area.y + 1, role: .warning)
            return
        }
        let cols = m.columns + 2 * QRView.quiet
        let rows = (cols + 1) / 2
        guard cols <= area.width, rows <= area.height - 1 else {
            s.put("Terminal pequeno demais para o QR code (\(cols)×\(rows + 1)).", x: area.x + 2, y: area.y + 1, role: .warning)
            return
        }
        QRView.draw(m, into: &s, x: area.x + (area.width - cols) / 2, y: area.y)
        s.put(caption, x: area.x + max(0, (area.width - CharWidth.of(caption)) / 2), y: area.y + rows, role: .title)
    }
}
