import TUI

/// One row of a screen's command table (tig): the key with its label and help, and what it does.
/// The function bar, the F1 help and any list of keys on the screen come from the same rows, so
/// they cannot drift; a disabled row does nothing (`AppModel` refuses its key before the screen
/// sees it, and `perform` here too).
public struct Action {
    public var command: Command
    /// Which keys the row answers: its command's key, or a family (the digits 1–9).
    var matches: (Key) -> Bool
    var run: (Key, AppState) -> [Effect]

    public init(_ command: Command, _ perform: @escaping () -> [Effect]) {
        self.init(command) { _ in perform() }
    }

    /// A row whose action needs the app's state (its mode, its printer, the session).
    public init(_ command: Command, _ perform: @escaping (AppState) -> [Effect]) {
        self.command = command
        matches = { $0 == command.key }
        run = { _, app in perform(app) }
    }

    /// A row that only documents keys a widget of the screen handles itself (arrows in a list or
    /// a chart, Tab between categories): listed in the help, answered by the widget.
    public static func navigation(_ command: Command) -> Action {
        var a = Action(command) { () -> [Effect] in [] }
        a.matches = { _ in false }
        return a
    }

    /// A row for the digits 1–9 (shown as its command, `1–9 …`): `perform` gets the digit.
    public static func digits(_ command: Command, _ perform: @escaping (Int) -> [Effect]) -> Action {
        var a = Action(command) { () -> [Effect] in [] }
        a.matches = { key in
            if case .char(let c) = key, let n = c.wholeNumberValue, (1...9).contains(n) { return true }
            return false
        }
        a.run = { key, _ in
            if case .char(let c) = key, let n = c.wholeNumberValue { return perform(n) }
            return []
        }
        return a
    }
}

extension Array where Element == Action {
    var commands: [Command] { map(\.command) }

    /// What the row for `key` does, if the table has one (nothing when it is disabled).
    func perform(_ key: Key, app: AppState) -> [Effect]? {
        guard let a = first(where: { $0.matches(key) }) else { return nil }
        return a.command.enabled ? a.run(key, app) : []
    }

    /// Whether `key` belongs to a row that is disabled now.
    func isDisabled(_ key: Key) -> Bool {
        first(where: { $0.matches(key) }).map { !$0.command.enabled } ?? false
    }
}
