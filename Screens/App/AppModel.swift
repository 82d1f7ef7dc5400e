import API
import Domain
import Foundation
import TUI

/// The application without a terminal: the screen stack, the chrome (title bar, message line,
/// function bar), F1 help, the kiosk idle timer and the "terminal too small" screen. Events go
/// in; effects for the runtime come out; `render` draws the current frame.
public final class AppModel {
    public let state: AppState
    public private(set) var stack: [any Screen]
    private let makeLogin: () -> any Screen
    private var functionBar = FunctionBar()
    private var showingHelp = false
    /// First line of the help shown (the help scrolls when it is longer than the screen).
    private var helpTop = 0
    /// Kiosk idle logout (PRODUCT.md A7).
    private var lastInput: Double
    private var idleWarningSince: Double?
    /// F10 was pressed with unsent text: the next F10 leaves, any other key stays.
    private var confirmingLeave = false
    /// A one-line message above the function bar (errors from the chrome itself).
    public var flash: String?

    /// The title bar's left end below the first screen.
    static let backLabel = "Esc Voltar"
    /// Inside the help, the key that reports a problem with the screen under it (a letter:
    /// F9 is Serviços everywhere else).
    static let reportKey = Key.char("R")

    public static let minWidth = 80
    public static let minHeight = 24

    public init(state: AppState, login: @escaping () -> any Screen) {
        self.state = state
        self.makeLogin = login
        stack = [login()]
        lastInput = state.now
    }

    public var top: any Screen { stack[stack.count - 1] }

    /// The commands every screen has, after its own.
    func globalCommands() -> [Command] {
        var c = [Command(.function(1), "Ajuda", help: "Mostra esta ajuda")]
        if stack.count > 1 { c.append(Command(.escape, "Voltar", help: "Volta à tela anterior")) }
        if state.session != nil {
            c.append(Command(.function(10), "Sair", help: "Encerra o atendimento (logout)"))
        } else if state.mode != .kiosk {
            // Attendants and back-office users (often over SSH) leave the program from the login
            // screen; a kiosk has no way out.
            c.append(Command(.function(10), "Fechar", help: "Fecha o programa"))
        }
        return c
    }

    public var allCommands: [Command] { globalCommands() + top.commands }

    // MARK: Events

    /// Handles one event; returns the effects the runtime must perform (in order).
    public func handle(_ event: Event) -> [Effect] {
        keepAlive(event) + dispatch(event)
    }

    /// The server ends a session after a while without requests (kiosk: the idle time and the
    /// warning; staff: `staffIdleSeconds`). A user reading and scrolling asks nothing of it, so
    /// while there is input the session is confirmed every `keepAliveSeconds` in the background.
    private var lastKeepAlive: Double?
    static let keepAliveSeconds = 30.0

    private func keepAlive(_ event: Event) -> [Effect] {
        guard state.session != nil else {
            lastKeepAlive = nil
            return []
        }
        switch event {
        case .key, .click, .wheel: break
        default: return []
        }
        guard let last = lastKeepAlive else {
            lastKeepAlive = state.now  // the login itself was a request
            return []
        }
        guard state.now - last >= Self.keepAliveSeconds else { return [] }
        lastKeepAlive = state.now
        return [.follow(after: 0) { SessionKeepAlive(result: await Calls.keepAlive($0)) as Any }]
    }

