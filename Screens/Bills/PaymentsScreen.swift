import API
import Domain
import Foundation
import TUI

/// Payment history (PRODUCT.md B6): date, amount, channel, bill.
public final class PaymentsScreen: Screen {
    enum Message: CallResultMessage {
        case loaded(Result<[Calls.Payment], APIFailure>)
        var failure: APIFailure? { if case .loaded(let r) = self { return r.failure } else { return nil } }
    }

    let matricula: String
    var items: [Calls.Payment] = []
    var list = ListState(count: 0)
    var loading = false
    var failure: APIFailure?

    init(matricula: String) { self.matricula = matricula }

    public var title: String { "Pagamentos — imóvel \(Matricula.display(matricula))" }
    public var purpose: String { Service.with(.payments).summary }
    public var isBusy: Bool { loading }
    var actions: [Action] {
        [Action(Command(.function(5), "Atualizar", help: "Recarrega o histórico")) { app in self.appear(app: app) }]
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        loading = true
        let m = matricula
        return [.call { Message.loaded(await Calls.payments($0, m)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        if case .key(let k) = event { _ = list.handle(k, pageSize: 10) }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard case .loaded(let r) = message as? Message else { return [] }
        loading = false
        switch r {
        case .success(let p):
            items = p
            list = ListState(count: p.count)
        case .failure(let f): failure = f
        }
        return []
    }

    /// "Débito automático", "Cartão (Sandbox)": the channel as a column starts it.
    static func channel(_ c: String) -> String {
        let word = CodeWording.channel(c)
        return word.prefix(1).uppercased() + word.dropFirst()
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        var y = area.y + 1
        let w = area.width - 4
        if let f = failure { s.footer(f.message, x: x, bottom: area.y + area.height - 1, width: w, role: .error) }
        guard !items.isEmpty else {
            s.put(loading ? "Carregando…" : "Nenhum pagamento registrado.", x: x, y: y, role: .muted)
            return
        }
        s.put(
            TextLayout.fit(
                TextLayout.pad("Data", width: 12) + TextLayout.pad("Valor", width: 14) + TextLayout.pad("Conta", width: 10) + "Canal",
                width: w),
            x: x, y: y, role: .header)
        y += 1
        let rows = max(1, area.y + area.height - y - 2)
        let items = items
        list.render(
            into: &s, area: Rect(x: x, y: y, width: w, height: rows),
            row: { i in
                let p = items[i]
                return TextLayout.pad(CivilDate(iso: p.paidOn)?.formatted ?? p.paidOn, width: 12)
                    + TextLayout.pad(Money(cents: p.amountCents).formatted, width: 14)
                    + TextLayout.pad(Competencia(iso: p.competencia)?.formatted ?? p.competencia, width: 10) + Self.channel(p.channel)
            },
            spoken: { i in
                let p = items[i]
                let month = Competencia(iso: p.competencia).map { Spoken.month(year: $0.year, month: $0.month) } ?? p.competencia
                return "Pagamento de \(CivilDate(iso: p.paidOn).map(Spoken.date) ?? p.paidOn), \(Spoken.money(cents: p.amountCents)), "
                    + "conta de \(month), \(Self.channel(p.channel))"
            })
        // Where the list stands, so that rows below the screen are known to be there (issue 28.22).
        let last = min(items.count, list.top + rows)
        if items.count > rows {
            let more = items.count - last
            s.put(
                "\(list.top + 1)–\(last) de \(items.count)" + (more > 0 ? " · ↓ mais \(counted(more, "pagamento"))" : ""), x: x,
                y: area.y + area.height - 1, role: .muted)
        }
    }
}
