import Foundation

/// A service the customer asks for (PRODUCT.md E1, issue 12): religação, ligação nova, falta
/// d'água… Types are data (a catalogue imported like the tariffs); each says what it costs, when
/// it is expected, what it asks, and which properties may ask for it.
public struct ServiceType: Sendable, Equatable {
    /// When the utility expects to have done it: calendar days, or business hours (business
    /// days, `BusinessHours.open`–`close` at the utility).
    public enum Deadline: Sendable, Equatable {
        case days(Int)
        case businessHours(Int)
    }

    /// Where a fee is charged: a payable document issued with the request, or the next bill.
    public enum FeeCollection: String, Sendable, Equatable {
        case documento
        case proximaConta = "proxima_conta"

        public var label: String { self == .documento ? "documento de pagamento emitido agora" : "próxima conta" }
    }

    /// A question of the type's form: `ponto_referencia*:Ponto de referência` (`*`: required).
    public struct Field: Sendable, Equatable {
        public var key: String
        public var label: String
        public var required: Bool

        public init(key: String, label: String, required: Bool) {
            self.key = key
            self.label = label
            self.required = required
        }

        /// `ponto_referencia*:Ponto de referência|telefone:Telefone` (empty: no question), or why not.
        public static func list(_ text: String) -> Result<[Field], FieldListProblem> {
            var out: [Field] = []
            for part in text.split(separator: "|").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
                let pieces = part.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                guard pieces.count == 2, !pieces[1].isEmpty else {
                    return .failure(.init(message: "campo \"\(part)\" sem rótulo (chave:Rótulo)"))
                }
                let required = pieces[0].hasSuffix("*")
                let key = required ? String(pieces[0].dropLast()) : pieces[0]
                guard !key.isEmpty, key.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }) else {
                    return .failure(.init(message: "chave de campo \"\(key)\" inválida (minúsculas, dígitos e _)"))
                }
                guard !out.contains(where: { $0.key == key }) else { return .failure(.init(message: "campo \"\(key)\" repetido")) }
                out.append(Field(key: key, label: pieces[1], required: required))
            }
            return .success(out)
        }

        /// The list as the catalogue writes it.
        public static func text(_ fields: [Field]) -> String {
            fields.map { "\($0.key)\($0.required ? "*" : ""):\($0.label)" }.joined(separator: "|")
        }
    }

    public struct FieldListProblem: Error, Equatable {
        public let message: String
    }

    public var code: String
    public var name: String
    public var description: String
    public var unit: String
    public var deadline: Deadline
    public var feeCents: Int?
    public var feeOn: FeeCollection
    public var fields: [Field]
    /// The connection situations that may ask (nil: any), and what to say to the others.
    public var situations: Set<SituacaoLigacao>?
    public var situationReason: String
    /// Asked only with no overdue bill, or with a payment statement issued today (religação).
    public var requiresNoOverdue: Bool
    /// False for a new connection: asked for an address, not for a property.
    public var needsProperty: Bool
    /// The documents to show or hand in, and where (a kiosk takes none): nil when none.
    public var documents: String?

    public init(
        code: String, name: String, description: String, unit: String, deadline: Deadline, feeCents: Int?, feeOn: FeeCollection,
        fields: [Field], situations: Set<SituacaoLigacao>?, situationReason: String, requiresNoOverdue: Bool, needsProperty: Bool,
        documents: String? = nil
    ) {
        self.documents = documents
        self.code = code
        self.name = name
        self.description = description
        self.unit = unit
        self.deadline = deadline
        self.feeCents = feeCents
        self.feeOn = feeOn
        self.fields = fields
        self.situations = situations
        self.situationReason = situationReason
        self.requiresNoOverdue = requiresNoOverdue
        self.needsProperty = needsProperty
    }

    /// Why a property in `situation` with `overdueBills` (and a statement issued today or not)
    /// may not ask for this service; nil when it may.
    public func refusal(situation: SituacaoLigacao, overdueBills: Int, statementToday: Bool) -> String? {
        if let allowed = situations, !allowed.contains(situation) { return situationReason }
        if requiresNoOverdue, overdueBills > 0, !statementToday {
            return "Há \(counted(overdueBills, "conta vencida", plural: "contas vencidas")): pague-as ou emita hoje o documento de "
                + "pagamento dos débitos (Débitos) e peça de novo."
        }
        return nil
    }

    /// The form's answers checked: a message per field key (required and empty, too long).
    /// A field whose key starts with `documento` is a CPF or CNPJ and must be valid.
    public func problems(_ answers: [String: String]) -> [String: String] {
        var out: [String: String] = [:]
        for f in fields {
            let value = (answers[f.key] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            if f.required && value.isEmpty { out[f.key] = "Informe \(f.label.lowercased())." }
            if value.count > 500 { out[f.key] = "\(f.label): no máximo 500 caracteres." }
            if f.key.hasPrefix("documento"), !value.isEmpty, case .failure(let p) = TaxID.parse(value) {
                out[f.key] = "\(f.label): \(p.message)"
            }
        }
        return out
    }

    /// `2 dias`, `8 horas úteis`.
    public var deadlineText: String {
        switch deadline {
        case .days(let n): return counted(n, "dia")
        case .businessHours(let n): return counted(n, "hora útil", plural: "horas úteis")
        }
    }
}

/// The utility's business hours, for deadlines counted in them.
public enum BusinessHours {
    public static let open = 8 * 60
    public static let close = 18 * 60

    /// The local date and minute of the day `hours` business hours after `start` (a local date and
    /// minute): time counts only on business days between `open` and `close`; a start outside
    /// them counts from the next opening.
    public static func adding(_ hours: Int, to start: (date: CivilDate, minute: Int), calendar: BusinessCalendar) -> (
        date: CivilDate, minute: Int
    ) {
        var (date, minute) = start
        var remaining = max(0, hours) * 60
        while true {
            if !calendar.isBusinessDay(date) || minute >= close {
                date = date.adding(days: 1)
                minute = open
                continue
            }
            minute = max(minute, open)
            let available = close - minute
            if remaining <= available { return (date, minute + remaining) }
            remaining -= available
            date = date.adding(days: 1)
            minute = open
        }
    }
}
