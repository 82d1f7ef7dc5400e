import API
import Domain
import Foundation
import TUI

/// The back office's work queue (the staff mode's first screen): the protocols waiting in the
/// staff member's unit, oldest first, the deadline in colour and in words, counts by situation,
/// unread ones marked; typing filters by number, type, subject, requester or situation. The
/// server sends a page at a time (a unit may hold thousands) and filters the whole queue; the rows
/// already here are filtered at once while it answers. Enter opens one.
public final class QueueScreen: Screen {
    enum Message: CallResultMessage {
        case loaded(generation: Int, append: Bool, Result<Calls.Queue, APIFailure>)
        case catalogue(Result<Calls.ProtocolCatalogue, APIFailure>)
        var failure: APIFailure? {
            switch self {
            case .loaded(_, _, let r): return r.failure
            case .catalogue(let r): return r.failure
            }
        }
    }

    /// Rows asked at a time: a screenful and some (30 at least); the list grows as the cursor
    /// reaches its end.
    var pageSize: Int { max(30, visibleRows + 10) }
    private var visibleRows = 0
    var queue: Calls.Queue?
    /// Every row received for the current filter, page after page.
    var items: [Calls.QueueItem] = []
    var filter = ListFilter()
    var list = ListState(count: 0)
    var loading = 0
    var failure: APIFailure?
    /// Answers to an older filter are dropped.
    private var generation = 0
    private var rows: [(y: Int, index: Int)] = []

    /// A supervisor's choice of unit (nil: their own); the units come from the catalogue.
    var unit: String?
    var units: [(code: String, name: String)] = []

    public init() {}

    public var title: String { queue.map { "Fila — \($0.unitName)" } ?? "Fila da unidade" }

    /// The filter, when it is a protocol's number: Enter opens it wherever it is (issue 28.13).
    var typedNumber: ProtocolNumber? { ProtocolNumber(parsing: filter.text.trimmingCharacters(in: .whitespaces)) }
    public var isBusy: Bool { loading > 0 }

    /// The rows on screen: those received, narrowed by the filter as typed (the server's answer
    /// for the same filter is a subset, so nothing flickers away).
    var shown: [Calls.QueueItem] {
        items.filter { item in
            let situation = ProtocolSituation(rawValue: item.situation.rawValue)?.label ?? ""
            return filter.matches("\(item.formatted) \(item.typeName) \(item.subject) \(item.requesterName) \(situation)")
        }
    }

    var actions: [Action] {
        [
            Action(
                Command(
                    .enter, "Abrir", help: "Abre o protocolo sob o cursor, ou o do número digitado (em qualquer unidade)",
                    enabled: !shown.isEmpty || typedNumber != nil)
            ) {
                if self.shown.isEmpty, let n = self.typedNumber { return [.push(ProtocolScreen(number: n.compact))] }
                return self.open(self.list.selected)
            },
            Action(Command(.function(5), "Atualizar", help: "Lê a fila de novo")) { self.refresh() },
            Action(Command(.function(8), "Novo", help: "Abre um protocolo para um requerente (cliente, fornecedor ou outro)")) {
                [.push(NewProtocolScreen())]
            },
            Action(Command(.function(9), "Clientes", help: "Busca um cliente (balcão): imóvel, contas, serviços")) {
                [.push(CustomerSearchScreen())]
            },
            Action(Command(.function(6), "Ouvidoria", help: "Registra uma manifestação à Ouvidoria para quem a traz")) {
                [.push(OuvidoriaScreen())]
            },
        ] + SupervisionEntry.actions(state) + unitChoice + overdue + [
            Action(Command(.backspace, "Apagar filtro", help: "Apaga a última letra do filtro", inBar: false)) {
                guard self.filter.handle(.backspace) else { return [] }
                return self.load()
            },
        ]
    }

    public var commands: [Command] { actions.commands }

