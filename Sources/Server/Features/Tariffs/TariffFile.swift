import CSV
import Domain
import Foundation

/// A tariff table read from a file, with where it came from.
struct ImportedTariff: Sendable {
    var table: TariffTable
    var source: String
    /// The line of the file where the table starts (for messages).
    var line: Int
}

/// Every problem found in an imported file (tariffs, units, protocol types), each with its line;
/// nothing is imported when there is one.
public struct ImportFileError: Error, CustomStringConvertible {
    public var problems: [(line: Int, message: String)]
    public var description: String {
        problems.map { $0.line > 0 ? "linha \($0.line): \($0.message)" : $0.message }.joined(separator: "\n")
    }
}

/// A problem with one row of an imported CSV file.
struct RowProblem: Error { var message: String }

/// The CSV files the server imports (tariffs, units, protocol and service types): a header naming
/// exactly the columns (an unknown one is refused: a misspelt column would be ignored), `,` or `;`
/// (a spreadsheet's pt-BR export), a BOM tolerated. Every field must be displayable text
/// (`DisplayText`: no control or direction characters, no formula). Every data row goes through
/// `row` with its line and a lookup of its fields by column name; every problem is collected with
/// its line (up to 50), and when `unique` names a column a repeated value is one too.
enum CSVImport {
    static func rows(
        _ text: String, columns: [String], optional: [String] = [], unique: String? = nil,
        row: (Int, @escaping (String) -> String) throws -> Void
    ) throws {
        let body = String(text.drop { $0 == "\u{FEFF}" })
        let header = body.prefix { !$0.isNewline }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: body, hasHeaderRow: true, trimFields: true, delimiter: header.contains(";") ? ";" : ",")
        } catch { throw ImportFileError(problems: [(1, "cabeçalho ilegível")]) }
        let names = (reader.headerRow ?? []).map { $0.lowercased() }
        let missing = columns.filter { !names.contains($0) }
        guard missing.isEmpty else {
            throw ImportFileError(problems: [
                (1, "faltam as colunas \(missing.joined(separator: ", ")); esperado: \(columns.joined(separator: ","))")
            ])
        }
        let unknown = names.filter { !$0.isEmpty && !columns.contains($0) && !optional.contains($0) }
        guard unknown.isEmpty else {
            throw ImportFileError(problems: [
                (1, "colunas desconhecidas: \(unknown.joined(separator: ", ")); esperado: \((columns + optional).joined(separator: ","))")
            ])
        }
        var seen: [String: Int] = [:]
        var problems: [(Int, String)] = []
        var line = 1
        while let fields = reader.next(), problems.count < 50 {
            line += 1
            defer { line += fields.reduce(0) { $0 + $1.filter(\.isNewline).count } }
            if fields.allSatisfy(\.isEmpty) { continue }
            func field(_ name: String) -> String {
                guard let i = names.firstIndex(of: name), i < fields.count else { return "" }
                return fields[i]
            }
            if let (i, why) = fields.enumerated().lazy.compactMap({ f in DisplayText.problem(f.element).map { (f.offset, $0) } }).first {
                problems.append((line, "\(i < names.count ? names[i] : "coluna \(i + 1)"): \(why)"))
                continue
            }
            do {
                try row(line, field)
                if let unique {
                    let v = field(unique)
                    if let first = seen[v] { problems.append((line, "código \"\(v)\" repetido (linha \(first))")) }
                    seen[v] = seen[v] ?? line
                }
            } catch let e as RowProblem {
                problems.append((line, e.message))
            }
        }
        if let e = reader.error { problems.append((line, "CSV ilegível (\(e))")) }
        guard problems.isEmpty else { throw ImportFileError(problems: problems) }
    }
}

