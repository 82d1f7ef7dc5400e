import API
import Domain
import Foundation
import TUI

extension Calls {
    typealias OuvidoriaInfo = Components.Schemas.OuvidoriaInfo
    typealias OuvidoriaType = Components.Schemas.OuvidoriaInfo.TypesPayloadPayload
    typealias ManifestationReceipt = Components.Schemas.ManifestationReceipt
    typealias OuvidoriaSummary = Components.Schemas.OuvidoriaSummary

    static func ouvidoria(_ c: Client) async -> Result<OuvidoriaInfo, APIFailure> {
        await run {
            switch try await c.getOuvidoria() {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func manifest(_ c: Client, _ m: Components.Schemas.Manifestation, key: String) async -> Result<
        ManifestationReceipt, APIFailure
    > {
        await run {
            switch try await c.createManifestation(headers: .init(idempotencyKey: key), body: .json(m)) {
            case .created(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func ouvidoriaSummary(_ c: Client) async -> Result<OuvidoriaSummary, APIFailure> {
        await run {
            switch try await c.getOuvidoriaSummary() {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func ouvidoriaOverdue(_ c: Client) async -> Result<[QueueItem], APIFailure> {
        await run {
            switch try await c.getOuvidoriaOverdue() {
            case .ok(let ok): return .success(try ok.body.json.items)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func extendManifestation(_ c: Client, _ number: String, reason: String, key: String) async -> Result<
        ProtocolDetail, APIFailure
    > {
        await run {
            switch try await c.extendManifestation(
                path: .init(number: number), headers: .init(idempotencyKey: key), body: .json(.init(reason: reason)))
            {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }
}

/// The staff header's ouvidoria counters, fetched in the background (AppModel, every minute).
struct OuvidoriaAlert: CallResultMessage {
    let result: Result<Calls.OuvidoriaSummary, APIFailure>
    var failure: APIFailure? { result.failure }
}

/// The answer to the background session confirmation (AppModel.keepAlive).
struct SessionKeepAlive: CallResultMessage {
    let result: Result<Void, APIFailure>
    var failure: APIFailure? { result.failure }
}

extension Calls {
    static func keepAlive(_ c: Client) async -> Result<Void, APIFailure> {
        await run {
            switch try await c.getSession() {
            case .ok: return .success(())
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }
}

/// Ouvidoria (PRODUCT.md E5, Lei 13.460/2017): the type (reclamação, denúncia, elogio, sugestão,
/// solicitação…), then the manifestation: who makes it (the customer logged in; at a counter or
/// without a session, CPF/CNPJ and name; none for a type the utility accepts anonymously, F4),
/// the text, documents at a counter (F5). The answer is the protocol's number, the legal
/// deadline and, when anonymous, the secret to consult it — shown once.
public final class OuvidoriaScreen: Screen {
    enum Message: CallResultMessage {
        case info(Result<Calls.OuvidoriaInfo, APIFailure>)
        case sent(Result<Calls.ManifestationReceipt, APIFailure>)
        case printed(Result<String, APIFailure>)
        var failure: APIFailure? {
            switch self {
            case .info(let r): return r.failure
            case .sent(let r): return r.failure
            case .printed(let r): return r.failure
            }
        }
    }

    var info: Calls.OuvidoriaInfo?
    var list = ListState(count: 0)
    /// The type chosen (nil: choosing).
    var type: Calls.OuvidoriaType?
    var anonymous = false
    var form = Form([
        .init("Nome", .text(TextField(label: "", maxLength: 120)), hint: "ou razão social"),
        .init("CPF/CNPJ", .text(TextField(label: "", maxLength: 18, accepts: { $0.isLetter || $0.isNumber || ".-/".contains($0) }))),
        .init("E-mail", .text(TextField(label: "", maxLength: 120, accepts: { !$0.isWhitespace })), hint: "recebe o número e a resposta"),
        .init("Telefone", .text(TextField(label: "", maxLength: 20, accepts: { $0.isNumber || " ()-+.".contains($0) })), hint: "opcional"),
    ])
    var text = TextArea(maxLength: 5_000)
    /// A manifestation written and not yet registered: F10 asks before discarding it (issue 28.17).
    public var holdsTypedText: Bool { done == nil && (!text.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || form.edited) }
    var inText = true
    var sending = false
    var loading = 0
    var failure: APIFailure?
    var done: Calls.ManifestationReceipt?
    let key = UUID().uuidString
    let tray = AttachmentTray()
    private var textWidth = 70
    private var rows: [(y: Int, index: Int)] = []
    /// Whether the person is the customer of the session (no identification fields).
    private var customerSession = false
    private var kiosk = true

    public init() {}

    /// Said after printing (or why it could not).
    var printNotice: (String, Role)?
    private var output = DocumentOutput.none
    /// The CPF/CNPJ typed for the manifestation (the receipt is asked with it).
    private var typedDocumento: String?

    private func printReceipt(_ d: Calls.ManifestationReceipt) -> [Effect] {
        sending = true
        printNotice = nil
        let (output, documento, secret) = (output, d.secret == nil ? typedDocumento : nil, d.secret)
        return [
            .call { c in
                switch await Calls.protocolReceipt(c, number: d.number, documento: documento, secret: secret) {
                case .success(let pdf): return Message.printed(await output.print(pdf, "protocolo-\(d.number).pdf")) as Any
                case .failure(let f): return Message.printed(.failure(f)) as Any
                }
            }
        ]
    }

    public var title: String { type.map { "Ouvidoria — \($0.name)" } ?? "Ouvidoria" }
    public var purpose: String { Service.with(.ouvidoria).summary }
    public var isBusy: Bool { loading > 0 || sending }

    var types: [Calls.OuvidoriaType] { info?.types ?? [] }
    /// Identification fields are asked: no customer session and not anonymous.
    var asksIdentity: Bool { !customerSession && !anonymous }

    var actions: [Action] {
        if let d = done {
            // What a person without a pen takes away: the number and, if anonymous, the secret (issue 28.15).
            return [
                Action(Command(.function(3), "Imprimir", help: "Imprime o comprovante com o número (e o código, se anônima)")) {
                    self.printReceipt(d)
                }
            ]
        }
        guard let type else {
            return [
                Action(Command(.enter, "Escolher", help: "Escreve uma manifestação deste tipo", enabled: !types.isEmpty)) {
                    self.choose()
                }
            ]
        }
        var rows = [
            Action(Command(.function(2), "Enviar", help: "Registra a manifestação e mostra o número do protocolo")) { self.send() },
            Action(
                Command(
                    .function(4), anonymous ? "Identificar" : "Anônima",
                    help: anonymous
                        ? "Volta a se identificar: nome e contato para a resposta"
                        : "Envia sem identificação; acompanhe pelo número e por um código secreto", enabled: type.anonymous)
            ) {
                self.anonymous.toggle()
                self.inText = !self.asksIdentity || self.inText
                return []
            },
            Action(Command(.tab, "Próximo campo", help: "Vai ao próximo campo; do último, ao texto; do texto, ao nome", inBar: false)) {
                guard self.asksIdentity else { return [] }
                if self.inText {
                    self.inText = false
                    self.form.focus = 0
                } else if self.form.focus == self.form.fields.count - 1 {
                    self.inText = true
                } else {
                    self.form.focus += 1
                }
                return []
            },
        ]
        if !kiosk { rows += tray.actions(what: "um documento do manifestante") }
        return rows
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        if case .customer = app.session { customerSession = true }
        kiosk = app.mode == .kiosk
        output = app.output
        if app.policy?.emailEnabled == false { form.fields[2].hint = "opcional (envio de e-mails desligado)" }
        tray.appear(app)
        loading += 1
        return [.call { Message.info(await Calls.ouvidoria($0)) as Any }]
    }

    private func choose() -> [Effect] {
        guard types.indices.contains(list.selected) else { return [] }
        type = types[list.selected]
        inText = !asksIdentity
        return []
    }

    private func send() -> [Effect] {
        guard let type else { return [] }
        form.problems = [:]
        failure = nil
        var requester: Components.Schemas.Requester?
        if asksIdentity {
            if form.value(0).trimmingCharacters(in: .whitespaces).count < 2 { form.problems[0] = "Informe o nome." }
            if case .failure(let p) = TaxID.parse(form.value(1)) { form.problems[1] = p.message }
            let email = form.value(2).trimmingCharacters(in: .whitespaces)
            if !email.isEmpty, !Masking.isPlausibleEmail(email) { form.problems[2] = "E-mail inválido." }
            if let first = form.problems.keys.min() {
                form.focus = first
                inText = false
                return []
            }
            func optional(_ i: Int) -> String? {
                let v = form.value(i).trimmingCharacters(in: .whitespaces)
                return v.isEmpty ? nil : v
            }
            requester = .init(kind: .outro, documento: form.value(1), nome: form.value(0), telefone: optional(3), email: optional(2))
            typedDocumento = form.value(1)
        }
        let body = text.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard body.count >= 10 else {
            failure = APIFailure(status: 0, code: "invalid", message: "Descreva a manifestação: o que aconteceu, quando e onde.")
            inText = true
            return []
        }
        let m = Components.Schemas.Manifestation(
            typeCode: type.code, text: body, anonymous: anonymous ? true : nil, requester: requester,
            attachments: tray.ids)
        sending = true
        let key = key
        return [.call { Message.sent(await Calls.manifest($0, m, key: key)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard !sending else { return [] }
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        guard done == nil else { return [] }
        guard type != nil else {
            switch event {
            case .key(let k): _ = list.handle(k, pageSize: 10)
            case .click(_, let y): if let r = rows.first(where: { $0.y == y }), list.tap(r.index) { return choose() }
            default: break
            }
            return []
        }
        switch event {
        case .key(let k):
            if inText { _ = text.handle(k, width: textWidth) } else { _ = form.handle(k) }
            failure = nil
        case .click(_, let y):
            if asksIdentity, form.click(row: y) { inText = false }
        default: break
        }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard let m = message as? Message else { return [] }
        switch m {
        case .info(let r):
            loading -= 1
            switch r {
            case .success(let i):
                info = i
                list = ListState(count: i.types.count)
            case .failure(let f): failure = f
            }
        case .sent(let r):
            sending = false
            switch r {
            case .success(let d): done = d
            case .failure(let f): failure = f
            }
        case .printed(let r):
            sending = false
            switch r {
            case .success(let m): printNotice = (m, .success)
            case .failure(let f): printNotice = (f.message, .error)
            }
        }
        return []
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        textWidth = w
        var y = area.y + 1
        let bottom = area.y + area.height - 1
        if let done { return renderDone(done, &s, x: x, y: y, w: w) }
        guard let type else {
            rows = []
            guard info != nil else {
                s.paragraph(failure?.message ?? "Carregando…", x: x, y: y, width: w, role: failure == nil ? .muted : .error)
                return
            }
            let days = info?.deadlineDays ?? 30
            y =
                s.paragraph(
                    "A Ouvidoria responde em até \(days) dias (Lei nº 13.460/2017). Procure-a depois do atendimento comum. Escolha o tipo:",
                    x: x, y: y, width: w, role: .header) + 1
            let shown = types
            rows = list.render(
                into: &s, area: Rect(x: x, y: y, width: w, height: shown.count),
                row: { i in
                    TextLayout.pad(shown[i].name, width: max(10, w - 26)) + TextLayout.pad(shown[i].anonymous ? "aceita sem identificação" : "", width: 26)
                },
                spoken: { i in "\(shown[i].name)\(shown[i].anonymous ? ", aceita sem identificação" : ""). \(shown[i].description)" })
            y += shown.count
            if types.indices.contains(list.selected) {
                s.paragraph(types[list.selected].description, x: x, y: y + 1, width: w, role: .hint)
            }
            return
        }
        y = s.paragraph(type.description, x: x, y: y - 1, width: w, role: .muted)
        if anonymous {
            y = s.paragraph(
                "Sem identificação: você acompanhará pelo número e por um código secreto mostrado uma única vez. F4 volta a se identificar.",
                x: x, y: y, width: w, role: .warning)
        } else if customerSession {
            y = s.paragraph(
                app.policy?.emailEnabled == false
                    ? "Manifestante: o cliente deste atendimento; anote o número que aparecerá ao registrar."
                    : "Manifestante: o cliente deste atendimento; a confirmação com o número vai ao e-mail do cadastro.", x: x, y: y,
                width: w, role: .hint)
        } else {
            y = form.render(into: &s, x: x, y: y, labelWidth: 10, width: min(30, w - 12), active: !inText)
        }
        if kiosk {
            // An anonymous person handing papers to an attendant would no longer be anonymous (issue 28.15).
            y = s.paragraph(
                anonymous
                    ? "Documentos ou fotos? Descreva-os no texto: entregá-los em mãos revelaria quem você é."
                    : "Documentos ou fotos? Leve-os a uma agência com o número do protocolo: o atendente os anexa.", x: x, y: y, width: w,
                role: .hint)
        } else if !tray.files.isEmpty {
            y = s.paragraph(ProtocolText.attachedLine(tray.files, canAttach: false), x: x, y: y, width: w, role: .muted)
        }
        let label =
            asksIdentity
            ? (inText ? "Manifestação (Tab volta ao nome; F2 envia):" : "Manifestação (Tab até aqui para escrever):")
            : "Manifestação (F2 envia):"
        s.put(label, x: x, y: y, role: .header)
        y += 1
        text.render(into: &s, rect: Rect(x: x, y: y, width: w, height: max(2, bottom - y)), name: "Manifestação", focused: inText)
        if let f = failure { s.footer(f.message, x: x, bottom: bottom, width: w, role: .error) }
    }

    private func renderDone(_ d: Calls.ManifestationReceipt, _ s: inout Surface, x: Int, y: Int, w: Int) {
        let due = CivilDate(iso: d.deadlineOn)?.formatted ?? d.deadlineOn
        var y =
            s.paragraph(
                "\(d.typeName) registrada: protocolo \(d.formatted). A Ouvidoria responde até \(due) (prazo legal de 30 dias, prorrogável uma vez com justificativa).",
                x: x, y: y, width: w, role: .success) + 1
        if let secret = d.secret {
            y = s.paragraph("Código secreto: \(secret)", x: x, y: y, width: w, role: .title)
            y =
                s.paragraph(
                    "Anote agora o número e o código: ele não será mostrado de novo, e sem ele ninguém consulta esta manifestação "
                        + "(Consultar protocolo, com o número e o código no lugar do CPF/CNPJ).", x: x, y: y, width: w, role: .warning) + 1
        }
        if let to = d.emailTo { y = s.paragraph("A confirmação com o número foi enviada a \(to).", x: x, y: y, width: w, role: .hint) }
        y = s.paragraph("F3 imprime um comprovante com o número\(d.secret == nil ? "" : " e o código"). Acompanhe em Consultar protocolo. Esc volta.", x: x, y: y, width: w, role: .hint) + 1
        if let (text, role) = printNotice { s.paragraph(text, x: x, y: y, width: w, role: role) }
    }
}

/// Ouvidoria em atraso (supervisors and the ouvidoria): open manifestations past their legal
/// deadline, the oldest deadline first; Enter opens one.
public final class OuvidoriaOverdueScreen: Screen {
    enum Message: CallResultMessage {
        case loaded(Result<[Calls.QueueItem], APIFailure>)
        var failure: APIFailure? { if case .loaded(let r) = self { return r.failure } else { return nil } }
    }

    var items: [Calls.QueueItem]?
    var list = ListState(count: 0)
    var loading = 0
    var failure: APIFailure?
    private var rows: [(y: Int, index: Int)] = []

    public init() {}

    public var title: String { "Ouvidoria — prazos vencidos" }
    public var isBusy: Bool { loading > 0 }

    var actions: [Action] {
        [
            Action(Command(.enter, "Abrir", help: "Abre a manifestação sob o cursor", enabled: items?.isEmpty == false)) { self.open() },
            Action(Command(.function(5), "Atualizar", help: "Lê a lista de novo")) { self.load() },
        ]
    }

    public var commands: [Command] { actions.commands }
    public func appear(app: AppState) -> [Effect] { load() }
    public func reappear(app: AppState) -> [Effect] { load() }

    func load() -> [Effect] {
        loading += 1
        return [.call { Message.loaded(await Calls.ouvidoriaOverdue($0)) as Any }]
    }

    private func open() -> [Effect] {
        guard let items, items.indices.contains(list.selected) else { return [] }
        return [.push(ProtocolScreen(number: items[list.selected].number))]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        switch event {
        case .key(let k):
            if let effects = actions.perform(k, app: app) { return effects }
            _ = list.handle(k, pageSize: 10)
        case .click(_, let y):
            if let r = rows.first(where: { $0.y == y }), list.tap(r.index) { return open() }
        default: break
        }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard case .loaded(let r) = message as? Message else { return [] }
        loading -= 1
        switch r {
        case .success(let i):
            items = i
            list = ListState(count: i.count)
            failure = nil
        case .failure(let f): failure = f
        }
        return []
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 1
        let w = area.width - 2
        let y = area.y + 1
        rows = []
        guard let items else {
            s.paragraph(failure?.message ?? "Carregando…", x: x, y: y, width: w, role: failure == nil ? .muted : .error)
            return
        }
        if items.isEmpty {
            s.paragraph("Nenhuma manifestação com o prazo legal vencido.", x: x, y: y, width: w, role: .success)
            return
        }
        let height = max(3, area.height - 3)
        // The server's count in the utility's calendar (issue 28.6).
        func lateness(_ i: Int) -> String {
            let late = -(items[i].daysLeft ?? 0)
            return late > 0 ? "\(counted(late, "dia")) de atraso" : "venceu hoje"
        }
        rows = list.render(
            into: &s, area: Rect(x: x, y: y, width: w, height: height),
            row: { i in
                let e = items[i]
                return TextLayout.pad("\(e.formatted)  \(e.typeName)  \(e.requesterName)", width: max(10, w - 18)) + lateness(i)
            },
            role: { _ in .warning },
            spoken: { i in "\(items[i].formatted), \(items[i].typeName), \(lateness(i))" })
        if let f = failure { s.footer(f.message, x: x, bottom: area.y + area.height - 1, width: w, role: .error) }
    }
}

/// Prorrogar prazo (the ouvidoria or a supervisor): the reason, which the manifestant reads in
/// the lookup and by e-mail; the deadline moves 30 days, once.
public final class ExtensionScreen: Screen {
    enum Message: CallResultMessage {
        case sent(Result<Calls.ProtocolDetail, APIFailure>)
        var failure: APIFailure? { if case .sent(let r) = self { return r.failure } else { return nil } }
    }

    let number: String
    var area = TextArea(maxLength: 2_000)
    var sending = false
    var failure: APIFailure?
    let key = UUID().uuidString
    private var width = 76

    init(number: String) { self.number = number }
    public var holdsTypedText: Bool { !area.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }

    public var title: String { "Prorrogar prazo — protocolo \(ProtocolNumber(parsing: number)?.formatted ?? number)" }
    public var isBusy: Bool { sending }

    var actions: [Action] {
        [Action(Command(.function(2), "Prorrogar", help: "Prorroga o prazo por 30 dias com este motivo")) { self.send() }]
    }
    public var commands: [Command] { actions.commands }

    private func send() -> [Effect] {
        let reason = area.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count >= 10 else {
            failure = APIFailure(status: 0, code: "invalid", message: "Informe o motivo da prorrogação: ele é mostrado ao manifestante.")
            return []
        }
        sending = true
        failure = nil
        let (n, key) = (number, key)
        return [.call { Message.sent(await Calls.extendManifestation($0, n, reason: reason, key: key)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard case .key(let k) = event, !sending else { return [] }
        if let effects = actions.perform(k, app: app) { return effects }
        _ = area.handle(k, width: width)
        failure = nil
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard case .sent(let r) = message as? Message else { return [] }
        sending = false
        switch r {
        case .success: return [.pop]
        case .failure(let f): failure = f
        }
        return []
    }

    public func render(_ s: inout Surface, area a: Rect, app: AppState) {
        let x = a.x + 2
        let w = a.width - 4
        width = w
        var y = a.y + 1
        y =
            s.paragraph(
                "A lei permite uma única prorrogação, de 30 dias, justificada (Lei nº 13.460/2017, art. 16). O motivo é PÚBLICO: o "
                    + (app.policy?.emailEnabled == false
                        ? "manifestante o lê na consulta." : "manifestante o lê na consulta e recebe por e-mail."), x: x, y: y, width: w,
                role: .warning) + 1
        let bottom = a.y + a.height - 2
        area.render(into: &s, rect: Rect(x: x, y: y, width: w, height: max(3, bottom - y)), name: "Motivo da prorrogação", focused: !sending)
        if let f = failure { s.footer(f.message, x: x, bottom: a.y + a.height - 1, width: w, role: .error) }
    }
}
