import Barcodes
import CCairo
import Domain
import Foundation

/// Renders payable documents as A4 PDF with cairo: header, customer and property, bill lines,
/// due date and total, then the payment slip with the FEBRABAN barcode (Interleaved 2 of 5,
/// narrow bar 0,254 mm, 1:3) and its linha digitável, and the PIX QR with its "copia e cola".
public enum PDFRenderer {
    public enum Failure: Error, CustomStringConvertible {
        case cairo(String)
        public var description: String {
            switch self {
            case .cairo(let m): return "Falha ao gerar o PDF: \(m)"
            }
        }
    }

    static let mm = 72.0 / 25.4
    static let pageWidth = 210.0 * mm
    static let pageHeight = 297.0 * mm
    static let margin = 15.0 * mm

    /// The most bill lines one page holds (the API refuses larger statements).
    public static let maxLines = 30

    public static func render(_ doc: PayableDocument) throws -> Data {
        guard doc.lines.count <= maxLines else { throw Failure.cairo("mais de \(maxLines) contas num documento") }
        let itf = try BarcodeMatrix.interleaved2of5(doc.barcode.digits)
        let qr = try BarcodeMatrix.qr(doc.pix.payload)
        return try page(title: "\(doc.kind.title) \(doc.number)") { $0.draw(doc, itf: itf, qr: qr) }
    }

    /// The carnê: the terms on the first page (unless `termsPage` is false: a second copy of
    /// some slips), then the slips, three to a page.
    public static func render(_ carne: Carne, termsPage: Bool = true) throws -> Data {
        guard !carne.slips.isEmpty, carne.slips.count <= 360 else { throw Failure.cairo("carnê sem parcelas") }
        let codes = try carne.slips.map { (try BarcodeMatrix.interleaved2of5($0.barcode.digits), try BarcodeMatrix.qr($0.pix.payload)) }
        let slipPages = (carne.slips.count + Carne.slipsPerPage - 1) / Carne.slipsPerPage
        let first = termsPage ? 1 : 0
        return try pages(title: carne.title, count: first + slipPages) { page, i in
            if i < first {
                page.drawTerms(carne)
                return
            }
            let start = (i - first) * Carne.slipsPerPage
            for k in start..<min(carne.slips.count, start + Carne.slipsPerPage) {
                page.drawSlip(carne, carne.slips[k], itf: codes[k].0, qr: codes[k].1, at: margin + Double(k - start) * 89 * mm)
            }
        }
    }

    public static func render(_ c: CertidaoDocument) throws -> Data {
        let qr = try BarcodeMatrix.qr(c.seal)
        return try page(title: "\(c.title) \(c.number)") { $0.draw(c, qr: qr) }
    }

    public static func render(_ d: DeclaracaoDocument) throws -> Data {
        guard d.lines.count <= 36 else { throw Failure.cairo("mais de 36 contas num ano") }
        return try page(title: d.title) { $0.draw(d) }
    }

    public static func render(_ receipt: CardReceipt) throws -> Data {
        guard receipt.lines.count <= maxLines else { throw Failure.cairo("mais de \(maxLines) contas num documento") }
        return try page(title: "Comprovante \(receipt.reference)") { $0.draw(receipt) }
    }

    public static func render(_ receipt: ProtocolReceipt) throws -> Data {
        try page(title: "Protocolo \(receipt.number)") { $0.draw(receipt) }
    }

    /// One A4 page drawn by `draw`, as PDF.
    static func page(title: String, _ draw: (inout Page) -> Void) throws -> Data {
        try pages(title: title, count: 1) { page, _ in draw(&page) }
    }

    /// `count` A4 pages, page `i` drawn by `draw(&page, i)`, as one PDF.
    static func pages(title: String, count: Int, _ draw: (inout Page, Int) -> Void) throws -> Data {
        try pdf(title: title, width: pageWidth, height: pageHeight) { _, cr in
            for i in 0..<max(1, count) {
                var page = Page(cr: cr)
                draw(&page, i)
                cairo_show_page(cr)
            }
        }
    }

