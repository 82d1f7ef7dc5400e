/// The certidão de débitos of a property (PRODUCT.md C4, DOMAIN.md): negativa when nothing is
/// overdue; positiva com efeito de negativa when every debt is in an agreement in good standing;
/// otherwise refused, with each reason and what to do.
public enum CertidaoKind: String, Sendable, Equatable {
    case negativa
    case positivaComEfeitoDeNegativa = "positiva_com_efeito_de_negativa"

    public var title: String {
        switch self {
        case .negativa: return "Certidão Negativa de Débitos"
        case .positivaComEfeitoDeNegativa: return "Certidão Positiva de Débitos com Efeito de Negativa"
        }
    }
}

public enum CertidaoDecision: Equatable, Sendable {
    case issue(CertidaoKind)
    /// Each reason a sentence (which bill, which agreement, since when); `advice` what to do.
    case refuse(reasons: [String], advice: String)

    /// An active agreement and how it stands.
    public struct ActiveAgreement: Sendable {
        public var id: Int64
        public var standing: AgreementStanding
        /// The oldest late installment's payable date, when late.
        public var lateSince: CivilDate?
        public init(id: Int64, standing: AgreementStanding, lateSince: CivilDate?) {
            self.id = id
            self.standing = standing
            self.lateSince = lateSince
        }
    }

    /// The decision on `today` from the property's bills (any situation, any order) and its active
    /// agreements: every bill overdue by the one definition (`Bill.isOverdue`: open, in dívida
    /// ativa or under a pending card payment) refuses it; bills in an agreement in good standing
    /// make it positiva com efeito de negativa.
    public static func decide(bills: [Bill], agreements: [ActiveAgreement], today: CivilDate, calendar: BusinessCalendar)
        -> CertidaoDecision
    {
        var reasons = overdue(bills, on: today, calendar: calendar)
        for a in agreements {
            switch a.standing {
            case .atrasado(let n, _):
                reasons.append(
                    "Acordo nº \(a.id) com \(counted(n, "parcela vencida", plural: "parcelas vencidas")) desde \(a.lateSince?.formatted ?? "—")."
                )
            case .rompido(let why): reasons.append("Acordo nº \(a.id) rompido: \(why)")
            case .emDia, .quitado: break
            }
        }
        if !reasons.isEmpty {
            let pending = bills.contains { $0.situacao == .emRevisao && $0.isOverdue(on: today, calendar: calendar) }
            return .refuse(
                reasons: reasons,
                advice: (pending ? "Um pagamento com cartão só conta depois de aprovado pela operadora. " : "")
                    + "Pague as contas vencidas (extrato de débitos) ou as parcelas atrasadas, ou negocie-as num acordo; "
                    + "depois de compensado o pagamento, peça a certidão de novo.")
        }
        return .issue(bills.contains { $0.situacao == .parcelada } ? .positivaComEfeitoDeNegativa : .negativa)
    }

    /// Why a certidão issued on `issuedOn` no longer stands (empty: it stands): bills owed on
    /// their own today that were already overdue on the day it was issued — the facts it was
    /// issued on turned out false (a payment reversed, a bill imported later, a card payment
    /// declined, an agreement broken that gave its bills back). A bill overdue then and paid since
    /// does not revoke it: nothing is owed.
    public static func falsified(bills: [Bill], issuedOn: CivilDate, calendar: BusinessCalendar) -> [String] {
        overdue(bills, on: issuedOn, calendar: calendar)
    }

    /// One sentence per bill overdue on `day`, oldest first.
    static func overdue(_ bills: [Bill], on day: CivilDate, calendar: BusinessCalendar) -> [String] {
        bills.filter { $0.isOverdue(on: day, calendar: calendar) }.sorted { $0.competencia < $1.competencia }.map { b in
            var s = "Conta de \(b.competencia.formatted), vencida em \(b.due.formatted): \(b.value.formatted)"
            if let d = b.dividaAtivaSince { s += ", inscrita em dívida ativa em \(d.formatted)" }
            if b.situacao == .emRevisao { s += ", em revisão (pagamento com cartão ainda não aprovado pela operadora)" }
            return s + "."
        }
    }
}