    /// A supervisor looks at any unit's queue: F3 moves to the next one (issue 28.13).
    /// The ouvidoria's overdue list, only for whom the server says watches it (its members and
    /// supervisors): nobody else is offered a key that could only refuse.
    private var overdue: [Action] {
        guard state?.ouvidoria?.watching == true else { return [] }
        return [
            Action(Command(.function(7), "Atrasos", help: "Manifestações da Ouvidoria com o prazo legal vencido (Ouvidoria e supervisão)")) {
                [.push(OuvidoriaOverdueScreen())]
            }
        ]
    }

    private var unitChoice: [Action] {
        guard case .staff(_, _, .supervisor?, _) = state?.session, units.count > 1 else { return [] }
        return [
            Action(Command(.function(3), "Unidade", help: "Supervisão: mostra a fila da próxima unidade")) {
                let current = self.unit ?? self.queue?.unit
                let i = self.units.firstIndex { $0.code == current }.map { ($0 + 1) % self.units.count } ?? 0
                self.unit = self.units[i].code
                self.items = []
                return self.load()
            }
        ]
    }

    /// Whether this staff member answers for the ouvidoria comes with the header's counters.
    private weak var state: AppState?

    public func appear(app: AppState) -> [Effect] {
        state = app
        guard case .staff(_, _, .supervisor?, _) = app.session else { return refresh() }
        return refresh() + [.call { Message.catalogue(await Calls.protocolCatalogue($0)) as Any }]
    }
    public func reappear(app: AppState) -> [Effect] { refresh() }

    /// The first page for the filter as it is now.
    func load() -> [Effect] {
        generation += 1
        list = ListState(count: shown.count)
        return page(offset: 0)
    }

    /// The queue read again (on arrival, on return, F5), and the header's ouvidoria counters
    /// with it — not on every letter of the filter.
    func refresh() -> [Effect] { load() + [.follow(after: 0) { OuvidoriaAlert(result: await Calls.ouvidoriaSummary($0)) as Any }] }

    private func page(offset: Int) -> [Effect] {
        loading += 1
        let (g, q, limit, unit) = (generation, filter.text.trimmingCharacters(in: .whitespaces), pageSize, unit)
        return [
            .call {
                Message.loaded(
                    generation: g, append: offset > 0,
                    await Calls.queue($0, unit: unit, q: q.isEmpty ? nil : q, offset: offset, limit: limit)) as Any
            }
        ]
    }

    /// The next page when the cursor reaches the last row received.
    private func more() -> [Effect] {
        guard loading == 0, let q = queue, items.count < q.total, list.selected >= shown.count - 1 else { return [] }
        return page(offset: items.count)
    }

    private func open(_ index: Int) -> [Effect] {
        let items = shown
        guard items.indices.contains(index) else { return [] }
        return [.push(ProtocolScreen(number: items[index].number))]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        switch event {
        case .key(let k):
            if let effects = actions.perform(k, app: app) { return effects }
            if filter.handle(k) { return load() }
            if list.handle(k, pageSize: 10) { return more() }
        case .click(_, let y):
            if let r = rows.first(where: { $0.y == y }), list.tap(r.index) { return open(r.index) }
        default: break
        }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        if case .catalogue(.success(let c)) = message as? Message {
            units = c.units.map { ($0.code, $0.name) }
            return []
        }
        guard case .loaded(let g, let append, let r) = message as? Message else { return [] }
        loading -= 1
        guard g == generation else { return [] }
        switch r {
        case .success(let q):
            queue = q
            items = append ? items + q.items : q.items
            failure = nil
            let selected = list.selected
            list = ListState(count: shown.count)
            if append { list.selected = selected }
        case .failure(let f): failure = f
        }
        return []
    }

