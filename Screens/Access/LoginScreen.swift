import API
import Domain
import TUI

/// Kiosk login (PRODUCT.md A1, A2): the fields the server's policy asks for, validated as the
/// user types, with distinct messages for an invalid number, a pair not found (and how to get
/// the CPF/CNPJ registered), too many attempts and an unreachable server.
public final class LoginScreen: Screen {
    typealias Message = LoginMessage

    /// Up to nine digits, the dash and the check digit (issue 28: it took 14 characters).
    var matricula = TextField(label: "Matrícula:", maxLength: 11, accepts: { $0.isNumber || $0 == "-" })
    var documento = TextField(label: "CPF/CNPJ:", maxLength: 18, accepts: { $0.isLetter || $0.isNumber || ".-/".contains($0) })
    var focus = 0
    var busy = false
    var loadingPolicy = true
    /// The outcome of the last attempt, shown in a box (error) under the form.
    var failure: APIFailure?
    var showErrors = false
    private var fieldRects: [Rect] = []
    private var hintRows: [(y: Int, index: Int)] = []
    /// The example Ctrl-E fills next.
    private var nextHint = 0
    private var submitRect = Rect(x: 0, y: 0, width: 0, height: 0)

    public init() {}

    public var title: String { "Entrar" }
    public var isBusy: Bool { busy || loadingPolicy }

    var actions: [Action] {
        /// The services that need no login (the tariffs, a bill simulation), from the services table.
        func open(_ key: Int, _ id: Service.ID) -> Action {
            let svc = Service.with(id)
            return Action(Command(.function(key), svc.label, help: "\(svc.summary) — sem precisar entrar")) {
                [.push(svc.open(Service.Context(matricula: "", property: nil)))]
            }
        }
        return [
            // Enter is what a form answers to; the bar keeps its room for the services without login.
            Action(Command(.enter, "Entrar", help: "Confere os dados e entra", enabled: !busy, inBar: false)) { app in self.enter(app) },
            .navigation(Command(.tab, "Próximo campo", inBar: false)),
            // The demonstration's examples, also without a touch screen (issue 32).
            Action(
                Command(
                    .ctrl("e"), "Exemplo", help: "Preenche a matrícula e o documento do próximo exemplo da demonstração",
                    enabled: !(policy?.demoHints.isEmpty ?? true), inBar: false)
            ) { _ in
                guard let p = self.policy, !p.demoHints.isEmpty else { return [] }
                self.fill(hint: p.demoHints[self.nextHint % p.demoHints.count])
                self.nextHint += 1
                return []
            },
            open(6, .tariffs),
            open(7, .billSimulation),
            open(8, .protocolLookup),
            open(3, .ouvidoria),
            open(4, .verifyCertidao),
            Action(
                Command(
                    .function(5), "Atualizar", help: "Tenta de novo falar com o servidor",
                    enabled: failure?.code == "transport" || policyMissing)
            ) { app in
                self.failure = nil
                return self.appear(app: app)
            },
        ]
    }

    public var commands: [Command] { actions.commands }

    /// Enter on a valid matrícula moves on to the document, like Tab; otherwise it logs in.
    private func enter(_ app: AppState) -> [Effect] {
        if focus == 0 && fields.count > 1 && matriculaValid && documento.text.isEmpty {
            focus = 1
            return []
        }
        return submit(app)
    }

    private var policyMissing = false
    private var policy: LoginPolicyInfo?
    private var fields: [TextField] { policy?.policy.asksDocument == true ? [matricula, documento] : [matricula] }

    /// Loads the policy; after a logout the one already known is shown at once and refreshed.
    public func appear(app: AppState) -> [Effect] {
        if let known = app.policy, policy == nil {
            policy = known
            loadingPolicy = false
            return [.call { Message.policy(await Calls.policy($0)) as Any }]
        }
        loadingPolicy = true
        return [.call { Message.policy(await Calls.policy($0)) as Any }]
    }

    /// A half-typed matrícula or CPF/CNPJ: the kiosk's idle rule wipes it (issue 28.2).
    public var holdsTypedText: Bool { !matricula.text.isEmpty || !documento.text.isEmpty }

    // MARK: Validation while typing

