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

    /// An overdue bill that is not in an agreement.
    public struct OverdueBill: Sendable {
        public var competencia: Competencia
        public var due: CivilDate
        public var amount: Money
        /// When it was inscribed in dívida ativa, if it was.
        public var dividaAtivaSince: CivilDate?
        public init(competencia: Competencia, due: CivilDate, amount: Money, dividaAtivaSince: CivilDate? = nil) {
            self.competencia = competencia
            self.due = due
            self.amount = amount
            self.dividaAtivaSince = dividaAtivaSince
        }
    }

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

    /// `inInstallments`: bills in a parcelamento (the property's `parcelada` bills).
    public static func decide(overdue: [OverdueBill], agreements: [ActiveAgreement], inInstallments: Int) -> CertidaoDecision {
        var reasons = overdue.sorted { $0.competencia < $1.competencia }.map {
            "Conta de \($0.competencia.formatted), vencida em \($0.due.formatted): \($0.amount.formatted)"
                + ($0.dividaAtivaSince.map { ", inscrita em dívida ativa em \($0.formatted)." } ?? ".")
        }
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
            return .refuse(
                reasons: reasons,
                advice: "Pague as contas vencidas (extrato de débitos) ou as parcelas atrasadas, ou negocie-as num acordo; "
                    + "depois de compensado o pagamento, peça a certidão de novo.")
        }
        return .issue(inInstallments > 0 ? .positivaComEfeitoDeNegativa : .negativa)
    }
}
