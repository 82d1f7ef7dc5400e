import API
import Barcodes
import Domain
import Foundation
import TUI

/// Draws a QR code in a terminal, dark modules as ink on the `qrCode` role's light background
/// (explicit colours: never inverted on a light theme). Half blocks put 1×2 modules in a cell
/// (square modules: a cell is twice as tall as wide); quadrant blocks put 2×2, half as wide, with
/// modules twice as tall as wide, which readers accept.
enum QRView {
    enum Style {
        case halfBlocks, quadrants
    }

    /// Cells a symbol takes, its quiet zone of `quiet` modules included.
    static func size(_ m: BarcodeMatrix, _ style: Style, quiet: Int) -> (columns: Int, rows: Int) {
        let n = m.columns + 2 * quiet
        return style == .halfBlocks ? (n, (n + 1) / 2) : ((n + 1) / 2, (n + 1) / 2)
    }

    static let halves: [Character] = [" ", "▀", "▄", "█"]
    /// Indexed by top-left 1, top-right 2, bottom-left 4, bottom-right 8.
    static let quadrants: [Character] = [" ", "▘", "▝", "▀", "▖", "▌", "▞", "▛", "▗", "▚", "▐", "▜", "▄", "▙", "▟", "█"]

    static func draw(_ m: BarcodeMatrix, style: Style, quiet: Int, into s: inout Surface, x: Int, y: Int) {
        let (columns, rows) = size(m, style, quiet: quiet)
        func dark(_ row: Int, _ col: Int) -> Int { m[row - quiet, col - quiet] ? 1 : 0 }
        for r in 0..<rows {
            var line = ""
            for c in 0..<columns {
                switch style {
                case .halfBlocks:
                    line.append(halves[dark(2 * r, c) | dark(2 * r + 1, c) << 1])
                case .quadrants:
                    let (top, bottom) = (2 * r, 2 * r + 1)
                    line.append(
                        quadrants[dark(top, 2 * c) | dark(top, 2 * c + 1) << 1 | dark(bottom, 2 * c) << 2 | dark(bottom, 2 * c + 1) << 3])
                }
            }
            s.put(line, x: x, y: y + r, role: .qrCode)
        }
    }
}

/// The PIX QR alone on the whole terminal, on a light canvas (so the quiet zone extends to the
/// screen's edges): half blocks when they fit, quadrant blocks otherwise (a 80×24 terminal).
/// The caption goes beside the code, or under it. Esc goes back.
public final class QRScreen: Screen {
    let payload: String
    let caption: String
    let matrix: BarcodeMatrix?

    init(payload: String, caption: String) {
        self.payload = payload
        self.caption = caption
        matrix = try? BarcodeMatrix.qr(payload, correction: .low)
    }

    public var title: String { "QR code do PIX" }
    public var fullScreen: Bool { true }
    public var commands: [Command] { [] }
    public func handle(_ event: Event, app: AppState) -> [Effect] { [] }

    /// The largest rendering that fits `area`: (style, quiet zone, cells).
    static func layout(_ m: BarcodeMatrix, in area: Rect) -> (style: QRView.Style, quiet: Int, columns: Int, rows: Int)? {
        for (style, quiet) in [(QRView.Style.halfBlocks, 2), (.quadrants, 2), (.quadrants, 1)] {
            let (c, r) = QRView.size(m, style, quiet: quiet)
            if c <= area.width, r <= area.height { return (style, quiet, c, r) }
        }
        return nil
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let text = [caption, "Aponte a câmera do aplicativo do banco para o código.", "Esc volta."]
        // The cursor where the words begin (a screen reader reads them; the code is for a camera).
        defer { s.cursor = s.cursor ?? (area.x + 2, area.y + 1) }
        guard let m = matrix, s.glyphs.unicodeText, let l = Self.layout(m, in: area) else {
            let why =
                s.glyphs.unicodeText
                ? "Terminal pequeno demais para o QR code: use o PIX copia e cola (Esc volta)."
                : "Este terminal não desenha o QR code: use o PIX copia e cola (Esc volta)."
            s.paragraph(why, x: area.x + 2, y: area.y + 1, width: area.width - 4, role: .warning)
            return
        }
        s.fill(area, role: .qrCode)
        for line in text { s.announce(line) }
        let besideWidth = area.width - l.columns - 4
        if besideWidth >= 24 {
            // Beside: the code on the left third, the words to its right, centred vertically.
            let x = area.x + max(0, (area.width - l.columns - besideWidth) / 2)
            let y = area.y + (area.height - l.rows) / 2
            QRView.draw(m, style: l.style, quiet: l.quiet, into: &s, x: x, y: y)
            let lines = text.flatMap { TextLayout.wrap($0, width: besideWidth) + [""] }
            var ty = area.y + max(0, (area.height - lines.count) / 2)
            s.cursor = (x + l.columns + 3, ty)
            for line in lines {
                s.put(line, x: x + l.columns + 3, y: ty, role: .qrCode)
                ty += 1
            }
        } else {
            let lines = text.flatMap { TextLayout.wrap($0, width: area.width - 2) }
            let room = area.height - l.rows
            let x = area.x + (area.width - l.columns) / 2
            let y = area.y + max(0, (room - min(room, lines.count)) / 2)
            QRView.draw(m, style: l.style, quiet: l.quiet, into: &s, x: x, y: y)
            if room > 0, let first = lines.first { s.cursor = (area.x + max(0, (area.width - CharWidth.of(first)) / 2), y + l.rows) }
            for (i, line) in lines.prefix(room).enumerated() {
                s.put(line, x: area.x + max(0, (area.width - CharWidth.of(line)) / 2), y: y + l.rows + i, role: .qrCode)
            }
        }
    }
}