    var matriculaValid: Bool {
        guard let p = policy else { return false }
        if p.policy.asksCheckDigit { return Matricula(parsing: matricula.text, rule: p.rule) != nil }
        return !matricula.text.isEmpty && matricula.text.allSatisfy(\.isNumber)
    }

    /// The field's state line: nil (nothing to say yet), or a message and whether it is an error.
    func matriculaStatus() -> (String, Bool)? {
        let t = matricula.text
        guard !t.isEmpty, let p = policy else { return nil }
        if !p.policy.asksCheckDigit {
            return t.allSatisfy(\.isNumber) ? ("✓ número da matrícula", false) : ("Use apenas números.", true)
        }
        if Matricula(parsing: t, rule: p.rule) != nil { return ("✓ matrícula válida", false) }
        let digits = t.filter(\.isNumber)
        if digits.count >= 2 && (showErrors || focus != 0 || t.contains("-")) {
            return ("Matrícula inválida: confira o dígito verificador (após o traço).", true)
        }
        return ("Informe a matrícula com o dígito, como na conta: 12345-5", false)
    }

    func documentoStatus() -> (String, Bool)? {
        let t = documento.text
        guard !t.isEmpty else { return nil }
        switch TaxID.parse(t) {
        case .success(let id): return (id.isCPF ? "✓ CPF válido" : "✓ CNPJ válido", false)
        case .failure(.incomplete):
            return showErrors || focus != 1 ? (TaxID.Problem.incomplete.message, true) : ("CPF: 11 dígitos; CNPJ: 14 caracteres", false)
        case .failure(let p):
            let count = t.filter { $0.isLetter || $0.isNumber }.count
            if count == 11 && focus == 1 && !showErrors { return ("CPF inválido (ou continue digitando o CNPJ)", true) }
            return (p.message, true)
        }
    }

