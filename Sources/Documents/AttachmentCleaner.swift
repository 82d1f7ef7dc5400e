import CCairo
import CPNG
import CPoppler
import CTurboJPEG
import Domain
import Foundation

/// What the server stores of an attached file (issue 27, finding 9): the file is read by the
/// library that knows its format, and what is kept is what that library made of it — never the
/// bytes as sent. A PDF is drawn again by poppler onto a new cairo PDF (only what a page shows
/// survives: no JavaScript, no /Launch or other actions, no embedded files, no forms, nothing
/// appended); a PNG is decoded and encoded again by libpng (no text chunks, nothing after IEND);
/// a JPEG is entropy-decoded in full by libjpeg-turbo (a cut or corrupt file is refused) and then
/// copied losslessly without its extra markers (no EXIF location, no comments, nothing after
/// EOI). Anything the library cannot read is refused with a reason a person understands.
public enum AttachmentCleaner {
    /// The most pixels an image may have (A4 at 600 dpi has 35 million), and the most pages of
    /// a PDF: a small file cannot become gigabytes once decoded.
    public static let maxPixels = 50_000_000
    public static let maxPages = 200

    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    /// The file to store in place of `content`, which sniffed as `kind`, or why it is refused.
    public static func clean(_ content: Data, as kind: AttachmentKind, name: String) throws -> Data {
        do {
            switch kind {
            case .pdf: return try pdf(content)
            case .png: return try png(content)
            case .jpeg: return try jpeg(content)
            }
        } catch Fault.damaged {
            throw Refusal(message: "O arquivo \(name) não é um \(kind.label) válido (danificado ou incompleto): digitalize-o de novo.")
        } catch Fault.encrypted {
            throw Refusal(message: "O arquivo \(name) está protegido por senha: anexe uma cópia sem senha.")
        } catch Fault.pages(let n) {
            throw Refusal(
                message: n == 0
                    ? "O arquivo \(name) não tem nenhuma página."
                    : "O arquivo \(name) tem \(n) páginas; o limite é \(maxPages) por anexo.")
        } catch Fault.pixels(let w, let h) {
            throw Refusal(
                message: "A imagem \(name) tem \(w)×\(h) pixels; o limite é \(maxPixels / 1_000_000) megapixels: digitalize-a com menos resolução.")
        } catch {
            throw Refusal(message: "O arquivo \(name) não pôde ser lido: \(error)")
        }
    }

    enum Fault: Error { case damaged, encrypted, pages(Int), pixels(Int, Int) }

    // MARK: PDF

    static func pdf(_ content: Data) throws -> Data {
        var error: UnsafeMutablePointer<GError>?
        let bytes = content.withUnsafeBytes { g_bytes_new($0.baseAddress, gsize($0.count)) }
        defer { g_bytes_unref(bytes) }
        guard let document = poppler_document_new_from_bytes(bytes, nil, &error) else {
            let encrypted = error.map { $0.pointee.domain == poppler_error_quark() && $0.pointee.code == Int32(POPPLER_ERROR_ENCRYPTED.rawValue) }
            g_clear_error(&error)
            throw encrypted == true ? Fault.encrypted : Fault.damaged
        }
        defer { g_object_unref(UnsafeMutableRawPointer(document)) }
        let count = Int(poppler_document_get_n_pages(document))
        guard count > 0, count <= maxPages else { throw Fault.pages(count) }
        do {
            return try PDFRenderer.pdf(title: nil, width: 595, height: 842) { surface, cr in
                for i in 0..<count {
                    guard let page = poppler_document_get_page(document, Int32(i)) else { throw Fault.damaged }
                    defer { g_object_unref(UnsafeMutableRawPointer(page)) }
                    var width = 0.0
                    var height = 0.0
                    poppler_page_get_size(page, &width, &height)
                    guard width > 0, height > 0 else { throw Fault.damaged }
                    cairo_pdf_surface_set_size(surface, width, height)
                    cairo_save(cr)
                    poppler_page_render_for_printing(page, cr)
                    cairo_restore(cr)
                    cairo_show_page(cr)
                }
            }
        } catch is PDFRenderer.Failure {
            throw Fault.damaged
        }
    }

