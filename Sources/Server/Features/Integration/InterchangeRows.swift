import CSV
import Domain
import Foundation

/// A row's faults (issue 30): each value against its column's kind, and the rules across a row's
/// columns. A row with a fault is set aside with its reasons; the rest of the package is applied.
extension Interchange {
    static let ufs: Set<String> = [
        "AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA", "PB", "PR", "PE", "PI", "RJ", "RN", "RS", "RO",
        "RR", "SC", "SP", "SE", "TO",
    ]

    /// Why `value` is not a value of `kind`, or nil.
    static func problem(_ value: String, _ kind: Kind) -> String? {
        switch kind {
        case .text(let max):
            if value.count > max { return "mais de \(max) caracteres" }
            return DisplayText.problem(value)
        case .identifier:
            if value.count > 40 { return "identificador com mais de 40 caracteres" }
            if !value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-./_".contains($0)) }) {
                return "identificador com caracteres além de letras, algarismos e - . / _"
            }
            return nil
        case .integer(let min, let max):
            guard let n = Int(value) else { return "não é um número inteiro" }
            return (min...max).contains(n) ? nil : "fora de \(min)–\(max)"
        case .money:
            return cents(value) == nil ? "valor em dinheiro escrito como 1234.50 (ponto e duas casas)" : nil
        case .date:
            return CivilDate(iso: value) == nil ? "data inválida (use AAAA-MM-DD)" : nil
        case .timestamp:
            return InterchangePackage.timestamp(value) == nil ? "data e hora inválida (ISO 8601 com fuso)" : nil
        case .month:
            return value.count == 7 && Competencia(iso: value) != nil ? nil : "mês inválido (use AAAA-MM)"
        case .boolean:
            return value == "true" || value == "false" ? nil : "use true ou false"
        case .document:
            if case .failure(let p) = TaxID.parse(value) { return p.message }
            return nil
        case .phone:
            return value.count >= 10 && value.count <= 11 && value.allSatisfy({ $0.isASCII && $0.isNumber }) && PhoneNumber.normalized(value) == value
                ? nil : "telefone com DDD, só algarismos (10 ou 11)"
        case .cep:
            return value.count == 8 && value.allSatisfy({ $0.isASCII && $0.isNumber }) ? nil : "CEP com 8 algarismos"
        case .uf:
            return ufs.contains(value) ? nil : "UF inválida"
        case .email:
            if case .failure(let p) = EmailAddress.parse(value) { return p.message }
            return nil
        case .choice(let values):
            return values.contains(value) ? nil : "\"\(value)\" não é um dos valores (\(values.joined(separator: ", ")))"
        }
    }

    /// `1234.50` in cents; nil unless written with a dot and exactly two places.
    static func cents(_ value: String) -> Int64? {
        let parts = value.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[1].count == 2, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        var whole = parts[0]
        let negative = whole.first == "-"
        if negative { whole = whole.dropFirst() }
        guard !whole.isEmpty, whole.count <= 13, whole.allSatisfy({ $0.isASCII && $0.isNumber }), let w = Int64(whole), let f = Int64(parts[1]) else {
            return nil
        }
        return (w * 100 + f) * (negative ? -1 : 1)
    }

    /// The faults of one row of `file` (empty: the row is taken): each column's value, then the
    /// rules across columns.
    static func problems(_ row: [String: String], in file: File, mode: InterchangePackage.Mode, rule: MatriculaRule?) -> [String] {
        var found: [String] = []
        for c in file.columns {
            let value = row[c.name] ?? ""
            if value.isEmpty {
                if c.presence == .required { found.append("\(c.name): obrigatório") }
                continue
            }
            if c.presence == .incrementalOnly, mode == .completo {
                found.append("\(c.name): só num pacote incremental")
                continue
            }
            if let p = problem(value, c.kind) { found.append("\(c.name): \(p)") }
            if c.withOrigin {
                for suffix in ["_origem_codigo", "_origem_descricao"] {
                    if let v = row[c.name + suffix], !v.isEmpty, let p = problem(v, .text(maxLength: 120)) {
                        found.append("\(c.name + suffix): \(p)")
                    }
                }
            }
        }
        guard found.isEmpty else { return found }
        switch file.name {
        case "imoveis.csv":
            if let rule, let m = row["matricula"], Matricula(parsing: m, rule: rule) == nil {
                found.append("matricula: dígito verificador não confere (regra \(rule.rawValue))")
            }
        case "clientes.csv":
            if let doc = row["cpf_cnpj"], !doc.isEmpty, let t = TaxID(doc) {
                let kind = row["tipo_pessoa"] == "F" ? "CPF" : "CNPJ"
                if (kind == "CPF") != (t.normalized.count == 11) { found.append("cpf_cnpj: pessoa \(row["tipo_pessoa"] ?? "") com \(t.normalized.count == 11 ? "CPF" : "CNPJ")") }
            }
        case "vinculos.csv":
            if let start = row["inicio"].flatMap(CivilDate.init(iso:)), let end = row["fim"].flatMap(CivilDate.init(iso:)), end < start {
                found.append("fim: antes do início")
            }
        case "contas.csv":
            let parts = ["valor_agua", "valor_esgoto", "valor_debitos", "valor_creditos", "valor_impostos"].map { cents(row[$0] ?? "") ?? 0 }
            let sum = parts[0] + parts[1] + parts[2] - parts[3] - parts[4]
            if let total = cents(row["valor_total"] ?? ""), total != sum {
                found.append(
                    "valor_total: \(Money(cents: total).formatted) não é água + esgoto + débitos − créditos − impostos (\(Money(cents: sum).formatted))")
            }
            if let code = row["codigo_barras"], !code.isEmpty, ArrecadacaoBarcode(reading: code) == nil {
                found.append("codigo_barras: não é um código de barras de arrecadação válido (44 algarismos, dígitos conferidos)")
            }
        default: break
        }
        return found
    }
}

extension InterchangePackage {
    /// The records of one file in order, each with the line of the file it starts on and its
    /// fields by column name (a missing optional column reads as empty). Streams the file.
    public final class Rows {
        let file: Interchange.File
        let header: [String]
        let stream: InputStream
        let reader: CSVReader
        var line = 2

        init(_ package: InterchangePackage, _ file: Interchange.File) throws {
            let path = (package.folder as NSString).appendingPathComponent(file.name)
            guard let header = package.headers[file.name], let stream = InputStream(fileAtPath: path) else {
                throw Refused("Não foi possível ler \(file.name).")
            }
            self.file = file
            self.header = header
            self.stream = stream
            reader = try CSVReader(stream: stream, hasHeaderRow: true, trimFields: false, delimiter: ",")
        }

        public func next() throws -> (line: Int, row: [String: String])? {
            guard let fields = reader.next() else {
                if let error = reader.error, !InterchangePackage.isEnd(error, stream) {
                    throw Refused("\(file.name): CSV ilegível na linha \(line) (\(error)).")
                }
                return nil
            }
            var row: [String: String] = [:]
            for (i, name) in header.enumerated() where i < fields.count { row[name] = fields[i] }
            defer { line += 1 + fields.reduce(0) { $0 + $1.filter(\.isNewline).count } }
            return (line, row)
        }
    }

    public func rows(_ file: Interchange.File) throws -> Rows { try Rows(self, file) }

    /// Each record of `file` in order (`rows`).
    public func forEachRow(_ file: Interchange.File, _ body: (Int, [String: String]) throws -> Void) throws {
        let rows = try rows(file)
        while let (line, row) = try rows.next() { try body(line, row) }
    }
}
