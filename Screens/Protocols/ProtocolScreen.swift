import API
import Domain
import Foundation
import TUI

/// One protocol for staff: what was asked, by whom, where it is, and its whole history (private
/// dispatches marked), scrolling. F2 receives it; F3 dispatches, F4 forwards, F6 concludes (each
/// with a text), F7 reopens (supervisor). The server decides who may, and says why not.
public final class ProtocolScreen: Screen {
    enum Message: CallResultMessage {
        case loaded(Result<Calls.ProtocolDetail, APIFailure>)
        case stepped(Result<Calls.ProtocolDetail, APIFailure>)
        var failure: APIFailure? {
            switch self {
            case .loaded(let r), .stepped(let r): return r.failure
            }
        }
    }

    let number: String
    /// Staff act on it; a customer only reads.
    let canAct: Bool
    var detail: Calls.ProtocolDetail?
    var loading = 0
    var failure: APIFailure?
    var notice: String?
    /// First history line shown.
    var history = DocumentView()

    /// `opened`: just created here (the screen says its number).
    public init(number: String, canAct: Bool = true, opened: Bool = false) {
        self.number = number
        self.canAct = canAct
        if opened {
            created = "Protocolo \(ProtocolNumber(parsing: number)?.formatted ?? number) aberto. Informe este número ao requerente."
        }
    }

    /// Said once after creation.
    var created: String?

    public var title: String { "Protocolo \(detail?.formatted ?? number)" }
    public var isBusy: Bool { loading > 0 }

    /// The staff member's role and unit, as the login answered.
    var who: (role: StaffRole, unit: String)?

    /// Whether the staff member may take `action` now (the server checks again).
    func may(_ action: ProtocolAction) -> Bool { whyNot(action) == nil }

    /// Why this staff member cannot take `action` now (the Domain's rule, as the server applies
    /// it), or nil; said when its key is pressed anyway.
    func whyNot(_ action: ProtocolAction) -> String? {
        guard let d = detail, let situation = ProtocolSituation(rawValue: d.situation.rawValue) else { return "Carregando o protocolo…" }
        guard let who else { return nil }  // unknown: the server says
        return action.refusal(role: who.role, staffUnit: who.unit, situation: situation, protocolUnit: d.unit)
    }

    /// An open ouvidoria manifestation not yet extended: F7 extends it (else F7 reopens).
    var extendable: Bool {
        guard let d = detail, let o = d.ouvidoria else { return false }
        return !o.extended && d.situation != .concluido
    }

    /// Every attachment the reader may see, with its step.
    var files: [(step: Components.Schemas.ProtocolStep, file: Calls.Attachment)] {
        (detail?.steps ?? []).flatMap { st in (st.attachments ?? []).map { (st, $0) } }
    }

    var actions: [Action] {
        let n = number
        let files = Action(
            Command(.function(8), "Anexos", help: "Lista os anexos para imprimir ou salvar", enabled: !self.files.isEmpty)
        ) {
            [.push(AttachmentsScreen(number: n, files: self.files))]
        }
        guard canAct else { return [Action(Command(.function(5), "Atualizar", help: "Lê o protocolo de novo")) { self.load() }, files] }
        return [
            Action(
                Command(
                    .function(2), "Receber", help: "Recebe o protocolo na unidade (o alerta de não recebido para)", enabled: may(.receive), whyNot: whyNot(.receive))
            ) {
                self.step(.init(action: .receive))
            },
            Action(Command(.function(3), "Despachar", help: "Escreve um despacho, público ou privado", enabled: may(.dispatch), whyNot: whyNot(.dispatch))) {
                [.push(StepScreen(number: n, action: .dispatch))]
            },
            Action(Command(.function(4), "Encaminhar", help: "Encaminha a outra unidade, com um despacho", enabled: may(.forward), whyNot: whyNot(.forward))) {
                [.push(StepScreen(number: n, action: .forward))]
            },
            detail?.typeCode == "atualizacao-documento"
                ? Action(
                    Command(
                        .function(6), "Aplicar", help: "Aplica o novo CPF/CNPJ do titular ao cadastro e conclui o pedido",
                        enabled: may(.conclude), whyNot: whyNot(.conclude))
                ) {
                    self.detail.map { [.push(ApplyDocumentScreen($0))] } ?? []
                }
                : Action(
                    Command(
                        .function(6), "Concluir", help: "Conclui com um despacho final público (o requerente recebe por e-mail)",
                        enabled: may(.conclude), whyNot: whyNot(.conclude))
                ) {
                    [.push(StepScreen(number: n, action: .conclude))]
                },
            extendable
                ? Action(
                    Command(
                        .function(7), "Prorrogar",
                        help: "Prorroga o prazo legal da manifestação por 30 dias, uma única vez, com o motivo (o manifestante vê)")
                ) {
                    [.push(ExtensionScreen(number: n))]
                }
                : Action(Command(.function(7), "Reabrir", help: "Reabre um protocolo concluído (supervisor)", enabled: may(.reopen), whyNot: whyNot(.reopen))) {
                    [.push(StepScreen(number: n, action: .reopen))]
                },
            Action(Command(.function(9), "Editar", help: "Altera tipo, assunto ou prazo (fica no histórico)", enabled: may(.edit), whyNot: whyNot(.edit))) {
                self.detail.map { [.push(EditProtocolScreen($0))] } ?? []
            },
            Action(Command(.function(5), "Atualizar", help: "Lê o protocolo de novo")) { self.load() },
            files,
        ]
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        if case .staff(_, _, let role?, let unit?) = app.session { who = (role, unit) }
        return load()
    }
    public func reappear(app: AppState) -> [Effect] { load() }

