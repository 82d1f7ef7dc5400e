import API
import Domain
import Foundation
import TUI

/// Protocolos: those of the property and, for a customer, of the CPF/CNPJ it logged in with,
/// whatever channel opened them, newest first; Enter opens one (its history without private
/// texts or staff names, as the server gives it).
public final class ProtocolsScreen: Screen {
    enum Message: CallResultMessage {
        case loaded(Result<[Components.Schemas.ProtocolSummary], APIFailure>)
        var failure: APIFailure? { if case .loaded(let r) = self { return r.failure } else { return nil } }
    }

    let matricula: String
    var items: [Components.Schemas.ProtocolSummary]?
    var list = ListState(count: 0)
    var loading = 0
    var failure: APIFailure?
    private var rows: [(y: Int, index: Int)] = []

    init(matricula: String) { self.matricula = matricula }

    public var title: String { "Protocolos — imóvel \(Matricula.display(matricula))" }
    public var purpose: String { Service.with(.protocols).summary }
    public var isBusy: Bool { loading > 0 }

    var actions: [Action] {
        [
            Action(Command(.enter, "Abrir", help: "Abre o protocolo sob o cursor: situação e trâmites", enabled: !(items ?? []).isEmpty)) {
                self.open(self.list.selected)
            },
            Action(Command(.function(5), "Atualizar", help: "Lê a lista de novo")) { self.load() },
        ]
    }

    public var commands: [Command] { actions.commands }
    public func appear(app: AppState) -> [Effect] { load() }

    func load() -> [Effect] {
        loading += 1
        let m = matricula
        return [.call { Message.loaded(await Calls.propertyProtocols($0, m)) as Any }]
    }

    private func open(_ index: Int) -> [Effect] {
        guard let items, items.indices.contains(index) else { return [] }
        return [.push(ProtocolScreen(number: items[index].number, canAct: false))]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        switch event {
        case .key(let k):
            if let effects = actions.perform(k, app: app) { return effects }
            _ = list.handle(k, pageSize: 10)
        case .click(_, let y):
            if let r = rows.first(where: { $0.y == y }), list.tap(r.index) { return open(r.index) }
        default: break
        }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard case .loaded(let r) = message as? Message else { return [] }
        loading -= 1
        switch r {
        case .success(let l):
            items = l
            list = ListState(count: l.count)
            failure = nil
        case .failure(let f): failure = f
        }
        return []
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 1
        let w = area.width - 2
        var y = area.y
        rows = []
        guard let items else {
            s.paragraph(failure?.message ?? "Carregando os protocolos…", x: x, y: y + 1, width: w, role: failure == nil ? .muted : .error)
            return
        }
        guard !items.isEmpty else {
            s.paragraph(
                "Nenhum protocolo deste imóvel ou deste CPF/CNPJ. Protocolos abertos no balcão, por telefone ou pela retaguarda aparecem aqui.",
                x: x, y: y + 1, width: w, role: .muted)
            return
        }
        s.put(
            "  " + TextLayout.pad("Protocolo", width: 12) + TextLayout.pad("Aberto", width: 8) + TextLayout.pad("Situação", width: 14)
                + "Tipo — assunto", x: x, y: y, role: .header)
        y += 1
        func situation(_ p: Components.Schemas.ProtocolSummary) -> String {
            ProtocolSituation(rawValue: p.situation.rawValue)?.label ?? p.situation.rawValue
        }
        rows = list.render(
            into: &s, area: Rect(x: x, y: y, width: w, height: max(1, area.y + area.height - y)),
            row: { i in
                let p = items[i]
                let opened = String(DateFormatter.dayMonth.string(from: p.openedAt).prefix(5))
                return "  " + TextLayout.pad(p.formatted, width: 12) + TextLayout.pad(opened, width: 8)
                    + TextLayout.pad(situation(p), width: 14) + TextLayout.fit("\(p.typeName) — \(p.subject)", width: max(8, w - 36))
            },
            spoken: { i in
                let p = items[i]
                let number = ProtocolNumber(parsing: p.formatted).map(Spoken.protocolNumber) ?? p.formatted
                return "Protocolo \(number), \(p.typeName), \(p.subject), \(situation(p).lowercased())"
            })
    }
}