    private func dispatch(_ event: Event) -> [Effect] {
        switch event {
        case .tick(let now):
            state.now = now
            return idleCheck() + ouvidoriaCheck()
        case .resize:
            return []
        case .key, .click, .wheel:
            // "Terminal muito pequeno" is all there is: keys and taps act on nothing behind it.
            guard lastSize.width >= Self.minWidth, lastSize.height >= Self.minHeight else { return [] }
            lastInput = state.now
            if idleWarningSince != nil {
                idleWarningSince = nil  // any touch or key keeps the session
                return []
            }
        }
        if showingHelp {
            switch event {
            case .key(.down): helpTop += 1
            case .key(.up): helpTop = max(0, helpTop - 1)
            case .key(.pageDown): helpTop += 10
            case .key(.pageUp): helpTop = max(0, helpTop - 10)
            case .key(.char(let c)) where c.lowercased() == "r" && !(top is ReportProblemScreen):
                showingHelp = false
                return [.push(ReportProblemScreen(screen: top.title))]
            case .key, .click: showingHelp = false
            default: break
            }
            return []
        }
        var event = event
        if case .click(let x, let y) = event, y >= lastSize.height - FunctionBar.height, !top.fullScreen {
            guard let key = functionBar.key(atColumn: x, row: y) else { return [] }
            event = .key(key)
        }
        // The title bar's left end is the back button on a touch screen ("Esc Voltar").
        if case .click(let x, 0) = event, stack.count > 1, !top.fullScreen, x < CharWidth.of(Self.backLabel) + 1 {
            event = .key(.escape)
        }
        if case .key(let k) = event, k != .function(10), confirmingLeave {
            confirmingLeave = false
            flash = nil
            return []
        }
        if case .key(let k) = event {
            switch k {
            case .function(1):
                showingHelp = true
                helpTop = 0
                return []
            // The kiosk's accessibility keys (issue 32), on every screen; off again at logout.
            case .function(11) where state.mode == .kiosk:
                state.highContrast.toggle()
                flash = state.highContrast ? "Alto contraste ligado. F11 volta às cores de sempre." : "Cores de sempre. F11 liga o alto contraste."
                return []
            case .function(12) where state.mode == .kiosk && state.speechAvailable:
                state.speechOn.toggle()
                flash = state.speechOn
                    ? "Áudio ligado: o terminal diz o que a tela mostra, no fone de ouvido. F12 desliga."
                    : "Áudio desligado. F12 liga de novo."
                return []
            case .function(10) where state.session != nil:
                // Text typed and not sent on any open screen: F10 asks first (mc; issue 28.17).
                if !confirmingLeave, stack.contains(where: \.holdsTypedText) {
                    confirmingLeave = true
                    flash = "Há um texto não enviado. F10 de novo sai e o descarta; qualquer outra tecla continua."
                    return []
                }
                confirmingLeave = false
                return [.logout(message: "Atendimento encerrado.")]
            case .function(10) where state.mode != .kiosk:
                return [.quit]
            case .escape where top.isBusy:
                return [.cancelCalls]
            case .escape where stack.count > 1:
                return [.pop]
            case let k where top.commands.contains(where: { $0.key == k && !$0.enabled }):
                // A disabled command does nothing, whatever the screen would do with the key, and
                // says why when it knows (issue 28.19).
                if let why = top.commands.first(where: { $0.key == k && !$0.enabled })?.whyNot { flash = why }
                return []
            default: break
            }
        }
        flash = nil
        return top.handle(event, app: state)
    }

    /// Applies navigation effects; the rest are the runtime's.
    public func apply(_ effect: Effect) {
        switch effect {
        case .push(let s): stack.append(s)
        case .pop: if stack.count > 1 { stack.removeLast() }
        case .reset(let s): stack = [s]
        default: break
        }
    }

    /// Back to a fresh login screen: nothing of the previous customer remains in memory.
    public func resetToLogin(message: String?) {
        state.session = nil
        state.token.token = nil
        // The next customer starts as the terminal is configured.
        state.speechOn = false
        state.highContrast = state.highContrastConfigured
        idleWarningSince = nil
        showingHelp = false
        confirmingLeave = false
        stack = [makeLogin()]
        flash = message
        lastInput = state.now
    }

    /// Staff sessions read the ouvidoria's counters at once and then every minute, in the
    /// background (the runtime hands the answer to `state.ouvidoria`).
    private var ouvidoriaReadAt: Double?
    static let ouvidoriaEverySeconds = 60.0

    private func ouvidoriaCheck() -> [Effect] {
        // The back office's business (Permissions): an atendente's terminal does not ask.
        guard case .staff(_, _, let role, _) = state.session, role != .atendente else {
            ouvidoriaReadAt = nil
            state.ouvidoria = nil
            return []
        }
        if let last = ouvidoriaReadAt, state.now - last < Self.ouvidoriaEverySeconds { return [] }
        ouvidoriaReadAt = state.now
        return [.follow(after: 0) { OuvidoriaAlert(result: await Calls.ouvidoriaSummary($0)) as Any }]
    }

