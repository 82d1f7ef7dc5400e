import API
import Domain
import Foundation
import TUI

extension Calls {
    typealias LinkedPerson = Components.Schemas.LinkedPerson
    typealias Contact = Components.Schemas.ContactHistory.ItemsPayloadPayload

    static func people(_ c: Client, _ m: String) async -> Result<[LinkedPerson], APIFailure> {
        await run {
            switch try await c.listPeople(path: .init(matricula: m)) {
            case .ok(let ok): return .success(try ok.body.json.items)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func link(_ c: Client, _ m: String, _ request: Components.Schemas.LinkRequest, key: String) async -> Result<String, APIFailure> {
        await run {
            switch try await c.linkPerson(path: .init(matricula: m), headers: .init(idempotencyKey: key), body: .json(request)) {
            case .created(let ok): return .success(try ok.body.json.formatted)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func unlink(_ c: Client, _ m: String, documento: String, _ request: Components.Schemas.UnlinkRequest, key: String) async
        -> Result<String, APIFailure>
    {
        await run {
            switch try await c.unlinkPerson(
                path: .init(matricula: m, documento: documento), headers: .init(idempotencyKey: key), body: .json(request))
            {
            case .ok(let ok): return .success(try ok.body.json.formatted)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func setPhone(_ c: Client, _ m: String, documento: String, _ phone: String) async -> Result<[LinkedPerson], APIFailure> {
        await run {
            switch try await c.setPhone(path: .init(matricula: m, documento: documento), body: .json(.init(telefone: phone))) {
            case .ok(let ok): return .success(try ok.body.json.items)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func contactHistory(_ c: Client, _ m: String) async -> Result<[Contact], APIFailure> {
        await run {
            switch try await c.getContactHistory(path: .init(matricula: m)) {
            case .ok(let ok): return .success(try ok.body.json.items)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }
}

/// Cadastro do imóvel (counter and back office): who is linked to the property, in what role and
/// since when, with phone and e-mail. F2 links a CPF/CNPJ and F3 unlinks the one under the cursor
/// (each with a document, F5, recorded as a protocol); F4 edits the phone; F6 changes the
/// e-mail with the customer present; F7 shows the contact history.
public final class CustomerRecordScreen: Screen {
    enum Message: CallResultMessage {
        case loaded(Result<[Calls.LinkedPerson], APIFailure>)
        case done(Result<String, APIFailure>)
        case phone(Result<[Calls.LinkedPerson], APIFailure>)
        var failure: APIFailure? {
            switch self {
            case .loaded(let r), .phone(let r): return r.failure
            case .done(let r): return r.failure
            }
        }
    }

    enum Stage { case list, link, unlink, phone }

    let matricula: String
    var people: [Calls.LinkedPerson]?
    var list = ListState(count: 0)
    var stage = Stage.list
    static let roles = ["usuario", "responsavel_financeiro"]
    var form = Form([])
    var busy = false
    var failure: APIFailure?
    var notice: String?
    var key = UUID().uuidString
    let tray = AttachmentTray()
    private var rows: [(y: Int, index: Int)] = []

    init(matricula: String) { self.matricula = matricula }

    public var title: String { "Cadastro — imóvel \(Matricula.display(matricula))" }
    public var purpose: String { Service.with(.record).summary }
    /// A link, unlink or phone half written (or a document attached) is lost by leaving: F10 asks.
    public var holdsTypedText: Bool { stage != .list && (form.edited || tray.ids != nil) }
    public var isBusy: Bool { busy }

    var selected: Calls.LinkedPerson? { people.flatMap { $0.indices.contains(list.selected) ? $0[list.selected] : nil } }

    var actions: [Action] {
        switch stage {
        case .list:
            let m = matricula
            return [
                Action(
                    Command(
                        .function(2), "Vincular", help: "Vincula um CPF/CNPJ ao imóvel (usuário ou responsável financeiro), com documento")
                ) {
                    self.begin(.link)
                },
                Action(
                    Command(
                        .function(3), "Desvincular", help: "Desvincula a pessoa sob o cursor, com documento e motivo",
                        enabled: selected?.papel != .titular && selected != nil,
                        whyNot: "O titular não se desvincula aqui: a troca de titular é um pedido de titularidade (Solicitar serviço).")
                ) { self.begin(.unlink) },
                Action(Command(.function(4), "Telefone", help: "Altera o telefone da pessoa sob o cursor", enabled: selected != nil)) {
                    self.begin(.phone)
                },
                Action(
                    Command(
                        .function(6), "Mudar e-mail", help: "Altera o e-mail da pessoa sob o cursor (com código, ou com ela presente)",
                        enabled: selected != nil)
                ) {
                    guard let p = self.selected else { return [] }
                    return [.push(EmailChangeScreen(matricula: m, person: (p.documento.filter { $0.isLetter || $0.isNumber }, p.nome)))]
                },
                Action(
                    Command(.function(7), "Histórico", help: "Todos os contatos com o imóvel: protocolos, documentos, pagamentos, e-mails")
                ) {
                    [.push(ContactHistoryScreen(matricula: m))]
                },
            ]
        case .link, .unlink, .phone:
            var rows = [Action(Command(.function(2), "Gravar", help: "Registra a alteração")) { self.send() }]
            if stage != .phone { rows += tray.actions(what: "o documento apresentado") }
            return rows
        }
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        tray.appear(app)
        return load()
    }

    func load() -> [Effect] {
        busy = true
        let m = matricula
        return [.call { Message.loaded(await Calls.people($0, m)) as Any }]
    }

    private func begin(_ s: Stage) -> [Effect] {
        stage = s
        failure = nil
        notice = nil
        key = UUID().uuidString
        tray.clear()
        switch s {
        case .link:
            form = Form([
                .init(
                    "CPF/CNPJ", .text(TextField(label: "", maxLength: 18, accepts: { $0.isLetter || $0.isNumber || ".-/".contains($0) }))),
                .init("Nome", .text(TextField(label: "", maxLength: 120)), hint: "se ainda não tem cadastro"),
                .init("Papel", .choice(options: ["usuário (inquilino)", "responsável financeiro"], selected: 0)),
                .init("E-mail", .text(TextField(label: "", maxLength: 120, accepts: { !$0.isWhitespace })), hint: "opcional"),
                .init("Telefone", .text(TextField(label: "", maxLength: 20, accepts: { $0.isNumber || " ()-+.".contains($0) })), hint: "opcional"),
            ])
        case .unlink:
            form = Form([.init("Motivo", .text(TextField(label: "", maxLength: 200)))])
        case .phone:
            form = Form([.init("Telefone", .text(TextField(label: "", maxLength: 20, accepts: { $0.isNumber || " ()-+.".contains($0) })), hint: "vazio remove")])
            form.setText(0, selected?.telefone ?? "")
        case .list: break
        }
        return []
    }

    private func send() -> [Effect] {
        form.problems = [:]
        failure = nil
        let m = matricula
        let key = key
        func value(_ i: Int) -> String { form.value(i).trimmingCharacters(in: .whitespaces) }
        switch stage {
        case .link:
            if case .failure(let p) = TaxID.parse(value(0)) { form.problems[0] = p.message }
            if !value(3).isEmpty, !Masking.isPlausibleEmail(value(3)) { form.problems[3] = "E-mail inválido." }
            if let first = form.problems.keys.min() {
                form.focus = first
                return []
            }
            guard let attachment = tray.ids?.first else { return missingDocument() }
            let papel: Components.Schemas.LinkRequest.PapelPayload = form.value(2).hasPrefix("usu") ? .usuario : .responsavelFinanceiro
            let request = Components.Schemas.LinkRequest(
                documento: value(0), nome: value(1).isEmpty ? nil : value(1), papel: papel, attachment: attachment,
                email: value(3).isEmpty ? nil : value(3), telefone: value(4).isEmpty ? nil : value(4))
            busy = true
            return [.call { Message.done(await Calls.link($0, m, request, key: key)) as Any }]
        case .unlink:
            guard let person = selected else { return [] }
            if value(0).count < 3 {
                form.problems[0] = "Informe o motivo."
                return []
            }
            guard let attachment = tray.ids?.first else { return missingDocument() }
            let request = Components.Schemas.UnlinkRequest(attachment: attachment, reason: value(0))
            let documento = person.documento.filter { $0.isLetter || $0.isNumber }
            busy = true
            return [.call { Message.done(await Calls.unlink($0, m, documento: documento, request, key: key)) as Any }]
        case .phone:
            guard let person = selected else { return [] }
            let documento = person.documento.filter { $0.isLetter || $0.isNumber }
            let phone = value(0)
            busy = true
            return [.call { Message.phone(await Calls.setPhone($0, m, documento: documento, phone)) as Any }]
        case .list: return []
        }
    }

    private func missingDocument() -> [Effect] {
        failure = APIFailure(status: 0, code: "invalid", message: "Anexe o documento apresentado pelo cliente (F8).")
        return []
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard !busy else { return [] }
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        if stage == .list {
            switch event {
            case .key(let k): _ = list.handle(k, pageSize: 5)
            case .click(_, let y): if let r = rows.first(where: { $0.y == y }) { _ = list.tap(r.index) }
            default: break
            }
            return []
        }
        switch event {
        case .key(let k):
            _ = form.handle(k)
            failure = nil
        case .click(_, let y): _ = form.click(row: y)
        default: break
        }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard let m = message as? Message else { return [] }
        busy = false
        switch m {
        case .loaded(let r), .phone(let r):
            switch r {
            case .success(let p):
                if case .phone = m { notice = "Telefone gravado." }
                people = p
                let keep = list.selected
                list = ListState(count: p.count)
                list.selected = min(keep, max(0, p.count - 1))
                stage = .list
            case .failure(let f): failure = f
            }
        case .done(let r):
            switch r {
            case .success(let number):
                notice = "Registrado no protocolo \(number), com o documento anexado."
                return load()
            case .failure(let f): failure = f
            }
        }
        return []
    }

    static func roleLabel(_ p: Components.Schemas.LinkedPerson.PapelPayload) -> String {
        switch p {
        case .titular: return "titular"
        case .usuario: return "usuário"
        case .responsavelFinanceiro: return "resp. financeiro"
        }
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = area.y + 1
        let bottom = area.y + area.height - 1
        rows = []
        guard let people else {
            s.paragraph(failure?.message ?? "Carregando…", x: x, y: y, width: w, role: failure == nil ? .muted : .error)
            return
        }
        if stage == .list {
            s.put(TextLayout.pad("Pessoa", width: w - 36) + TextLayout.pad("Papel", width: 18) + "Desde", x: x, y: y, role: .header)
            y += 1
            func since(_ p: Calls.LinkedPerson) -> String { p.since.map { DateFormatter.dayMonth.string(from: $0) } ?? "cadastro inicial" }
            rows = list.render(
                into: &s, area: Rect(x: x, y: y, width: w, height: people.count),
                row: { i in TextLayout.pad(people[i].nome, width: w - 36) + TextLayout.pad(Self.roleLabel(people[i].papel), width: 18) + since(people[i]) },
                spoken: { i in "\(people[i].nome), \(Self.roleLabel(people[i].papel)), desde \(since(people[i]))" })
            y += people.count
            if let p = selected {
                y += 1
                y = s.paragraph(
                    "\(p.nome) · CPF/CNPJ \(CustomerKey.shown(p.documento)) · E-mail: \(p.email ?? "—") · Telefone: \(p.telefone ?? "—")", x: x, y: y,
                    width: w,
                    role: .hint)
                if p.papel == .titular {
                    y = s.paragraph(
                        "O titular só muda por um pedido de alteração de titularidade (Solicitar serviço).", x: x, y: y, width: w,
                        role: .muted)
                }
            }
            if let notice { y = s.paragraph(notice, x: x, y: y + 1, width: w, role: .success) }
        } else {
            let what: String
            switch stage {
            case .link: what = "Vincular uma pessoa ao imóvel. O documento apresentado (F8) é obrigatório e fica no protocolo do vínculo."
            case .unlink: what = "Desvincular \(selected?.nome ?? ""). Anexe o documento que justifica (F8) e informe o motivo."
            default: what = "Telefone de \(selected?.nome ?? "")."
            }
            y = s.paragraph(what, x: x, y: y, width: w, role: .header) + 1
            y = form.render(into: &s, x: x, y: y, labelWidth: 10, width: min(34, w - 12)) + 1
            if stage != .phone {
                y = s.paragraph(ProtocolText.attachedLine(tray.files, canAttach: tray.folder != nil), x: x, y: y, width: w, role: .muted)
            }
            s.paragraph("F2 grava; Esc sai sem gravar.", x: x, y: y + 1, width: w, role: .hint)
        }
        if let f = failure { s.footer(f.message, x: x, bottom: bottom, width: w, role: .error) }
    }
}

/// Histórico de contatos: everything that happened with the property, newest first, on one
/// scrolling screen — when, what, through which channel and unit, by whom.
public final class ContactHistoryScreen: Screen {
    enum Message: CallResultMessage {
        case loaded(Result<[Calls.Contact], APIFailure>)
        var failure: APIFailure? { if case .loaded(let r) = self { return r.failure } else { return nil } }
    }

    let matricula: String
    var items: [Calls.Contact]?
    var failure: APIFailure?
    var busy = false
    var view = DocumentView()

    init(matricula: String) { self.matricula = matricula }

    public var title: String { "Histórico — imóvel \(Matricula.display(matricula))" }
    public var isBusy: Bool { busy }
    var actions: [Action] { [Action(Command(.function(5), "Atualizar", help: "Lê o histórico de novo")) { self.load() }] }
    public var commands: [Command] { actions.commands }
    public func appear(app: AppState) -> [Effect] { load() }

    func load() -> [Effect] {
        busy = true
        let m = matricula
        return [.call { Message.loaded(await Calls.contactHistory($0, m)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        _ = view.handle(event)
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard case .loaded(let r) = message as? Message else { return [] }
        busy = false
        switch r {
        case .success(let i): items = i
        case .failure(let f): failure = f
        }
        return []
    }

    /// Each contact as lines: the date and what, then the detail, channel, unit and staff member.
    static func lines(_ items: [Calls.Contact], width: Int) -> [(text: String, role: Role)] {
        var out: [(text: String, role: Role)] = []
        for c in items {
            for (i, l) in TextLayout.wrap("\(ProtocolText.dateTime.string(from: c.at))  \(c.title)", width: width - 4).enumerated() {
                out.append((i == 0 ? l : "    " + l, .normal))
            }
            var facts: [String] = []
            if let d = c.detail { facts.append(d) }
            if let ch = c.channel { facts.append(CodeWording.channel(ch)) }
            if let u = c.unit { facts.append(u) }
            if let st = c.staff { facts.append("por \(st)") }
            if !facts.isEmpty {
                for l in TextLayout.wrap(facts.joined(separator: " · "), width: width - 4) { out.append(("    " + l, .muted)) }
            }
        }
        return out
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 1
        let w = area.width - 2
        let y = area.y + 1
        guard let items else {
            s.paragraph(failure?.message ?? "Carregando…", x: x, y: y, width: w, role: failure == nil ? .muted : .error)
            return
        }
        if items.isEmpty {
            s.paragraph("Nenhum contato registrado com este imóvel.", x: x, y: y, width: w, role: .muted)
            return
        }
        view.render(Self.lines(items, width: w), into: &s, area: Rect(x: x, y: y, width: w, height: area.y + area.height - y), name: "contatos")
    }
}