    /// A PDF written by cairo: `body` draws on the surface (pages of `width` × `height` points
    /// unless it sets others) through its context and shows each page.
    static func pdf(title: String?, width: Double, height: Double, _ body: (OpaquePointer, OpaquePointer) throws -> Void) throws -> Data {
        let sink = Sink()
        let unmanaged = Unmanaged.passRetained(sink)
        defer { unmanaged.release() }
        guard
            let surface = cairo_pdf_surface_create_for_stream(
                { closure, data, length in
                    guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
                    Unmanaged<Sink>.fromOpaque(closure).takeUnretainedValue().data.append(data, count: Int(length))
                    return CAIRO_STATUS_SUCCESS
                }, unmanaged.toOpaque(), width, height)
        else { throw Failure.cairo("superfície") }
        defer { cairo_surface_destroy(surface) }
        if let title { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title) }
        cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "Agência Virtual")
        guard let cr = cairo_create(surface) else { throw Failure.cairo("contexto") }
        do {
            try body(surface, cr)
        } catch {
            cairo_destroy(cr)
            throw error
        }
        let status = cairo_status(cr)
        cairo_destroy(cr)
        cairo_surface_finish(surface)
        let surfaceStatus = cairo_surface_status(surface)
        guard status == CAIRO_STATUS_SUCCESS, surfaceStatus == CAIRO_STATUS_SUCCESS else {
            throw Failure.cairo(String(cString: cairo_status_to_string(status == CAIRO_STATUS_SUCCESS ? surfaceStatus : status)))
        }
        return sink.data
    }

    final class Sink { var data = Data() }

    struct Page {
        let cr: OpaquePointer
        var y = margin

        enum Font { case regular, bold, mono, monoBold }

        func font(_ f: Font, _ size: Double) {
            let family = (f == .mono || f == .monoBold) ? "DejaVu Sans Mono" : "DejaVu Sans"
            let weight = (f == .bold || f == .monoBold) ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL
            cairo_select_font_face(cr, family, CAIRO_FONT_SLANT_NORMAL, weight)
            cairo_set_font_size(cr, size)
        }

        func width(_ s: String) -> Double {
            var e = cairo_text_extents_t()
            cairo_text_extents(cr, s, &e)
            return e.x_advance
        }

        func text(_ s: String, x: Double, y: Double, align: Double = 0) {
            cairo_move_to(cr, x - width(s) * align, y)
            cairo_show_text(cr, s)
        }

        func rule(_ y: Double, dashed: Bool = false) {
            cairo_save(cr)
            if dashed {
                var dash = [4.0, 3.0]
                cairo_set_dash(cr, &dash, 2, 0)
            }
            cairo_set_line_width(cr, 0.6)
            cairo_move_to(cr, margin, y)
            cairo_line_to(cr, pageWidth - margin, y)
            cairo_stroke(cr)
            cairo_restore(cr)
        }

        /// Draws a module matrix with its top-left corner at (x, y): a one-bit image of one pixel
        /// per module, scaled without smoothing, which the PDF carries as a stencil mask (a few
        /// hundred bytes; a rectangle per run of dark modules made a QR code 30 KB of
        /// coordinates to print and compress, two thirds of a document's time).
        func modules(_ m: BarcodeMatrix, x: Double, y: Double, moduleWidth: Double, moduleHeight: Double) {
            guard let image = cairo_image_surface_create(CAIRO_FORMAT_A1, Int32(m.columns), Int32(m.rows)) else { return }
            defer { cairo_surface_destroy(image) }
            cairo_surface_flush(image)
            let stride = Int(cairo_image_surface_get_stride(image))
            guard let pixels = cairo_image_surface_get_data(image) else { return }
            for r in 0..<m.rows {
                for c in 0..<m.columns where m[r, c] {
                    // A1 pixels are bits of 32-bit words in native order: little-endian here.
                    pixels[r * stride + c / 8] |= UInt8(1) << (c % 8)
                }
            }
            cairo_surface_mark_dirty(image)
            guard let pattern = cairo_pattern_create_for_surface(image) else { return }
            defer { cairo_pattern_destroy(pattern) }
            cairo_pattern_set_filter(pattern, CAIRO_FILTER_NEAREST)
            cairo_save(cr)
            cairo_translate(cr, x, y)
            cairo_scale(cr, moduleWidth, moduleHeight)
            cairo_mask(cr, pattern)
            cairo_restore(cr)
        }

        mutating func draw(_ doc: PayableDocument, itf: BarcodeMatrix, qr: BarcodeMatrix) {
            let left = margin
            let right = pageWidth - margin
            header(doc.issuer, title: doc.kind.title, detail: "Nº \(doc.number) · emitido em \(doc.issuedOn.formatted)")
            // Customer and property.
            y += 16
            let fields: [(String, String)] = [
                ("Cliente", doc.customerName), ("CPF/CNPJ", doc.customerDocument), ("Matrícula", doc.matricula),
                ("Categoria", doc.categoria), ("Endereço", doc.address),
            ]
            for (i, (label, value)) in fields.enumerated() {
                let col = i % 2 == 0 || i == 4 ? left : left + 300
                if i % 2 == 0 && i > 0 { y += 14 }
                font(.bold, 9)
                text("\(label):", x: col, y: y)
                font(.regular, 9)
                text(value, x: col + 58, y: y)
            }
            y += 12
            rule(y)
            // Bill lines.
            y += 16
            let columns: [(String, Double, Double)] = [
                ("Referência", left, 0), ("Vencimento", left + 70, 0), ("Consumo", left + 175, 1), ("Valor", left + 250, 1),
                ("Multa", left + 310, 1), ("Juros", left + 365, 1), ("Correção", left + 425, 1), ("Total", right, 1),
            ]
            // Rows shrink (down to 8 pt) so that up to `maxLines` bills fit above the slip.
            let slipTop = pageHeight - margin - 100 * mm
            font(.regular, 8)
            let notes = doc.notes.flatMap { wordWrap($0) { width($0) <= right - left } }
            let room = slipTop - y - 40 - 12 * Double(notes.count)
            let rowHeight = min(13, room / Double(max(doc.lines.count, 1)))
            font(.bold, 8.5)
            for (title, x, a) in columns { text(title, x: x, y: y, align: a) }
            font(.regular, min(8.5, rowHeight * 0.8))
            for line in doc.lines {
                y += rowHeight
                let c = line.charges
                let values = [
                    line.reference, line.due.formatted, line.consumptionM3.map { "\($0) m³" } ?? "—",
                    c.original.formatted, c.fine.formatted, c.interest.formatted, c.correction.formatted, c.total.formatted,
                ]
                for (v, col) in zip(values, columns) { text(v, x: col.1, y: y, align: col.2) }
            }
            y += 8
            rule(y)
            y += 18
            font(.bold, 11)
            text("Vencimento: \(doc.due.formatted)", x: left, y: y)
            text("Total a pagar: \(doc.total.formatted)", x: right, y: y, align: 1)
            font(.regular, 8)
            for note in notes {
                y += 12
                text(note, x: left, y: y)
            }
            // Payment slip, at the bottom of the page.
            y = slipTop
            rule(y, dashed: true)
            font(.regular, 7)
            text("✂ corte aqui — via de pagamento", x: left, y: y - 3)
            y += 16
            font(.bold, 10)
            text("\(doc.issuer.name) · \(doc.kind.title) nº \(doc.number) · Matrícula \(doc.matricula)", x: left, y: y)
            y += 16
            font(.regular, 9)
            text("Vencimento \(doc.due.formatted)    Valor \(doc.total.formatted)", x: left, y: y)
            y += 20
            font(.monoBold, 11.5)
            text(doc.barcode.linhaDigitavel, x: left, y: y)
            // FEBRABAN: narrow bar 0,254 mm, height 13 mm, quiet zones left and right.
            y += 10
            let narrow = 0.254 * mm
            modules(itf, x: left + 5 * mm, y: y, moduleWidth: narrow, moduleHeight: 13 * mm)
            y += 13 * mm + 18
            // PIX.
            let qrModule = 0.75 * mm
            let qrSize = Double(qr.columns) * qrModule
            let qrTop = y
            modules(qr, x: left + 4 * qrModule, y: qrTop + 4 * qrModule, moduleWidth: qrModule, moduleHeight: qrModule)
            let textX = left + qrSize + 14 * mm
            font(.bold, 10)
            text("Pague com PIX", x: textX, y: qrTop + 12)
            font(.regular, 8)
            text("Leia o QR code no app do seu banco, ou use o PIX copia e cola:", x: textX, y: qrTop + 26)
            font(.mono, 7.5)
            var ty = qrTop + 40
            for l in wordWrap(doc.pix.payload, fits: { width($0) <= right - textX }) {
                text(l, x: textX, y: ty)
                ty += 10
            }
        }

        mutating func drawTerms(_ c: Carne) {
            let (left, right) = (margin, pageWidth - margin)
            header(c.issuer, title: "Carnê", detail: c.title)
            y += 18
            let fields: [(String, String)] = [
                ("Titular", c.customerName), ("CPF/CNPJ", c.customerDocument), ("Matrícula", c.matricula), ("Endereço", c.address),
            ]
            labelled(fields, valueAt: left + 70, size: 9, step: 14)
            y += 6
            rule(y)
            y += 18
            font(.bold, 11)
            text("Termos do acordo", x: left, y: y)
            font(.regular, 9)
            for paragraph in c.terms {
                y += 6
                for line in wordWrap(paragraph, fits: { width($0) <= right - left }) {
                    y += 12
                    text(line, x: left, y: y)
                }
            }
        }

        /// One slip, 89 mm tall from `top`: what it pays, the linha digitável, the ITF barcode
        /// and the PIX QR beside the amounts.
        mutating func drawSlip(_ c: Carne, _ s: Carne.Slip, itf: BarcodeMatrix, qr: BarcodeMatrix, at top: Double) {
            let left = margin
            y = top
            rule(y, dashed: true)
            font(.regular, 7)
            text("✂ corte aqui", x: left, y: y - 3)
            y += 16
            font(.bold, 10)
            text("\(c.issuer.name) · \(c.title)", x: left, y: y)
            y += 15
            font(.bold, 12)
            text(s.label, x: left, y: y)
            y += 15
            font(.regular, 9)
            text("Matrícula \(c.matricula) · \(c.customerName)", x: left, y: y)
            y += 13
            font(.bold, 10)
            text("Vencimento \(s.due.formatted)    Valor \(s.amount.formatted)", x: left, y: y)
            y += 18
            font(.monoBold, 10.5)
            text(s.barcode.linhaDigitavel, x: left, y: y)
            y += 8
            modules(itf, x: left + 5 * mm, y: y, moduleWidth: 0.254 * mm, moduleHeight: 13 * mm)
            // PIX QR at the right of the slip, level with the title.
            let qrModule = 0.6 * mm
            let qrSize = Double(qr.columns + 8) * qrModule
            modules(qr, x: pageWidth - margin - qrSize + 4 * qrModule, y: top + 10, moduleWidth: qrModule, moduleHeight: qrModule)
            font(.regular, 7)
            text("PIX", x: pageWidth - margin - qrSize / 2, y: top + 10 + qrSize + 4, align: 0.5)
        }

        mutating func draw(_ c: CertidaoDocument, qr: BarcodeMatrix) {
            let (left, right) = (margin, pageWidth - margin)
            header(c.issuer, title: "Certidão", detail: "Nº \(c.number) · emitida em \(c.issuedOn.formatted)")
            y += 30
            font(.bold, 14)
            text(c.title, x: pageWidth / 2, y: y, align: 0.5)
            y += 24
            let fields: [(String, String)] = [
                ("Titular", c.holderName), ("CPF/CNPJ", c.holderDocument), ("Matrícula", c.matricula), ("Endereço", c.address),
            ]
            labelled(fields, valueAt: left + 80, size: 10, step: 16)
            y += 8
            font(.regular, 10.5)
            for line in wordWrap(c.statement, fits: { width($0) <= right - left }) {
                y += 15
                text(line, x: left, y: y)
            }
            y += 30
            font(.bold, 10.5)
            text("Válida até \(c.validUntil.formatted).", x: left, y: y)
            y += 30
            rule(y)
            y += 24
            font(.regular, 10)
            text("Código de verificação", x: left, y: y)
            y += 20
            font(.monoBold, 16)
            text(c.code, x: left, y: y)
            y += 18
            font(.regular, 9)
            for line in wordWrap(c.howToVerify, fits: { width($0) <= right - left }) {
                y += 12
                text(line, x: left, y: y)
            }
            // The signed seal, for checking without a connection.
            y += 24
            let module = 0.5 * mm
            modules(qr, x: left + 4 * module, y: y + 4 * module, moduleWidth: module, moduleHeight: module)
            let textX = left + Double(qr.columns + 8) * module + 6 * mm
            font(.regular, 8)
            let note =
                "O QR traz o conteúdo desta certidão assinado digitalmente (Ed25519) pela companhia: confira-o sem conexão com "
                + "agencia-server certidao verify e a chave pública publicada."
            var ty = y + 14
            for line in wordWrap(note, fits: { width($0) <= right - textX }) {
                text(line, x: textX, y: ty)
                ty += 11
            }
        }

        mutating func draw(_ d: DeclaracaoDocument) {
            let (left, right) = (margin, pageWidth - margin)
            header(d.issuer, title: "Quitação anual", detail: "Nº \(d.number) · emitida em \(d.issuedOn.formatted)")
            y += 28
            font(.bold, 13)
            text("Declaração Anual de Quitação de Débitos", x: pageWidth / 2, y: y, align: 0.5)
            y += 16
            font(.bold, 11)
            text("Ano base: \(d.year)", x: pageWidth / 2, y: y, align: 0.5)
            y += 22
            labelled(
                [("Titular", d.holderName), ("CPF/CNPJ", d.holderDocument), ("Matrícula", d.matricula), ("Endereço", d.address)],
                valueAt: left + 80, size: 10, step: 15)
            y += 4
            font(.regular, 10)
            for line in wordWrap(DeclaracaoAnual.statement(year: d.year), fits: { width($0) <= right - left }) {
                y += 14
                text(line, x: left, y: y)
            }
            y += 12
            rule(y)
            y += 16
            let columns: [(String, Double, Double)] = [
                ("Fatura", left, 0), ("Situação", left + 80, 0), ("Data da situação", left + 300, 0), ("Valor", right, 1),
            ]
            font(.bold, 9)
            for (title, x, a) in columns { text(title, x: x, y: y, align: a) }
            font(.regular, 9)
            for l in d.lines {
                y += 13
                for (v, col) in zip([l.competencia.formatted, l.situacao, l.paidOn.formatted, l.amount.formatted], columns) {
                    text(v, x: col.1, y: y, align: col.2)
                }
            }
            y += 8
            rule(y)
            y += 15
            font(.bold, 10)
            text("Total pago no ano", x: left, y: y)
            text(d.total.formatted, x: right, y: y, align: 1)
            y += 26
            font(.regular, 8.5)
            paragraph(DeclaracaoAnual.lawParagraph, lineHeight: 11)
        }

        /// `Label: value` lines, the label bold at the margin, the value at `valueAt`.
        mutating func labelled(_ fields: [(String, String)], valueAt x: Double, size: Double, step: Double) {
            for (label, value) in fields {
                font(.bold, size)
                text("\(label):", x: margin, y: y)
                font(.regular, size)
                text(value, x: x, y: y)
                y += step
            }
        }

        /// The header every document has: the utility, the title, the number and date line.
        mutating func header(_ issuer: PayableDocument.Issuer, title: String, detail: String) {
            let (left, right) = (margin, pageWidth - margin)
            cairo_set_source_rgb(cr, 0, 0, 0)
            font(.bold, 15)
            text(issuer.name, x: left, y: y + 12)
            font(.bold, 13)
            text(title, x: right, y: y + 12, align: 1)
            font(.regular, 8)
            text("CNPJ \(issuer.cnpj) · \(issuer.address)", x: left, y: y + 26)
            text(issuer.contact, x: left, y: y + 36)
            text(detail, x: right, y: y + 26, align: 1)
            y += 46
            rule(y)
        }

        /// `text` word-wrapped across the page's width, each line written at `y`, then `y` moves
        /// down by `lineHeight`.
        mutating func paragraph(_ text: String, lineHeight: Double) {
            let (left, right) = (margin, pageWidth - margin)
            for line in wordWrap(text, fits: { width($0) <= right - left }) {
                self.text(line, x: left, y: y)
                y += lineHeight
            }
        }

        mutating func draw(_ r: ProtocolReceipt) {
            let left = margin
            header(r.issuer, title: "Comprovante de protocolo", detail: "Registrado em \(r.openedAt)")
            y += 30
            font(.regular, 11)
            text("Número do protocolo", x: left, y: y)
            y += 26
            font(.bold, 24)
            text(r.number, x: left, y: y)
            y += 24
            labelled([("Assunto", r.typeName), ("Resposta", r.deadline ?? "no prazo do tipo de pedido")], valueAt: left + 90, size: 10, step: 16)
            if let secret = r.secret {
                y += 18
                font(.regular, 11)
                text("Código secreto (manifestação anônima)", x: left, y: y)
                y += 26
                font(.bold, 22)
                text(secret, x: left, y: y)
                y += 20
                font(.regular, 9)
                paragraph(
                    "Guarde este papel: só o número e este código permitem acompanhar a manifestação, e o código não é mostrado de novo. Ninguém precisa saber quem você é.",
                    lineHeight: 12)
            }
            y += 18
            font(.regular, 9)
            let how =
                r.secret == nil
                ? "Acompanhe pelo número e o CPF/CNPJ de quem pediu: num terminal de autoatendimento (F8, Protocolo), com um atendente ou, com login, em Meus protocolos."
                : "Acompanhe pelo número e o código: num terminal de autoatendimento (F8, Protocolo)."
            paragraph(how, lineHeight: 12)
        }

        mutating func draw(_ r: CardReceipt) {
            let (left, right) = (margin, pageWidth - margin)
            header(r.issuer, title: "Comprovante de pagamento", detail: "Referência \(r.reference)")
            y += 22
            font(.bold, 11)
            text("Pagamento com cartão aprovado em \(r.approvedAt)", x: left, y: y)
            y += 20
            let fields: [(String, String)] = [
                ("Operadora", r.companyName), ("Referência da operadora", r.companyReference ?? "—"), ("Cliente", r.customerName),
                ("CPF/CNPJ", r.customerDocument), ("Matrícula", r.matricula), ("Endereço", r.address),
            ]
            labelled(fields, valueAt: left + 120, size: 9, step: 14)
            y += 4
            rule(y)
            y += 16
            font(.bold, 8.5)
            text("Referência", x: left, y: y)
            text("Vencimento", x: left + 90, y: y)
            text("Valor pago", x: right, y: y, align: 1)
            font(.regular, 8.5)
            for l in r.lines {
                y += 13
                text(l.competencia.formatted, x: left, y: y)
                text(l.due.formatted, x: left + 90, y: y)
                text(l.amount.formatted, x: right, y: y, align: 1)
            }
            y += 8
            rule(y)
            for (label, value, bold) in [
                ("Contas (atualizadas até o pagamento)", r.amount, false), ("Taxa da operadora", r.fee, false),
                ("Total cobrado no cartão", r.total, true),
            ] {
                y += 16
                font(bold ? .bold : .regular, bold ? 11 : 9)
                text(label, x: left, y: y)
                text(value.formatted, x: right, y: y, align: 1)
            }
            y += 24
            font(.regular, 8)
            let note =
                "As contas acima estão quitadas. O valor no cartão e o parcelamento, se houver, são da operadora: dúvidas sobre a fatura do cartão, com ela, informando a referência da operadora. Guarde este comprovante."
            paragraph(note, lineHeight: 11)
        }
    }
}