    // MARK: Events

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        switch event {
        case .key(let k):
            switch k {
            case .tab, .down:
                focus = (focus + 1) % max(1, fields.count)
            case .backTab, .up:
                focus = (focus + fields.count - 1) % max(1, fields.count)
            default:
                failure = nil
                if focus == 0 { matricula.handle(k) } else { documento.handle(k) }
            }
        case .click(let x, let y):
            for (i, r) in fieldRects.enumerated() where r.contains(x: x, y: y) { focus = i }
            if submitRect.contains(x: x, y: y) { return submit(app) }
            if let hint = hintRows.first(where: { $0.y == y }), let p = policy {
                fill(hint: p.demoHints[hint.index])
            }
        default: break
        }
        return []
    }

    func fill(hint: (matricula: String, documento: String?, description: String)) {
        matricula.text = hint.matricula
        matricula.cursor = hint.matricula.count
        if let d = hint.documento {
            documento.text = d
            documento.cursor = d.count
        }
        failure = nil
        focus = 0
    }

    private func submit(_ app: AppState) -> [Effect] {
        guard !busy, let p = policy else { return [] }
        showErrors = true
        if matricula.text.isEmpty {
            focus = 0
            failure = APIFailure(status: 0, code: "invalid_input", message: "Informe a matrícula do imóvel.")
            return []
        }
        if matriculaStatus()?.1 == true {
            focus = 0
            return []
        }
        if p.policy.asksDocument {
            if documento.text.isEmpty {
                focus = 1
                failure = APIFailure(
                    status: 0, code: "invalid_input", message: "Informe o CPF ou CNPJ do titular ou de um usuário cadastrado no imóvel.")
                return []
            }
            if documentoStatus()?.1 == true {
                focus = 1
                return []
            }
        }
        busy = true
        failure = nil
        let m = matricula.text
        let d = p.policy.asksDocument ? documento.text : nil
        return [.call { Message.login(await Calls.loginCustomer($0, matricula: m, documento: d)) as Any }]
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard let m = message as? Message else { return [] }
        switch m {
        case .policy(.success(let p)):
            loadingPolicy = false
            policyMissing = false
            policy = p
            app.policy = p
        case .policy(.failure(let f)):
            loadingPolicy = false
            if policy == nil {
                policyMissing = true
                failure = f
            }
        case .login(.success(let session)):
            busy = false
            let mat = session.matricula ?? matricula.text
            matricula.clear()
            documento.clear()
            return [.setSession(token: session.token, who: .customer(matricula: mat)), .reset(HomeScreen(matricula: mat))]
        case .login(.failure(let f)):
            busy = false
            failure = f
            if f.code == "login_failed" && policy?.policy.asksDocument == true { focus = 1 }
        }
        return []
    }

    // MARK: Drawing

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 3
        var y = area.y + 1
        s.put("Bem-vindo ao autoatendimento", x: x, y: y, role: .title)
        // The accessibility keys, named where a customer starts (issue 32).
        let access = app.speechAvailable ? "F11 contraste · F12 áudio" : "F11 alto contraste"
        if CharWidth.of("Bem-vindo ao autoatendimento") + CharWidth.of(access) + 8 <= area.width {
            s.put(access, x: area.x + area.width - CharWidth.of(access) - 2, y: y, role: .hint)
        }
        y += 2
        guard let p = policy else {
            s.put(
                loadingPolicy ? "Conectando ao servidor…" : "Não foi possível falar com o servidor.", x: x, y: y,
                role: loadingPolicy ? .muted : .error)
            if let f = failure { s.paragraph(f.message, x: x, y: y + 2, width: area.width - x - 1, role: .error) }
            if !loadingPolicy { s.put("Pressione F5 para tentar de novo.", x: x, y: y + 4, role: .muted) }
            return
        }
        let instruction: String
        switch p.policy {
        case .matricula: instruction = "Digite o número da matrícula do imóvel (impresso na sua conta de água)."
        case .matriculaDV: instruction = "Digite a matrícula do imóvel com o dígito verificador, como na conta de água."
        case .matriculaDVDocumento: instruction = "Digite a matrícula do imóvel (com o dígito) e o CPF ou CNPJ do titular."
        }
        for line in TextLayout.wrap(instruction, width: area.width - 6) {
            s.put(line, x: x, y: y)
            y += 1
        }
        y += 1
        fieldRects = []
        let fw = 22
        fieldRects.append(matricula.render(into: &s, x: x, y: y, labelWidth: 12, width: fw, focused: focus == 0))
        if let (msg, err) = matriculaStatus() {
            if err { s.announce(msg) }
            s.put(msg, x: x + 12, y: y + 1, role: err ? .error : .success, clip: area)
        }
        y += 3
        if p.policy.asksDocument {
            fieldRects.append(documento.render(into: &s, x: x, y: y, labelWidth: 12, width: fw, focused: focus == 1))
            if let (msg, err) = documentoStatus() {
                if err { s.announce(msg) }
                s.put(msg, x: x + 12, y: y + 1, role: err ? .error : .success, clip: area)
            }
            y += 3
        }
        let button = busy ? "[ Entrando… ]" : "[ Entrar ]"
        s.put(button, x: x + 12, y: y, role: busy ? .muted : .focused)
        submitRect = Rect(x: x + 12, y: y, width: CharWidth.of(button), height: 1)
        // The blank row under the button goes when the demo's accounts would not all fit (24 rows).
        let hintsNeed = p.demoHints.isEmpty ? 0 : p.demoHints.count + 1
        y += failure == nil && area.y + area.height - (y + 2) < hintsNeed ? 1 : 2
        if let f = failure {
            s.announce(f.message)
            let lines = TextLayout.wrap(f.message, width: area.width - 10)
            let box = Rect(x: x - 1, y: y, width: area.width - 4, height: min(lines.count + 2, area.y + area.height - y))
            s.box(
                box,
                title: f.code == "too_many_attempts"
                    ? "Muitas tentativas" : (f.code == "transport" ? "Sem conexão" : "Não foi possível entrar"), role: .error)
            for (i, l) in lines.enumerated() where y + 1 + i < box.y + box.height - 1 { s.put(l, x: x + 1, y: y + 1 + i, role: .error) }
            y += box.height
        }
        hintRows = []
        if !p.demoHints.isEmpty && y + 3 < area.y + area.height {
            s.put("Demonstração — Ctrl-E ou um toque numa linha preenche:", x: x, y: y, role: .hint)
            y += 1
            for (i, h) in p.demoHints.enumerated() where y < area.y + area.height {
                let line = "\(TextLayout.pad(h.matricula, width: 10)) \(TextLayout.pad(h.documento ?? "", width: 20)) \(h.description)"
                s.put(TextLayout.fit(line, width: area.width - 6), x: x + 1, y: y, role: .hint)
                hintRows.append((y, i))
                y += 1
            }
        }
    }
}
