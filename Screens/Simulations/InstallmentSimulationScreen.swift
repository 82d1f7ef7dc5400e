import API
import Domain
import Foundation
import TUI

/// Simular parcelamento (PRODUCT.md C3): CPF/CNPJ of the person responsible, down payment and
/// number of installments in; the debts that would enter, the installment value and the total
/// out, under the utility's limits (each refusal with its reason). Always marked as a
/// simulation that is not a contract.
public final class InstallmentSimulationScreen: Screen {
    enum Message: CallResultMessage {
        case simulated(Result<Calls.InstallmentSimulation, APIFailure>)
        var failure: APIFailure? { if case .simulated(let r) = self { return r.failure } else { return nil } }
    }

    let matricula: String
    var form = Form([
        .init(
            "CPF/CNPJ", .text(TextField(label: "", maxLength: 18, accepts: { $0.isLetter || $0.isNumber || ".-/".contains($0) })),
            hint: "do responsável"),
        .init("Entrada", .text(TextField(label: "", maxLength: 12, accepts: { $0.isNumber || $0 == "," || $0 == "." })), hint: "R$"),
        .init("Parcelas", .text(TextField(label: "", maxLength: 3, accepts: { $0.isNumber })), hint: "quantidade"),
    ])
    var result: Calls.InstallmentSimulation?
    /// The ordinary overdue bills, or those inscribed in dívida ativa (an agreement of their own).
    var kind = Components.Schemas.AgreementKind.comum
    var failure: APIFailure?
    var loading = false
    var bills = DocumentView()

    /// Why nothing can be simulated, known on entry from the property's debts (the server
    /// decides again when asked).
    let blocked: String?

    init(matricula: String, debts: Components.Schemas.DebtSummary? = nil) {
        self.matricula = matricula
        // Overdue bills may still be negotiated beside a running agreement (those in dívida ativa
        // go in an agreement of their own): only nothing overdue blocks at once.
        if let d = debts, d.overdueCount == 0, d.inAgreementCount > 0 {
            blocked = InstallmentPolicy.Problem.activeAgreement.description
        } else if let d = debts, d.overdueCount == 0 {
            blocked =
                InstallmentPolicy.Problem.nothingToNegotiate.description
                + (d.openCount > 0 ? " As contas em aberto ainda não venceram: pague-as pela 2ª via." : "")
        } else {
            blocked = nil
        }
    }

