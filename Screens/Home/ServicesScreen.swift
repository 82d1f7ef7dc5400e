import Foundation
import TUI

/// Serviços: every service of the terminal's mode for the property on screen (the `Service`
/// table), chosen with the arrows and Enter, its number, or a tap; typing letters filters the
/// list (accents and case do not matter).
final class ServicesScreen: Screen {
    let context: Service.Context
    var filter = ""
    var list = ListState(count: 0)
    private var services: [Service] = []
    private var visible: [Service] = []
    private var rows: [(y: Int, index: Int)] = []

    init(matricula: String, property: Calls.PropertySummary?) {
        context = Service.Context(matricula: matricula, property: property)
    }

    public var title: String { "Serviços" }

    var actions: [Action] {
        [
            Action(Command(.enter, "Abrir", help: "Abre o serviço selecionado", enabled: !visible.isEmpty)) {
                self.open(self.list.selected)
            },
            .digits(
                Command(.char("1"), "1–9 Abrir", help: "Abre o serviço de número 1 a 9 da lista", enabled: !visible.isEmpty, inBar: false)
            ) {
                self.open($0 - 1)
            },
            Action(Command(.backspace, "Apagar filtro", help: "Apaga a última letra do filtro", enabled: !filter.isEmpty, inBar: false)) {
                self.filter.removeLast()
                self.refilter()
                return []
            },
        ]
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        services = Service.offered(in: app.mode)
        refilter()
        return []
    }

    private func refilter() {
        visible = services.filter { $0.matches(filter) }
        list = ListState(count: visible.count)
    }

    private func open(_ index: Int) -> [Effect] {
        guard visible.indices.contains(index) else { return [] }
        return [.push(visible[index].open(context))]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        switch event {
        case .key(.char(let c)) where c.isLetter || c == " ":
            filter.append(c)
            refilter()
        case .key(let k):
            if let effects = actions.perform(k, app: app) { return effects }
            _ = list.handle(k, pageSize: 5)
        case .click(_, let y):
            if let row = rows.first(where: { $0.y == y }), list.tap(row.index) { return open(row.index) }
        default: break
        }
        return []
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = area.y + 1
        s.put("Filtrar: ", x: x, y: y, role: .muted)
        s.put(TextLayout.pad(filter, width: 30), x: x + 9, y: y, role: .inputFocused)
        s.cursor = (x + 9 + CharWidth.of(filter), y)
        y += 1
        for line in TextLayout.wrap("Digite para filtrar; o número, Enter ou um toque abre o serviço.", width: w) {
            s.put(line, x: x, y: y, role: .hint)
            y += 1
        }
        y += 1
        rows = []
        guard !visible.isEmpty else {
            for line in TextLayout.wrap("Nenhum serviço corresponde a “\(filter)”. Backspace apaga o filtro.", width: w) {
                s.put(line, x: x, y: y, role: .warning)
                y += 1
            }
            return
        }
        // One line per service; what the selected one does, in full, below the list.
        let summary = TextLayout.wrap(visible[min(list.selected, visible.count - 1)].summary, width: w)
        let bottom = area.y + area.height - summary.count - 1
        let height = max(1, bottom - y)
        list.scroll(height: height)
        for i in list.top..<min(visible.count, list.top + height) {
            let selected = i == list.selected
            let marker = selected ? "\(s.glyphs.arrowRight) " : "  "
            s.put(TextLayout.pad("\(marker)\(i + 1). \(visible[i].title)", width: w), x: x, y: y, role: selected ? .selected : .normal)
            rows.append((y, i))
            y += 1
        }
        for (k, line) in summary.enumerated() { s.put(line, x: x, y: bottom + 1 + k, role: .muted) }
    }
}
