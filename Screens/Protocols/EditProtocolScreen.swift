import API
import Domain
import Foundation
import TUI

/// Editar protocolo (staff): type (found by typing), subject and deadline; only what changed is
/// sent, and the server records the old and the new values. F2 saves.
public final class EditProtocolScreen: Screen {
    enum Message: CallResultMessage {
        case catalogue(Result<Calls.ProtocolCatalogue, APIFailure>)
        case saved(Result<Calls.ProtocolDetail, APIFailure>)
        var failure: APIFailure? {
            switch self {
            case .catalogue(let r): return r.failure
            case .saved(let r): return r.failure
            }
        }
    }

    let original: Calls.ProtocolDetail
    var form = Form([
        .init("Tipo", .text(TextField(label: "", maxLength: 40)), hint: "digite parte do nome"),
        .init("Assunto", .text(TextField(label: "", maxLength: 200))),
        .init(
            "Prazo", .text(TextField(label: "", maxLength: 16, accepts: { $0.isNumber || "/: ".contains($0) })), hint: "dd/mm/aaaa hh:mm"),
    ])
    var catalogue: Calls.ProtocolCatalogue?
    var busy = false
    var failure: APIFailure?
    let key = UUID().uuidString

    init(_ detail: Calls.ProtocolDetail) {
        original = detail
        form.setText(0, detail.typeName)
        form.setText(1, detail.subject ?? "")
        form.setText(2, detail.deadlineAt.map { ProtocolText.dateTime.string(from: $0) } ?? "")
        if detail.ouvidoria != nil { form.fields[2].hint = "o da lei: muda só pela prorrogação" }
    }

    public var title: String { "Editar protocolo \(original.formatted)" }
    public var holdsTypedText: Bool { form.edited }
    public var isBusy: Bool { busy }

    var matches: [Components.Schemas.ProtocolCatalogue.TypesPayloadPayload] { ProtocolText.types(catalogue, matching: form.value(0)) }

    var actions: [Action] {
        [Action(Command(.function(2), "Gravar", help: "Grava o que mudou (o histórico guarda o valor anterior)")) { self.save() }]
    }
    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        busy = true
        return [.call { Message.catalogue(await Calls.protocolCatalogue($0)) as Any }]
    }

    private func save() -> [Effect] {
        form.problems = [:]
        failure = nil
        guard let type = matches.first else {
            form.problems[0] = "Nenhum tipo com este nome."
            return []
        }
        let subject = form.value(1).trimmingCharacters(in: .whitespaces)
        if subject.count < 3 { form.problems[1] = "Informe o assunto." }
        let deadlineText = form.value(2).trimmingCharacters(in: .whitespaces)
        let deadline = deadlineText.isEmpty ? nil : ProtocolText.dateTime.date(from: deadlineText)
        if !deadlineText.isEmpty, deadline == nil { form.problems[2] = "Use dd/mm/aaaa hh:mm." }
        let deadlineChanged = deadline != nil && original.deadlineAt.map({ ProtocolText.dateTime.string(from: $0) }) != deadlineText
        if deadlineChanged, original.ouvidoria != nil {
            form.problems[2] = "O prazo de uma manifestação é o da lei: só muda pela prorrogação (uma vez, com o motivo)."
        }
        guard form.problems.isEmpty else { return [] }
        var request = Components.Schemas.ProtocolStepRequest(action: .edit)
        if type.code != original.typeCode { request.typeCode = type.code }
        if subject != original.subject { request.subject = subject }
        if deadlineChanged { request.deadlineAt = deadline }
        guard request.typeCode != nil || request.subject != nil || request.deadlineAt != nil else {
            failure = APIFailure(status: 0, code: "invalid", message: "Nada foi alterado.")
            return []
        }
        busy = true
        let (n, key, step) = (original.number, key, request)
        return [.call { Message.saved(await Calls.addStep($0, n, step, key: key)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard !busy else { return [] }
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        switch event {
        case .key(let k): _ = form.handle(k)
        case .click(_, let y): _ = form.click(row: y)
        default: break
        }
        failure = nil
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard let m = message as? Message else { return [] }
        busy = false
        switch m {
        case .catalogue(let r):
            switch r {
            case .success(let c): catalogue = c
            case .failure(let f): failure = f
            }
        case .saved(let r):
            switch r {
            case .success: return [.pop]
            case .failure(let f): failure = f
            }
        }
        return []
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = form.render(into: &s, x: x, y: area.y + 1, labelWidth: 12, width: min(30, w - 14)) + 1
        if let t = matches.first {
            let others = matches.count > 1 ? " (+\(matches.count - 1): digite mais)" : ""
            y = s.paragraph("\(t.name)\(others): \(t.description)", x: x, y: y, width: w, role: .hint) + 1
        }
        s.paragraph(
            "A alteração fica no histórico com o valor anterior e quem a fez; o requerente não é avisado.", x: x, y: y, width: w,
            role: .muted)
        if let f = failure { s.footer(f.message, x: x, bottom: area.y + area.height - 1, width: w, role: .error) }
    }
}
