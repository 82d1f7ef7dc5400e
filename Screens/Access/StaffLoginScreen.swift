import API
import Domain
import TUI

/// Attendant / back-office login (PRODUCT.md A3): user and password.
public final class StaffLoginScreen: Screen {
    typealias Message = LoginMessage

    var usuario = TextField(label: "Usuário:", maxLength: 64, accepts: { !$0.isWhitespace })
    var senha = TextField(label: "Senha:", maxLength: 128, secret: true)
    var focus = 0
    var busy = false
    var failure: APIFailure?
    var demoStaff: [(usuario: String, senha: String?, description: String)] = []
    private var fieldRects: [Rect] = []

    public init() {}

    public var title: String { "Entrar (equipe)" }
    public var isBusy: Bool { busy }
    var actions: [Action] {
        [
            Action(Command(.enter, "Entrar", help: "Do usuário passa à senha; na senha, entra", enabled: !busy)) { app in
                if self.focus == 0 {
                    self.focus = 1
                    return []
                }
                return self.submit(app)
            },
            .navigation(Command(.tab, "Próximo campo", inBar: false)),
        ]
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        [.call { Message.policy(await Calls.policy($0)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        switch event {
        case .key(.tab), .key(.down), .key(.backTab), .key(.up):
            focus = 1 - focus
        case .key(let k):
            failure = nil
            if focus == 0 { usuario.handle(k) } else { senha.handle(k) }
        case .click(let x, let y):
            for (i, r) in fieldRects.enumerated() where r.contains(x: x, y: y) { focus = i }
        default: break
        }
        return []
    }

    private func submit(_ app: AppState) -> [Effect] {
        guard !busy else { return [] }
        guard !usuario.text.isEmpty, !senha.text.isEmpty else {
            failure = APIFailure(status: 0, code: "invalid_input", message: "Informe usuário e senha.")
            return []
        }
        busy = true
        let u = usuario.text
        let p = senha.text
        let mode: Components.Schemas.StaffLogin.ModoPayload = app.mode == .staff ? .staff : .counter
        return [.call { Message.login(await Calls.loginStaff($0, usuario: u, senha: p, mode: mode)) as Any }]
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard let m = message as? Message else { return [] }
        switch m {
        case .policy(.success(let p)):
            app.policy = p
            demoStaff = p.demoStaff
        case .policy(.failure(let f)):
            failure = f
        case .login(.success(let s)):
            busy = false
            senha.clear()
            let who = SessionOwner.staff(
                usuario: s.staff?.usuario ?? usuario.text, nome: s.staff?.nome ?? "",
                role: s.staff.flatMap { StaffRole(rawValue: $0.papel.rawValue) },
                unit: s.staff?.unidade)
            // The back office lands in its unit's queue; a counter in the customer search.
            let first: any Screen = app.mode == .staff ? QueueScreen() : CustomerSearchScreen()
            return [.setSession(token: s.token, who: who), .reset(first)]
        case .login(.failure(let f)):
            busy = false
            senha.clear()
            failure = f
        }
        return []
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 3
        var y = area.y + 1
        s.put(app.mode == .counter ? "Atendimento presencial — identifique-se" : "Retaguarda — identifique-se", x: x, y: y, role: .title)
        y += 2
        fieldRects = [
            usuario.render(into: &s, x: x, y: y, labelWidth: 10, width: 24, focused: focus == 0),
            senha.render(into: &s, x: x, y: y + 2, labelWidth: 10, width: 24, focused: focus == 1),
        ]
        y += 4
        s.put(busy ? "[ Entrando… ]" : "[ Entrar ]", x: x + 10, y: y, role: busy ? .muted : .focused)
        y += 2
        if let f = failure {
            y = s.paragraph(f.message, x: x, y: y, width: area.width - 8, role: .error) + 1
        }
        if !demoStaff.isEmpty {
            s.put("Demonstração — usuários:", x: x, y: y, role: .hint)
            y += 1
            for d in demoStaff where y < area.y + area.height {
                s.put(
                    "\(TextLayout.pad(d.usuario, width: 8)) senha \(TextLayout.pad(d.senha ?? "", width: 16)) \(d.description)", x: x + 1,
                    y: y, role: .hint, clip: area)
                y += 1
            }
        }
    }
}
