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
            let (sha, _) = try Self.hashAndCheckText(path, name: e.nome)
            guard sha == e.sha256.lowercased() else {
                throw Refused("\(e.nome): o SHA-256 não confere com o \(manifestName) (arquivo alterado ou incompleto).")
            }
            let file = Interchange.files.first { $0.name == e.nome }!
            let (header, records) = try Self.headerAndCount(path, file: file)
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

    /// The file's SHA-256, reading it through once, and whether it is UTF-8 (a multi-byte
    /// character cut between two reads is carried to the next).
    static func hashAndCheckText(_ path: String, name: String) throws -> (String, Int64) {
        guard let h = FileHandle(forReadingAtPath: path) else { throw Refused("Não foi possível ler \(name).") }
        defer { try? h.close() }
        var hash = SHA256()
        var carry = Data()
        var size: Int64 = 0
        while let chunk = try h.read(upToCount: 1 << 20), !chunk.isEmpty {
            hash.update(data: chunk)
            size += Int64(chunk.count)
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
        return (hash.finalize().hex, size)
    }

    /// The header (checked against the file's columns) and the number of records after it.
    static func headerAndCount(_ path: String, file: Interchange.File) throws -> ([String], Int) {
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
        var records = 0
        while reader.next() != nil { records += 1 }
        if let error = reader.error, !Self.isEnd(error, stream) {
            throw Refused("\(file.name): CSV ilegível depois do registro \(records) (\(error)).")
        }
        return (header, records)
    }

    /// CSV.swift reads a file stream one read past its end on Linux and reports that as an
    /// error: the end of the file is not a fault.
    static func isEnd(_ error: Error, _ stream: InputStream) -> Bool {
        if case CSVError.cannotReadFile = error, stream.streamStatus == .atEnd { return true }
        return false
    }

    public static func timestamp(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.date(from: text)
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
