import API
import Domain
import Foundation
import TUI

/// Anexar arquivo: the files of the terminal's attachments folder (the scanner's drop folder; the
/// user's home over SSH) and its subfolders, folders first, then the newest file first. Enter
/// opens a folder or sends the file; Backspace goes up (never above the configured folder). The
/// file is checked here (size, then PDF/PNG/JPEG by content) so the message comes at once; the
/// server checks again. Listing, reading and sending run off the UI thread.
public final class FilePickerScreen: Screen {
    struct Entry: Equatable, Sendable {
        var name: String
        var isDirectory: Bool
        var size: Int
        var modified: Date
    }

    enum Message: CallResultMessage {
        case listed(String, Result<[Entry], APIFailure>)
        case catalogue(Result<Calls.ProtocolCatalogue, APIFailure>)
        case read(Result<(name: String, content: Data), APIFailure>)
        case uploaded(Result<Calls.Attachment, APIFailure>)
        var failure: APIFailure? {
            switch self {
            case .listed(_, let r): return r.failure
            case .catalogue(let r): return r.failure
            case .read(let r): return r.failure
            case .uploaded(let r): return r.failure
            }
        }
    }

    let root: String
    var path: String
    /// Files the step already carries.
    let already: Int
    let onAttach: (Calls.Attachment) -> Void
    var limits: AttachmentLimits?
    var entries: [Entry]?
    var list = ListState(count: 0)
    var busy: String?
    var failure: APIFailure?
    private var rows: [(y: Int, index: Int)] = []
    private var key = UUID().uuidString

    init(root: String, already: Int, onAttach: @escaping (Calls.Attachment) -> Void) {
        self.root = URL(fileURLWithPath: root).standardizedFileURL.path
        path = self.root
        self.already = already
        self.onAttach = onAttach
    }

    public var title: String { "Anexar arquivo" }
    public var isBusy: Bool { busy != nil }

    var selected: Entry? { entries.flatMap { $0.indices.contains(list.selected) ? $0[list.selected] : nil } }

    var actions: [Action] {
        [
            Action(
                Command(
                    .enter, selected?.isDirectory == true ? "Abrir pasta" : "Escolher",
                    help: "Anexa o arquivo sob o cursor, ou abre a pasta", enabled: selected != nil)
            ) { self.choose() },
            Action(Command(.backspace, "Pasta acima", help: "Volta à pasta de cima", enabled: path != root)) { self.up() },
            Action(Command(.function(5), "Atualizar", help: "Lê a pasta de novo (um arquivo recém-digitalizado)")) {
                self.listing(self.path)
            },
        ]
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        busy = "Lendo a pasta…"
        return listing(path) + [.call { Message.catalogue(await Calls.protocolCatalogue($0)) as Any }]
    }

    func listing(_ folder: String) -> [Effect] {
        busy = "Lendo a pasta…"
        return [.call { _ in Message.listed(folder, Self.list(folder)) as Any }]
    }

