import API
import Domain
import Foundation
import TUI

/// Abrir protocolo (counter and back office, PRODUCT.md E6/E8): for the customer on screen
/// (prefilled), a supplier or an "outro requerente"; the type found by typing part of its name
/// (its description and default unit shown), subject, text, an optional deadline, attachments
/// (F5). F2 opens it and shows it with its number.
public final class NewProtocolScreen: Screen {
    enum Message: CallResultMessage {
        case catalogue(Result<Calls.ProtocolCatalogue, APIFailure>)
        case created(Result<Calls.ProtocolDetail, APIFailure>)
        var failure: APIFailure? {
            switch self {
            case .catalogue(let r): return r.failure
            case .created(let r): return r.failure
            }
        }
    }

    static let kinds = ["cliente", "fornecedor", "outro"]
    var form = Form([
        .init("Tipo", .text(TextField(label: "", maxLength: 40)), hint: "digite parte do nome"),
        .init("Assunto", .text(TextField(label: "", maxLength: 200))),
        .init("Requerente", .choice(options: NewProtocolScreen.kinds, selected: 2)),
        .init("Nome", .text(TextField(label: "", maxLength: 120)), hint: "ou razão social"),
        .init("CPF/CNPJ", .text(TextField(label: "", maxLength: 18, accepts: { $0.isLetter || $0.isNumber || ".-/".contains($0) }))),
        .init("Matrícula", .text(TextField(label: "", maxLength: 10, accepts: { $0.isNumber || $0 == "-" })), hint: "opcional"),
        .init("Telefone", .text(TextField(label: "", maxLength: 20, accepts: { $0.isNumber || " ()-+.".contains($0) })), hint: "opcional"),
        .init("E-mail", .text(TextField(label: "", maxLength: 120, accepts: { !$0.isWhitespace })), hint: "recebe os andamentos"),
        .init(
            "Prazo", .text(TextField(label: "", maxLength: 16, accepts: { $0.isNumber || "/: ".contains($0) })),
            hint: "dd/mm/aaaa hh:mm, opcional"),
    ])
    var text = TextArea(maxLength: 5_000)
    /// Typed and not yet sent: F10 asks before discarding it (issue 28.17).
    public var holdsTypedText: Bool { !text.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || form.edited }
    /// Typing goes to the text area (Tab moves between it and the fields).
    var inText = false
    var catalogue: Calls.ProtocolCatalogue?
    var sending = false
    var failure: APIFailure?
    let key = UUID().uuidString
    private var textWidth = 70
    /// The requester's documents sent ahead (public with the opening), and where they are picked.
    let tray = AttachmentTray()

    /// `holder`: the customer on screen (requester "cliente", prefilled).
    init(holder: Calls.PropertySummary? = nil) {
        if let p = holder {
            form.select(2, 0)
            form.setText(3, p.titular.nome)
            if p.titular.documento != CustomerKey.noDocument { form.setText(4, p.titular.documento) }
            form.setText(5, Matricula.display(p.matricula))
            form.setText(6, p.titular.telefone ?? "")
            form.setText(7, p.titular.email ?? "")
        }
    }

    public var title: String { "Abrir protocolo" }
    public var purpose: String { Service.with(.newProtocol).summary }
    public var isBusy: Bool { sending }

    var matches: [Components.Schemas.ProtocolCatalogue.TypesPayloadPayload] { ProtocolText.types(catalogue, matching: form.value(0)) }

    var actions: [Action] {
        [
            Action(Command(.function(2), "Abrir", help: "Abre o protocolo e mostra o número")) { self.send() },
            Action(Command(.tab, inText ? "Campos" : "Texto", help: "Alterna entre os campos e o texto do protocolo", inBar: false)) {
                self.inText.toggle()
                return []
            },
        ] + tray.actions(what: "um documento do requerente")
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        tray.appear(app)
        sending = true
        return [.call { Message.catalogue(await Calls.protocolCatalogue($0)) as Any }]
    }

