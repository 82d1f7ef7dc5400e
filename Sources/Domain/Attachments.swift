/// A file attached to a protocol (issue 11): PDF, PNG or JPEG only, recognised by its first bytes
/// (its name says nothing: a renamed file is what it is), within the configured size.
public enum AttachmentKind: String, Sendable, CaseIterable {
    case pdf = "application/pdf"
    case png = "image/png"
    case jpeg = "image/jpeg"

    /// What the content is, or nil when it is none of the three. PDF: `%PDF-` (ISO 32000-1 7.5.2,
    /// allowed within the first 1024 bytes); PNG: its 8-byte signature (RFC 2083 3.1); JPEG: SOI
    /// followed by a marker (`FF D8 FF`).
    public init?(sniffing bytes: some Collection<UInt8>) {
        let head = Array(bytes.prefix(1024))
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) {
            self = .png
        } else if head.starts(with: [0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else if Self.contains(head, Array("%PDF-".utf8)) {
            self = .pdf
        } else {
            return nil
        }
    }

    /// What people call it.
    public var label: String {
        switch self {
        case .pdf: return "PDF"
        case .png: return "PNG"
        case .jpeg: return "JPEG"
        }
    }

    /// The extension a saved copy gets when its name has none of its kind.
    public var fileExtension: String {
        switch self {
        case .pdf: return "pdf"
        case .png: return "png"
        case .jpeg: return "jpg"
        }
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { haystack[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}

/// How many files a step may carry and how large each may be (server configuration), with the
/// messages that refuse a file.
public struct AttachmentLimits: Sendable, Equatable {
    public var maxBytes: Int
    public var maxPerStep: Int
    /// What one staff member may upload in an hour and in a day (issue 27: one session stored
    /// 240 MiB in 3.5 s), and what one protocol may hold.
    public var maxBytesPerHour: Int
    public var maxBytesPerDay: Int
    public var maxPerProtocol: Int
    public var maxBytesPerProtocol: Int

    public init(
        maxBytes: Int, maxPerStep: Int, maxBytesPerHour: Int = 100 << 20, maxBytesPerDay: Int = 500 << 20, maxPerProtocol: Int = 40,
        maxBytesPerProtocol: Int = 100 << 20
    ) {
        self.maxBytes = maxBytes
        self.maxPerStep = maxPerStep
        self.maxBytesPerHour = maxBytesPerHour
        self.maxBytesPerDay = maxBytesPerDay
        self.maxPerProtocol = maxPerProtocol
        self.maxBytesPerProtocol = maxBytesPerProtocol
    }

    /// Why a staff member who uploaded `hour` and `day` bytes in the last hour and day cannot
    /// upload `size` more, or nil.
    public func quotaRefusal(size: Int, hour: Int, day: Int) -> String? {
        if hour + size > maxBytesPerHour {
            return "Limite de anexos por hora atingido (\(Self.size(maxBytesPerHour))): tente de novo mais tarde."
        }
        if day + size > maxBytesPerDay {
            return "Limite diário de anexos atingido (\(Self.size(maxBytesPerDay))): tente de novo amanhã ou fale com o suporte."
        }
        return nil
    }

    /// Why a protocol holding `count` files of `bytes` cannot hold them, or nil.
    public func protocolRefusal(count: Int, bytes: Int) -> String? {
        if count > maxPerProtocol { return "Um protocolo guarda no máximo \(counted(maxPerProtocol, "anexo"))." }
        if bytes > maxBytesPerProtocol { return "Um protocolo guarda no máximo \(Self.size(maxBytesPerProtocol)) de anexos." }
        return nil
    }

    /// Why `name` of `size` bytes with this content cannot be attached, or nil.
    public func refusal(name: String, size: Int, kind: AttachmentKind?) -> String? {
        if size == 0 { return "O arquivo \(name) está vazio." }
        if size > maxBytes {
            return "O arquivo \(name) tem \(Self.size(size)); o limite é \(Self.size(maxBytes)) por anexo."
        }
        if kind == nil { return "O arquivo \(name) não é PDF, PNG nem JPEG: só esses tipos podem ser anexados." }
        return nil
    }

    /// The refusal when a step would carry `count` files.
    public func countRefusal(_ count: Int) -> String? {
        count > maxPerStep ? "No máximo \(counted(maxPerStep, "anexo")) por trâmite." : nil
    }

    /// `820 bytes`, `14 KiB`, `2,4 MiB`, `10 MiB`: what a person reads beside a file.
    public static func size(_ bytes: Int) -> String {
        if bytes < 1024 { return counted(bytes, "byte") }
        if bytes < 1024 * 1024 { return "\((bytes + 1023) / 1024) KiB" }
        let tenths = (bytes * 10 + 1024 * 1024 / 2) / (1024 * 1024)
        return tenths % 10 == 0 ? "\(tenths / 10) MiB" : "\(tenths / 10),\(tenths % 10) MiB"
    }
}
