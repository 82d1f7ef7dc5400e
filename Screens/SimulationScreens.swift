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
    public var isBusy: Bool { loading }
    public var commands: [Command] {
        [
            Command(.function(7), "Simular conta", help: "Simula uma conta com a tabela da categoria mostrada"),
            Command(.tab, "Categoria", help: "Mostra a tabela de outra categoria (também ← →)", inBar: false),
        ]
    }

    public func appear(app: AppState) -> [Effect] {
        loading = true
        return [.call { Message.loaded(await Calls.tariffs($0)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard !tables.isEmpty else { return [] }
        switch event {
        case .key(.right), .key(.tab): selected = (selected + 1) % tables.count
        case .key(.left), .key(.backTab): selected = (selected + tables.count - 1) % tables.count
        case .key(.function(7)): return [.push(BillSimulationScreen(categoria: tables[selected].categoria.rawValue))]
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
            s.put(TextLayout.fit(text, width: w), x: x, y: y, role: failure == nil ? .muted : .error)
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
            tx = s.put(text, x: tx, y: y, role: i == selected ? .selected : .normal, clip: area) + 1
            tabs.append(start..<tx)
        }
        y += 2
        let t = tables[selected]
        let validFrom = CivilDate(iso: t.validFrom)?.formatted ?? t.validFrom
        s.put(TextLayout.fit("Em vigor desde \(validFrom) · Fonte: \(t.source)", width: w), x: x, y: y, role: .muted)
        y += 2
        let cols = [16, 16, 12]
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
    public var isBusy: Bool { loading }
    public var commands: [Command] { [Command(.enter, "Simular", help: "Calcula a conta com a tabela em vigor")] }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        switch event {
        case .key(.enter): return simulate()
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
            s.put(TextLayout.fit(f.message, width: w), x: x, y: y, role: .error)
            return
        }
        guard let r = result else {
            s.put(
                TextLayout.fit("Preencha e tecle Enter. Os valores vêm da tabela de tarifas em vigor.", width: w), x: x, y: y, role: .muted)
            return
        }
        let validFrom = CivilDate(iso: r.validFrom)?.formatted ?? r.validFrom
        s.put(
            TextLayout.fit(
                "Conta simulada: \(r.consumoM3) m³, \(r.economias) economia\(r.economias == 1 ? "" : "s") · tabela de \(validFrom)",
                width: w),
            x: x, y: y, role: .header)
        y += 1
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
            s.put(
                TextLayout.fit("Simulação: a conta real pode trazer outros itens (serviços, multas, parcelas).", width: w), x: x, y: y + 1,
                role: .muted)
        }
    }
}

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
    var failure: APIFailure?
    var loading = false
    var list = ListState(count: 0)

    init(matricula: String) { self.matricula = matricula }

    public var title: String { "Simular parcelamento" }
    public var isBusy: Bool { loading }
    public var commands: [Command] { [Command(.enter, "Simular", help: "Calcula as parcelas com a política da companhia")] }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        switch event {
        case .key(.enter): return simulate()
        case .key(.pageDown), .key(.pageUp): if case .key(let k) = event { _ = list.handle(k, pageSize: 5) }
        case .key(let k): _ = form.handle(k)
        case .click(_, let y): _ = form.click(row: y)
        default: break
        }
        return []
    }

    /// `150`, `150,5`, `150,50`, `1.234,56` → centavos.
    static func cents(_ text: String) -> Int64? {
        var t = text
        if t.contains(",") { t = t.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: ".") }
        guard !t.isEmpty, let d = Decimal(plain: t), d >= 0 else { return nil }
        var v = d * 100
        var r = Decimal()
        NSDecimalRound(&r, &v, 0, .plain)
        guard r == v else { return nil }
        return NSDecimalNumber(decimal: r).int64Value
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
        guard let down = Self.cents(downText) else {
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
        let m = matricula
        return [
            .call { Message.simulated(await Calls.simulateInstallments($0, m, documento: id.normalized, down: down, count: count)) as Any }
        ]
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard case .simulated(let r) = message as? Message else { return [] }
        loading = false
        switch r {
        case .success(let sim):
            result = sim
            list = ListState(count: sim.bills.count)
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
        s.put(TextLayout.fit("SIMULAÇÃO — NÃO VALE COMO CONTRATO", width: w), x: x, y: y, role: .warning)
        y += 2
        y = form.render(into: &s, x: x, y: y, labelWidth: 11, width: min(20, w - 13)) + 1
        if let f = failure {
            for line in TextLayout.wrap(f.message, width: w) {
                s.put(line, x: x, y: y, role: .error)
                y += 1
            }
            return
        }
        guard let r = result else {
            s.put(
                TextLayout.fit("Entram as contas vencidas, atualizadas até hoje. Preencha e tecle Enter.", width: w), x: x, y: y,
                role: .muted)
            return
        }
        let parts = r.installments
        let first = Money(cents: parts.first ?? 0).formatted
        var plan = "\(parts.count) × \(first)"
        if let last = parts.last, parts.count > 1, last != parts.first {
            plan = "\(parts.count - 1) × \(first) + 1 × \(Money(cents: last).formatted)"
        }
        let rate = r.monthlyRateBasisPoints == 0 ? "sem juros" : "juros de \(Self.percent(r.monthlyRateBasisPoints)) ao mês"
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
        y += 1
        s.put("Débitos que entram (\(r.bills.count)); limite: \(r.maxCount) parcelas", x: x, y: y, role: .header, clip: area)
        y += 1
        let rows = max(1, area.y + area.height - y - 1)
        list.scroll(height: rows)
        for b in r.bills.dropFirst(list.top).prefix(rows) {
            let c = Competencia(iso: b.competencia)?.formatted ?? b.competencia
            let due = CivilDate(iso: b.vencimento)?.formatted ?? b.vencimento
            let updated = Money(cents: b.updated?.totalCents ?? b.valorCents).formatted
            s.put("\(c)   vencida em \(due)   \(updated)", x: x + 1, y: y, clip: area)
            y += 1
        }
        s.put(TextLayout.fit(r.notice, width: w), x: x, y: area.y + area.height - 1, role: .warning)
    }

    static func percent(_ bp: Int) -> String {
        bp % 100 == 0 ? "\(bp / 100) %" : "\(bp / 100),\(String(format: "%02d", bp % 100)) %"
    }
}
