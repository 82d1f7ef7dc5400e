import API
import Domain
import Foundation
import TUI

extension Calls {
    static func reportProblem(_ c: Client, _ report: Components.Schemas.ProblemReport, key: String) async -> Result<
        Components.Schemas.ProblemReportResult, APIFailure
    > {
        await run {
            switch try await c.reportProblem(headers: .init(idempotencyKey: key), body: .json(report)) {
            case .created(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }
}

/// Relatar um problema (F9 in any screen's help, and the services menu): a few words about what
/// went wrong; the screen it came from and this terminal's name go with them, as a protocol for
/// the IT unit. Logged in or not.
public final class ReportProblemScreen: Screen {
    enum Message: CallResultMessage {
        case sent(Result<Components.Schemas.ProblemReportResult, APIFailure>)
        var failure: APIFailure? { if case .sent(let r) = self { return r.failure } else { return nil } }
    }

    let screen: String
    var area = TextArea(maxLength: 2_000)
    /// A report written and not yet sent: F10 asks before discarding it (issue 28.17).
    public var holdsTypedText: Bool { done == nil && !area.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
    var sending = false
    var failure: APIFailure?
    var done: Components.Schemas.ProblemReportResult?
    let key = UUID().uuidString
    private var width = 76

    init(screen: String) { self.screen = screen }

    public var title: String { "Relatar um problema" }
    public var purpose: String { Service.with(.reportProblem).summary }
    public var isBusy: Bool { sending }

    var actions: [Action] {
        [Action(Command(.function(2), "Enviar", help: "Envia o relato à equipe de tecnologia", enabled: done == nil)) { self.send() }]
    }

    public var commands: [Command] { actions.commands }

    private var app: AppState?
    public func appear(app: AppState) -> [Effect] {
        self.app = app
        return []
    }

    private func send() -> [Effect] {
        let text = area.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count >= 3 else {
            failure = APIFailure(status: 0, code: "invalid", message: "Descreva o problema em poucas palavras.")
            return []
        }
        sending = true
        failure = nil
        let report = Components.Schemas.ProblemReport(
            text: text, screen: screen, terminal: app?.terminalId, mode: app.flatMap { .init(rawValue: $0.mode.rawValue) })
        let key = key
        return [.call { Message.sent(await Calls.reportProblem($0, report, key: key)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard case .key(let k) = event, !sending, done == nil else { return [] }
        if let effects = actions.perform(k, app: app) { return effects }
        _ = area.handle(k, width: width)
        failure = nil
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard case .sent(let r) = message as? Message else { return [] }
        sending = false
        switch r {
        case .success(let d): done = d
        case .failure(let f): failure = f
        }
        return []
    }

    public func render(_ s: inout Surface, area a: Rect, app: AppState) {
        let x = a.x + 2
        let w = a.width - 4
        width = w
        var y = a.y + 1
        if let done {
            y =
                s.paragraph(
                    "Obrigado. O relato foi registrado no protocolo \(done.formatted) para a equipe de tecnologia.", x: x, y: y, width: w,
                    role: .success) + 1
            s.paragraph("Esc volta à tela \(screen).", x: x, y: y, width: w, role: .hint)
            return
        }
        var about = "Tela: \(screen)."
        if let t = app.terminalId { about += " Terminal: \(t)." }
        y = s.paragraph("O que aconteceu? Conte em poucas palavras; \(about)", x: x, y: y, width: w, role: .header) + 1
        let bottom = a.y + a.height - 2
        area.render(into: &s, rect: Rect(x: x, y: y, width: w, height: max(3, bottom - y)), name: "O que aconteceu", focused: !sending)
        if let f = failure { s.footer(f.message, x: x, bottom: a.y + a.height - 1, width: w, role: .error) }
    }
}
