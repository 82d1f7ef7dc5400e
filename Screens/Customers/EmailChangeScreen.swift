import API
import Domain
import Foundation
import TUI

extension Calls {
    typealias EmailChange = Components.Schemas.EmailChange

    static func startEmailChange(_ c: Client, _ m: String, _ request: Components.Schemas.EmailChangeRequest, key: String) async
        -> Result<EmailChange, APIFailure>
    {
        await run {
            switch try await c.startEmailChange(path: .init(matricula: m), headers: .init(idempotencyKey: key), body: .json(request)) {
            case .accepted(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func confirmEmailChange(_ c: Client, _ m: String, id: Int64, code: String) async -> Result<EmailChange, APIFailure> {
        await run {
            switch try await c.confirmEmailChange(path: .init(matricula: m, changeId: id), body: .json(.init(code: code))) {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }
}

/// Atualizar e-mail: the new address, then the 6-digit code sent to it (15 minutes, 5 attempts);
/// at a counter, F4 records it with the customer present, without a code. The old address is
/// told of the change.
public final class EmailChangeScreen: Screen {
    enum Message: CallResultMessage {
        case started(Result<Calls.EmailChange, APIFailure>)
        case confirmed(Result<Calls.EmailChange, APIFailure>)
        var failure: APIFailure? {
            switch self {
            case .started(let r), .confirmed(let r): return r.failure
            }
        }
    }

    let matricula: String
    /// At a counter, whose address (a person linked to the property); nil: the holder, or the
    /// customer of the session.
    let person: (documento: String, nome: String)?
    var address = TextField(label: "Novo e-mail:", maxLength: 120, accepts: { !$0.isWhitespace })
    var code = TextField(label: "Código:", maxLength: 6, accepts: { $0.isNumber })
    /// The change waiting for its code.
    var pending: Calls.EmailChange?
    var done: Calls.EmailChange?
    var busy = false
    var failure: APIFailure?
    /// One key per address asked (a retry of the same one is not a second code).
    private var key = UUID().uuidString
    private var counter = false
    /// The agência sends no e-mail (issue 28.10): no code can go out, no notice to the old address.
    private var mailOff = false

    init(matricula: String, person: (documento: String, nome: String)? = nil) {
        self.matricula = matricula
        self.person = person
    }

    public var title: String { "Atualizar e-mail — imóvel \(Matricula.display(matricula))" }
    public var purpose: String { Service.with(.email).summary }
    public var holdsTypedText: Bool { done == nil && !address.text.isEmpty }
    public var isBusy: Bool { busy }

    var actions: [Action] {
        guard done == nil else { return [] }
        if mailOff {
            return counter
                ? [
                    Action(Command(.function(4), "Presencial", help: "Registra o e-mail com o cliente presente (fica auditado)")) {
                        self.start(presential: true)
                    }
                ] : []
        }
        if pending != nil {
            return [
                Action(Command(.function(2), "Confirmar", help: "Confere o código recebido no novo e-mail")) { self.confirm() },
                Action(Command(.function(3), "Outro código", help: "Volta ao endereço para pedir um novo código")) {
                    self.pending = nil
                    self.key = UUID().uuidString
                    self.code.text = ""
                    return []
                },
            ]
        }
        var rows = [
            Action(Command(.function(2), "Enviar", help: "Envia um código de 6 dígitos ao novo endereço")) {
                self.start(presential: false)
            }
        ]
        if counter {
            rows.append(
                Action(Command(.function(4), "Presencial", help: "Registra sem código, com o cliente presente (fica auditado)")) {
                    self.start(presential: true)
                })
        }
        return rows
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        counter = app.mode != .kiosk && app.session.map { if case .staff = $0 { true } else { false } } == true
        mailOff = app.policy?.emailEnabled == false
        return []
    }

    private func start(presential: Bool) -> [Effect] {
        let email = address.text.trimmingCharacters(in: .whitespaces)
        guard Masking.isPlausibleEmail(email) else {
            failure = APIFailure(status: 0, code: "invalid", message: "E-mail inválido: confira o que foi digitado.")
            return []
        }
        busy = true
        failure = nil
        let (m, key) = (matricula, key + (presential ? "-p" : ""))
        let request = Components.Schemas.EmailChangeRequest(email: email, presential: presential ? true : nil, documento: person?.documento)
        return [.call { Message.started(await Calls.startEmailChange($0, m, request, key: key)) as Any }]
    }

    private func confirm() -> [Effect] {
        guard let pending, code.text.count == 6 else {
            failure = APIFailure(status: 0, code: "invalid", message: "O código tem 6 dígitos.")
            return []
        }
        busy = true
        failure = nil
        let (m, typed) = (matricula, code.text)
        return [.call { Message.confirmed(await Calls.confirmEmailChange($0, m, id: pending.id, code: typed)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard case .key(let k) = event, !busy, done == nil, !(mailOff && !counter) else { return [] }
        if let effects = actions.perform(k, app: app) { return effects }
        if k == .enter { return pending == nil ? start(presential: mailOff) : confirm() }
        if pending == nil {
            if address.handle(k) { key = UUID().uuidString }
        } else {
            _ = code.handle(k)
        }
        failure = nil
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard let m = message as? Message else { return [] }
        busy = false
        switch m {
        case .started(let r):
            switch r {
            case .success(let c) where c.status == .confirmado: done = c
            case .success(let c): pending = c
            case .failure(let f): failure = f
            }
        case .confirmed(let r):
            switch r {
            case .success(let c): done = c
            case .failure(let f):
                failure = f
                code.text = ""
                // The change ended (five wrong codes, expired, used): back to asking for one.
                if f.status == 409 {
                    pending = nil
                    key = UUID().uuidString
                }
            }
        }
        return []
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = area.y + 1
        if let done {
            y = s.paragraph("E-mail do cadastro alterado para \(done.to).", x: x, y: y, width: w, role: .success) + 1
            s.paragraph(
                mailOff
                    ? "O envio de e-mails está desligado nesta agência: ninguém foi avisado por e-mail. Esc volta."
                    : "O endereço anterior recebeu um aviso da alteração. Documentos e protocolos passam a ir para o novo. Esc volta.",
                x: x, y: y, width: w, role: .hint)
            return
        }
        if mailOff && !counter {
            // Said before anything is typed: no code can reach the customer.
            s.paragraph(
                "O envio de e-mails está desligado nesta agência, então não há como confirmar um novo endereço aqui. Para atualizá-lo, "
                    + "fale com um atendente, levando um documento.", x: x, y: y, width: w, role: .warning)
            return
        }
        if let pending {
            let until = pending.expiresAt.map { " até \(ProtocolText.dateTime.string(from: $0))" } ?? ""
            y =
                s.paragraph(
                    "Enviamos um código de 6 dígitos para \(pending.to). Digite-o abaixo\(until) (15 minutos; 5 tentativas).", x: x, y: y,
                    width: w, role: .header) + 1
            code.render(into: &s, x: x, y: y, labelWidth: 14, width: 8, focused: !busy)
            y += 2
            s.paragraph("Não chegou? Veja a caixa de spam; F3 pede outro código.", x: x, y: y, width: w, role: .hint)
        } else {
            if let person { y = s.paragraph("E-mail de \(person.nome).", x: x, y: y, width: w, role: .header) }
            y =
                s.paragraph(
                    mailOff
                        ? "O envio de e-mails está desligado nesta agência: registre o endereço com o cliente presente (F4); nenhum código é enviado."
                        : "O e-mail recebe as contas, os documentos e os andamentos dos protocolos. Um código vai ao novo endereço para confirmar que ele é seu.",
                    x: x, y: y, width: w, role: .muted) + 1
            address.render(into: &s, x: x, y: y, labelWidth: 14, width: min(60, w - 16), focused: !busy)
            y += 2
            s.paragraph(
                mailOff ? "F4 registra com o cliente presente."
                    : counter ? "F2 envia o código; F4 registra sem código com o cliente presente." : "F2 envia o código.", x: x, y: y,
                width: w, role: .hint)
        }
        if let f = failure { s.footer(f.message, x: x, bottom: area.y + area.height - 1, width: w, role: .error) }
    }
}
