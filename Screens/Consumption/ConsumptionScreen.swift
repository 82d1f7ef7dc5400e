import API
import Domain
import TUI

/// Histórico de consumo (PRODUCT.md D1): a bar chart of the monthly consumption for the last 12,
/// 18 or 24 months (F2 switches), the scale, the average, each month's value under the cursor,
/// estimated readings drawn with a shade (and said in words), and the same data as a table (F3).
public final class ConsumptionScreen: Screen {
    enum Message: CallResultMessage {
        case loaded(Int, Result<Calls.ConsumptionHistory, APIFailure>)
        var failure: APIFailure? { if case .loaded(_, let r) = self { return r.failure } else { return nil } }
    }

    static let periods = [12, 18, 24]
    let matricula: String
    var months: Int
    var history: Calls.ConsumptionHistory?
    var chart = BarChart(bars: [])
    var table = ListState(count: 0)
    var showTable = false
    var loading = false
    var failure: APIFailure?

    init(matricula: String, months: Int = 12) {
        self.matricula = matricula
        self.months = months
    }

    public var title: String { "Histórico de consumo" }
    public var purpose: String { Service.with(.consumption).summary }
    public var isBusy: Bool { loading }
    var actions: [Action] {
        let next = Self.periods[(Self.periods.firstIndex(of: months).map { $0 + 1 } ?? 0) % Self.periods.count]
        return [
            Action(Command(.function(7), "\(next) meses", help: "Alterna entre 12, 18 e 24 meses")) {
                self.months = next
                return self.load()
            },
            Action(Command(.function(8), showTable ? "Gráfico" : "Tabela", help: "Mostra os mesmos dados como tabela ou como gráfico")) {
                self.showTable.toggle()
                self.table.selected = self.chart.selected
                return []
            },
            Action(Command(.function(5), "Atualizar", help: "Recarrega o histórico")) { self.load() },
            .navigation(
                Command(.left, "Mês (← →)", help: "Move o cursor entre os meses; o valor do mês aparece acima do gráfico", inBar: false)),
        ]
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] { load() }

    private func load() -> [Effect] {
        loading = true
        failure = nil
        let (m, n) = (matricula, months)
        return [.call { Message.loaded(n, await Calls.consumption($0, m, months: n)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        switch event {
        case .key(let k):
            if showTable {
                if table.handle(k, pageSize: 10) { chart.selected = table.selected }
            } else {
                _ = chart.handle(k)
                table.selected = chart.selected
            }
        case .click(let x, _):
            if !showTable, let i = chart.index(atColumn: x) {
                chart.selected = i
                table.selected = i
            }
        default: break
        }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard case .loaded(let n, let r) = message as? Message, n == months else { return [] }
        loading = false
        switch r {
        case .success(let h):
            history = h
            chart = BarChart(
                bars: h.items.map { item in
                    let c = Competencia(iso: item.competencia)
                    return BarChart.Bar(
                        label: c.map { $0.month < 10 ? "0\($0.month)" : "\($0.month)" } ?? "?",
                        group: c.map { String($0.year) } ?? "", value: item.consumptionM3, secondary: item.estimated)
                }, average: h.averageM3)
            table = ListState(count: h.items.count)
            table.selected = chart.selected
        case .failure(let f): failure = f
        }
        return []
    }

    static func monthText(_ item: Calls.ConsumptionMonth) -> String {
        let c = Competencia(iso: item.competencia)?.formatted ?? item.competencia
        return "\(c): \(item.consumptionM3) m³ · \(item.estimated ? "estimada (pela média, sem leitura)" : "leitura real")"
    }

    static func decimal(_ v: Double) -> String {
        let tenths = Int((v * 10).rounded())
        return "\(tenths / 10),\(tenths % 10)"
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = area.y + 1
        guard let h = history else {
            let text = failure.map { "\($0.message)  (Esc volta)" } ?? "Carregando o histórico…"
            s.paragraph(text, x: x, y: y, width: w, role: failure == nil ? .muted : .error)
            return
        }
        y = s.paragraph(
            "Consumo mensal em m³ — últimos \(h.months) meses · média \(Self.decimal(h.averageM3)) m³", x: x, y: y, width: w, role: .header)
        guard !h.items.isEmpty else {
            s.put("Não há contas faturadas neste período.", x: x, y: y + 1, role: .muted)
            return
        }
        if h.items.count < h.months {
            y = s.paragraph("Há \(h.items.count) meses faturados neste imóvel.", x: x, y: y, width: w, role: .muted)
        }
        let selected = h.items[min(chart.selected, h.items.count - 1)]
        // The selected month, said in words whichever view shows it.
        s.announce(Self.monthText(selected))
        y = s.paragraph(Self.monthText(selected), x: x, y: y, width: w, role: selected.estimated ? .warning : .normal) + 1
        let bottom = area.y + area.height - 1
        if showTable {
            s.put(TextLayout.pad("Mês", width: 10) + TextLayout.pad("Consumo", width: 13) + "Leitura", x: x, y: y, role: .header)
            y += 1
            let items = h.items
            table.render(
                into: &s, area: Rect(x: x, y: y, width: min(w, 44), height: max(1, bottom - y)),
                row: { i in
                    TextLayout.pad(Competencia(iso: items[i].competencia)?.formatted ?? items[i].competencia, width: 10)
                        + TextLayout.pad(cubicMeters(items[i].consumptionM3), width: 13) + (items[i].estimated ? "estimada (média)" : "real")
                }, spoken: { i in Self.monthText(items[i]) })
            return
        }
        let legend =
            "\(s.glyphs.blockFull) leitura real   \(s.glyphs.blockShade) estimada (pela média)   \(s.glyphs.dotted)\(s.glyphs.dotted) média"
        let chartHeight = max(4, min(18, bottom - y - 1))
        chart.render(into: &s, area: Rect(x: x, y: y, width: w, height: chartHeight))
        s.put(TextLayout.fit(legend, width: w), x: x, y: min(bottom, y + chartHeight), role: .muted)
    }
}
