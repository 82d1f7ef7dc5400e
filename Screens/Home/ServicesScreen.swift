import Foundation
import TUI

/// Serviços: every service of the terminal's mode for the property on screen (the `Service`
/// table), chosen with the arrows and Enter, its number, or a tap; typing letters filters the
/// list (accents, case and hyphens do not matter; titles that match come before summaries that
/// do). A service's number is its place in the whole catalogue (issue 28.14): the same in every
/// mode and under any filter, so "tecle 14" means one thing; typing it opens the service as soon
/// as no longer number starts with it (Enter opens it at once).
final class ServicesScreen: Screen {
    let context: Service.Context
    var filter = ListFilter()
    /// Digits typed so far: a service's number.
    var typedNumber = ""
    var notice: String?
    var list = ListState(count: 0)
    private var services: [Service] = []
    private var visible: [Service] = []
    private var rows: [(y: Int, x: Range<Int>, index: Int)] = []
    /// Services per column when the list is laid out in two (0: one column).
    private var perColumn = 0

    init(matricula: String, property: Calls.PropertySummary?) {
        context = Service.Context(matricula: matricula, property: property)
    }

    public var title: String { "Serviços" }
    public var purpose: String { "Todos os serviços do imóvel: digite para filtrar, o número ou Enter abre" }

    var actions: [Action] {
        [
            Action(Command(.enter, "Abrir", help: "Abre o serviço selecionado (ou o do número digitado)", enabled: !visible.isEmpty)) {
                if let n = Int(self.typedNumber) {
                    self.typedNumber = ""
                    return self.open(number: n)
                }
                return self.open(self.list.selected)
            },
            Action(
                Command(.backspace, "Apagar filtro", help: "Apaga a última letra do filtro", enabled: !filter.isEmpty || !typedNumber.isEmpty, inBar: false)
            ) {
                if !self.typedNumber.isEmpty {
                    self.typedNumber.removeLast()
                } else {
                    _ = self.filter.handle(.backspace)
                    self.refilter()
                }
                return []
            },
        ]
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        services = Service.offered(to: app)
        refilter()
        return []
    }

    private func refilter() {
        visible = services.filter { $0.titleMatches(filter) } + services.filter { !$0.titleMatches(filter) && $0.matches(filter) }
        list = ListState(count: visible.count)
    }

    /// A service's number: its place in the whole catalogue.
    static func number(_ s: Service) -> Int { (Service.all.firstIndex { $0.id == s.id } ?? 0) + 1 }

    private func open(number n: Int) -> [Effect] {
        guard let i = visible.firstIndex(where: { Self.number($0) == n }) else {
            notice = "Não há serviço de número \(n) nesta lista."
            return []
        }
        return open(i)
    }

    /// A digit typed: opens the service once its number cannot grow into another one's.
    private func typed(digit: Character) -> [Effect] {
        typedNumber.append(digit)
        notice = nil
        let numbers = visible.map(Self.number)
        let typed = typedNumber
        let longer = numbers.contains { String($0).hasPrefix(typed) && String($0) != typed }
        if let n = Int(typed), numbers.contains(n), !longer {
            typedNumber = ""
            return open(number: n)
        }
        if !numbers.contains(where: { String($0).hasPrefix(typed) }) {
            typedNumber = ""
            notice = "Não há serviço de número \(typed) nesta lista."
        }
        return []
    }

    private func open(_ index: Int) -> [Effect] {
        guard visible.indices.contains(index) else { return [] }
        return [.push(visible[index].open(context))]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        switch event {
        case .key(.char(let c)) where c.isNumber:
            return typed(digit: c)
        case .key(.char(let c)) where !c.isNewline:
            _ = filter.handle(.char(c))
            typedNumber = ""
            notice = nil
            refilter()
        case .key(.left) where perColumn > 0: list.selected = max(0, list.selected - perColumn)
        case .key(.right) where perColumn > 0: list.selected = min(visible.count - 1, list.selected + perColumn)
        case .key(let k):
            if let effects = actions.perform(k, app: app) { return effects }
            _ = list.handle(k, pageSize: 5)
        case .click(let x, let y):
            if let row = rows.first(where: { $0.y == y && $0.x.contains(x) }), list.tap(row.index) { return open(row.index) }
        default: break
        }
        return []
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = area.y + 1
        filter.render(into: &s, x: x, y: y, width: w)
        y += 1
        let help =
            notice ?? (typedNumber.isEmpty
                ? "Digite para filtrar; o número, Enter ou um toque abre o serviço."
                : "Número \(typedNumber)… (Enter abre o \(typedNumber))")
        for line in TextLayout.wrap(help, width: w) {
            s.put(line, x: x, y: y, role: notice == nil ? .hint : .warning)
            y += 1
        }
        y += 1
        rows = []
        guard !visible.isEmpty else {
            s.paragraph("Nenhum serviço corresponde a “\(filter.text)”. Backspace apaga o filtro.", x: x, y: y, width: w, role: .warning)
            return
        }
        // One line per service; what the selected one does, in full, below the list.
        let summary = TextLayout.wrap(visible[min(list.selected, visible.count - 1)].summary, width: w)
        let bottom = area.y + area.height - summary.count - 1
        let height = max(1, bottom - y)
        // A list taller than the room goes into two columns (←/→ move between them) when it
        // fits so; otherwise it scrolls.
        let half = (visible.count + 1) / 2
        perColumn = visible.count > height && half <= height ? half : 0
        let columns = perColumn > 0 ? 2 : 1
        let columnWidth = ListState.columnWidth(w, columns: columns)
        let marked = min(list.selected, visible.count - 1)
        let arrow = s.glyphs.arrowRight
        let shown = visible
        rows = list.render(
            into: &s, area: Rect(x: x, y: y, width: w, height: height),
            row: { i in "\(i == marked ? "\(arrow) " : "  ")\(Self.number(shown[i])). \(shown[i].title)" }, columns: columns,
            spoken: { i in "\(Self.number(shown[i])), \(shown[i].title). \(shown[i].summary)" }
        ).map { r in
            // A tap needs the column too: the same layout `render` used.
            let left = x + (perColumn > 0 ? r.index / perColumn : 0) * (columnWidth + 2)
            return (y: r.y, x: left..<(left + columnWidth), index: r.index)
        }
        for (k, line) in summary.enumerated() { s.put(line, x: x, y: bottom + 1 + k, role: .muted) }
    }
}
