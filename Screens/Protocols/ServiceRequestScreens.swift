import API
import Domain
import Foundation
import TUI

extension Calls {
    typealias ServiceOffer = Components.Schemas.ServiceOffer
    typealias ServiceRequestResult = Components.Schemas.ServiceRequestResult

    static func services(_ c: Client, _ m: String) async -> Result<[ServiceOffer], APIFailure> {
        await run {
            switch try await c.listServices(path: .init(matricula: m)) {
            case .ok(let ok): return .success(try ok.body.json.items)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func requestService(_ c: Client, _ m: String, _ request: Components.Schemas.ServiceRequest, key: String) async -> Result<
        ServiceRequestResult, APIFailure
    > {
        await run {
            switch try await c.requestService(path: .init(matricula: m), headers: .init(idempotencyKey: key), body: .json(request)) {
            case .created(let ok): return .success(try ok.body.json)
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }
}

/// Solicitar serviço: what this property may ask for, each with its fee and data prevista; the
/// ones it may not, with the reason; a request already pending, with its number. Typing finds a
/// service by its name or description; Enter opens the service's form.
public final class ServiceCatalogueScreen: Screen {
    enum Message: CallResultMessage {
        case loaded(Result<[Calls.ServiceOffer], APIFailure>)
        var failure: APIFailure? { if case .loaded(let r) = self { return r.failure } else { return nil } }
    }

    let matricula: String
    var offers: [Calls.ServiceOffer]?
    var filter = ListFilter()
    var list = ListState(count: 0)
    var loading = 0
    var failure: APIFailure?
    private var rows: [(y: Int, index: Int)] = []

    init(matricula: String) { self.matricula = matricula }

    public var title: String { "Solicitar serviço — imóvel \(Matricula.display(matricula))" }
    public var purpose: String { Service.with(.request).summary }
    public var isBusy: Bool { loading > 0 }

    /// The offers the filter finds: by name first, then by description.
    var visible: [Calls.ServiceOffer] {
        let all = offers ?? []
        return all.filter { filter.matches($0.name) } + all.filter { !filter.matches($0.name) && filter.matches($0.description) }
    }

    var selected: Calls.ServiceOffer? { visible.indices.contains(list.selected) ? visible[list.selected] : nil }

    var actions: [Action] {
        [
            Action(Command(.enter, "Pedir", help: "Abre o formulário do serviço sob o cursor", enabled: selected?.available == true)) {
                self.open()
            },
            Action(Command(.function(5), "Atualizar", help: "Lê a lista de novo")) { self.load() },
            Action(
                Command(.backspace, "Apagar filtro", help: "Apaga a última letra do filtro", enabled: !filter.isEmpty, inBar: false)
            ) {
                _ = self.filter.handle(.backspace)
                self.list = ListState(count: self.visible.count)
                return []
            },
        ]
    }

    public var commands: [Command] { actions.commands }
    public func appear(app: AppState) -> [Effect] { load() }
    public func reappear(app: AppState) -> [Effect] { load() }

    func load() -> [Effect] {
        loading += 1
        let m = matricula
        return [.call { Message.loaded(await Calls.services($0, m)) as Any }]
    }

    private func open() -> [Effect] {
        guard let offer = selected, offer.available else { return [] }
        return [.push(ServiceFormScreen(matricula: matricula, offer: offer))]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        switch event {
        case .key(let k):
            if let effects = actions.perform(k, app: app) { return effects }
            if case .char = k, filter.handle(k) {
                list = ListState(count: visible.count)
                return []
            }
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
        case .success(let items):
            offers = items
            let keep = list.selected
            list = ListState(count: visible.count)
            list.selected = min(keep, max(0, visible.count - 1))
            failure = nil
        case .failure(let f): failure = f
        }
        return []
    }

    /// `Taxa: R$ 25,00 na próxima conta.`, `Sem taxa.`
    static func fee(_ o: Calls.ServiceOffer) -> String {
        guard let cents = o.feeCents else { return "Sem taxa." }
        return "Taxa: \(Money(cents: cents).formatted) \(o.feeOn == .proximaConta ? "na próxima conta" : "em documento de pagamento")."
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 1
        let w = area.width - 2
        var y = area.y
        rows = []
        guard self.offers != nil else {
            s.paragraph(failure?.message ?? "Carregando os serviços…", x: x, y: y + 1, width: w, role: failure == nil ? .muted : .error)
            return
        }
        filter.render(into: &s, x: x, y: y, width: w)
        y += 1
        let offers = visible
        if offers.isEmpty {
            s.paragraph(
                filter.isEmpty
                    ? "Nenhum serviço a pedir para este imóvel." : "Nenhum serviço corresponde a “\(filter.text)”. Backspace apaga o filtro.",
                x: x, y: y + 1, width: w, role: .warning)
            return
        }
        // The list takes what the selected service's details leave.
        var details: [(String, Role)] = []
        if let o = selected {
            details.append((o.description, .normal))
            if let p = o.pending {
                let when = p.expectedAt.map { ", previsto para \(ProtocolText.dateTime.string(from: $0))" } ?? ""
                details.append(("Já pedido: protocolo \(p.formatted)\(when). Pedir de novo mostra esse mesmo pedido.", .warning))
            }
            if o.available {
                details.append(
                    ("\(Self.fee(o)) Prazo: \(o.deadline) (previsto para \(ProtocolText.dateTime.string(from: o.expectedAt))).", .hint))
            } else if let reason = o.reason {
                details.append(("Indisponível: \(reason)", .warning))
            }
        }
        let detailLines = details.reduce(0) { $0 + TextLayout.wrap($1.0, width: w).count }
        let height = max(3, area.y + area.height - y - detailLines - 1)
        func state(_ o: Components.Schemas.ServiceOffer, spoken: Bool) -> String {
            if !o.available { return "indisponível" }
            if o.pending != nil { return "já pedido" }
            return o.feeCents.map { spoken ? "taxa de \(Spoken.money(cents: $0))" : Money(cents: $0).formatted } ?? "sem taxa"
        }
        rows = list.render(
            into: &s, area: Rect(x: x, y: y, width: w, height: height),
            row: { i in TextLayout.pad(offers[i].name, width: max(10, w - 16)) + TextLayout.pad(state(offers[i], spoken: false), width: 16) },
            role: { offers[$0].available ? .normal : .muted },
            spoken: { i in "\(offers[i].name), \(state(offers[i], spoken: true))" })
        y += rows.count
        y = max(y, area.y + height) + 1
        for (text, role) in details { y = s.paragraph(text, x: x, y: y, width: w, role: role) }
        if let f = failure { s.footer(f.message, x: x, bottom: area.y + area.height - 1, width: w, role: .error) }
    }
}

/// A service's form, built from the type's fields (required ones marked `*`), then its
/// confirmation with the fee and the data prevista; F2 reviews, F2 again confirms. The answer
/// is the protocol's number, or the request of the same type already pending.
public final class ServiceFormScreen: Screen {
    enum Message: CallResultMessage {
        case sent(Result<Calls.ServiceRequestResult, APIFailure>)
        case printed(Result<String, APIFailure>)
        var failure: APIFailure? {
            switch self {
            case .sent(let r): return r.failure
            case .printed(let r): return r.failure
            }
        }
    }

    /// Said after printing the receipt (or why it could not).
    var printNotice: (String, Role)?
    private var output = DocumentOutput.none

    enum Stage {
        case form, confirm
        case done(Calls.ServiceRequestResult)
    }

    let matricula: String
    let offer: Calls.ServiceOffer
    var form: Form
    var stage = Stage.form
    var sending = false
    var failure: APIFailure?
    let key = UUID().uuidString
    /// Documents scanned at a counter (a kiosk says where to bring them instead).
    let tray = AttachmentTray()

    init(matricula: String, offer: Calls.ServiceOffer) {
        self.matricula = matricula
        self.offer = offer
        form = Form(
            offer.fields.map {
                .init(
                    $0.label + ($0.required ? " *" : ""), .text(TextField(label: "", maxLength: 200)), hint: $0.required ? "" : "opcional")
            })
    }

    public var title: String { offer.name }
    public var holdsTypedText: Bool {
        if case .done = stage { return false }
        return form.edited || tray.ids != nil
    }
    public var isBusy: Bool { sending }

    var actions: [Action] {
        switch stage {
        case .form:
            return [
                Action(Command(.function(2), "Revisar", help: "Confere os dados, a taxa e a data prevista antes de pedir")) {
                    self.review()
                }
            ] + (tray.folder == nil ? [] : tray.actions(what: "um documento do cliente"))
        case .confirm:
            return [
                Action(Command(.function(2), "Confirmar", help: "Abre o pedido (um protocolo)")) { self.send() },
                Action(Command(.function(3), "Corrigir", help: "Volta ao formulário")) {
                    self.stage = .form
                    return []
                },
            ]
        case .done(let r):
            var rows = [
                Action(Command(.enter, "Acompanhar", help: "Abre o protocolo do pedido: situação e trâmites")) {
                    [.pop, .push(ProtocolScreen(number: r.number, canAct: false))]
                },
                // The number on paper, for whoever has no pen (issue 28.15).
                Action(Command(.function(3), "Imprimir", help: "Imprime o comprovante com o número do protocolo")) {
                    self.sending = true
                    self.printNotice = nil
                    let output = self.output
                    return [
                        .call { c in
                            switch await Calls.protocolReceipt(c, number: r.number) {
                            case .success(let pdf): return Message.printed(await output.print(pdf, "protocolo-\(r.number).pdf")) as Any
                            case .failure(let f): return Message.printed(.failure(f)) as Any
                            }
                        }
                    ]
                },
            ]
            if let fee = r.fee, fee.payment != nil {
                rows.append(
                    Action(Command(.function(6), "Pagar taxa", help: "O documento da taxa: código de barras e PIX; imprime e envia")) {
                        app in [.push(DocumentScreen(matricula: self.matricula, document: .serviceFee(fee.id), canSave: app.canSave))]
                    })
            }
            return rows
        }
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        tray.appear(app)
        output = app.output
        return []
    }

    /// `* Telefone`: the answers by key, trimmed.
    var answers: [String: String] {
        var out: [String: String] = [:]
        for (i, f) in offer.fields.enumerated() {
            let v = form.value(i).trimmingCharacters(in: .whitespaces)
            if !v.isEmpty { out[f.key] = v }
        }
        return out
    }

    /// A CPF/CNPJ field (key `documento…`) is checked as soon as it has a whole number's length.
    private func checkWhileTyping(_ i: Int) {
        guard offer.fields.indices.contains(i), offer.fields[i].key.hasPrefix("documento") else { return }
        let typed = form.value(i).filter { $0.isLetter || $0.isNumber }
        if typed.count == 11 || typed.count == 14, case .failure(let p) = TaxID.parse(typed) {
            form.problems[i] = p.message
        } else {
            form.problems[i] = nil
        }
    }

    private func review() -> [Effect] {
        form.problems = [:]
        for (i, f) in offer.fields.enumerated() where f.required && answers[f.key] == nil {
            form.problems[i] = "Informe \(f.label.lowercased())."
        }
        for (i, f) in offer.fields.enumerated() where f.key.hasPrefix("documento") && answers[f.key] != nil {
            if case .failure(let p) = TaxID.parse(answers[f.key] ?? "") { form.problems[i] = p.message }
        }
        if let first = form.problems.keys.min() {
            form.focus = first
            return []
        }
        stage = .confirm
        failure = nil
        return []
    }

    private func send() -> [Effect] {
        sending = true
        failure = nil
        let (m, key) = (matricula, key)
        let request = Components.Schemas.ServiceRequest(
            typeCode: offer.code, answers: .init(additionalProperties: answers), attachments: tray.ids)
        return [.call { Message.sent(await Calls.requestService($0, m, request, key: key)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard !sending else { return [] }
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        if case .form = stage {
            switch event {
            case .key(let k):
                let field = form.focus
                _ = form.handle(k)
                failure = nil
                checkWhileTyping(field)
            case .click(_, let y): _ = form.click(row: y)
            default: break
            }
        }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        if case .printed(let r) = message as? Message {
            sending = false
            switch r {
            case .success(let m): printNotice = (m, .success)
            case .failure(let f): printNotice = (f.message, .error)
            }
            return []
        }
        guard case .sent(let r) = message as? Message else { return [] }
        sending = false
        switch r {
        case .success(let result): stage = .done(result)
        case .failure(let f):
            failure = f
            stage = .form
        }
        return []
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = area.y + 1
        switch stage {
        case .form:
            y = s.paragraph(offer.description, x: x, y: y, width: w, role: .muted) + 1
            if offer.fields.isEmpty {
                y = s.paragraph("Este serviço não pede dados: tecle F2 para revisar.", x: x, y: y, width: w)
            } else {
                // Label, field, and beside it the hint or the problem (wrapped).
                let label = min(26, w / 3)
                y = form.render(into: &s, x: x, y: y, labelWidth: label, width: min(28, max(10, w - label - 22))) + 1
            }
            y = s.paragraph("Campos com * são obrigatórios. F2 revisa antes de pedir.", x: x, y: y, width: w, role: .hint)
            if let docs = offer.documents {
                if tray.folder == nil {
                    s.paragraph("Documentos: \(docs) Este terminal não recebe documentos.", x: x, y: y, width: w, role: .warning)
                } else {
                    s.paragraph(
                        "Documentos: \(docs) \(ProtocolText.attachedLine(tray.files, canAttach: true))", x: x, y: y, width: w,
                        role: .warning)
                }
            }
        case .confirm:
            y = s.paragraph("Confira o pedido:", x: x, y: y, width: w, role: .header) + 1
            for (i, f) in offer.fields.enumerated() where answers[f.key] != nil {
                y = s.paragraph("\(f.label): \(form.value(i))", x: x, y: y, width: w)
            }
            y += 1
            y = s.paragraph(ServiceCatalogueScreen.fee(offer), x: x, y: y, width: w, role: .warning)
            y =
                s.paragraph(
                    "Prazo: \(offer.deadline); previsto para \(ProtocolText.dateTime.string(from: offer.expectedAt)).", x: x, y: y,
                    width: w,
                    role: .warning) + 1
            s.paragraph("F2 confirma o pedido; F3 corrige.", x: x, y: y, width: w, role: .hint)
        case .done(let r):
            let when = ProtocolText.dateTime.string(from: r.expectedAt)
            let text =
                r.duplicate
                ? "Já existe um pedido de \(r.typeName) em andamento: protocolo \(r.formatted), previsto para \(when). Nenhum pedido novo foi aberto."
                : "Pedido aberto: protocolo \(r.formatted) (\(r.unitName)). Previsto para \(when). F3 imprime o comprovante com o número."
            y = s.paragraph(text, x: x, y: y, width: w, role: r.duplicate ? .warning : .success) + 1
            if let fee = r.fee {
                let amount = Money(cents: fee.amountCents).formatted
                if let p = fee.payment {
                    let due = CivilDate(iso: p.dueOn)?.formatted ?? p.dueOn
                    y =
                        s.paragraph(
                            "Taxa de \(amount): documento de pagamento nº \(fee.id), vencimento \(due). F6 mostra o código de barras e o PIX, "
                                + "para imprimir ou enviar por e-mail.", x: x, y: y, width: w, role: .warning) + 1
                } else {
                    y = s.paragraph("Taxa de \(amount): virá na próxima conta do imóvel.", x: x, y: y, width: w, role: .warning) + 1
                }
            }
            if let docs = offer.documents, tray.files.isEmpty {
                y = s.paragraph("Leve com o número do protocolo: \(docs)", x: x, y: y, width: w, role: .warning) + 1
            }
            y = s.paragraph("Enter acompanha o pedido; também em Serviços → Meus protocolos.", x: x, y: y, width: w, role: .hint)
            if let (text, role) = printNotice { s.paragraph(text, x: x, y: y + 1, width: w, role: role) }
        }
        if let f = failure { s.footer(f.message, x: x, bottom: area.y + area.height - 1, width: w, role: .error) }
    }
}
