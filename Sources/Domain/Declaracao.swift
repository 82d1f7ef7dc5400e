/// Declaração anual de quitação de débitos (Lei 12.007/2009; PRODUCT.md C6, issue 13): for a
/// year that has ended, issued when every bill falling due in it is paid, or refused naming each
/// bill that is not. A bill in an agreement is paid when the agreement is quitado (its bills
/// then become `paga`); until then it blocks, and the reason names the agreement.
public enum DeclaracaoAnual {
    /// A bill of the year as the decision sees it.
    public struct Bill: Sendable, Equatable {
        public var competencia: Competencia
        public var due: CivilDate
        public var amount: Money
        public var situacao: SituacaoConta
        public var paidOn: CivilDate?
        /// For a `parcelada` bill: the agreement that holds it.
        public var agreement: Int64?

        public init(
            competencia: Competencia, due: CivilDate, amount: Money, situacao: SituacaoConta, paidOn: CivilDate?, agreement: Int64? = nil
        ) {
            self.competencia = competencia
            self.due = due
            self.amount = amount
            self.situacao = situacao
            self.paidOn = paidOn
            self.agreement = agreement
        }

    }

    /// One line of the declaration, as the model in seed 000 lists them.
    public struct Line: Sendable, Equatable {
        public var competencia: Competencia
        /// "PAGA", as the model in seed 000 says it.
        public var situacao: String
        public var paidOn: CivilDate
        public var amount: Money

        public init(competencia: Competencia, situacao: String, paidOn: CivilDate, amount: Money) {
            self.competencia = competencia
            self.situacao = situacao
            self.paidOn = paidOn
            self.amount = amount
        }
    }

    /// Why a year cannot be declared. `code` groups refusals in the batch's summary.
    public struct Refusal: Sendable, Equatable, Error, CustomStringConvertible {
        public enum Code: String, Sendable, CaseIterable {
            case yearNotEnded = "ano_em_curso"
            case noBills = "sem_contas"
            case openBills = "contas_em_aberto"
            case agreementNotPaid = "parcelamento_nao_quitado"
        }
        public var code: Code
        /// One line per blocking bill (or the one reason).
        public var reasons: [String]
        public var advice: String

        public init(code: Code, reasons: [String], advice: String) {
            self.code = code
            self.reasons = reasons
            self.advice = advice
        }

        public var description: String { (reasons + [advice]).filter { !$0.isEmpty }.joined(separator: "\n") }
    }

    /// The declaration's lines for `year`, oldest first, or why not.
    public static func decide(year: Int, today: CivilDate, bills: [Bill]) -> Result<[Line], Refusal> {
        guard year < today.year else {
            return .failure(
                Refusal(
                    code: .yearNotEnded,
                    reasons: [
                        "O ano de \(year) ainda não terminou: a declaração cobre o ano inteiro e é emitida a partir de 01/01/\(year + 1)."
                    ],
                    advice: "Escolha um ano anterior."))
        }
        let ofYear = bills.filter { $0.due.year == year }.sorted { ($0.due, $0.competencia) < ($1.due, $1.competencia) }
        guard !ofYear.isEmpty else {
            return .failure(
                Refusal(
                    code: .noBills, reasons: ["Não há contas com vencimento em \(year) para este imóvel."],
                    advice: "A declaração cobre os meses faturados no ano; escolha outro ano."))
        }
        var lines: [Line] = []
        var open: [String] = []
        var inAgreement: [String] = []
        for b in ofYear {
            let what = "Conta \(b.competencia.formatted) (vencimento \(b.due.formatted), \(b.amount.formatted))"
            switch b.situacao {
            case .paga:
                lines.append(Line(competencia: b.competencia, situacao: "PAGA", paidOn: b.paidOn ?? b.due, amount: b.amount))
            case .parcelada:
                inAgreement.append("\(what): no parcelamento\(b.agreement.map { " nº \($0)" } ?? "") ainda não quitado.")
            case .emRevisao: open.append("\(what): em revisão (pagamento com cartão aguardando a operadora).")
            case .aberta: open.append("\(what): em aberto.")
            // Cancelled, replaced or prescribed at the utility: neither paid nor owed.
            case .baixada: continue
            }
        }
        if !open.isEmpty || !inAgreement.isEmpty {
            let advice =
                open.isEmpty
                ? "A declaração sai quando o parcelamento for quitado (todas as parcelas pagas)."
                : "Pague as contas em aberto (extrato de débitos ou parcelamento) e peça de novo depois da compensação."
            return .failure(Refusal(code: open.isEmpty ? .agreementNotPaid : .openBills, reasons: open + inAgreement, advice: advice))
        }
        return .success(lines)
    }

    /// The law's words the document carries.
    public static func statement(year: Int) -> String {
        "Atendendo à Lei nº 12.007/2009, declaramos quitados os débitos do imóvel abaixo relativos às contas com vencimento em \(year), "
            + "conforme os pagamentos listados. Esta declaração substitui, para a comprovação do cumprimento das obrigações do "
            + "consumidor, as quitações dos faturamentos mensais dos débitos do ano de \(year)."
    }

    public static let lawParagraph =
        "§ 1º do art. 2º da Lei nº 12.007/2009: somente terão direito à declaração de quitação anual de débitos os consumidores que "
        + "quitarem todos os débitos relativos ao ano em referência."
}
