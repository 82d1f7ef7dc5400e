import API
import Domain
import Foundation
import TUI

extension Calls {
    static func agreements(_ c: Client, _ m: String) async -> Result<[Agreement], APIFailure> {
        await run {
            switch try await c.listAgreements(path: .init(matricula: m)) {
            case .ok(let ok): return .success(try ok.body.json.items)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }
}

/// Acordos: the property's agreements, newest first (F5 the next one): terms, situation — and,
/// when broken, why — and every installment, paid or open; a late one brought up to date to a
/// date (PRODUCT.md C2). The selected open installment's linha digitável is on screen; F2
/// prints its 2ª via (updated when late), F3 saves it (counter), F6 prints the whole carnê, F4
/// e-mails the carnê.
public final class AgreementsScreen: Screen {
    enum Message: CallResultMessage {
        case loaded(Result<[Calls.Agreement], APIFailure>)
        var failure: APIFailure? { if case .loaded(let r) = self { return r.failure } else { return nil } }
    }

    typealias Installment = Components.Schemas.Agreement.InstallmentsPayloadPayload

    let matricula: String
    var agreements: [Calls.Agreement] = []
    var current = 0
    var list = ListState(count: 0)
    var loading = true
    var failure: APIFailure?
    var notice: (String, Role)?
    private var canSave = false

    init(matricula: String) { self.matricula = matricula }

    public var title: String { "Acordos — imóvel \(Matricula.display(matricula))" }
    public var purpose: String { Service.with(.agreements).summary }
    public var isBusy: Bool { loading }

    var agreement: Calls.Agreement? { agreements.indices.contains(current) ? agreements[current] : nil }
    var selected: Installment? {
        guard let a = agreement, a.installments.indices.contains(list.selected) else { return nil }
        return a.installments[list.selected]
    }
    /// What pays the selected installment now: its updated document when late, else its own.
    var selectedPayment: Calls.PaymentCode? { selected.flatMap { $0.updatedPayment ?? $0.payment } }

    var actions: [Action] {
        guard let a = agreement else { return [] }
        let open = a.status == .ativo
        var rows = [
            Action(
                Command(
                    .function(3), "Imprimir", help: "Imprime a 2ª via (boleto) da parcela selecionada (atualizado se atrasada)",
                    enabled: selectedPayment != nil)
            ) { app in self.deliver(.carneSlip(agreement: a.id, seq: self.selected?.seq ?? 0), print: true, app: app) }
        ]
        if canSave {
            rows.append(
                Action(
                    Command(.function(6), "Salvar", help: "Salva o PDF da 2ª via da parcela selecionada", enabled: selectedPayment != nil)
                ) {
                    app in self.deliver(.carneSlip(agreement: a.id, seq: self.selected?.seq ?? 0), print: false, app: app)
                })
        }
        rows.append(
            Action(Command(.function(4), "E-mail", help: "Envia o carnê (parcelas em aberto) por e-mail", enabled: open)) { _ in
                [.push(EmailScreen(matricula: self.matricula, document: .carne(a.id)))]
            })
        rows.append(
            Action(Command(.function(7), "Carnê", help: "Imprime o carnê inteiro: os termos e as parcelas em aberto", enabled: open)) {
                app in
                self.deliver(.carne(a.id), print: true, app: app)
            })
        if agreements.count > 1 {
            rows.append(
                Action(Command(.function(8), "Outro acordo", help: "Mostra o acordo seguinte")) { _ in
                    self.current = (self.current + 1) % self.agreements.count
                    self.list = ListState(count: self.agreement?.installments.count ?? 0)
                    self.notice = nil
                    return []
                })
        }
        return rows
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        canSave = app.canSave
        let m = matricula
        return [.call { Message.loaded(await Calls.agreements($0, m)) as Any }]
    }

    private func deliver(_ doc: DocumentRef, print: Bool, app: AppState) -> [Effect] {
        loading = true
        notice = DocumentDelivered.waiting("o documento", print: print)
        return [DocumentDelivered.call(doc, of: matricula, print: print, output: app.output)]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard case .key(let k) = event, !loading else { return [] }
        if let effects = actions.perform(k, app: app) { return effects }
        if list.handle(k, pageSize: 5) { notice = nil }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        if let d = message as? DocumentDelivered {
            loading = false
            notice = d.notice("o documento")
            return []
        }
        guard case .loaded(let r) = message as? Message else { return [] }
        loading = false
        switch r {
        case .success(let items):
            agreements = items
            list = ListState(count: agreement?.installments.count ?? 0)
            // Start on the first installment still to pay.
            if let first = agreement?.installments.firstIndex(where: { $0.paidOn == nil }) { list.selected = first }
        case .failure(let f): failure = f
        }
        return []
    }

    static func date(_ iso: String) -> String { CivilDate(iso: iso)?.formatted ?? iso }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = area.y + 1
        let bottom = area.y + area.height - 1
        if let f = failure {
            s.paragraph(f.message, x: x, y: y, width: w, role: .error)
            return
        }
        guard !loading || agreement != nil else { return }
        guard let a = agreement else {
            s.paragraph(
                "Este imóvel não tem acordos de parcelamento. Para parcelar os débitos vencidos: Serviços → Simular parcelamento.", x: x,
                y: y, width: w, role: .muted)
            return
        }
        let situation: String
        switch a.status {
        case .ativo: situation = "em andamento"
        case .quitado: situation = "quitado"
        case .rompido: situation = "rompido"
        }
        let of = agreements.count > 1 ? " (\(current + 1) de \(agreements.count))" : ""
        y = s.paragraph(
            "Acordo nº \(a.id)\(of) — \(situation). Assinado em \(Self.date(a.signedOn)): dívida \(Money(cents: a.debtCents).formatted), "
                + "entrada \(Money(cents: a.downPaymentCents).formatted), \(counted(a.count, "parcela")).",
            x: x, y: y, width: w, role: a.status == .rompido ? .warning : .normal)
        if let reason = a.endReason, a.status == .rompido {
            y = s.paragraph("\(reason) O saldo voltou a ser dívida em aberto (Débitos).", x: x, y: y, width: w, role: .warning)
        }
        y += 1
        s.put(TextLayout.pad("  Parcela     Vencimento  Valor         Situação", width: w), x: x, y: y, role: .header)
        y += 1
        // What pays the selected installment, at the bottom: its linha digitável (updated when late).
        var footer: [(String, Role)] = []
        if let i = selected, let p = selectedPayment {
            if let u = i.updated {
                footer.append(
                    (
                        "Atualizada até \(Self.date(u.asOf)): \(u.daysLate) dias de atraso, multa \(Money(cents: u.fineCents).formatted), "
                            + "juros \(Money(cents: u.interestCents).formatted), correção \(Money(cents: u.correctionCents).formatted) — "
                            + "total \(Money(cents: u.totalCents).formatted).", .warning
                    ))
            }
            footer.append(("Linha digitável: \(p.linhaDigitavel)", .normal))
        }
        if let (text, role) = notice { footer.append((text, role)) }
        let footerLines = footer.map { TextLayout.wrap($0.0, width: w).count }.reduce(0, +)
        let height = max(1, bottom - footerLines - y)
        let (arrow, cursorRow) = (s.glyphs.arrowRight, list.selected)
        func label(_ i: Components.Schemas.Agreement.InstallmentsPayloadPayload) -> String { i.seq == 0 ? "Entrada" : "\(i.seq) de \(a.count)" }
        func state(_ i: Components.Schemas.Agreement.InstallmentsPayloadPayload) -> String {
            if let paid = i.paidOn { return "paga em \(Self.date(paid))" }
            if let u = i.updated { return "atrasada: \(Money(cents: u.totalCents).formatted)" }
            return a.status == .ativo ? "em aberto" : "não paga"
        }
        y += list.render(
            into: &s, area: Rect(x: x, y: y, width: w, height: height),
            row: { k in
                let i = a.installments[k]
                return "\(k == cursorRow ? "\(arrow) " : "  ")\(label(i).padding(toLength: 11, withPad: " ", startingAt: 0)) \(Self.date(i.dueOn))  "
                    + "\(Money(cents: i.amountCents).formatted.padding(toLength: 13, withPad: " ", startingAt: 0)) \(state(i))"
            },
            spoken: { k in
                let i = a.installments[k]
                let due = CivilDate(iso: i.dueOn).map(Spoken.date) ?? i.dueOn
                return "Parcela \(label(i)), vence em \(due), \(Spoken.money(cents: i.amountCents)), \(state(i))"
            }).count
        var fy = bottom - footerLines
        for (text, role) in footer { fy = s.paragraph(text, x: x, y: fy, width: w, role: role) }
    }
}