    private func up() -> [Effect] {
        guard path != root else { return [] }
        return listing(URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    private func choose() -> [Effect] {
        guard let entry = selected else { return [] }
        let full = URL(fileURLWithPath: path).appendingPathComponent(entry.name).path
        if entry.isDirectory { return listing(full) }
        guard let limits else {
            failure = APIFailure(status: 0, code: "wait", message: "Aguarde: lendo os limites de anexo do servidor.")
            return []
        }
        if let refusal = limits.countRefusal(already + 1) {
            failure = APIFailure(status: 0, code: "too_many", message: refusal)
            return []
        }
        // The size first: a file over the limit is never read.
        if entry.size == 0 || entry.size > limits.maxBytes, let refusal = limits.refusal(name: entry.name, size: entry.size, kind: nil) {
            failure = APIFailure(status: 0, code: "too_large", message: refusal)
            return []
        }
        busy = "Lendo \(entry.name)…"
        failure = nil
        let name = entry.name
        return [.call { _ in Message.read(Self.read(full, name: name, limits: limits)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard busy == nil else { return [] }
        switch event {
        case .key(let k):
            if let effects = actions.perform(k, app: app) { return effects }
            if list.handle(k, pageSize: 10) { failure = nil }
        case .click(_, let y):
            if let r = rows.first(where: { $0.y == y }), list.tap(r.index) { return choose() }
        default: break
        }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard let m = message as? Message else { return [] }
        switch m {
        case .catalogue(let r):
            switch r {
            case .success(let c):
                // A server that does not say: its defaults (it checks again anyway).
                limits = AttachmentLimits(maxBytes: c.attachmentMaxBytes ?? 10 << 20, maxPerStep: c.attachmentsPerStep ?? 5)
            case .failure(let f): failure = f
            }
        case .listed(let folder, let r):
            busy = nil
            switch r {
            case .success(let e):
                entries = e
                path = folder
                list = ListState(count: e.count)
            case .failure(let f): failure = f
            }
        case .read(let r):
            switch r {
            case .success(let file):
                busy = "Enviando \(file.name) (\(AttachmentLimits.size(file.content.count)))…"
                let key = key
                return [
                    .call { Message.uploaded(await Calls.uploadAttachment($0, name: file.name, content: file.content, key: key)) as Any }
                ]
            case .failure(let f):
                busy = nil
                failure = f
            }
        case .uploaded(let r):
            busy = nil
            switch r {
            case .success(let a):
                onAttach(a)
                return [.pop]
            case .failure(let f):
                failure = f
                key = UUID().uuidString
            }
        }
        return []
    }

    /// The folder's visible entries: folders by name, then files newest first.
    static func list(_ folder: String) -> Result<[Entry], APIFailure> {
        let fm = FileManager.default
        let keys: [URLResourceKey] = [.isDirectoryKey, .fileSizeKey, .contentModificationDateKey, .isRegularFileKey]
        do {
            let urls = try fm.contentsOfDirectory(
                at: URL(fileURLWithPath: folder), includingPropertiesForKeys: keys, options: [.skipsHiddenFiles])
            let entries = urls.compactMap { url -> Entry? in
                guard let v = try? url.resourceValues(forKeys: Set(keys)) else { return nil }
                let directory = v.isDirectory == true
                guard directory || v.isRegularFile == true else { return nil }
                return Entry(
                    name: url.lastPathComponent, isDirectory: directory, size: v.fileSize ?? 0,
                    modified: v.contentModificationDate ?? .distantPast)
            }
            return .success(
                entries.sorted {
                    if $0.isDirectory != $1.isDirectory { return $0.isDirectory }
                    if $0.isDirectory { return $0.name.localizedStandardCompare($1.name) == .orderedAscending }
                    return ($0.modified, $1.name) > ($1.modified, $0.name)
                })
        } catch {
            return .failure(
                APIFailure(
                    status: 0, code: "folder", message: "Não foi possível ler a pasta \(folder): verifique se ela existe e a permissão."))
        }
    }

    /// Reads the file and checks it as the server will.
    static func read(_ file: String, name: String, limits: AttachmentLimits) -> Result<(name: String, content: Data), APIFailure> {
        guard let content = FileManager.default.contents(atPath: file) else {
            return .failure(APIFailure(status: 0, code: "read", message: "Não foi possível ler \(name): verifique a permissão do arquivo."))
        }
        if let refusal = limits.refusal(name: name, size: content.count, kind: AttachmentKind(sniffing: content)) {
            return .failure(APIFailure(status: 0, code: "refused", message: refusal))
        }
        return .success((name, content))
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 1
        let w = area.width - 2
        var y = area.y
        rows = []
        y = s.paragraph("Pasta: \(path)", x: x, y: y, width: w, role: .header)
        if let limits {
            y = s.paragraph(
                "PDF, PNG ou JPEG, até \(AttachmentLimits.size(limits.maxBytes)) cada; \(already) de \(limits.maxPerStep) anexos neste trâmite.",
                x: x, y: y, width: w, role: .muted)
        }
        let bottom = area.y + area.height - 1
        guard let entries else {
            s.paragraph(failure?.message ?? busy ?? "", x: x, y: y + 1, width: w, role: failure == nil ? .muted : .error)
            return
        }
        if entries.isEmpty {
            s.paragraph(
                "Nenhum arquivo nesta pasta. Digitalize o documento e tecle F5.", x: x, y: y + 1, width: w, role: .muted)
        }
        // A name too long for its column is written whole below the list when selected.
        let rightWidth = 24
        let nameWidth = max(8, w - rightWidth - 1)
        let quiet = failure == nil && busy == nil
        let whole = selected.flatMap { quiet && CharWidth.of($0.name) > nameWidth ? TextLayout.wrap($0.name, width: w) : nil } ?? []
        let height = max(1, bottom - y - 1 - whole.count)
        rows = list.render(
            into: &s, area: Rect(x: x, y: y, width: w, height: height),
            row: { i in
                let e = entries[i]
                let right =
                    e.isDirectory
                    ? "pasta" : "\(AttachmentLimits.size(e.size))  \(DateFormatter.dayMonth.string(from: e.modified))"
                return TextLayout.pad(e.isDirectory ? e.name + "/" : e.name, width: nameWidth) + " " + TextLayout.pad(right, width: rightWidth)
            },
            role: { entries[$0].isDirectory ? .header : .normal },
            spoken: { i in entries[i].isDirectory ? "Pasta \(entries[i].name)" : "Arquivo \(entries[i].name), \(AttachmentLimits.size(entries[i].size))" })
        for (i, line) in whole.enumerated() { s.put(line, x: x, y: bottom - whole.count + i, role: .header) }
        if let f = failure {
            s.footer(f.message, x: x, bottom: bottom, width: w, role: .error)
        } else if let busy {
            s.footer(busy, x: x, bottom: bottom, width: w, role: .muted)
        }
    }
}

/// The files a step or a new protocol will carry: each picked with F5 (sent ahead by the
/// picker), the last taken back with F7. A kiosk attaches nothing.
final class AttachmentTray {
    private(set) var files: [Calls.Attachment] = []
    /// The terminal's attachments folder (nil: this terminal attaches nothing).
    private(set) var folder: String?

    func appear(_ app: AppState) { folder = app.mode == .kiosk ? nil : app.output.attachmentsDirectory }

    /// The ids the request sends (nil: none).
    var ids: [Int64]? { files.isEmpty ? nil : files.map(\.id) }

    /// Empty again, for another request from the same screen.
    func clear() { files = [] }

    /// F5 Anexar and F7 Retirar anexo, `what` saying what a file is for.
    func actions(what: String) -> [Action] {
        [
            Action(
                Command(.function(8), "Anexar", help: "Anexa \(what) (PDF, PNG ou JPEG) da pasta deste terminal", enabled: folder != nil)
            ) {
                guard let folder = self.folder else { return [] }
                return [.push(FilePickerScreen(root: folder, already: self.files.count) { [weak self] in self?.files.append($0) })]
            },
            Action(Command(.function(7), "Retirar", help: "Retira o último anexo", enabled: !files.isEmpty)) {
                _ = self.files.popLast()
                return []
            },
        ]
    }
}
