import API
import Domain
import Foundation
import TUI

/// Débitos (PRODUCT.md B2, seed 000 "Negociar Débitos"): every bill of the property; paid ones
/// in blue and bills under review in red, neither selectable, both also labelled in words.
/// Space (or a tap) selects, F2 selects every overdue bill, the selected total follows. Overdue
/// bills show their value updated to today; F3 shows the breakdown. From here: a payment
/// statement (F4), card payment (F6), the second copy of the bill under the cursor (Enter).
///
/// The same screen in `.secondCopy` mode lists only the open bills and opens a bill's second
/// copy (PRODUCT.md B1).
public final class DebtsScreen: Screen {
    public enum Mode { case debts, secondCopy }

    enum Message: CallResultMessage {
        case bills(Result<Calls.BillList, APIFailure>)
        var failure: APIFailure? { if case .bills(let r) = self { return r.failure } else { return nil } }
    }

    let matricula: String
    let mode: Mode
    var all: [Calls.Bill] = []
    var asOf: String?
    var selected: Set<Int64> = []
    var list = ListState(count: 0)
    var loading = false
    var failure: APIFailure?
    var notice: String?
    var showBreakdown = false
    private var rowY: [(y: Int, index: Int)] = []

    public init(matricula: String, mode: Mode = .debts) {
        self.matricula = matricula
        self.mode = mode
    }

    var bills: [Calls.Bill] { mode == .debts ? all : all.filter { $0.situacao == .aberta } }

    public var title: String {
        "\(mode == .debts ? "Débitos" : "Segunda via") — imóvel \(Matricula.display(matricula))"
    }
    public var purpose: String { Service.with(mode == .secondCopy ? .secondCopy : .debts).summary }
    public var isBusy: Bool { loading }

    var actions: [Action] {
        let open = Action(
            Command(
                .enter, mode == .debts ? "2ª via" : "Abrir",
                help: "Mostra a conta sob o cursor: linha digitável, PIX, QR; imprime, salva ou envia", enabled: !bills.isEmpty)
        ) { app in self.openCursor(app: app) }
        let refresh = Action(Command(.function(5), "Atualizar", help: "Recarrega as contas")) { self.load() }
        guard mode == .debts else { return [open, refresh] }
        let charges = Action(Command(.function(3), "Encargos", help: "Mostra multa, juros e correção da conta vencida sob o cursor")) {
            self.showBreakdown.toggle()
            return []
        }
        // The back office reads the debts; it issues no document and takes no payment (issue 28.19).
        guard serving else { return [charges, refresh] }
        return [
            Action(Command(.char(" "), "Marcar", help: "Marca ou desmarca a conta sob o cursor (só contas em aberto)")) {
                self.toggle(self.list.selected)
                return []
            },
            Action(
                Command(
                    .function(2), "Extrato",
                    help: "Emite o extrato de débitos das contas marcadas: um código de barras e um PIX para a soma")
            ) { app in
                guard !self.selected.isEmpty else {
                    self.notice = "Marque ao menos uma conta (Espaço) para emitir o extrato."
                    return []
                }
                return [
                    .push(
                        DocumentScreen(
                            matricula: self.matricula, document: nil, statementOf: self.selectedBills.map(\.id), canSave: app.canSave))
                ]
            },
            Action(Command(.function(6), "Cartão", help: "Paga as contas marcadas com cartão de crédito por uma operadora credenciada")) {
                app in
                guard !self.selected.isEmpty else {
                    self.notice = "Marque ao menos uma conta (Espaço) para pagar com cartão."
                    return []
                }
                return [.push(CardPaymentScreen(matricula: self.matricula, bills: self.selectedBills, canSave: app.canSave))]
            },
            Action(Command(.function(7), "Vencidas", help: "Marca todas as contas vencidas")) {
                let overdue = self.all.filter { $0.overdue && $0.situacao == .aberta }
                self.notice = overdue.isEmpty ? "Nenhuma conta vencida." : nil
                for b in overdue { self.selected.insert(b.id) }
                return []
            },
            charges, open, refresh,
        ]
    }