/// Reads tariff tables from CSV or JSON (`agencia-server tariffs import`). Both formats are
/// described in the README; the CSV has one row per line of a table:
///
///     categoria,vigencia,faixa,ate_m3,valor,desconto_percentual,esgoto_percentual,fonte
///     residencial,2026-01-01,minima,10,45.68,0,80,Resolução 12/2025
///     residencial,2026-01-01,m3,15,6.10,0,80,Resolução 12/2025
///     residencial,2026-01-01,m3,,16.10,0,80,Resolução 12/2025
///
/// `minima` rows carry the minimum charge for 0…`ate_m3`; `m3` rows the price per m³ of the band
/// up to `ate_m3` (empty for the last, open band). A `;` delimiter and decimal commas (a
/// spreadsheet's pt-BR export) are accepted too.
enum TariffFile {
    static let columns = ["categoria", "vigencia", "faixa", "ate_m3", "valor", "desconto_percentual", "esgoto_percentual", "fonte"]

    static func parse(_ data: Data, name: String) throws -> [ImportedTariff] {
        guard let text = String(data: data, encoding: .utf8) else {
            throw ImportFileError(problems: [(0, "o arquivo não está em UTF-8")])
        }
        let trimmed = text.drop { $0 == "\u{FEFF}" || $0.isWhitespace }
        if name.lowercased().hasSuffix(".json") || trimmed.first == "{" { return try parseJSON(String(trimmed), data: data) }
        return try parseCSV(String(text.drop { $0 == "\u{FEFF}" }))
    }

    // MARK: CSV

    /// A table being assembled from its rows.
    private struct Draft {
        var categoria: Categoria
        var validFrom: CivilDate
        var line: Int
        var source: String
        var sewage: Int
        var minimum: (m3: Int, cents: Int64, discount: Int)?
        var bands: [TariffTable.Band] = []
    }

    static func parseCSV(_ text: String) throws -> [ImportedTariff] {
        var drafts: [Draft] = []
        try CSVImport.rows(text, columns: columns) { line, field in
            try add(
                &drafts, line: line, categoria: field("categoria"), vigencia: field("vigencia"), faixa: field("faixa"),
                ateM3: field("ate_m3"), valor: field("valor"), desconto: field("desconto_percentual"), esgoto: field("esgoto_percentual"),
                fonte: field("fonte"))
        }
        return try finish(drafts, problems: [])
    }

    private static func add(
        _ drafts: inout [Draft], line: Int, categoria: String, vigencia: String, faixa: String, ateM3: String, valor: String,
        desconto: String, esgoto: String, fonte: String
    ) throws {
        // The JSON's strings as the CSV's fields (CSVImport checks those already).
        for (name, value) in [("categoria", categoria), ("vigencia", vigencia), ("fonte", fonte)] {
            if let why = DisplayText.problem(value) { throw RowProblem(message: "\(name): \(why)") }
        }
        guard let cat = Categoria(rawValue: categoria.lowercased()) else {
            throw RowProblem(
                message: "categoria desconhecida \"\(categoria)\" (use \(Categoria.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let date = CivilDate(iso: vigencia) else { throw RowProblem(message: "vigência \"\(vigencia)\" não é uma data AAAA-MM-DD") }
        guard let sewage = Int(esgoto) else { throw RowProblem(message: "esgoto_percentual \"\(esgoto)\" não é um número inteiro") }
        let discount = desconto.isEmpty ? 0 : Int(desconto)
        guard let discount else { throw RowProblem(message: "desconto_percentual \"\(desconto)\" não é um número inteiro") }
        guard let amount = decimal(valor), amount >= 0 else { throw RowProblem(message: "valor \"\(valor)\" não é um valor em reais") }
        let upTo: Int? = ateM3.isEmpty ? nil : Int(ateM3)
        if !ateM3.isEmpty && upTo == nil { throw RowProblem(message: "ate_m3 \"\(ateM3)\" não é um número inteiro") }
        let source = fonte.isEmpty ? "não informada" : fonte

        var index = drafts.lastIndex { $0.categoria == cat && $0.validFrom == date }
        if index == nil {
            drafts.append(Draft(categoria: cat, validFrom: date, line: line, source: source, sewage: sewage))
            index = drafts.count - 1
        }
        guard let i = index else { return }
        guard drafts[i].sewage == sewage else {
            throw RowProblem(message: "esgoto_percentual difere das outras linhas desta tabela (\(drafts[i].sewage))")
        }
        switch faixa.lowercased() {
        case "minima", "mínima":
            guard drafts[i].minimum == nil else { throw RowProblem(message: "a tabela já tem uma linha \"minima\"") }
            guard drafts[i].bands.isEmpty else { throw RowProblem(message: "a linha \"minima\" deve vir antes das faixas") }
            guard let upTo else { throw RowProblem(message: "a tarifa mínima precisa de ate_m3") }
            drafts[i].minimum = (upTo, Money.roundHalfUp(amount * 100), discount)
        case "m3", "m³":
            guard drafts[i].minimum != nil else { throw RowProblem(message: "a tabela deve começar pela linha \"minima\"") }
            drafts[i].bands.append(.init(upToM3: upTo, pricePerM3: amount, discountPercent: discount))
        default:
            throw RowProblem(message: "faixa \"\(faixa)\" desconhecida (use minima ou m3)")
        }
    }