    /// The kiosk's idle rule: after `idleSeconds` without a key or touch, a warning with its
    /// countdown; after `warningSeconds` more, back to a fresh login — for a customer's session,
    /// a public screen left open and a half-typed login alike, so the next person finds nothing of
    /// the previous one. A screen waiting for an outcome (a card payment) or for the server's
    /// answer (bounded by the request's time limit) holds the timer.
    private func idleCheck() -> [Effect] {
        guard state.mode == .kiosk, let p = state.policy else { return [] }
        if top.awaitsOutcome || top.isBusy {
            lastInput = state.now
            idleWarningSince = nil
            return []
        }
        guard state.session != nil || stack.count > 1 || top.holdsTypedText else {
            idleWarningSince = nil
            return []
        }
        if let since = idleWarningSince {
            if state.now - since >= Double(p.warningSeconds) {
                return [.logout(message: state.session == nil ? nil : "Atendimento encerrado por inatividade.")]
            }
        } else if state.now - lastInput >= Double(p.idleSeconds) {
            idleWarningSince = state.now
        }
        return []
    }

    // MARK: Rendering

    private var lastSize = (width: 80, height: 24)

    public func render(_ s: inout Surface) {
        lastSize = (s.width, s.height)
        s.cursor = nil
        guard s.width >= Self.minWidth, s.height >= Self.minHeight else {
            renderTooSmall(&s)
            return
        }
        if top.fullScreen {
            s.announce(top.title)
            s.announce(top.purpose)
            top.render(&s, area: s.bounds, app: state)
            renderOverlays(&s)
            return
        }
        defer { renderOverlays(&s) }
        // Title bar; the title is the first thing said of a screen, then what it is for.
        s.announce(top.title)
        s.announce(top.purpose)
        s.fill(Rect(x: 0, y: 0, width: s.width, height: 1), role: .header)
        let (left, right) = titleBar(width: s.width, vertical: s.glyphs.vertical)
        s.put(left, x: 0, y: 0, role: .header)
        s.put(right, x: s.width - CharWidth.of(right) - 1, y: 0, role: .header)
        // Body.
        let bar = s.height - FunctionBar.height
        let body = Rect(x: 0, y: 1, width: s.width, height: bar - 1)
        top.render(&s, area: body, app: state)
        // Nothing on the screen takes the focus (a document, a message): the cursor at the
        // start of its title, where a screen reader that follows it begins (issue 32).
        if s.cursor == nil { s.cursor = (max(1, CharWidth.of(left) - CharWidth.of(top.title)), 0) }
        // The chrome's message, over the body's last rows until the next key (the body keeps
        // its 21 rows at 80×24: a 2ª via's QR needs them).
        if let flash {
            s.footer(flash, x: 1, bottom: bar - 1, width: s.width - 2, role: .warning)
        }
        functionBar.render(allCommands, into: &s, y: bar)
    }

    /// The help and the idle warning, over whatever is on screen.
    private func renderOverlays(_ s: inout Surface) {
        if showingHelp { renderHelp(&s) }
        if let since = idleWarningSince, let p = state.policy {
            renderIdleWarning(&s, remaining: Double(p.warningSeconds) - (state.now - since))
        }
    }

    /// The title bar's two ends, never overlapping (issue 28.21): when both do not fit, the
    /// product's name goes first, then the ouvidoria's alert gets shorter, and only then is the
    /// screen's title cut — the alert never covers it.
    func titleBar(width: Int, vertical: Character) -> (left: String, right: String) {
        // Below the first screen the left end is the way back (a browser's back button), where
        // the bar has no slot for Esc.
        let first = stack.count > 1 ? Self.backLabel : "Agência Virtual"
        var left = " \(first) \(vertical) \(top.title)"
        var right = rightTitle(compact: false)
        func fits() -> Bool { CharWidth.of(left) + CharWidth.of(right) + 3 <= width }
        if !fits(), stack.count == 1 { left = " \(top.title)" }
        if !fits() { right = rightTitle(compact: true) }
        if !fits() { left = TextLayout.fit(left, width: max(8, width - CharWidth.of(right) - 3)) }
        return (left, right)
    }

    private func rightTitle(compact: Bool) -> String {
        var parts: [String] = []
        if top.isBusy { parts.append("aguarde…") }
        if let o = state.ouvidoria, o.watching, o.unreceived + o.overdue > 0 {
            var alert = "\(compact ? "Ouv." : "Ouvidoria:") \(o.unreceived) nova\(o.unreceived == 1 ? "" : "s")"
            if o.overdue > 0 { alert += ", \(o.overdue) \(compact ? "atras." : "em atraso")" }
            parts.append(alert)
        }
        switch state.mode {
        case .kiosk: parts.append("Autoatendimento")
        case .counter, .staff:
            if case .staff(let u, _, let role, _) = state.session {
                parts.append("\(role?.label ?? "Atendente"): \(u)")
            } else {
                parts.append(state.mode == .counter ? "Balcão" : "Retaguarda")
            }
        }
        return parts.joined(separator: "  ")
    }

