import API
import Domain
import Foundation
import TUI

extension Calls {
    static func propertylessServices(_ c: Client) async -> Result<[ServiceOffer], APIFailure> {
        await run {
            switch try await c.listPropertylessServices() {
            case .ok(let ok): return .success(try ok.body.json.items)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func requestNewConnection(_ c: Client, _ request: Components.Schemas.NewConnectionRequest, key: String) async -> Result<
        ServiceRequestResult, APIFailure
    > {
        await run {
            switch try await c.requestNewConnection(headers: .init(idempotencyKey: key), body: .json(request)) {
            case .created(let ok): return .success(try ok.body.json)
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }
}

/// Ligação nova at a counter (PRODUCT.md E1): no property yet, so the requester and the address
/// of the connection, then the service's own questions; the fee and the data prevista before
/// confirming (F2 reviews, F2 again asks); the answer is the protocol and, with a fee on a
/// document, F6 shows it to pay.
public final class NewConnectionScreen: Screen {
    enum Message: CallResultMessage {
        case offers(Result<[Calls.ServiceOffer], APIFailure>)
        case sent(Result<Calls.ServiceRequestResult, APIFailure>)
        var failure: APIFailure? {
            switch self {
            case .offers(let r): return r.failure
            case .sent(let r): return r.failure
            }
        }
    }

    static let fixed = ["Nome", "CPF/CNPJ", "E-mail", "Logradouro", "Número", "Complemento", "Bairro", "Cidade", "UF", "CEP"]
    var offer: Calls.ServiceOffer?
    var form = Form([])
    var confirming = false
    var done: Calls.ServiceRequestResult?
    var busy = false
    var failure: APIFailure?
    let key = UUID().uuidString

    public init() {}

    public var title: String { "Ligação nova" }
    public var holdsTypedText: Bool { done == nil && form.edited }
    public var isBusy: Bool { busy }

    var actions: [Action] {
        if let done {
            var rows = [
                Action(Command(.enter, "Acompanhar", help: "Abre o protocolo do pedido")) {
                    [.pop, .push(ProtocolScreen(number: done.number))]
                }
            ]
            if let fee = done.fee, fee.payment != nil {
                rows.append(
                    Action(Command(.function(6), "Pagar taxa", help: "O documento da taxa: código de barras e PIX; imprime e salva")) {
                        app in
                        [.push(DocumentScreen(matricula: "", document: .serviceFee(fee.id), canSave: app.canSave))]
                    })
            }
            return rows
        }
        if confirming {
            return [
                Action(Command(.function(2), "Confirmar", help: "Abre o pedido (um protocolo)")) { self.send() },
                Action(Command(.function(3), "Corrigir", help: "Volta ao formulário")) {
                    self.confirming = false
                    return []
                },
            ]
        }
        return [
            Action(Command(.function(2), "Revisar", help: "Confere os dados, a taxa e a data prevista", enabled: offer != nil)) {
                self.review()
            }
        ]
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        busy = true
        return [.call { Message.offers(await Calls.propertylessServices($0)) as Any }]
    }

    func value(_ i: Int) -> String { form.value(i).trimmingCharacters(in: .whitespaces) }

    private func review() -> [Effect] {
        guard let offer else { return [] }
        form.problems = [:]
        if value(0).count < 2 { form.problems[0] = "Informe o nome." }
        if case .failure(let p) = TaxID.parse(value(1)) { form.problems[1] = p.message }
        if !value(2).isEmpty, !Masking.isPlausibleEmail(value(2)) { form.problems[2] = "E-mail inválido." }
        for i in [3, 4, 6, 7] where value(i).isEmpty { form.problems[i] = "Obrigatório." }
        if value(8).count != 2 { form.problems[8] = "Sigla do estado (SE)." }
        if value(9).filter(\.isNumber).count != 8 { form.problems[9] = "8 dígitos." }
        for (i, f) in offer.fields.enumerated() where f.required && value(Self.fixed.count + i).isEmpty {
            form.problems[Self.fixed.count + i] = "Informe \(f.label.lowercased())."
        }
        if let first = form.problems.keys.min() {
            form.focus = first
            return []
        }
        confirming = true
        failure = nil
        return []
    }

    private func send() -> [Effect] {
        guard let offer else { return [] }
        var answers: [String: String] = [:]
        for (i, f) in offer.fields.enumerated() where !value(Self.fixed.count + i).isEmpty { answers[f.key] = value(Self.fixed.count + i) }
        let request = Components.Schemas.NewConnectionRequest(
            typeCode: offer.code,
            requester: .init(kind: .outro, documento: value(1), nome: value(0), email: value(2).isEmpty ? nil : value(2)),
            address: .init(
                logradouro: value(3), numero: value(4), complemento: value(5).isEmpty ? nil : value(5), bairro: value(6), cidade: value(7),
                uf: value(8).uppercased(), cep: value(9)),
            answers: .init(additionalProperties: answers))
        busy = true
        failure = nil
        let key = key
        return [.call { Message.sent(await Calls.requestNewConnection($0, request, key: key)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard !busy else { return [] }
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        guard done == nil, !confirming else { return [] }
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
        case .offers(let r):
            switch r {
            case .success(let offers):
                guard let o = offers.first(where: { $0.code == "ligacao-nova" }) ?? offers.first else {
                    failure = APIFailure(status: 0, code: "none", message: "Nenhum serviço para endereço sem imóvel no catálogo.")
                    return []
                }
                offer = o
                var fields: [Form.Field] = Self.fixed.map { name in
                    .init(
                        name, .text(TextField(label: "", maxLength: name == "UF" ? 2 : 120)),
                        hint: name == "Complemento" || name == "E-mail" ? "opcional" : "")
                }
                fields += o.fields.map { .init($0.label + ($0.required ? " *" : ""), .text(TextField(label: "", maxLength: 200))) }
                form = Form(fields)
                form.setText(7, "Aracaju")
                form.setText(8, "SE")
            case .failure(let f): failure = f
            }
        case .sent(let r):
            switch r {
            case .success(let d): done = d
            case .failure(let f):
                failure = f
                confirming = false
            }
        }
        return []
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = area.y
        let bottom = area.y + area.height - 1
        guard let offer else {
            s.paragraph(failure?.message ?? "Carregando…", x: x, y: y + 1, width: w, role: failure == nil ? .muted : .error)
            return
        }
        if let d = done {
            let when = ProtocolText.dateTime.string(from: d.expectedAt)
            y =
                s.paragraph(
                    d.duplicate
                        ? "Já existe uma ligação nova em andamento para este requerente: protocolo \(d.formatted), prevista para \(when)."
                        : "Pedido aberto: protocolo \(d.formatted) (\(d.unitName)). Previsto para \(when). Anote o número.", x: x, y: y + 1,
                    width: w, role: d.duplicate ? .warning : .success) + 1
            if let fee = d.fee, let p = fee.payment {
                let due = CivilDate(iso: p.dueOn)?.formatted ?? p.dueOn
                y =
                    s.paragraph(
                        "Taxa de \(Money(cents: fee.amountCents).formatted): documento nº \(fee.id), vencimento \(due). F6 mostra o código de barras e o PIX.",
                        x: x, y: y, width: w, role: .warning) + 1
            }
            s.paragraph("Enter acompanha o pedido.", x: x, y: y, width: w, role: .hint)
            return
        }
        let fee = ServiceCatalogueScreen.fee(offer)
        let deadline = "Prazo: \(offer.deadline); previsto para \(ProtocolText.dateTime.string(from: offer.expectedAt))."
        if confirming {
            y = s.paragraph("Confira o pedido de \(offer.name):", x: x, y: y + 1, width: w, role: .header) + 1
            y = s.paragraph("Requerente: \(value(0)) · \(value(1))", x: x, y: y, width: w)
            y = s.paragraph(
                "Endereço: \(value(3)), \(value(4))\(value(5).isEmpty ? "" : " \(value(5))") - \(value(6)), \(value(7))/\(value(8)) · CEP \(value(9))",
                x: x, y: y, width: w)
            for (i, f) in offer.fields.enumerated() where !value(Self.fixed.count + i).isEmpty {
                y = s.paragraph("\(f.label): \(value(Self.fixed.count + i))", x: x, y: y, width: w)
            }
            y = s.paragraph("\(fee) \(deadline)", x: x, y: y + 1, width: w, role: .warning) + 1
            s.paragraph("F2 confirma; F3 corrige.", x: x, y: y, width: w, role: .hint)
        } else {
            y = s.paragraph("\(offer.description) \(fee) \(deadline)", x: x, y: y, width: w, role: .muted)
            form.render(into: &s, x: x, y: y, labelWidth: 24, width: min(34, w - 26))
        }
        if let f = failure { s.footer(f.message, x: x, bottom: bottom, width: w, role: .error) }
    }
}
