import API
import Domain
import Foundation
import TUI

/// Consultar protocolo (no login needed): the number and the requester's CPF/CNPJ (or an
/// anonymous manifestation's secret code) → the public part: type, situation, dates, the units
/// it went through and the public dispatches.
public final class ProtocolLookupScreen: Screen {
    enum Message: CallResultMessage {
        case found(Result<Calls.ProtocolDetail, APIFailure>)
        var failure: APIFailure? { if case .found(let r) = self { return r.failure } else { return nil } }
    }

    var form = Form([
        .init("Protocolo", .text(TextField(label: "", maxLength: 12, accepts: { $0.isNumber || $0 == "/" })), hint: "2026/000123"),
        .init(
            "CPF/CNPJ", .text(TextField(label: "", maxLength: 18, accepts: { $0.isLetter || $0.isNumber || ".-/".contains($0) })),
            hint: "do requerente, ou o código secreto"),
    ])
    var found: Calls.ProtocolDetail?
    var failure: APIFailure?
    var busy = false
    var history = DocumentView()

    public init() {}

    public var title: String { "Consultar protocolo" }
    public var purpose: String { Service.with(.protocolLookup).summary }
    public var isBusy: Bool { busy }
    var actions: [Action] {
        [Action(Command(.enter, "Consultar", help: "Consulta o protocolo pelo número e o CPF/CNPJ do requerente")) { self.lookUp() }]
    }
    public var commands: [Command] { actions.commands }

    private func lookUp() -> [Effect] {
        form.problems = [:]
        guard ProtocolNumber(parsing: form.value(0)) != nil else {
            form.problems[0] = "Número inválido: use 2026/000123."
            form.focus = 0
            return []
        }
        // An anonymous manifestation's secret (K7QF-M2XD-9PRA) instead of a CPF/CNPJ.
        let secret = AnonymousSecret.normalized(form.value(1)) != nil ? form.value(1) : nil
        if secret == nil, case .failure(let p) = TaxID.parse(form.value(1)) {
            form.problems[1] = p.message
            form.focus = 1
            return []
        }
        busy = true
        failure = nil
        let (n, d) = (form.value(0), form.value(1))
        return [
            .call { Message.found(await Calls.lookupProtocol($0, number: n, documento: secret == nil ? d : nil, secret: secret)) as Any }
        ]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        switch event {
        case .key(.pageDown), .key(.pageUp), .wheel: _ = history.handle(event)
        case .key(let k): _ = form.handle(k)
        case .click(_, let y): _ = form.click(row: y)
        default: break
        }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard case .found(let r) = message as? Message else { return [] }
        busy = false
        switch r {
        case .success(let d):
            found = d
            failure = nil
        case .failure(let f):
            found = nil
            failure = f
        }
        return []
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = form.render(into: &s, x: x, y: area.y + 1, labelWidth: 11, width: min(20, w - 13)) + 1
        if let f = failure {
            s.paragraph(f.message, x: x, y: y, width: w, role: .error)
            return
        }
        guard let d = found else {
            s.paragraph(
                "Mostra a situação e os trâmites públicos. Os textos internos da companhia não aparecem aqui.", x: x, y: y, width: w,
                role: .muted)
            return
        }
        y = ProtocolText.facts(d, opened: true, into: &s, x: x, y: y, width: w) + 1
        // The form keeps the focus (arrows move between its fields): PgUp/PgDn scroll.
        history.render(
            ProtocolScreen.history(d, width: w), into: &s, area: Rect(x: x, y: y, width: w, height: area.y + area.height - 1 - y),
            name: "histórico", active: false)
    }
}
