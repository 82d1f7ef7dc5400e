import Foundation

/// A unit of the utility: where protocols go and where staff work.
struct Unit: Sendable, Equatable {
    var code: String
    var name: String
}

/// A protocol type of the catalogue: what it is, where it goes by default and in how many days
/// it is due (when it has a default deadline); internal types are not offered to customers.
struct ProtocolType: Sendable, Equatable {
    var code: String
    var name: String
    var description: String
    var defaultUnit: String
    var deadlineDays: Int?
    var isPublic: Bool
}

/// The units and protocol types as files (`agencia-server units import`, `protocol-types
/// import`): CSV, one row each, a header naming the columns, `,` or `;`:
///
///     codigo,nome
///     ouvidoria,Ouvidoria
///
///     codigo,nome,descricao,unidade,prazo_dias,publico
///     outros,Outros,Assuntos que não se encaixam nos demais tipos,atendimento,15,sim
///
/// Codes are lowercase letters, digits, `_` and `-`. A type's unit must exist (in the file being
/// imported with it, or in the database); every problem is reported with its line.
enum ProtocolCatalogue {
    static let unitColumns = ["codigo", "nome"]
    static let typeColumns = ["codigo", "nome", "descricao", "unidade", "prazo_dias", "publico"]

    static func units(_ text: String) throws -> [Unit] {
        try rows(text, columns: unitColumns) { field in
            Unit(code: try code(field("codigo")), name: try required(field("nome"), "nome"))
        }
    }

    /// Types whose units are among `units` (codes).
    static func types(_ text: String, units: Set<String>) throws -> [ProtocolType] {
        try rows(text, columns: typeColumns) { field in
            let unit = field("unidade")
            guard units.contains(unit) else { throw RowProblem(message: "unidade \"\(unit)\" não cadastrada") }
            let days = field("prazo_dias")
            guard days.isEmpty || (Int(days).map { (1...3650).contains($0) } ?? false) else {
                throw RowProblem(message: "prazo_dias \"\(days)\" não é um número de dias entre 1 e 3650 (ou vazio)")
            }
            let publico = field("publico").lowercased()
            guard ["sim", "não", "nao", "s", "n"].contains(publico) else {
                throw RowProblem(message: "publico \"\(field("publico"))\" deve ser sim ou não")
            }
            return ProtocolType(
                code: try code(field("codigo")), name: try required(field("nome"), "nome"),
                description: try required(field("descricao"), "descricao"), defaultUnit: unit, deadlineDays: Int(days),
                isPublic: publico.hasPrefix("s"))
        }
    }

    static func required(_ value: String, _ name: String) throws -> String {
        guard !value.isEmpty else { throw RowProblem(message: "\(name) vazio") }
        guard value.count <= 200 else { throw RowProblem(message: "\(name) com mais de 200 caracteres") }
        return value
    }

    static func code(_ value: String) throws -> String {
        guard (1...40).contains(value.count), value.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-") })
        else { throw RowProblem(message: "código \"\(value)\" inválido (letras minúsculas, dígitos, _ e -)") }
        return value
    }

    /// Every data row through `make` (codes unique), or every problem with its line.
    static func rows<T>(
        _ text: String, columns: [String], optional: [String] = [], make: (@escaping (String) -> String) throws -> T
    ) throws -> [T] {
        var out: [T] = []
        try CSVImport.rows(text, columns: columns, optional: optional, unique: "codigo") { _, field in out.append(try make(field)) }
        guard !out.isEmpty else { throw ImportFileError(problems: [(0, "nenhuma linha de dados")]) }
        return out
    }
}
