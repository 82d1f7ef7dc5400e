import API
import Domain
import Foundation
import TUI

/// Sends a document by e-mail (PRODUCT.md F3): to the address on file (leave the field empty)
/// or to one typed here. The server queues it and retries until the mail server takes it.
public final class EmailScreen: Screen {
    enum Message: CallResultMessage {
        case sent(Result<Calls.EmailStatus, APIFailure>)
        var failure: APIFailure? { if case .sent(let r) = self { return r.failure } else { return nil } }
    }

    let matricula: String
    let document: DocumentRef
    var field = TextField(label: "E-mail:", maxLength: 120) { !$0.isWhitespace }
    var sending = false
    var result: Calls.EmailStatus?
    var failure: APIFailure?
    /// One key per address typed: a retry of the same request is the same message.
    var key = UUID().uuidString
    var keyFor = ""

    init(matricula: String, document: DocumentRef) {
        self.matricula = matricula
        self.document = document
    }

    public var title: String { "Enviar por e-mail" }
    public var purpose: String { "Envia o documento por e-mail, ao endereço cadastrado ou a outro" }
    public var isBusy: Bool { sending }
    /// E-mail is off at this server: said on entry, before anything is typed.
    var unavailable = false
    static let unavailableText = "O envio por e-mail não está disponível neste atendimento: volte (Esc) e imprima o documento."

    var actions: [Action] {
        [
            Action(
                Command(
                    .enter, "Enviar", help: "Envia o PDF para o endereço digitado, ou para o e-mail cadastrado se o campo ficar vazio",
                    enabled: result == nil && !unavailable)
            ) { self.send() }
        ]
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        unavailable = app.policy?.emailEnabled == false
        return []
    }

    private func send() -> [Effect] {
        let to = field.text.trimmingCharacters(in: .whitespaces)
        if !to.isEmpty, !Masking.isPlausibleEmail(to) {
            failure = APIFailure(status: 0, code: "invalid", message: "Endereço de e-mail inválido: confira o que foi digitado.")
            return []
        }
        if to != keyFor {
            key = UUID().uuidString
            keyFor = to
        }
        sending = true
        failure = nil
        let (m, doc, key) = (matricula, document, key)
        return [.call { Message.sent(await Calls.email($0, m, doc, to: to.isEmpty ? nil : to, key: key)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard result == nil, !unavailable, case .key(let k) = event else { return [] }
        if let effects = actions.perform(k, app: app) { return effects }
        _ = field.handle(k)
        failure = nil
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard case .sent(let r) = message as? Message else { return [] }
        sending = false
        switch r {
        case .success(let s): result = s
        case .failure(let f): failure = f
        }
        return []
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        var y = area.y + 1
        let w = area.width - 4
        if let r = result {
            y = s.paragraph("Pedido registrado: o documento será enviado para \(r.to).", x: x, y: y, width: w, role: .success)
            y = s.paragraph(
                "Se o servidor de e-mail estiver fora do ar, o envio é repetido automaticamente.", x: x, y: y, width: w, role: .muted)
            s.put("Esc volta.", x: x, y: y + 1, role: .muted)
            return
        }
        if unavailable {
            s.paragraph(Self.unavailableText, x: x, y: y, width: w, role: .warning)
            return
        }
        for line in TextLayout.wrap(
            app.mode == .kiosk
                ? "Deixe em branco para enviar ao e-mail cadastrado, ou digite outro endereço."
                : "Deixe em branco para enviar ao e-mail cadastrado do titular, ou digite o endereço que o cliente informar.", width: w)
        {
            s.put(line, x: x, y: y, role: .muted)
            y += 1
        }
        y += 1
        field.render(into: &s, x: x, y: y, labelWidth: 8, width: min(60, w - 9), focused: !sending)
        if let f = failure {
            s.paragraph(f.message, x: x, y: y + 2, width: w, role: .error)
        }
        if sending { s.put("Enviando…", x: x, y: y + 2, role: .muted) }
    }
}