    private func send() -> [Effect] {
        form.problems = [:]
        failure = nil
        guard let type = matches.first else {
            form.problems[0] = "Nenhum tipo com este nome."
            form.focus = 0
            inText = false
            return []
        }
        if form.value(1).trimmingCharacters(in: .whitespaces).count < 3 { form.problems[1] = "Informe o assunto." }
        if form.value(3).trimmingCharacters(in: .whitespaces).count < 2 { form.problems[3] = "Informe o nome." }
        if case .failure(let p) = TaxID.parse(form.value(4)) { form.problems[4] = p.message }
        let email = form.value(7).trimmingCharacters(in: .whitespaces)
        if !email.isEmpty, !Masking.isPlausibleEmail(email) { form.problems[7] = "E-mail inválido." }
        var deadline: Date?
        if !form.value(8).trimmingCharacters(in: .whitespaces).isEmpty {
            deadline = ProtocolText.dateTime.date(from: form.value(8).trimmingCharacters(in: .whitespaces))
            if deadline == nil { form.problems[8] = "Use dd/mm/aaaa hh:mm." }
        }
        let body = text.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if body.count < 3 {
            failure = APIFailure(status: 0, code: "invalid", message: "Escreva o texto do protocolo (Tab vai ao campo de texto).")
        }
        if let first = form.problems.keys.min() {
            form.focus = first
            inText = false
            return []
        }
        guard failure == nil else { return [] }
        func optional(_ i: Int) -> String? {
            let v = form.value(i).trimmingCharacters(in: .whitespaces)
            return v.isEmpty ? nil : v
        }
        let request = Components.Schemas.ProtocolRequest(
            typeCode: type.code, subject: form.value(1), text: body,
            requester: .init(
                kind: .init(rawValue: form.value(2)) ?? .outro, documento: form.value(4), nome: form.value(3), matricula: optional(5),
                telefone: optional(6), email: optional(7)),
            deadlineAt: deadline, attachments: tray.ids)
        sending = true
        let key = key
        return [.call { Message.created(await Calls.createProtocol($0, request, key: key)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard !sending else { return [] }
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        switch event {
        case .key(let k):
            if inText {
                _ = text.handle(k, width: textWidth)
            } else {
                _ = form.handle(k)
            }
            failure = nil
        case .click(_, let y):
            if form.click(row: y) { inText = false }
        default: break
        }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard let m = message as? Message else { return [] }
        sending = false
        switch m {
        case .catalogue(let r):
            switch r {
            case .success(let c): catalogue = c
            case .failure(let f): failure = f
            }
        case .created(let r):
            switch r {
            case .success(let d): return [.pop, .push(ProtocolScreen(number: d.number, opened: true))]
            case .failure(let f): failure = f
            }
        }
        return []
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        textWidth = w
        var y = form.render(into: &s, x: x, y: area.y, labelWidth: 12, width: min(30, w - 14), active: !inText)
        if let t = matches.first {
            let unit = catalogue?.units.first { $0.code == t.defaultUnit }?.name ?? t.defaultUnit
            let others = matches.count > 1 ? " (+\(matches.count - 1): digite mais)" : ""
            let deadline = t.deadlineDays.map { ", prazo \(counted($0, "dia"))" } ?? ""
            y = s.paragraph("\(t.name)\(others): \(t.description) → \(unit)\(deadline)", x: x, y: y, width: w, role: .hint)
        }
        if !tray.files.isEmpty {
            y = s.paragraph(ProtocolText.attachedLine(tray.files, canAttach: false), x: x, y: y, width: w, role: .muted)
        }
        // Who reads it, said where it is written (issue 28.4; CustomerProtocolView).
        y = s.paragraph(
            (inText ? "Texto (Tab volta aos campos; F2 abre)" : "Texto (Tab para escrever)")
                + " — o requerente lê o assunto e este texto; notas internas vão num despacho privado:", x: x, y: y, width: w,
            role: .header)
        let bottom = area.y + area.height - 1
        text.render(into: &s, rect: Rect(x: x, y: y, width: w, height: max(2, bottom - y)), name: "Texto", focused: inText)
        if let f = failure { s.footer(f.message, x: x, bottom: bottom, width: w, role: .error) }
    }
}
