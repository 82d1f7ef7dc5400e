import API
import Domain
import Foundation
import TUI

/// What the utility's service-management system has not received (issue 31): each webhook's
/// backlog, then the events parked after their last try and those still failing — what, why, what
/// waits behind them. F2 tries the selected one again now; F3 (twice) gives it up so its
/// protocol's later events go. Both are in the audit trail.
public final class DeliveriesScreen: Screen {
    enum Message: CallResultMessage {
        case loaded(Result<Calls.Deliveries, APIFailure>)
        case decided(String, Result<Void, APIFailure>)
        var failure: APIFailure? {
            switch self {
            case .loaded(let r): return r.failure
            case .decided(_, let r): return r.failure
            }
        }
    }

    var data: Calls.Deliveries?
    var items: [Calls.Deliveries.ItemsPayloadPayload] { data?.items ?? [] }
    var list = ListState(count: 0)
    var busy = false
    var failure: APIFailure?
    var notice: String?
    /// The event whose skip waits for a second F3.
    var confirmingSkip: Int64?

    public init() {}

    public var title: String { "Supervisão — envios à concessionária" }
    public var isBusy: Bool { busy }
    var actions: [Action] {
        [
            Action(Command(.function(2), "Reenviar", help: "Tenta de novo agora o evento selecionado", enabled: !items.isEmpty)) {
                self.decide(.retry)
            },
            Action(
                Command(
                    .function(3), "Descartar", help: "Desiste do evento selecionado (F3 duas vezes): os seguintes do protocolo seguem",
                    enabled: !items.isEmpty)
            ) { self.decide(.skip) },
            Action(Command(.function(5), "Atualizar", help: "Lê a lista de novo")) { self.load() },
        ]
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] { load() }

    private func load() -> [Effect] {
        busy = true
        return [.call { Message.loaded(await Calls.deliveries($0)) as Any }]
    }

    private func decide(_ d: Components.Schemas.DecisaoEntrega.DecisionPayload) -> [Effect] {
        guard items.indices.contains(list.selected), !busy else { return [] }
        let item = items[list.selected]
        if d == .skip, confirmingSkip != item.eventId {
            confirmingSkip = item.eventId
            notice = "Descartar o evento \(item.eventId) (\(item._protocol))? A concessionária não o receberá. F3 de novo confirma."
            return []
        }
        confirmingSkip = nil
        busy = true
        notice = nil
        let what = d == .retry ? "Evento \(item.eventId) reenviado agora." : "Evento \(item.eventId) descartado."
        return [
            .call {
                Message.decided(what, await Calls.decide($0, webhook: item.webhook, eventId: item.eventId, d)) as Any
            }
        ]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard case .key(let k) = event else { return [] }
        if let effects = actions.perform(k, app: app) { return effects }
        let before = list.selected
        _ = list.handle(k, pageSize: 5)
        if list.selected != before { confirmingSkip = nil }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard let m = message as? Message else { return [] }
        busy = false
        switch m {
        case .loaded(.success(let d)):
            data = d
            let selected = list.selected
            list = ListState(count: d.items.count)
            list.selected = min(selected, max(0, d.items.count - 1))
            failure = nil
        case .decided(let what, .success):
            notice = what + " Está na trilha de auditoria."
            return load()
        case .loaded(.failure(let f)), .decided(_, .failure(let f)):
            failure = f
        }
        return []
    }

    static var time: DateFormatter { LocalTime.formatter("dd/MM HH:mm") }

    static let typeNames = [
        "protocolo.criado": "abertura", "protocolo.andamento": "andamento", "protocolo.concluido": "conclusão",
        "protocolo.reaberto": "reabertura", "protocolo.anexo": "anexo",
    ]

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = area.y + 1
        let bottom = area.y + area.height - 1
        if let f = failure { s.footer(f.message, x: x, bottom: bottom, width: w, role: .error) }
        guard let data else {
            s.put(busy ? "Carregando…" : "", x: x, y: y, role: .muted)
            return
        }
        if data.webhooks.isEmpty {
            s.paragraph(
                "Nenhum webhook configurado (integration.webhooks): a concessionária lê os eventos pela API ou pelo arquivo.",
                x: x, y: y, width: w, role: .muted)
            return
        }
        let summary = data.webhooks.map { "\($0.name): \($0.pending) aguardando, \($0.parked) parado\($0.parked == 1 ? "" : "s")" }
        y = s.paragraph(summary.joined(separator: " · "), x: x, y: y, width: w, role: .header) + 1
        if let n = notice { y = s.paragraph(n, x: x, y: y, width: w, role: .success) + 1 }
        guard !items.isEmpty else {
            s.put("Nenhum evento parado ou com falha.", x: x, y: y, role: .muted)
            return
        }
        // The list, then the selected event's reason below it.
        let detailLines = 4
        let rows = max(1, bottom - y - detailLines - 1)
        let items = items
        y += list.render(
            into: &s, area: Rect(x: x, y: y, width: w, height: rows),
            row: { i in
                let e = items[i]
                return TextLayout.pad(String(e.eventId), width: 8) + TextLayout.pad(e._protocol, width: 13)
                    + TextLayout.pad(Self.typeNames[e._type] ?? e._type, width: 11) + TextLayout.pad(e.state == .parado ? "PARADO" : "tentando", width: 9)
                    + "\(e.attempts) tent. · \(e.lastStatus.map { "HTTP \($0)" } ?? "sem resposta")"
            },
            spoken: { i in
                let e = items[i]
                return "Evento \(e.eventId), \(Self.typeNames[e._type] ?? e._type) do protocolo \(e._protocol), "
                    + "\(e.state == .parado ? "parado" : "tentando") depois de \(e.attempts) tentativas"
            }).count
        guard items.indices.contains(list.selected) else { return }
        let e = items[list.selected]
        var detail = "Evento \(e.eventId) para \(e.webhook): \(e.lastError ?? "sem detalhe")"
        if !detail.hasSuffix(".") { detail += "." }
        if e.state == .pendente { detail += " Próxima tentativa: \(Self.time.string(from: e.nextAt))." }
        if e.waiting > 0 { detail += " \(counted(e.waiting, "evento seguinte", plural: "eventos seguintes")) do protocolo esperando." }
        s.paragraph(detail, x: x, y: max(y + 1, bottom - detailLines), width: w, role: .muted)
    }
}
