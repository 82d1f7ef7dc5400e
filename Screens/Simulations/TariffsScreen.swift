import API
import Domain
import Foundation
import TUI

/// Tarifas (PRODUCT.md D2): the table in force for each category — minimum charge and its band,
/// the price per m³ of every further band, discounts, sewage, validity and source. ←/→ or Tab
/// changes the category.
public final class TariffsScreen: Screen {
    enum Message: CallResultMessage {
        case loaded(Result<[Calls.TariffTable], APIFailure>)
        var failure: APIFailure? { if case .loaded(let r) = self { return r.failure } else { return nil } }
    }

    var tables: [Calls.TariffTable] = []
    var selected: Int
    let initial: String?
    var loading = false
    var failure: APIFailure?
    private var tabs: [Range<Int>] = []
    private var tabsRow = -1

    init(categoria: String? = nil) {
        initial = categoria
        selected = 0
    }

    public var title: String { "Tarifas" }
    public var purpose: String { Service.with(.tariffs).summary }
    public var isBusy: Bool { loading }
    var actions: [Action] {
        [
            Action(
                Command(
                    .function(7), "Simular", help: "Simula uma conta com a tabela da categoria mostrada", enabled: !tables.isEmpty)
            ) {
                [.push(BillSimulationScreen(categoria: self.tables[self.selected].categoria.rawValue))]
            },
            Action(Command(.function(5), "Atualizar", help: "Recarrega as tabelas em vigor")) { app in self.appear(app: app) },
            .navigation(Command(.tab, "Categoria", help: "Mostra a tabela de outra categoria (também ← →)", inBar: false)),
        ]
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        loading = true
        return [.call { Message.loaded(await Calls.tariffs($0)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        guard !tables.isEmpty else { return [] }
        switch event {
        case .key(.right), .key(.tab): selected = (selected + 1) % tables.count
        case .key(.left), .key(.backTab): selected = (selected + tables.count - 1) % tables.count
        case .click(let x, let y) where y == tabsRow:
            if let i = tabs.firstIndex(where: { $0.contains(x) }) { selected = i }
        default: break
        }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard case .loaded(let r) = message as? Message else { return [] }
        loading = false
        switch r {
        case .success(let t):
            tables = t
            selected = t.firstIndex { $0.categoria.rawValue == initial } ?? t.firstIndex { $0.categoria == .residencial } ?? 0
        case .failure(let f): failure = f
        }
        return []
    }

    static func price(_ text: String) -> String {
        TariffTable.formatPrice(Decimal(plain: text) ?? 0)
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = area.y + 1
        guard !tables.isEmpty else {
            let text = failure?.message ?? (loading ? "Carregando as tarifas…" : "Nenhuma tabela de tarifas em vigor.")
            s.paragraph(text, x: x, y: y, width: w, role: failure == nil ? .muted : .error)
            return
        }
        // Category tabs.
        tabs = []
        tabsRow = y
        var tx = x
        for (i, t) in tables.enumerated() {
            let name = Categoria(rawValue: t.categoria.rawValue)?.label ?? t.categoria.rawValue
            let text = i == selected ? "[\(name)]" : " \(name) "
            let start = tx
            if i == selected {
                // The chosen tab holds the cursor and is said (←/→ or Tab change it).
                s.cursor = (tx, y)
                s.announce("Categoria \(name), \(i + 1) de \(tables.count)")
            }
            tx = s.put(text, x: tx, y: y, role: i == selected ? .selected : .normal, clip: area) + 1
            tabs.append(start..<tx)
        }
        y += 2
        let t = tables[selected]
        let validFrom = CivilDate(iso: t.validFrom)?.formatted ?? t.validFrom
        y = s.paragraph("Em vigor desde \(validFrom) · Fonte: \(t.source)", x: x, y: y, width: w, role: .muted) + 1
        let cols = [16, 20, 12]
        s.put(
            TextLayout.pad("Faixa (m³)", width: cols[0]) + TextLayout.pad("Valor", width: cols[1]) + "Desconto", x: x, y: y, role: .header)
        y += 1
        let minimum = Money(cents: t.minimumCents).formatted
        var rows: [(String, String, Int)] = [("0 a \(t.minimumM3)", "\(minimum) (mínima)", t.minimumDiscountPercent)]
        for b in t.bands {
            rows.append(
                (b.toM3.map { "\(b.fromM3) a \($0)" } ?? "acima de \(b.fromM3 - 1)", "\(Self.price(b.pricePerM3))/m³", b.discountPercent))
        }
        for r in rows where y < area.y + area.height - 4 {
            s.put(
                TextLayout.pad(r.0, width: cols[0]) + TextLayout.pad(r.1, width: cols[1]) + (r.2 > 0 ? "\(r.2) %" : "—"), x: x, y: y)
            y += 1
        }
        y += 1
        let notes = [
            "Esgoto: \(t.sewagePercent) % do valor da água, quando o imóvel está ligado à rede.",
            "A tarifa mínima é cobrada por economia; o consumo é dividido pelas economias e cada faixa é cobrada em cascata.",
        ]
        for line in notes.flatMap({ TextLayout.wrap($0, width: w) }) where y < area.y + area.height {
            s.put(line, x: x, y: y, role: .muted)
            y += 1
        }
    }
}