    private func renderTooSmall(_ s: inout Surface) {
        s.fill(s.bounds)
        let lines = TextLayout.wrap(
            "Terminal muito pequeno: são necessárias ao menos \(Self.minWidth) colunas e \(Self.minHeight) linhas (atual: \(s.width)×\(s.height)). Aumente a janela.",
            width: max(10, s.width - 2))
        s.announce(lines.joined(separator: " "))
        for (i, l) in lines.enumerated() where i < s.height { s.put(l, x: 1, y: i, role: .warning) }
        s.cursor = (1, 0)
    }

    /// Every key of the screen with what it does, wrapped; scrolls with the arrows and PgUp/PgDn
    /// when longer than the screen (any other key closes it).
    private func renderHelp(_ s: inout Surface) {
        let w = min(s.width - 4, 90)
        var lines: [(key: String, text: String)] = []
        // In the bar's order, each with its label as on the bar.
        let listed = allCommands.enumerated().filter { $0.element.enabled }
            .sorted { (KeyMap.order($0.element.key), $0.offset) < (KeyMap.order($1.element.key), $1.offset) }.map(\.element)
        s.announce("Ajuda — \(top.title)")
        for c in listed {
            let text = c.help == c.label ? c.label : "\(c.label): \(c.help)"
            // F1 read aloud: each key with what it does.
            s.announce("\(c.key.label), \(text)")
            for (i, line) in TextLayout.wrap(text, width: w - 18).enumerated() { lines.append((i == 0 ? c.key.label : "", line)) }
        }
        let report = top is ReportProblemScreen ? "" : "\(Self.reportKey.label) relata um problema desta tela à equipe de tecnologia. "
        var access = ""
        if state.mode == .kiosk {
            access = "F11: alto contraste. " + (state.speechAvailable ? "F12: áudio no fone de ouvido (Ctrl-L lê o que foi digitado). " : "")
        }
        let note = "\(report)\(access)Sem tecla F: Esc e o número (Esc 5 = F5; Esc 0 = F10; Esc - = F11; Esc = = F12). Qualquer outra tecla fecha."
        s.announce(note)
        let footer = TextLayout.wrap(note, width: w - 4)
        let h = min(s.height - 2, lines.count + footer.count + 4)
        let rows = h - footer.count - 4
        helpTop = min(helpTop, max(0, lines.count - rows))
        let r = Rect(x: (s.width - w) / 2, y: (s.height - h) / 2, width: w, height: h)
        s.fill(r)
        s.box(r, title: "Ajuda — \(top.title)")
        s.cursor = (r.x + 2, r.y + 2)
        for (i, line) in lines.dropFirst(helpTop).prefix(rows).enumerated() {
            s.put(TextLayout.pad(line.key, width: 12), x: r.x + 2, y: r.y + 2 + i, role: .functionKey)
            s.put(line.text, x: r.x + 15, y: r.y + 2 + i)
        }
        if lines.count > rows {
            let more = helpTop + rows < lines.count ? "mais abaixo (setas, PgDn)" : "fim (setas, PgUp)"
            s.put(more, x: r.x + w - 2 - CharWidth.of(more), y: r.y + h - footer.count - 2, role: .muted)
        }
        for (i, line) in footer.enumerated() { s.put(line, x: r.x + 2, y: r.y + h - 1 - footer.count + i, role: .muted) }
    }

    private func renderIdleWarning(_ s: inout Surface, remaining: Double) {
        let w = min(s.width - 4, 64)
        let secs = max(0, Int(remaining.rounded(.up)))
        s.announce("Ainda está aí? O atendimento será encerrado em \(counted(secs, "segundo")).")
        let lines =
            TextLayout.wrap("O atendimento será encerrado em \(counted(secs, "segundo")).", width: w - 6) + [""]
            + TextLayout.wrap("Toque na tela ou pressione qualquer tecla para continuar.", width: w - 6)
        let h = lines.count + 4
        let r = Rect(x: (s.width - w) / 2, y: (s.height - h) / 2, width: w, height: h)
        s.fill(r, role: .banner)
        s.box(r, title: "Ainda está aí?", role: .banner)
        for (i, line) in lines.enumerated() { s.put(line, x: r.x + 3, y: r.y + 2 + i, role: .banner) }
        s.cursor = (r.x + 3, r.y + 2)
    }
}
