import API
import Domain
import Foundation
import TUI

extension Calls {
    typealias Certidao = Components.Schemas.Certidao
    typealias CertidaoVerification = Components.Schemas.CertidaoVerification

    static func issueCertidao(_ c: Client, _ m: String, key: String) async -> Result<Certidao, APIFailure> {
        await run {
            switch try await c.issueCertidao(path: .init(matricula: m), headers: .init(idempotencyKey: key)) {
            case .created(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func verifyCertidao(_ c: Client, code: String) async -> Result<CertidaoVerification, APIFailure> {
        await run {
            switch try await c.verifyCertidao(body: .json(.init(code: code))) {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func revokeCertidao(_ c: Client, code: String, reason: String) async -> Result<CertidaoVerification, APIFailure> {
        await run {
            switch try await c.revokeCertidao(body: .json(.init(code: code, reason: reason))) {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }
}

/// Certidão de débitos: F2 asks for it; issued (negativa, or positiva com efeito de negativa)
/// it shows its code and validity and F2 prints, F3 saves it; refused, the reasons — each bill
/// and agreement — and what to do.
public final class CertidaoScreen: Screen {
    enum Message: CallResultMessage {
        case issued(Result<Calls.Certidao, APIFailure>)
        var failure: APIFailure? { if case .issued(let r) = self { return r.failure } else { return nil } }
    }

    let matricula: String
    var certidao: Calls.Certidao?
    var refusal: APIFailure?
    var busy = false
    var notice: (String, Role)?
    var key = UUID().uuidString
    private var canSave = false

    init(matricula: String) { self.matricula = matricula }

    public var title: String { "Certidão de débitos — imóvel \(Matricula.display(matricula))" }
    public var purpose: String { Service.with(.certidao).summary }
    public var isBusy: Bool { busy }

    var actions: [Action] {
        guard let c = certidao else {
            return [Action(Command(.function(2), "Emitir", help: "Emite a certidão, ou diz o que a impede")) { self.issue() }]
        }
        var rows = [
            Action(Command(.function(3), "Imprimir", help: "Imprime a certidão")) { app in self.deliver(c.id, print: true, app: app) }
        ]
        if canSave {
            rows.append(
                Action(Command(.function(6), "Salvar", help: "Salva o PDF da certidão")) { app in self.deliver(c.id, print: false, app: app)
                })
        }
        rows.append(
            Action(Command(.function(4), "E-mail", help: "Envia a certidão por e-mail")) { _ in
                [.push(EmailScreen(matricula: self.matricula, document: .certidao(c.id)))]
            })
        return rows
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        canSave = app.canSave
        return []
    }

    private func issue() -> [Effect] {
        busy = true
        refusal = nil
        let (m, key) = (matricula, key)
        return [.call { Message.issued(await Calls.issueCertidao($0, m, key: key)) as Any }]
    }

    private func deliver(_ id: Int64, print: Bool, app: AppState) -> [Effect] {
        busy = true
        notice = DocumentDelivered.waiting("a certidão", print: print)
        return [DocumentDelivered.call(.certidao(id), of: matricula, print: print, output: app.output)]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard case .key(let k) = event, !busy else { return [] }
        return actions.perform(k, app: app) ?? []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        if let d = message as? DocumentDelivered {
            busy = false
            notice = d.notice("a certidão")
            return []
        }
        guard case .issued(let r) = message as? Message else { return [] }
        busy = false
        switch r {
        case .success(let c): certidao = c
        case .failure(let f):
            refusal = f
            key = UUID().uuidString
        }
        return []
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = area.y + 1
        if let c = certidao {
            y = s.paragraph("\(c.title) emitida.", x: x, y: y, width: w, role: .success) + 1
            let until = CivilDate(iso: c.validUntil)?.formatted ?? c.validUntil
            y = s.paragraph("Válida até \(until). Código de verificação:", x: x, y: y, width: w)
            s.put(c.code, x: x + 2, y: y + 1, role: .title)
            y += 3
            y = s.paragraph(
                app.mode == .kiosk
                    ? "Qualquer pessoa confere a certidão com este código, sem login (F4 na tela inicial)."
                    : "Qualquer pessoa confere a certidão com este código, sem login: num quiosque (F4 na tela inicial) ou aqui, em "
                        + "Serviços, Verificar certidão.", x: x, y: y, width: w, role: .hint)
        } else if let f = refusal {
            for line in f.message.split(separator: "\n") { y = s.paragraph(String(line), x: x, y: y, width: w, role: .warning) }
        } else {
            s.paragraph(
                "Negativa quando não há débito vencido; positiva com efeito de negativa quando os débitos estão num acordo em dia. F2 emite.",
                x: x, y: y, width: w, role: .muted)
        }
        if let (text, role) = notice { s.footer(text, x: x, bottom: area.y + area.height - 1, width: w, role: role) }
    }
}

/// Verificar certidão (no login needed): the code → valid with what it certifies, expired,
/// revoked with the reason, or unknown (a mistyped code is caught by its check symbol and answers
/// as unknown). A supervisor (F7 Certidões in supervision, or Verificar certidão) may revoke a
/// valid or expired one: F8 opens the reason, which the public verification will show, F2
/// revokes (audited on the server), F3 gives up.
public final class CertidaoVerificationScreen: Screen {
    enum Message: CallResultMessage {
        case checked(Result<Calls.CertidaoVerification, APIFailure>)
        case revoked(Result<Calls.CertidaoVerification, APIFailure>)
        var failure: APIFailure? {
            switch self {
            case .checked(let r), .revoked(let r): return r.failure
            }
        }
    }

    var code = TextField(label: "Código:", maxLength: 30, accepts: { $0.isLetter || $0.isNumber || $0 == "-" || $0 == " " })
    var answer: Calls.CertidaoVerification?
    /// The code as typed when `answer` came.
    var checkedCode = ""
    var failure: APIFailure?
    var busy = false
    /// Writing the reason of a revocation.
    var revoking = false
    var reason = TextArea(maxLength: 500)
    var notice: String?
    private var width = 76
    private var supervisor = false

    public init() {}

    public var title: String { "Verificar certidão" }
    public var purpose: String { Service.with(.verifyCertidao).summary }
    public var holdsTypedText: Bool { revoking && !reason.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
    public var isBusy: Bool { busy }
    var revocable: Bool { answer?.status == .valida || answer?.status == .expirada }
    var actions: [Action] {
        if revoking {
            return [
                Action(Command(.function(2), "Revogar", help: "Revoga a certidão com este motivo (fica na trilha de auditoria)")) {
                    self.revoke()
                },
                Action(Command(.function(3), "Desistir", help: "Volta sem revogar")) {
                    self.revoking = false
                    self.failure = nil
                    return []
                },
            ]
        }
        let verify = Action(Command(.enter, "Verificar", help: "Confere o código da certidão")) { self.check() }
        guard supervisor else { return [verify] }
        return [
            verify,
            Action(
                Command(
                    .function(8), "Revogar", help: "Supervisão: revoga esta certidão (a verificação pública mostra o motivo)",
                    enabled: revocable, whyNot: "Só se revoga uma certidão conferida aqui pelo código (Enter) e ainda não revogada.")
            ) {
                self.revoking = true
                self.reason = TextArea(maxLength: 500)
                self.notice = nil
                return []
            },
        ]
    }
    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        if case .staff(_, _, .supervisor?, _) = app.session { supervisor = true }
        return []
    }

    private func check() -> [Effect] {
        busy = true
        failure = nil
        notice = nil
        let typed = code.text
        checkedCode = typed
        return [.call { Message.checked(await Calls.verifyCertidao($0, code: typed)) as Any }]
    }

    private func revoke() -> [Effect] {
        let text = reason.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.count >= 10 else {
            failure = APIFailure(
                status: 0, code: "invalid", message: "Escreva o motivo com pelo menos 10 letras: ele aparece na verificação pública.")
            return []
        }
        busy = true
        failure = nil
        let typed = checkedCode
        return [.call { Message.revoked(await Calls.revokeCertidao($0, code: typed, reason: text)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard case .key(let k) = event, !busy else { return [] }
        if let effects = actions.perform(k, app: app) { return effects }
        if revoking {
            if reason.handle(k, width: width) { failure = nil }
        } else if code.handle(k) {
            answer = nil
            notice = nil
        }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard let m = message as? Message else { return [] }
        busy = false
        switch m {
        case .checked(.success(let a)): answer = a
        case .revoked(.success(let a)):
            answer = a
            revoking = false
            notice = "Certidão revogada: a verificação pública mostra a data e o motivo a partir de agora."
        case .checked(.failure(let f)), .revoked(.failure(let f)): failure = f
        }
        return []
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        width = w
        var y = area.y + 1
        y =
            s.paragraph("Digite o código impresso na certidão (letras e números, com ou sem traços).", x: x, y: y, width: w, role: .muted)
            + 1
        code.render(into: &s, x: x, y: y, labelWidth: 9, width: min(30, w - 10), focused: !busy && !revoking)
        y += 2
        if let f = failure, !revoking {
            s.paragraph(f.message, x: x, y: y, width: w, role: .error)
            return
        }
        guard let a = answer else { return }
        let until = a.validUntil.flatMap(CivilDate.init(iso:))?.formatted ?? ""
        let issued = a.issuedOn.flatMap(CivilDate.init(iso:))?.formatted ?? ""
        let what =
            "\(a.title ?? "") · imóvel \(a.matricula ?? "") · titular \(a.holder ?? "") (\(a.holderDocument ?? "")) · emitida em \(issued)."
        switch a.status {
        case .valida, .expirada:
            y = s.paragraph(
                a.status == .valida ? "CERTIDÃO VÁLIDA até \(until)." : "CERTIDÃO EXPIRADA em \(until): peça uma nova.", x: x, y: y,
                width: w,
                role: a.status == .valida ? .success : .warning)
            y = s.paragraph(what, x: x, y: y, width: w)
        case .revogada:
            let on = a.revokedOn.flatMap(CivilDate.init(iso:))?.formatted ?? ""
            y = s.paragraph("CERTIDÃO REVOGADA em \(on): não vale como prova de quitação.", x: x, y: y, width: w, role: .error)
            y = s.paragraph("Motivo: \(a.revocationReason ?? "")", x: x, y: y, width: w)
            y = s.paragraph(what, x: x, y: y + 1, width: w, role: .muted)
        case .desconhecida:
            s.paragraph(
                "Código não encontrado: confira o que foi digitado. Uma certidão adulterada ou inventada não tem código válido.", x: x,
                y: y,
                width: w, role: .error)
        }
        if let notice { s.paragraph(notice, x: x, y: y + 1, width: w, role: .success) }
        guard revoking else { return }
        y =
            s.paragraph(
                "Motivo da revogação (aparece na verificação pública; pelo menos 10 letras). F2 revoga, F3 desiste.", x: x, y: y + 1,
                width: w, role: .header)
        let bottom = area.y + area.height - 2
        reason.render(into: &s, rect: Rect(x: x, y: y, width: w, height: max(2, min(5, bottom - y))), name: "Motivo da revogação", focused: !busy)
        if let f = failure { s.footer(f.message, x: x, bottom: area.y + area.height - 1, width: w, role: .error) }
    }
}
