import API
import Domain
import Foundation
import TUI

/// Simular conta (PRODUCT.md D3): category, economias, consumption and sewage in; water band by
/// band, sewage and total out. Needs no login (the kiosk's start screen offers it): it reveals
/// nothing private.
public final class BillSimulationScreen: Screen {
    enum Message: CallResultMessage {
        case simulated(Result<Calls.BillSimulation, APIFailure>)
        var failure: APIFailure? { if case .simulated(let r) = self { return r.failure } else { return nil } }
    }

    static let categorias = Categoria.allCases
    var form: Form
    var result: Calls.BillSimulation?
    var failure: APIFailure?
    var loading = false

    init(categoria: String? = nil, economias: Int = 1, esgoto: Bool = true) {
        let cat = Self.categorias.firstIndex { $0.rawValue == categoria } ?? Self.categorias.firstIndex(of: .residencial) ?? 0
        form = Form([
            .init("Categoria", .choice(options: Self.categorias.map(\.label), selected: cat), hint: "← → escolhe"),
            .init("Economias", .text(TextField(label: "", maxLength: 4, accepts: { $0.isNumber })), hint: "unidades na ligação"),
            .init("Consumo", .text(TextField(label: "", maxLength: 6, accepts: { $0.isNumber })), hint: "m³ no mês"),
            .init("Esgoto", .choice(options: ["Sim, ligado à rede", "Não"], selected: esgoto ? 0 : 1)),
        ])
        form.setText(1, String(economias))
        form.focus = 2
    }

    public var title: String { "Simular conta" }
    public var purpose: String { Service.with(.billSimulation).summary }
    public var isBusy: Bool { loading }
    var actions: [Action] { [Action(Command(.enter, "Simular", help: "Calcula a conta com a tabela em vigor")) { self.simulate() }] }
    public var commands: [Command] { actions.commands }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        switch event {
        case .key(let k):
            if form.handle(k) { result = nil }
        case .click(_, let y): _ = form.click(row: y)
        default: break
        }
        return []
    }

    private func simulate() -> [Effect] {
        form.problems = [:]
        failure = nil
        guard let economias = Int(form.value(1)), economias >= 1 else {
            form.problems[1] = "Informe ao menos 1 economia."
            form.focus = 1
            return []
        }
        guard let consumo = Int(form.value(2)) else {
            form.problems[2] = "Informe o consumo em m³."
            form.focus = 2
            return []
        }
        let categoria = Self.categorias[form.selectedIndex(0)].rawValue
        let esgoto = form.selectedIndex(3) == 0
        loading = true
        return [
            .call {
                Message.simulated(
                    await Calls.simulateBill($0, categoria: categoria, economias: economias, consumo: consumo, esgoto: esgoto))
                    as Any
            }
        ]
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard case .simulated(let r) = message as? Message else { return [] }
        loading = false
        switch r {
        case .success(let sim): result = sim
        case .failure(let f): failure = f
        }
        return []
    }

    static func volume(_ text: String?) -> String {
        guard let text, let v = Decimal(plain: text) else { return "" }
        return NSDecimalNumber(decimal: v).stringValue.replacingOccurrences(of: ".", with: ",") + " m³"
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = form.render(into: &s, x: x, y: area.y + 1, labelWidth: 12, width: min(24, w - 14))
        y += 1
        if let f = failure {
            s.paragraph(f.message, x: x, y: y, width: w, role: .error)
            return
        }
        guard let r = result else {
            s.paragraph("Preencha e tecle Enter. Os valores vêm da tabela de tarifas em vigor.", x: x, y: y, width: w, role: .muted)
            return
        }
        let validFrom = CivilDate(iso: r.validFrom)?.formatted ?? r.validFrom
        y = s.paragraph(
            "Conta simulada: \(cubicMeters(r.consumptionM3)), \(counted(r.economias, "economia")) · tabela de \(validFrom)", x: x, y: y,
            width: w, role: .header)
        let amountX = x + max(20, min(w - 14, 58))
        let bottom = area.y + area.height - 1
        func line(_ text: String, _ volume: String, _ cents: Int64, role: Role = .normal) {
            guard y < bottom else { return }
            s.put(TextLayout.fit(text, width: amountX - x - 12), x: x, y: y, role: role)
            s.put(TextLayout.pad(volume, width: 10), x: amountX - 11, y: y, role: .muted)
            let money = Money(cents: cents).formatted
            s.put(money, x: amountX + 12 - money.count, y: y, role: role)
            y += 1
        }
        for l in r.lines { line(l.description, Self.volume(l.volumeM3), l.amountCents) }
        line("Água", "", r.waterCents, role: .header)
        if let pct = r.sewagePercent { line("Esgoto (\(pct) % da água)", "", r.sewageCents) } else { line("Esgoto (não ligado)", "", 0) }
        line("Total", "", r.totalCents, role: .title)
        if y + 1 < bottom {
            s.paragraph(
                "Simulação: a conta real pode trazer outros itens (serviços, multas, parcelas).", x: x, y: y + 1, width: w, role: .muted)
        }
    }
}