    func load() -> [Effect] {
        loading += 1
        notice = created
        created = nil
        let n = number
        return [.call { Message.loaded(await Calls.protocolDetail($0, n)) as Any }]
    }

    private func step(_ request: Components.Schemas.ProtocolStepRequest) -> [Effect] {
        loading += 1
        notice = nil
        let (n, key) = (number, UUID().uuidString)
        return [.call { Message.stepped(await Calls.addStep($0, n, request, key: key)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard case .key(let k) = event else {
            _ = history.handle(event)
            return []
        }
        if let effects = actions.perform(k, app: app) { return effects }
        _ = history.handle(event)
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard let m = message as? Message else { return [] }
        loading -= 1
        switch m {
        case .loaded(let r), .stepped(let r):
            switch r {
            case .success(let d):
                if case .stepped = m {
                    notice = "Feito: \(ProtocolSituation(rawValue: d.situation.rawValue)?.label ?? d.situation.rawValue)."
                }
                detail = d
                failure = nil
            case .failure(let f): failure = f
            }
        }
        return []
    }

    static let actionLabels: [String: String] = [
        "open": "Aberto", "receive": "Recebido", "dispatch": "Despacho", "forward": "Encaminhado", "edit": "Editado",
        "conclude": "Concluído", "reopen": "Reaberto", "extend": "Prazo prorrogado",
        "source": "Concessionária",
    ]

    /// The history as lines to show: each step's heading, then its text wrapped and indented.
    static func history(_ d: Calls.ProtocolDetail, width: Int) -> [(text: String, role: Role)] {
        var out: [(text: String, role: Role)] = []
        for st in d.steps {
            let when = DateFormatter.dayMonth.string(from: st.at)
            var head = "\(when)  \(actionLabels[st.action.rawValue] ?? st.action.rawValue)"
            if let from = st.fromUnit, let to = st.toUnit { head += ": \(from) → \(to)" } else if let to = st.toUnit { head += " em \(to)" }
            if let staff = st.staff { head += " · \(staff)" }
            if st.text != nil { head += st._public ? " · público" : " · PRIVADO" }
            out += TextLayout.wrap(head, width: width).map { ($0, .header) }
            if let text = st.text { out += TextLayout.wrap(text, width: width - 4).map { ("    " + $0, st._public ? .normal : .muted) } }
            if let detail = st.detail { out += TextLayout.wrap(detail, width: width - 4).map { ("    " + $0, .muted) } }
            for a in st.attachments ?? [] {
                out += TextLayout.wrap("Anexo: " + ProtocolText.describe(a), width: width - 4).map {
                    ("    " + $0, st._public ? .normal : .muted)
                }
            }
        }
        return out
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 1
        let w = area.width - 2
        var y = area.y
        guard let d = detail else {
            s.paragraph(failure?.message ?? "Carregando o protocolo…", x: x, y: y + 1, width: w, role: failure == nil ? .muted : .error)
            return
        }
        y = ProtocolText.facts(d, opened: false, into: &s, x: x, y: y, width: w)
        if let r = d.requester {
            y = s.paragraph(
                ["Requerente: \(r.nome)", r.documento, r.telefone ?? "", r.email ?? ""].filter { !$0.isEmpty }.joined(separator: " · "),
                x: x, y: y,
                width: w)
        }
        if let subject = d.subject { y = s.paragraph("Assunto: \(subject)", x: x, y: y, width: w, role: .header) }
        if let text = d.text { y = s.paragraph(text, x: x, y: y, width: w) }
        y += 1
        let bottom = area.y + area.height - 1
        history.render(Self.history(d, width: w), into: &s, area: Rect(x: x, y: y, width: w, height: bottom - y + 1), name: "histórico")
        if let f = failure {
            s.footer(f.message, x: x, bottom: bottom, width: w, role: .error)
        } else if let notice {
            s.footer(notice, x: x, bottom: bottom, width: w, role: .success)
        }
    }
}

/// A dispatch, a forwarding, a conclusion or a reopening: the text (a multi-line field with word
/// wrap), public or private (F3; a conclusion is always public), the destination unit to forward
/// to (Tab chooses). F2 sends.
public final class StepScreen: Screen {
    enum Message: CallResultMessage {
        case catalogue(Result<Calls.ProtocolCatalogue, APIFailure>)
        case sent(Result<Calls.ProtocolDetail, APIFailure>)
        var failure: APIFailure? {
            switch self {
            case .catalogue(let r): return r.failure
            case .sent(let r): return r.failure
            }
        }
    }

    let number: String
    let action: ProtocolAction
    var area = TextArea(maxLength: 5_000)
    /// A dispatch written and not yet sent: F10 asks before discarding it (issue 28.17).
    public var holdsTypedText: Bool { !area.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
    var isPublic: Bool
    var units: [(code: String, name: String)] = []
    var unitIndex = 0
    var sending = false
    var failure: APIFailure?
    let key = UUID().uuidString
    private var width = 76
    /// Files sent ahead for this step.
    let tray = AttachmentTray()

    init(number: String, action: ProtocolAction) {
        self.number = number
        self.action = action
        isPublic = action == .conclude
    }

    public var title: String { "\(action.label) — protocolo \(ProtocolNumber(parsing: number)?.formatted ?? number)" }
    public var isBusy: Bool { sending }

    var actions: [Action] {
        var rows = [
            Action(Command(.function(2), "Enviar", help: "Registra o trâmite")) { self.send() }
        ]
        if action != .conclude {
            rows.append(
                Action(
                    Command(
                        .function(3), isPublic ? "Interno" : "Público",
                        help: "Público: o requerente vê o texto e recebe e-mail; privado: só a equipe")
                ) {
                    self.isPublic.toggle()
                    return []
                })
        }
        rows += tray.actions(what: "um arquivo")
        if action == .forward {
            rows.append(
                Action(Command(.tab, "Unidade", help: "Escolhe a unidade de destino")) {
                    if !self.units.isEmpty { self.unitIndex = (self.unitIndex + 1) % self.units.count }
                    return []
                })
        }
        return rows
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        tray.appear(app)
        guard action == .forward else { return [] }
        sending = true
        return [.call { Message.catalogue(await Calls.protocolCatalogue($0)) as Any }]
    }

    private func send() -> [Effect] {
        let text = area.text.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty && action != .reopen {
            failure = APIFailure(
                status: 0, code: "invalid", message: "Escreva o texto do \(action == .conclude ? "despacho final" : "despacho").")
            return []
        }
        var request = Components.Schemas.ProtocolStepRequest(
            action: .init(rawValue: action.rawValue) ?? .dispatch, text: text.isEmpty ? nil : text, _public: isPublic,
            attachments: tray.ids)
        if action == .forward {
            guard units.indices.contains(unitIndex) else { return [] }
            request.toUnit = units[unitIndex].code
        }
        sending = true
        failure = nil
        let (n, key, step) = (number, key, request)
        return [.call { Message.sent(await Calls.addStep($0, n, step, key: key)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard case .key(let k) = event, !sending else { return [] }
        if let effects = actions.perform(k, app: app) { return effects }
        _ = area.handle(k, width: width)
        failure = nil
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard let m = message as? Message else { return [] }
        sending = false
        switch m {
        case .catalogue(let r):
            if case .success(let c) = r { units = c.units.map { ($0.code, $0.name) } } else { failure = r.failure }
        case .sent(let r):
            switch r {
            case .success: return [.pop]
            case .failure(let f): failure = f
            }
        }
        return []
    }

    public func render(_ s: inout Surface, area a: Rect, app: AppState) {
        let x = a.x + 2
        let w = a.width - 4
        width = w
        var y = a.y + 1
        if action == .forward {
            let name = units.indices.contains(unitIndex) ? units[unitIndex].name : "carregando…"
            y = s.paragraph("Para a unidade: \(name)  (Tab escolhe outra)", x: x, y: y, width: w, role: .header) + 1
        }
        let visibility =
            isPublic
            ? "PÚBLICO: o requerente vê este texto na consulta e o recebe por e-mail."
            : "PRIVADO: só a equipe vê este texto; nada vai ao requerente."
        y = s.paragraph(visibility, x: x, y: y, width: w, role: isPublic ? .warning : .muted)
        y = s.paragraph(ProtocolText.attachedLine(tray.files, canAttach: tray.folder != nil), x: x, y: y, width: w, role: .muted) + 1
        let bottom = a.y + a.height - 2
        area.render(into: &s, rect: Rect(x: x, y: y, width: w, height: max(3, bottom - y)), name: isPublic ? "Texto público" : "Texto privado", focused: !sending)
        if let f = failure { s.footer(f.message, x: x, bottom: a.y + a.height - 1, width: w, role: .error) }
    }
}