    // MARK: PNG

    static func png(_ content: Data) throws -> Data {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        let began = content.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        guard began != 0 else { throw Fault.damaged }
        let (width, height) = (Int(image.width), Int(image.height))
        guard width * height <= maxPixels else { throw Fault.pixels(width, height) }
        // 8 bits per channel, gray or colour, with alpha when the file has it.
        image.format &= UInt32(PNG_FORMAT_FLAG_ALPHA | PNG_FORMAT_FLAG_COLOR)
        let channels = 1 + (image.format & UInt32(PNG_FORMAT_FLAG_COLOR) != 0 ? 2 : 0) + (image.format & UInt32(PNG_FORMAT_FLAG_ALPHA) != 0 ? 1 : 0)
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        guard pixels.withUnsafeMutableBytes({ png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }) != 0 else { throw Fault.damaged }
        var size = 0
        guard pixels.withUnsafeBytes({ png_image_write_to_memory(&image, nil, &size, 0, $0.baseAddress, 0, nil) }) != 0, size > 0 else {
            throw Fault.damaged
        }
        var out = Data(count: size)
        let written = out.withUnsafeMutableBytes { o in
            pixels.withUnsafeBytes { png_image_write_to_memory(&image, o.baseAddress, &size, 0, $0.baseAddress, 0, nil) }
        }
        guard written != 0 else { throw Fault.damaged }
        return out.prefix(size)
    }

    // MARK: JPEG

    static func jpeg(_ content: Data) throws -> Data {
        guard let decoder = tjInitDecompress() else { throw Fault.damaged }
        defer { tjDestroy(decoder) }
        return try content.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws -> Data in
            let source = raw.bindMemory(to: UInt8.self)
            guard let base = source.baseAddress else { throw Fault.damaged }
            var width: Int32 = 0
            var height: Int32 = 0
            var subsampling: Int32 = 0
            var colorspace: Int32 = 0
            guard tjDecompressHeader3(decoder, base, UInt(source.count), &width, &height, &subsampling, &colorspace) == 0 else {
                throw Fault.damaged
            }
            guard Int(width) * Int(height) <= maxPixels else { throw Fault.pixels(Int(width), Int(height)) }
            // Every coefficient is decoded (a cut or corrupt scan fails here), drawn at an eighth
            // of the size so the check costs little memory.
            let cmyk = colorspace == Int32(TJCS_CMYK.rawValue) || colorspace == Int32(TJCS_YCCK.rawValue)
            let format = colorspace == Int32(TJCS_GRAY.rawValue) ? TJPF_GRAY : cmyk ? TJPF_CMYK : TJPF_RGB
            let (w, h) = ((width + 7) / 8, (height + 7) / 8)
            var pixels = [UInt8](repeating: 0, count: Int(w) * Int(h) * 4)
            let decoded = pixels.withUnsafeMutableBufferPointer {
                tjDecompress2(decoder, base, UInt(source.count), $0.baseAddress, w, 0, h, Int32(format.rawValue), TJFLAG_STOPONWARNING)
            }
            guard decoded == 0 else { throw Fault.damaged }
            // The same coefficients, without APPn and COM markers.
            guard let transformer = tjInitTransform() else { throw Fault.damaged }
            defer { tjDestroy(transformer) }
            var transform = tjtransform()
            transform.op = Int32(TJXOP_NONE.rawValue)
            transform.options = TJXOPT_COPYNONE
            var output: UnsafeMutablePointer<UInt8>?
            var size: UInt = 0
            guard tjTransform(transformer, base, UInt(source.count), 1, &output, &size, &transform, TJFLAG_STOPONWARNING) == 0,
                let output
            else { throw Fault.damaged }
            defer { tjFree(output) }
            return Data(bytes: output, count: Int(size))
        }
    }
}