    /// Whole-table checks (order of bands, open last band) once every row reads well: a row
    /// error would otherwise be reported twice.
    private static func finish(_ drafts: [Draft], problems initial: [(Int, String)]) throws -> [ImportedTariff] {
        guard initial.isEmpty else { throw ImportFileError(problems: initial.sorted { $0.0 < $1.0 }) }
        var problems: [(Int, String)] = []
        var out: [ImportedTariff] = []
        for d in drafts {
            guard let minimum = d.minimum else {
                problems.append((d.line, "a tabela \(d.categoria.rawValue) de \(d.validFrom.formatted) não tem a linha \"minima\""))
                continue
            }
            let table = TariffTable(
                categoria: d.categoria, validFrom: d.validFrom, minimumM3: minimum.m3, minimumCents: minimum.cents,
                minimumDiscountPercent: minimum.discount, bands: d.bands, sewagePercent: d.sewage)
            do {
                try table.validate()
                out.append(ImportedTariff(table: table, source: d.source, line: d.line))
            } catch {
                problems.append((d.line, "tabela \(d.categoria.rawValue) de \(d.validFrom.formatted): \(error)"))
            }
        }
        if out.isEmpty && problems.isEmpty { problems.append((0, "o arquivo não tem nenhuma tabela")) }
        guard problems.isEmpty else { throw ImportFileError(problems: problems.sorted { $0.0 < $1.0 }) }
        return out
    }

    /// `45.68`, `45,68`, `4,149`; not `1.234,56` (no thousands separators in a tariff).
    static func decimal(_ text: String) -> Decimal? {
        let t = text.replacingOccurrences(of: ",", with: ".")
        guard !t.isEmpty, t.allSatisfy({ $0.isNumber || $0 == "." }), t.filter({ $0 == "." }).count <= 1 else { return nil }
        return Decimal(plain: t)
    }

    // MARK: JSON

    /// `{"tabelas": [{"categoria", "vigencia", "fonte", "esgotoPercentual",
    ///   "minima": {"ateM3", "valor", "descontoPercentual"},
    ///   "faixas": [{"ateM3" (null for the last), "precoM3", "descontoPercentual"}]}]}`;
    /// values in reais as numbers or strings.
    struct JSONFile: Decodable {
        struct Table: Decodable {
            var categoria: String
            var vigencia: String
            var fonte: String?
            var esgotoPercentual: Int
            var minima: Minimum
            var faixas: [Band]
        }
        struct Minimum: Decodable {
            var ateM3: Int
            var valor: Amount
            var descontoPercentual: Int?
        }
        struct Band: Decodable {
            var ateM3: Int?
            var precoM3: Amount
            var descontoPercentual: Int?
        }
        /// A value in reais written as a number or a string.
        struct Amount: Decodable {
            var text: String
            init(from decoder: any Decoder) throws {
                let c = try decoder.singleValueContainer()
                if let s = try? c.decode(String.self) { text = s } else { text = String(try c.decode(Double.self)) }
            }
        }
        var tabelas: [Table]
    }

