import API
import Domain
import Foundation
import TUI

/// Anexos de um protocolo: each file the reader may see (staff: all; the requester: the
/// utility's answers, `CustomerProtocolView`), with its step. F2 prints a PDF, F3 saves any
/// (counter and staff) under its name.
public final class AttachmentsScreen: Screen {
    enum Message: CallResultMessage {
        case delivered(Result<String, APIFailure>)
        var failure: APIFailure? { if case .delivered(let r) = self { return r.failure } else { return nil } }
    }

    let number: String
    let files: [(step: Components.Schemas.ProtocolStep, file: Calls.Attachment)]
    var list: ListState
    var busy: String?
    var failure: APIFailure?
    var notice: String?
    var canSave = false
    /// The terminal's printer and disk.
    var output = DocumentOutput.none
    private var rows: [(y: Int, index: Int)] = []

    init(number: String, files: [(step: Components.Schemas.ProtocolStep, file: Calls.Attachment)]) {
        self.number = number
        self.files = files
        list = ListState(count: files.count)
    }

    public var title: String { "Anexos — protocolo \(ProtocolNumber(parsing: number)?.formatted ?? number)" }
    public var isBusy: Bool { busy != nil }

    var actions: [Action] {
        [
            Action(Command(.function(3), "Imprimir", help: "Imprime o anexo sob o cursor (PDFs; uma imagem se salva)", enabled: selectedIsPDF))
            {
                self.deliver(print: true)
            },
            Action(Command(.function(6), "Salvar", help: "Salva o anexo na pasta deste terminal", enabled: canSave)) {
                self.deliver(print: false)
            },
        ]
    }

    public var commands: [Command] { actions.commands }

    /// Printing is for PDFs, as the printer expects (issue 28.3).
    var selectedIsPDF: Bool { files.indices.contains(list.selected) && files[list.selected].file.mediaType == .applicationPdf }

    public func appear(app: AppState) -> [Effect] {
        canSave = app.canSave
        output = app.output
        return []
    }

    /// Fetches the file off the UI thread and hands it to the printer or the disk.
    private func deliver(print: Bool) -> [Effect] {
        guard files.indices.contains(list.selected) else { return [] }
        let file = files[list.selected].file
        busy = print ? "Enviando \(file.name) para a impressora…" : "Salvando \(file.name)…"
        failure = nil
        notice = nil
        let (n, output) = (number, output)
        return [
            .call { client in
                switch await Calls.attachmentFile(client, number: n, id: file.id) {
                case .success(let data):
                    let name = Self.fileName(file)
                    return Message.delivered(print ? await output.print(data, name) : await output.save(data, name)) as Any
                case .failure(let f): return Message.delivered(.failure(f)) as Any
                }
            }
        ]
    }

    /// The name to save under: the uploaded name, with the extension of what it is when missing.
    static func fileName(_ a: Calls.Attachment) -> String {
        guard let kind = AttachmentKind(rawValue: a.mediaType.rawValue) else { return a.name }
        let ext = (a.name as NSString).pathExtension.lowercased()
        let fits = kind == .jpeg ? ["jpg", "jpeg"].contains(ext) : ext == kind.fileExtension
        return fits ? a.name : "\(a.name).\(kind.fileExtension)"
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard busy == nil else { return [] }
        switch event {
        case .key(let k):
            if let effects = actions.perform(k, app: app) { return effects }
            _ = list.handle(k, pageSize: 10)
        case .click(_, let y):
            if let r = rows.first(where: { $0.y == y }) { _ = list.tap(r.index) }
        default: break
        }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard case .delivered(let r) = message as? Message else { return [] }
        busy = nil
        switch r {
        case .success(let said): notice = said
        case .failure(let f): failure = f
        }
        return []
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 1
        let w = area.width - 2
        let y = area.y
        rows = []
        let bottom = area.y + area.height - 1
        // The selected file's whole name and size below the list (a row may cut a long one).
        let quiet = failure == nil && busy == nil && notice == nil
        let whole =
            quiet && files.indices.contains(list.selected)
            ? TextLayout.wrap(ProtocolText.describe(files[list.selected].file), width: w) : []
        let height = max(1, bottom - y - 1 - whole.count)
        let files = files
        rows = list.render(
            into: &s, area: Rect(x: x, y: y, width: w, height: height),
            row: { i in
                let (step, file) = files[i]
                let when = DateFormatter.dayMonth.string(from: step.at)
                let label = ProtocolScreen.actionLabels[step.action.rawValue] ?? step.action.rawValue
                let left = "\(when)  \(TextLayout.pad(label, width: 11)) \(step._public ? "público" : "PRIVADO")  "
                return left + TextLayout.fit(ProtocolText.describe(file), width: max(8, w - CharWidth.of(left)))
            },
            role: { files[$0].step._public ? .normal : .muted },
            spoken: { i in "\(ProtocolText.describe(files[i].file)), \(files[i].step._public ? "público" : "privado")" })
        for (i, line) in whole.enumerated() { s.put(line, x: x, y: bottom - whole.count + i, role: .header) }
        if let f = failure {
            s.footer(f.message, x: x, bottom: bottom, width: w, role: .error)
        } else if let text = busy ?? notice {
            s.footer(text, x: x, bottom: bottom, width: w, role: busy == nil ? .success : .muted)
        }
    }
}
