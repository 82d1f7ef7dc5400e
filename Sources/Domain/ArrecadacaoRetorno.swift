/// The bank's return file of payments made with the utility's barcodes (FEBRABAN "Layout Padrão
/// de Arrecadação/Recebimento com Utilização do Código de Barras", versions 04 and 05): records of
/// 150 characters — "A" header, one "G" per payment, "Z" trailer with the record count and the
/// total. Parsed whole or refused with every problem and its line.
public struct ArrecadacaoRetorno: Sendable, Equatable {
    public struct Payment: Sendable, Equatable {
        /// G.08, the record's sequence number in the file.
        public var nsr: Int
        public var paidOn: CivilDate
        public var creditedOn: CivilDate
        public var barcode: ArrecadacaoBarcode
        public var amount: Money
        /// G.10: 1–7 with the bill in hand (guichê, ATM, internet, other, correspondent,
        /// telephone, lottery shop), a–g the same without it.
        public var channel: Character

        public init(nsr: Int, paidOn: CivilDate, creditedOn: CivilDate, barcode: ArrecadacaoBarcode, amount: Money, channel: Character) {
            self.nsr = nsr
            self.paidOn = paidOn
            self.creditedOn = creditedOn
            self.barcode = barcode
            self.amount = amount
            self.channel = channel
        }
    }

    /// A.03 and A.05: the agreement with the bank and the bank's code.
    public var convenio: String
    public var bank: String
    public var bankName: String
    public var generatedOn: CivilDate
    /// A.08, the file's sequence number: each file is imported once.
    public var nsa: Int
    public var payments: [Payment]
    public var total: Money { payments.reduce(.zero) { $0 + $1.amount } }

    public init(convenio: String, bank: String, bankName: String, generatedOn: CivilDate, nsa: Int, payments: [Payment]) {
        self.convenio = convenio
        self.bank = bank
        self.bankName = bankName
        self.generatedOn = generatedOn
        self.nsa = nsa
        self.payments = payments
    }

