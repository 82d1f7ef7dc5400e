import CSV
import Crypto
import Domain
import Foundation

/// An interchange package opened and checked as a whole before anything of it is applied
/// (issue 30): the manifest (format, version, mode, matrícula rule, the files it lists), each
/// file's SHA-256 and record count against it, UTF-8 text, a comma-separated header naming only
/// the file's columns and all its required ones. Any fault here refuses the package whole
/// (`Refused`); row faults are the loader's, row by row.
public struct InterchangePackage: Sendable {
    public enum Mode: String, Sendable { case completo, incremental }

    public struct Manifest: Codable, Sendable {
        public struct Entry: Codable, Sendable, Equatable {
            public var nome: String
            public var registros: Int
            public var sha256: String
        }
        public struct Utility: Codable, Sendable {
            public var cnpj: String?
            public var nome: String?
        }
        public var formato: String
        public var versao: String
        public var concessionaria: Utility?
        public var sistemaOrigem: String?
        public var geradoEm: String
        public var modo: String
        public var desde: String?
        public var regraDvMatricula: String
        public var arquivos: [Entry]

        enum CodingKeys: String, CodingKey {
            case formato, versao, concessionaria, modo, desde, arquivos
            case sistemaOrigem = "sistema_origem"
            case geradoEm = "gerado_em"
            case regraDvMatricula = "regra_dv_matricula"
        }
    }

    /// A fault of the package as a whole: nothing of it is applied.
    public struct Refused: Error, CustomStringConvertible, Equatable {
        public let description: String
        init(_ message: String) { description = message }
    }

    public let folder: String
    public let manifest: Manifest
    public let mode: Mode
    /// The matrícula check-digit rule (nil: none).
    public let matriculaRule: MatriculaRule?
    /// Each file present, with its header as written.
    public let headers: [String: [String]]
    /// What identifies the package's content: its files' names and SHA-256, sorted — a package
    /// applied once is not applied again.
    public let fingerprint: String

    public static let manifestName = "manifest.json"