    static func parseJSON(_ text: String, data: Data) throws -> [ImportedTariff] {
        let file: JSONFile
        do {
            file = try JSONDecoder().decode(JSONFile.self, from: data)
        } catch let DecodingError.dataCorrupted(c) {
            throw ImportFileError(problems: [(0, "JSON inválido: \(c.underlyingError.map { "\($0)" } ?? c.debugDescription)")])
        } catch let DecodingError.keyNotFound(key, c) {
            throw ImportFileError(problems: [(line(of: c.codingPath, in: text), "falta o campo \"\(key.stringValue)\"")])
        } catch let DecodingError.typeMismatch(_, c) {
            throw ImportFileError(problems: [(line(of: c.codingPath, in: text), "tipo errado em \"\(path(c.codingPath))\"")])
        } catch let DecodingError.valueNotFound(_, c) {
            throw ImportFileError(problems: [(line(of: c.codingPath, in: text), "valor ausente em \"\(path(c.codingPath))\"")])
        }
        let lines = objectLines(text)
        var drafts: [Draft] = []
        var problems: [(Int, String)] = []
        for (i, t) in file.tabelas.enumerated() {
            let tableLine = i < lines.tables.count ? lines.tables[i] : 0
            do {
                try add(
                    &drafts, line: tableLine, categoria: t.categoria, vigencia: t.vigencia, faixa: "minima", ateM3: String(t.minima.ateM3),
                    valor: t.minima.valor.text, desconto: String(t.minima.descontoPercentual ?? 0), esgoto: String(t.esgotoPercentual),
                    fonte: t.fonte ?? "")
            } catch let e as RowProblem {
                problems.append((tableLine, e.message))
                continue
            }
            for (j, b) in t.faixas.enumerated() {
                let bandLine = j < lines.bands[i, default: []].count ? lines.bands[i, default: []][j] : tableLine
                do {
                    try add(
                        &drafts, line: bandLine, categoria: t.categoria, vigencia: t.vigencia, faixa: "m3",
                        ateM3: b.ateM3.map(String.init) ?? "",
                        valor: b.precoM3.text, desconto: String(b.descontoPercentual ?? 0), esgoto: String(t.esgotoPercentual),
                        fonte: t.fonte ?? "")
                } catch let e as RowProblem {
                    problems.append((bandLine, e.message))
                }
            }
        }
        return try finish(drafts, problems: problems)
    }

    private static func path(_ p: [any CodingKey]) -> String {
        p.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
    }

    /// The line of each table object (`tabelas[i]`) and of each band object (`faixas[j]`):
    /// objects at nesting 2 and 4 of the document, found with one pass that skips strings.
    static func objectLines(_ text: String) -> (tables: [Int], bands: [Int: [Int]]) {
        var tables: [Int] = []
        var bands: [Int: [Int]] = [:]
        var depth = 0
        var line = 1
        var inString = false
        var escaped = false
        for ch in text {
            if ch == "\n" { line += 1 }
            if inString {
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { inString = false }
                continue
            }
            switch ch {
            case "\"": inString = true
            case "{", "[":
                if ch == "{" && depth == 2 { tables.append(line) }
                if ch == "{" && depth == 4, !tables.isEmpty { bands[tables.count - 1, default: []].append(line) }
                depth += 1
            case "}", "]": depth -= 1
            default: break
            }
        }
        return (tables, bands)
    }

    private static func line(of codingPath: [any CodingKey], in text: String) -> Int {
        let lines = objectLines(text)
        let indices = codingPath.compactMap(\.intValue)
        guard let t = indices.first, t < lines.tables.count else { return 0 }
        if indices.count > 1, let b = lines.bands[t], indices[1] < b.count { return b[indices[1]] }
        return lines.tables[t]
    }
}