    public struct Problem: Equatable, Sendable, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "linha \(line): \(message)" }
    }

    /// Every problem of a refused file.
    public struct Problems: Error, Equatable, Sendable, CustomStringConvertible {
        public var items: [Problem]
        public var description: String { items.map(\.description).joined(separator: "\n") }
    }

    /// How far before the file's own date a payment may be dated (a bank returns the days just
    /// before it; a year is far beyond any delay and short of a typo in the year).
    public static let oldestPaymentDays = 366

    /// Parses the file received on `today` (at the utility), or throws `Problems` listing every
    /// problem found. The trailer must state the count and the total, and both must hold; the
    /// file cannot be dated after today, nor a payment after the file, after its credit or more
    /// than `oldestPaymentDays` before the file.
    public static func parse(_ text: String, today: CivilDate) throws -> ArrecadacaoRetorno {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
            .enumerated().filter { !$0.element.trimmingCharacters(in: .whitespaces).isEmpty }
        var problems: [Problem] = []
        func problem(_ line: Int, _ message: String) { problems.append(Problem(line: line + 1, message: message)) }
        guard let first = lines.first else { throw Problems(items: [Problem(line: 1, message: "arquivo vazio")]) }
        for (i, l) in lines where l.count != 150 {
            problem(i, "o registro tem \(l.count) caracteres; o layout pede 150")
        }
        guard problems.isEmpty else { throw Problems(items: problems) }
        func field(_ l: String, _ from: Int, _ length: Int) -> String {
            let chars = Array(l)
            return String(chars[(from - 1)..<(from - 1 + length)])
        }
        func date(_ s: String) -> CivilDate? {
            guard s.count == 8, s.allSatisfy(\.isASCIIDigit) else { return nil }
            return CivilDate(iso: "\(s.prefix(4))-\(s.dropFirst(4).prefix(2))-\(s.suffix(2))")
        }
        func number(_ s: String) -> Int64? { s.allSatisfy(\.isASCIIDigit) ? Int64(s) : nil }

        // Header.
        let (hi, h) = first
        var file = ArrecadacaoRetorno(
            convenio: "", bank: "", bankName: "", generatedOn: CivilDate(year: 2000, month: 1, day: 1)!, nsa: 0, payments: [])
        if field(h, 1, 1) != "A" { problem(hi, "o primeiro registro deve ser o header \"A\"") }
        if field(h, 2, 1) != "2" { problem(hi, "código de remessa \(field(h, 2, 1)): este é o arquivo de retorno do banco (2)") }
        if !["04", "05"].contains(field(h, 80, 2)) { problem(hi, "versão do layout \(field(h, 80, 2)): aceitas 04 e 05") }
        file.convenio = field(h, 3, 20).trimmingCharacters(in: .whitespaces)
        file.bank = field(h, 43, 3)
        file.bankName = field(h, 46, 20).trimmingCharacters(in: .whitespaces)
        if let d = date(field(h, 66, 8)) {
            file.generatedOn = d
            if d > today { problem(hi, "data de geração \(d.formatted) posterior a hoje (\(today.formatted))") }
        } else {
            problem(hi, "data de geração inválida")
        }
        if let n = number(field(h, 74, 6)) { file.nsa = Int(n) } else { problem(hi, "NSA inválido") }

        // Details and trailer.
        guard let (ti, t) = lines.last, lines.count >= 2, field(t, 1, 1) == "Z" else {
            problem(lines.last?.offset ?? hi, "falta o trailer \"Z\" no fim do arquivo")
            throw Problems(items: problems)
        }
        for (i, l) in lines.dropFirst().dropLast() {
            guard field(l, 1, 1) == "G" else {
                problem(i, "registro \"\(field(l, 1, 1))\": o retorno de arrecadação traz só registros \"G\"")
                continue
            }
            guard let paid = date(field(l, 22, 8)), let credited = date(field(l, 30, 8)) else {
                problem(i, "data de pagamento ou de crédito inválida")
                continue
            }
            if paid > file.generatedOn || paid < file.generatedOn.adding(days: -oldestPaymentDays) {
                problem(i, "data de pagamento \(paid.formatted) fora do período do arquivo (gerado em \(file.generatedOn.formatted))")
                continue
            }
            if credited < paid {
                problem(i, "data de crédito \(credited.formatted) anterior ao pagamento (\(paid.formatted))")
                continue
            }
            guard let barcode = ArrecadacaoBarcode(reading: field(l, 38, 44)) else {
                problem(i, "código de barras \(field(l, 38, 44)) inválido (dígito verificador)")
                continue
            }
            guard let cents = number(field(l, 82, 12)), let nsr = number(field(l, 101, 8)) else {
                problem(i, "valor recebido ou NSR inválido")
                continue
            }
            file.payments.append(
                Payment(
                    nsr: Int(nsr), paidOn: paid, creditedOn: credited, barcode: barcode, amount: Money(cents: cents),
                    channel: Character(field(l, 117, 1))))
        }
        // The trailer's count and total are checked always: blank or not a number is a problem.
        if let count = number(field(t, 2, 6)) {
            if count != Int64(lines.count) { problem(ti, "o trailer conta \(count) registros; o arquivo tem \(lines.count)") }
        } else {
            problem(ti, "o trailer não informa a quantidade de registros (posições 2–7)")
        }
        if let total = number(field(t, 8, 17)) {
            if problems.isEmpty, total != file.total.cents {
                problem(ti, "o trailer soma \(Money(cents: total).formatted); os registros \"G\" somam \(file.total.formatted)")
            }
        } else {
            problem(ti, "o trailer não informa o valor total recebido (posições 8–24)")
        }
        if Set(file.payments.map(\.nsr)).count != file.payments.count { problem(ti, "NSR repetido no arquivo") }
        guard problems.isEmpty else { throw Problems(items: problems) }
        return file
    }

    /// What a payment's barcode pays, by this project's free field (`freeField(due:kind:number:)`).
    public enum Target: Equatable, Sendable {
        case bill(Int64)
        case statement(Int64)
        case serviceFee(Int64)
        case installment(agreement: Int64, seq: Int)
        case unknown
    }

    public static func target(of barcode: ArrecadacaoBarcode) -> Target {
        let free = Array(barcode.freeField)
        guard free.count == 25, let kind = free[8].wholeNumberValue, let number = Int64(String(free[9...])) else { return .unknown }
        switch kind {
        case 1: return .bill(number)
        case 2: return .statement(number)
        case 3: return .serviceFee(number)
        case 4: return .installment(agreement: number / 1000, seq: Int(number % 1000))
        default: return .unknown
        }
    }
}