    public static func open(_ folder: String) throws -> InterchangePackage {
        let fm = FileManager.default
        guard let raw = fm.contents(atPath: (folder as NSString).appendingPathComponent(manifestName)) else {
            throw Refused("Falta o \(manifestName) em \(folder): não é um pacote de intercâmbio.")
        }
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: raw)
        } catch {
            throw Refused("\(manifestName) ilegível: \(Self.describe(error)).")
        }
        guard manifest.formato == Interchange.format else {
            throw Refused("\(manifestName): formato \"\(manifest.formato)\", esperado \"\(Interchange.format)\".")
        }
        guard manifest.versao.split(separator: ".").first == Interchange.version.split(separator: ".").first else {
            throw Refused("\(manifestName): versão \(manifest.versao) desconhecida; este programa lê a \(Interchange.version).")
        }
        guard let mode = Mode(rawValue: manifest.modo) else {
            throw Refused("\(manifestName): modo \"\(manifest.modo)\"; use \"completo\" ou \"incremental\".")
        }
        if mode == .incremental {
            guard let desde = manifest.desde, Self.timestamp(desde) != nil else {
                throw Refused("\(manifestName): um pacote incremental diz desde quando (\"desde\", data e hora ISO 8601 com fuso).")
            }
        }
        guard Interchange.matriculaRules.contains(manifest.regraDvMatricula) else {
            throw Refused(
                "\(manifestName): regra_dv_matricula \"\(manifest.regraDvMatricula)\"; use uma de \(Interchange.matriculaRules.joined(separator: ", ")).")
        }
        // The files: the manifest lists known ones, once; the folder holds those and nothing else.
        let known = Set(Interchange.files.map(\.name))
        var listed: Set<String> = []
        for e in manifest.arquivos {
            guard known.contains(e.nome) else {
                throw Refused("\(manifestName) lista \(e.nome), que não é um arquivo do formato (\(known.sorted().joined(separator: ", "))).")
            }
            guard listed.insert(e.nome).inserted else { throw Refused("\(manifestName) lista \(e.nome) duas vezes.") }
        }
        let present = try fm.contentsOfDirectory(atPath: folder).filter { $0 != manifestName && !$0.hasPrefix(".") }
        for name in present.sorted() where !listed.contains(name) {
            throw Refused(known.contains(name) ? "\(name) está na pasta mas não no \(manifestName)." : "Arquivo desconhecido no pacote: \(name).")
        }
        if mode == .completo {
            let missing = Interchange.files.filter { $0.required && !listed.contains($0.name) }.map(\.name)
            guard missing.isEmpty else { throw Refused("Um pacote completo traz \(missing.joined(separator: ", ")).") }
        }
        var headers: [String: [String]] = [:]
        for e in manifest.arquivos {
            let path = (folder as NSString).appendingPathComponent(e.nome)
            guard fm.fileExists(atPath: path) else { throw Refused("Falta \(e.nome), listado no \(manifestName).") }
            let (sha, lines) = try Self.hashAndCheckText(path, name: e.nome)
            guard sha == e.sha256.lowercased() else {
                throw Refused("\(e.nome): o SHA-256 não confere com o \(manifestName) (arquivo alterado ou incompleto).")
            }
            let file = Interchange.files.first { $0.name == e.nome }!
            let header = try Self.header(path, file: file)
            let records = max(0, lines - 1)
            guard records == e.registros else {
                throw Refused("\(e.nome): \(records) \(records == 1 ? "registro" : "registros") no arquivo e \(e.registros) no \(manifestName).")
            }
            headers[e.nome] = header
        }
        let fingerprint = SHA256.hash(
            data: Data(manifest.arquivos.sorted { $0.nome < $1.nome }.map { "\($0.nome) \($0.sha256.lowercased())" }.joined(separator: "\n").utf8)
        ).hex
        return InterchangePackage(
            folder: folder, manifest: manifest, mode: mode, matriculaRule: MatriculaRule(rawValue: manifest.regraDvMatricula),
            headers: headers, fingerprint: fingerprint)
    }

    /// The file's SHA-256, reading it through once, whether it is UTF-8 (a multi-byte character
    /// cut between two reads is carried to the next), and its CSV lines that are not empty — the
    /// header and the records: a line break inside quotes is a field's, not a record's end.
    static func hashAndCheckText(_ path: String, name: String) throws -> (String, Int) {
        guard let h = FileHandle(forReadingAtPath: path) else { throw Refused("Não foi possível ler \(name).") }
        defer { try? h.close() }
        var hash = SHA256()
        var carry = Data()
        var lines = 0
        var quoted = false
        var content = false
        while let chunk = try h.read(upToCount: 1 << 20), !chunk.isEmpty {
            hash.update(data: chunk)
            chunk.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                for byte in raw {
                    switch byte {
                    case UInt8(ascii: "\""):
                        quoted.toggle()
                        content = true
                    case UInt8(ascii: "\n") where !quoted:
                        if content { lines += 1 }
                        content = false
                    case UInt8(ascii: "\r"): break
                    default: content = true
                    }
                }
            }
            var bytes = carry + chunk
            // Keep back an incomplete sequence at the end (at most 3 bytes).
            var cut = bytes.count
            var back = 0
            while back < 3, cut > 0, bytes[bytes.startIndex + cut - 1] & 0xC0 == 0x80 {
                cut -= 1
                back += 1
            }
            if cut > 0, bytes[bytes.startIndex + cut - 1] >= 0xC0 { cut -= 1 }
            carry = bytes.suffix(from: bytes.startIndex + cut)
            bytes = bytes.prefix(cut)
            guard String(data: bytes, encoding: .utf8) != nil else {
                throw Refused("\(name) não está em UTF-8 (Latin-1?): converta o arquivo na origem.")
            }
        }
        guard carry.isEmpty || String(data: carry, encoding: .utf8) != nil else {
            throw Refused("\(name) não está em UTF-8 (termina no meio de um caractere).")
        }
        if content { lines += 1 }
        return (hash.finalize().hex, lines)
    }

    /// The header, checked against the file's columns.
    static func header(_ path: String, file: Interchange.File) throws -> [String] {
        guard let stream = InputStream(fileAtPath: path) else { throw Refused("Não foi possível ler \(file.name).") }
        let reader: CSVReader
        do {
            reader = try CSVReader(stream: stream, hasHeaderRow: true, trimFields: false, delimiter: ",")
        } catch {
            throw Refused("\(file.name): cabeçalho ilegível (\(error)).")
        }
        var header = reader.headerRow ?? []
        if let first = header.first, first.hasPrefix("\u{FEFF}") { header[0] = String(first.dropFirst()) }
        if header.count == 1, header[0].contains(";") {
            throw Refused("\(file.name): separado por \";\"; o formato usa vírgula (RFC 4180).")
        }
        let allowed = Set(file.headerNames)
        var seen: Set<String> = []
        for name in header {
            guard allowed.contains(name) else {
                throw Refused("\(file.name): coluna desconhecida \"\(name)\" no cabeçalho; as colunas são \(file.headerNames.joined(separator: ", ")).")
            }
            guard seen.insert(name).inserted else { throw Refused("\(file.name): coluna \"\(name)\" duas vezes no cabeçalho.") }
        }
        let missing = file.columns.filter { $0.presence == .required && !seen.contains($0.name) }.map(\.name)
        guard missing.isEmpty else { throw Refused("\(file.name): faltam no cabeçalho as colunas \(missing.joined(separator: ", ")).") }
        return header
    }

    /// CSV.swift reads a file stream one read past its end on Linux and reports that as an
    /// error: the end of the file is not a fault.
    static func isEnd(_ error: Error, _ stream: InputStream) -> Bool {
        if case CSVError.cannotReadFile = error, stream.streamStatus == .atEnd { return true }
        return false
    }

    /// An ISO 8601 date and time with its offset (`2026-11-30T14:05:00-03:00`, `…T17:05:00.250Z`).
    /// Read by hand: every row of a package has one, and Foundation's formatter costs more than
    /// the rest of the row's checks together (measured: half of the load's time).
    public static func timestamp(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count >= 20 else { return nil }
        func number(_ r: Range<Int>) -> Int? {
            var n = 0
            for i in r {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                n = n * 10 + Int(b[i] - 48)
            }
            return n
        }
        guard b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"), b[10] == UInt8(ascii: "T"), b[13] == UInt8(ascii: ":"),
            b[16] == UInt8(ascii: ":"), let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10),
            let day = CivilDate(year: y, month: mo, day: d), let h = number(11..<13), let mi = number(14..<16), let sec = number(17..<19),
            h < 24, mi < 60, sec < 61
        else { return nil }
        var i = 19
        var fraction = 0.0
        if b[i] == UInt8(ascii: ".") {
            i += 1
            var scale = 0.1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                fraction += Double(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == UInt8(ascii: "Z") {
            guard i + 1 == b.count else { return nil }
        } else {
            guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), i + 6 == b.count, b[i + 3] == UInt8(ascii: ":"),
                let oh = number(i + 1..<i + 3), let om = number(i + 4..<i + 6), oh < 24, om < 60
            else { return nil }
            offset = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
        }
        return Date(timeIntervalSince1970: Double(day.daysSinceEpoch * 86_400 + h * 3600 + mi * 60 + sec - offset) + fraction)
    }

    static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "falta \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "valor de tipo errado em \"\(c.codingPath.map(\.stringValue).joined(separator: "."))\""
        case DecodingError.dataCorrupted: return "não é JSON"
        default: return "\(error)"
        }
    }
}