    public var title: String { "Simular parcelamento" }
    public var purpose: String { Service.with(.installments).summary }
    public var isBusy: Bool { loading }
    var actions: [Action] {
        var rows = [
            Action(Command(.enter, "Simular", help: "Calcula as parcelas com a política da companhia", enabled: blocked == nil)) {
                self.simulate()
            }
        ]
        rows.append(
            Action(
                Command(
                    .function(7), kind == .comum ? "Dívida ativa" : "Contas comuns",
                    help: "Alterna entre as contas vencidas comuns e as inscritas em dívida ativa (negociadas em acordo próprio)",
                    enabled: blocked == nil)
            ) {
                self.kind = self.kind == .comum ? .dividaAtiva : .comum
                self.result = nil
                self.failure = nil
                return []
            })
        if let r = result, case .success(let id) = TaxID.parse(form.value(0)) {
            let m = matricula
            rows.append(
                Action(Command(.function(4), "Assinar", help: "Mostra os termos desta simulação para assinar o acordo")) {
                    [.push(AgreementSignScreen(matricula: m, documento: id.normalized, simulation: r))]
                })
        }
        return rows
    }
    public var commands: [Command] { actions.commands }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        guard blocked == nil else { return [] }
        switch event {
        case .key(.pageDown), .key(.pageUp), .wheel: _ = bills.handle(event)
        case .key(let k):
            // Typing changes the terms: the simulation shown (and what F4 would sign) goes.
            if form.handle(k) {
                switch k {
                case .char, .backspace, .delete: result = nil
                default: break
                }
            }
        case .click(_, let y): _ = form.click(row: y)
        default: break
        }
        return []
    }

    private func simulate() -> [Effect] {
        form.problems = [:]
        failure = nil
        guard case .success(let id) = TaxID.parse(form.value(0)) else {
            if case .failure(let p) = TaxID.parse(form.value(0)) { form.problems[0] = p.message }
            form.focus = 0
            return []
        }
        let downText = form.value(1).isEmpty ? "0" : form.value(1)
        guard let down = Money(parsing: downText)?.cents, down >= 0 else {
            form.problems[1] = "Valor inválido: use 150,00."
            form.focus = 1
            return []
        }
        guard let count = Int(form.value(2)), count >= 1 else {
            form.problems[2] = "Informe o número de parcelas."
            form.focus = 2
            return []
        }
        loading = true
        let (m, kind) = (matricula, kind)
        return [
            .call {
                Message.simulated(await Calls.simulateInstallments($0, m, documento: id.normalized, down: down, count: count, kind: kind))
                    as Any
            }
        ]
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard case .simulated(let r) = message as? Message else { return [] }
        loading = false
        switch r {
        case .success(let sim):
            result = sim
            bills = DocumentView()
        case .failure(let f):
            failure = f
            result = nil
        }
        return []
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = area.y + 1
        y = s.paragraph("SIMULAÇÃO — NÃO VALE COMO CONTRATO", x: x, y: y, width: w, role: .warning)
        if kind == .dividaAtiva {
            y = s.paragraph(
                "Débitos inscritos em dívida ativa (acordo próprio; F7 volta às contas comuns).", x: x, y: y, width: w, role: .header)
        }
        y += 1
        if let blocked {
            s.paragraph(blocked, x: x, y: y, width: w, role: .warning)
            return
        }
        y = form.render(into: &s, x: x, y: y, labelWidth: 11, width: min(20, w - 13)) + 1
        if let f = failure {
            s.paragraph(f.message, x: x, y: y, width: w, role: .error)
            return
        }
        guard let r = result else {
            s.paragraph("Entram as contas vencidas, atualizadas até hoje. Preencha e tecle Enter.", x: x, y: y, width: w, role: .muted)
            return
        }
        let parts = r.installments
        let first = Money(cents: parts.first ?? 0).formatted
        var plan = "\(parts.count) × \(first)"
        if let last = parts.last, parts.count > 1, last != parts.first {
            plan = "\(parts.count - 1) × \(first) + 1 × \(Money(cents: last).formatted)"
        }
        let rate = r.monthlyRateBasisPoints == 0 ? "sem juros" : "juros de \(BasisPoints.formatted(r.monthlyRateBasisPoints)) ao mês"
        let summary = [
            ("Dívida atualizada", Money(cents: r.debtCents).formatted),
            ("Entrada (mínima \(Money(cents: r.minDownPaymentCents).formatted))", Money(cents: r.downPaymentCents).formatted),
            ("Parcelas (\(rate))", plan),
            ("Total a pagar", Money(cents: r.totalCents).formatted),
        ]
        for (label, value) in summary {
            s.put(TextLayout.pad(label, width: 40), x: x, y: y, role: label == "Total a pagar" ? .title : .normal, clip: area)
            s.put(value, x: x + 41, y: y, role: label == "Total a pagar" ? .title : .normal, clip: area)
            y += 1
        }
        // What this terminal may sign, and what someone above could do more (issue 28.9).
        if let beyond = r.beyond {
            y = s.paragraph("Aqui: até \(r.maxCount) parcelas. \(beyond)", x: x, y: y, width: area.width - 4, role: .muted)
        }
        y += 1
        s.put("Débitos que entram (\(r.bills.count)); limite: \(r.maxCount) parcelas", x: x, y: y, role: .header, clip: area)
        y += 1
        let lines = r.bills.map { b -> (text: String, role: Role) in
            let c = Competencia(iso: b.competencia)?.formatted ?? b.competencia
            let due = CivilDate(iso: b.dueOn)?.formatted ?? b.dueOn
            return ("\(c)   vencida em \(due)   \(Money(cents: b.updated?.totalCents ?? b.amountCents).formatted)", .normal)
        }
        // The form above keeps the focus: PgUp/PgDn scroll the bills.
        bills.render(lines, into: &s, area: Rect(x: x + 1, y: y, width: w - 1, height: area.y + area.height - y - 1), name: "débitos", active: false)
        s.footer(r.notice, x: x, bottom: area.y + area.height - 1, width: w, role: .warning)
    }

}