    public var commands: [Command] { actions.commands }

    /// Whether this role serves the customer (statements, card payments, documents).
    private var serving = true

    public func appear(app: AppState) -> [Effect] {
        serving = app.may("createStatement")
        return load()
    }
    public func reappear(app: AppState) -> [Effect] { load() }

    func load() -> [Effect] {
        loading = true
        let m = matricula
        return [.call { Message.bills(await Calls.bills($0, m)) as Any }]
    }

    /// What paying the bill costs now: updated to today when overdue.
    static func amount(_ b: Calls.Bill) -> Int64 { b.updated?.totalCents ?? b.amountCents }

    var selectedBills: [Calls.Bill] { all.filter { selected.contains($0.id) } }
    var selectedTotal: Money { Money(cents: selectedBills.reduce(0) { $0 + Self.amount($1) }) }

    static func whyNot(_ b: Calls.Bill) -> String? {
        switch b.situacao {
        case .paga: return "Conta paga: não pode ser selecionada."
        case .emRevisao: return "Conta em revisão (cartão em andamento): não pode ser selecionada."
        case .parcelada: return "Conta parcelada: não pode ser selecionada."
        case .baixada: return "Conta sem cobrança (\(b.situacaoOrigem ?? "baixada pela concessionária")): não pode ser selecionada."
        case .aberta: return nil
        }
    }

    func toggle(_ index: Int) {
        guard bills.indices.contains(index), mode == .debts else { return }
        let b = bills[index]
        if let why = Self.whyNot(b) {
            notice = why
            return
        }
        notice = nil
        if selected.contains(b.id) { selected.remove(b.id) } else { selected.insert(b.id) }
    }

    func openCursor(app: AppState) -> [Effect] {
        guard bills.indices.contains(list.selected) else { return [] }
        let b = bills[list.selected]
        guard b.situacao == .aberta else {
            notice = "Só contas em aberto têm segunda via para pagar."
            return []
        }
        return [.push(DocumentScreen(matricula: matricula, document: .bill(b.id), canSave: app.canSave))]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        switch event {
        case .key(let k): _ = list.handle(k, pageSize: 10)
        case .click(_, let y):
            if let row = rowY.first(where: { $0.y == y }) {
                if mode == .secondCopy {
                    if list.selected == row.index { return openCursor(app: app) }
                } else {
                    toggle(row.index)
                }
                list.selected = row.index
            }
        default: break
        }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard case .bills(let r) = message as? Message else { return [] }
        loading = false
        switch r {
        case .success(let l):
            all = l.items
            asOf = l.asOf
            failure = nil
            // Keep only selections that can still be paid (a card payment may have taken some).
            selected = selected.filter { id in all.contains { $0.id == id && $0.situacao == .aberta } }
            let keep = list.selected
            list = ListState(count: bills.count)
            list.selected = min(keep, max(0, bills.count - 1))
        case .failure(let f): failure = f
        }
        return []
    }

    // MARK: Drawing

    /// The bill's situation in words; `asOf` is the server's today (a due date already past
    /// but on a non-business day still pays without charges).
    /// A bill's row in words (issue 32): "Conta de outubro de dois mil e vinte e seis, vencida
    /// em dez de novembro…, cento e dezoito reais e quarenta e dois centavos, com encargos …".
    static func spoken(_ b: Calls.Bill, asOf: String?, marked: Bool?) -> String {
        var parts: [String] = []
        if let c = Competencia(iso: b.competencia) {
            parts.append("Conta de \(Spoken.month(year: c.year, month: c.month))")
        } else {
            parts.append("Conta \(b.competencia)")
        }
        let due = CivilDate(iso: b.dueOn)
        switch b.situacao {
        case .aberta where b.overdue: parts.append("vencida em \(due.map(Spoken.date) ?? b.dueOn)")
        case .aberta: parts.append("vence em \(due.map(Spoken.date) ?? b.dueOn)")
        default: parts.append(status(b, asOf: asOf).0.lowercased())
        }
        parts.append(Spoken.money(cents: b.amountCents))
        if let u = b.updated, u.totalCents != b.amountCents { parts.append("com encargos \(Spoken.money(cents: u.totalCents))") }
        if let marked, b.situacao == .aberta { parts.append(marked ? "marcada" : "não marcada") }
        return parts.joined(separator: ", ")
    }