    /// The deadline column and its role (late, due within two days, in time): the days as the
    /// server counted them in the utility's calendar (issue 28.6: never from this terminal's
    /// clock), the date and hour in the utility's zone.
    static func deadline(_ item: Calls.QueueItem) -> (String, Role) {
        guard let d = item.deadlineAt else { return ("sem prazo", .muted) }
        let day = DateFormatter.dayMonth.string(from: d)
        let left = item.daysLeft ?? 0
        switch item.deadlineState {
        case .atrasado: return (left < 0 ? "ATRASADO há \(-left)d" : "ATRASADO desde \(day.suffix(5))", .late)
        case .proximo: return (left == 0 ? "vence hoje \(day.suffix(5))" : "vence \(day)", .dueSoon)
        default: return ("até \(day.prefix(5)) (\(left)d)", .normal)
        }
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 1
        let w = area.width - 2
        var y = area.y
        rows = []
        guard let q = queue else {
            let text =
                failure?.status == 403
                ? "Sua função não tem fila de trabalho (atendentes abrem e consultam protocolos). F9 busca um cliente."
                : failure?.message ?? "Carregando a fila…"
            s.paragraph(text, x: x, y: y + 1, width: w, role: failure == nil ? .muted : .warning)
            return
        }
        let order: [(situation: String, one: String, many: String)] = [
            ("aberto", "aberto", "abertos"), ("reaberto", "reaberto", "reabertos"), ("recebido", "recebido", "recebidos"),
            ("em_andamento", "em andamento", "em andamento"),
        ]
        let counts = order.map { o in
            let n = q.counts.additionalProperties[o.situation] ?? 0
            return "\(n) \(n == 1 ? o.one : o.many)"
        }.joined(separator: " · ")
        y = s.paragraph("\(q.unitName): \(counts)", x: x, y: y, width: w, role: .header)
        y = s.paragraph(
            filter.isEmpty
                ? "Digite para filtrar por número, tipo, assunto, requerente ou situação."
                : "Filtro: \(filter.text) — \(counted(q.total, "protocolo")) (Backspace apaga)",
            x: x, y: y, width: w, role: .muted)
        let items = shown
        guard !items.isEmpty else {
            s.paragraph(
                loading > 0
                    ? "Buscando…" : filter.isEmpty ? "Nenhum protocolo aguardando esta unidade." : "Nenhum protocolo com este filtro.",
                x: x, y: y + 1,
                width: w, role: .muted)
            return
        }
        // Columns: unread mark, number, deadline, situation, type and subject (what remains).
        let header =
            "  " + TextLayout.pad("Protocolo", width: 12) + TextLayout.pad("Prazo", width: 20) + TextLayout.pad("Situação", width: 13)
            + "Tipo — assunto"
        s.put(header, x: x, y: y, role: .header)
        y += 1
        let height = max(1, area.y + area.height - y - 1)
        visibleRows = height
        func situation(_ item: Components.Schemas.QueueItem) -> String {
            ProtocolSituation(rawValue: item.situation.rawValue)?.label ?? item.situation.rawValue
        }
        rows = list.render(
            into: &s, area: Rect(x: x, y: y, width: w, height: height),
            row: { i in
                let item = items[i]
                let rest = max(8, w - 2 - 12 - 20 - 13)
                return (item.unread ? "* " : "  ") + TextLayout.pad(item.formatted, width: 12)
                    + TextLayout.pad(Self.deadline(item).0, width: 20) + TextLayout.pad(situation(item), width: 13)
                    + TextLayout.fit("\(item.typeName) — \(item.subject)", width: rest)
            },
            role: { Self.deadline(items[$0]).1 },
            spoken: { i in
                let item = items[i]
                return "\(item.formatted), \(situation(item).lowercased())\(item.unread ? ", não recebido" : ""), prazo \(Self.deadline(item).0), "
                    + "\(item.typeName), \(item.subject)"
            })
        let partial = self.items.count < q.total ? " · \(self.items.count) de \(q.total) na tela (↓ no fim traz mais)" : ""
        s.put(TextLayout.fit("* não recebido pela unidade" + partial, width: w), x: x, y: area.y + area.height - 1, role: .muted)
        if let f = failure { s.footer(f.message, x: x, bottom: area.y + area.height - 1, width: w, role: .error) }
    }
}

extension DateFormatter {
    /// `03/12 14:00`, at the utility's zone.
    static var dayMonth: DateFormatter { LocalTime.formatter("dd/MM HH:mm") }
}
