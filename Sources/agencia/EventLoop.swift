import API
import Foundation
import Screens
import TUI
import Terminal

/// SIGHUP (the terminal or the kiosk's line is gone) means logout and exit; SIGTERM means quit.
nonisolated(unsafe) var hangupReceived: sig_atomic_t = 0
nonisolated(unsafe) var terminateReceived: sig_atomic_t = 0

/// The one loop of the client: read an event (keys, mouse, resize; 25 ms timeout), deliver
/// finished network calls, tick the clock, draw the frame. Network work never runs here.
enum EventLoop {
    static func run(
        mode: TerminalMode, client: Client, token: TokenBox, mono: Bool, highContrast: Bool, speaker: Speaker?, output: DocumentOutput,
        terminalId: String?
    ) throws {
        signal(SIGHUP) { _ in hangupReceived = 1 }
        signal(SIGTERM) { _ in terminateReceived = 1 }
        signal(SIGINT, SIG_IGN)
        signal(SIGQUIT, SIG_IGN)
        signal(SIGTSTP, SIG_IGN)
        let terminal = try TerminalSession(forceMono: mono, highContrast: highContrast)
        defer { terminal.end() }
        let state = AppState(mode: mode, token: token, now: now(), output: output)
        state.terminalId = terminalId
        state.highContrast = highContrast
        state.highContrastConfigured = highContrast
        state.speechAvailable = speaker != nil
        var said: [String] = []
        var speaking = false
        defer { speaker?.stop() }
        let model = AppModel(state: state) {
            mode == .kiosk ? LoginScreen() as any Screen : StaffLoginScreen()
        }
        let runtime = AppRuntime(model: model, client: client)
        runtime.start()
        var size = terminal.size
        var lastFrame: Surface?
        while !runtime.quitRequested && terminateReceived == 0 {
            if hangupReceived != 0 {
                // Nobody is at this terminal any more: end the session on the server, then exit
                // (reading a hung-up terminal would spin).
                runtime.endSessionNow(timeout: 2)
                break
            }
            var readBack = false
            func take(_ event: Event) {
                if case .resize(let w, let h) = event { size = (w, h) }
                if case .key = event { speaker?.stop() }  // a key interrupts the speech
                // Ctrl-L at a speaking kiosk: what was typed in the focused field, read back
                // once the keys before it are in (below, from this frame).
                if case .key(.ctrl("l")) = event, speaker != nil, state.speechOn {
                    readBack = true
                    return
                }
                runtime.send(event)
            }
            if let event = terminal.nextEvent() {
                take(event)
                // Take every key already typed before drawing (fast typists, pastes, slow links).
                while let more = terminal.nextEvent() { take(more) }
            }
            runtime.drain()
            runtime.send(.tick(now: now()))
            if state.highContrast != terminal.highContrast { terminal.setHighContrast(state.highContrast) }
            var surface = Surface(width: size.width, height: size.height, glyphs: terminal.glyphs)
            model.render(&surface)
            // Speech: what this frame says that the one before did not (title, messages) — and,
            // the frame it is turned off (F12, logout), that frame's last words.
            if let speaker, state.speechOn || speaking {
                let new = surface.spoken.filter { !said.contains($0) }
                if !new.isEmpty { speaker.say(Speaker.sentences(new)) }
                said = state.speechOn ? surface.spoken : []
                if readBack { speaker.say(Speaker.readBack(surface.focusedText)) }
            }
            speaking = state.speechOn
            if lastFrame.map({ $0.cells != surface.cells || $0.cursor.map { [$0.x, $0.y] } != surface.cursor.map { [$0.x, $0.y] } }) ?? true
            {
                terminal.present(surface)
                lastFrame = surface
            }
        }
    }

    /// The client's one clock: seconds on a monotonic clock, for the kiosk idle timer only (the
    /// screens never read the date; what "today" is comes from the server).
    static let origin = ContinuousClock.now
    static func now() -> Double {
        let d = ContinuousClock.now - origin
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