    static func status(_ b: Calls.Bill, asOf: String?) -> (String, Role) {
        switch b.situacao {
        case .paga:
            return ("Paga\(b.paidOn.flatMap(CivilDate.init(iso:)).map { " em \($0.formatted)" } ?? "")", .paid)
        // The utility's own words, which may be long, go under the table for the selected bill.
        case .emRevisao: return (b.situacaoOrigem == nil ? "Em revisão (cartão)" : "Em revisão", .underReview)
        case .parcelada: return ("Parcelada", .muted)
        case .baixada: return ("Sem cobrança", .muted)
        case .aberta:
            // The date, not a count of days (issue 28.8: the charges' days start at the next
            // business day, which a bare "há N dias" did not say; F3 shows them).
            if b.overdue { return ("Vencida em \(CivilDate(iso: b.dueOn)?.dayMonth ?? b.dueOn)", .overdue) }
            if let until = b.payableUntilOn.flatMap(CivilDate.init(iso:)), let today = asOf, b.dueOn < today {
                return ("Sem encargos até \(until.dayMonth)", .normal)
            }
            return ("A vencer", .normal)
        }
    }

    /// Why a bill has no charges to show.
    static func noCharges(_ b: Calls.Bill) -> String {
        switch b.situacao {
        case .emRevisao:
            if let why = b.situacaoOrigem { return "Esta conta está em revisão na concessionária (\(why)): não se cobra até a decisão." }
            return "Esta conta está em revisão: um pagamento com cartão aguarda a resposta da operadora."
        case .baixada: return "Esta conta não é cobrada: \(b.situacaoOrigem ?? "baixada pela concessionária")."
        case .paga: return "Esta conta já foi paga."
        case .parcelada: return "Esta conta está em um parcelamento."
        case .aberta:
            if let until = b.payableUntilOn.flatMap(CivilDate.init(iso:)) {
                return "Vence em dia sem expediente bancário: paga sem encargos até \(until.formatted)."
            }
            return "Esta conta não tem encargos: não está vencida."
        }
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 1
        var y = area.y
        let w = area.width - 2
        guard !all.isEmpty || failure != nil else {
            s.put(loading ? "Carregando as contas…" : "Nenhuma conta.", x: x + 1, y: y + 1, role: .muted)
            return
        }
        if let f = failure, all.isEmpty {
            let after = s.paragraph(f.message, x: x + 1, y: y + 1, width: w - 1, role: .error)
            if f.retryable { s.put("F5 tenta de novo.", x: x + 1, y: after + 1, role: .muted) }
            return
        }
        if mode == .secondCopy, bills.isEmpty {
            let review = all.filter { $0.situacao == .emRevisao }.count
            var text = "Nenhuma conta em aberto neste imóvel: não há segunda via a emitir."
            if review > 0 { text += " \(counted(review, "conta")) em revisão: não se paga até a decisão." }
            text += " As contas pagas estão em Débitos (F2) e Pagamentos (F4), na tela do imóvel."
            for (i, line) in TextLayout.wrap(text, width: w - 1).enumerated() { s.put(line, x: x + 1, y: y + 1 + i, role: .muted) }
            return
        }
        let asOfText = asOf.flatMap(CivilDate.init(iso:))?.formatted ?? ""
        let wide = w >= 100
        y = s.paragraph(
            (mode == .debts
                ? "Contas vencidas atualizadas até \(asOfText) (multa, juros e correção). Espaço marca uma conta; Enter a abre (2ª via)."
                : "Contas em aberto: Enter abre a segunda via.")
                + (wide && bills.contains(where: \.estimated) ? "   * consumo estimado (sem leitura)" : ""), x: x, y: y, width: w,
            role: .muted)
        // Columns: mark, reference, due date, value, updated, status; wider terminals get a consumption column.
        let header =
            "    " + TextLayout.pad("Ref.", width: 9) + TextLayout.pad("Vencimento", width: 12) + TextLayout.pad("Valor", width: 14)
            + TextLayout.pad("Atualizado", width: 14) + (wide ? TextLayout.pad("Consumo", width: 13) : "") + "Situação"
        s.put(header, x: x, y: y, role: .header)
        y += 1
        // Under the table, each wrapped whole: the selected bill's charges (F3), the total, a message.
        var below: [(String, Role)] = []
        if bills.indices.contains(list.selected), let why = bills[list.selected].situacaoOrigem {
            let b = bills[list.selected]
            below.append(("Conta \(Competencia(iso: b.competencia)?.formatted ?? b.competencia): \(why) (informado pela concessionária).", .muted))
        }
        if mode == .debts {
            if showBreakdown, bills.indices.contains(list.selected) {
                let b = bills[list.selected]
                if let u = b.updated {
                    below.append(
                        (
                            "Valor \(Money(cents: b.amountCents).formatted) + multa \(Money(cents: u.fineCents).formatted) + juros \(Money(cents: u.interestCents).formatted) (\(counted(u.daysLate, "dia"))) + correção \(Money(cents: u.correctionCents).formatted) = \(Money(cents: u.totalCents).formatted) se paga até \(asOfText).",
                            .normal
                        ))
                } else {
                    below.append((Self.noCharges(b), .muted))
                }
            }
            below.append(
                (
                    "Total selecionado (com multa e juros até hoje): \(selectedTotal.formatted) (\(counted(selected.count, "conta")))",
                    .title
                ))
        }
        if let f = failure {
            below.append((f.message, .error))
        } else if let notice {
            below.append((notice, .warning))
        }
        let belowLines = below.flatMap { text, role in TextLayout.wrap(text, width: w).map { ($0, role) } }
        let footer = max(1, belowLines.count)
        let rows = max(1, area.y + area.height - y - footer - 1)
        let shown = bills
        let glyphs = s.glyphs
        let (mode, selectedBills, asOf, cursorRow) = (mode, selected, asOf, list.selected)
        rowY = list.render(
            into: &s, area: Rect(x: x, y: y, width: w, height: rows),
            row: { i in
                let b = shown[i]
                let mark: String
                if mode == .secondCopy {
                    mark = "   "
                } else if b.situacao != .aberta {
                    mark = " - "
                } else {
                    mark = selectedBills.contains(b.id) ? "[\(glyphs.check)]" : "[ ]"
                }
                let comp = Competencia(iso: b.competencia)?.formatted ?? b.competencia
                let due = CivilDate(iso: b.dueOn)?.formatted ?? b.dueOn
                let updated = b.updated.map { Money(cents: $0.totalCents).formatted } ?? ""
                var line =
                    (i == cursorRow ? String(glyphs.arrowRight) : " ") + mark + TextLayout.pad(comp, width: 9)
                    + TextLayout.pad(due, width: 12)
                    + TextLayout.pad(Money(cents: b.amountCents).formatted, width: 14) + TextLayout.pad(updated, width: 14)
                if wide { line += TextLayout.pad("\(cubicMeters(b.consumptionM3))\(b.estimated ? "*" : "")", width: 13) }
                return line + Self.status(b, asOf: asOf).0
            },
            role: { Self.status(shown[$0], asOf: asOf).1 },
            spoken: { i in Self.spoken(shown[i], asOf: asOf, marked: mode == .secondCopy ? nil : selectedBills.contains(shown[i].id)) })
        y = area.y + area.height - footer
        for (line, role) in belowLines {
            s.put(line, x: x, y: y, role: role)
            y += 1
        }
    }
}
