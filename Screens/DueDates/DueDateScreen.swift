import API
import Domain
import Foundation
import TUI

/// Alterar vencimento (PRODUCT.md D4, Lei 9.791/1999): the current due day and the utility's
/// pre-approved days; Enter on a day asks for confirmation saying from which bill it applies;
/// the minimum interval between changes is shown, with the date a new change becomes possible.
public final class DueDateScreen: Screen {
    enum Message: CallResultMessage {
        case info(Result<Calls.DueDateInfo, APIFailure>)
        case changed(Result<Calls.DueDateChange, APIFailure>)
        var failure: APIFailure? {
            switch self {
            case .info(let r): return r.failure
            case .changed(let r): return r.failure
            }
        }
    }

    let matricula: String
    var info: Calls.DueDateInfo?
    var list = ListState(count: 0)
    var confirming: Int?
    var done: Calls.DueDateChange?
    var failure: APIFailure?
    var loading = false
    /// One key per chosen day: a retry of the same confirmation is the same change.
    var key = (day: 0, value: "")
    private var rows: [(y: Int, index: Int)] = []

    init(matricula: String) { self.matricula = matricula }

    public var title: String { "Data de vencimento" }
    public var purpose: String { Service.with(.dueDate).summary }
    public var isBusy: Bool { loading }
    var actions: [Action] {
        if done != nil { return [] }
        if let c = confirming {
            return [
                Action(Command(.enter, "Confirmar", help: "Confirma a nova data de vencimento")) { self.change(to: c) },
                Action(Command(.backspace, "Outro dia", help: "Volta à lista de dias sem alterar nada")) {
                    self.confirming = nil
                    return []
                },
            ]
        }
        return [
            Action(Command(.enter, "Escolher", help: "Escolhe o dia selecionado", enabled: info?.canChange == true)) { self.choose() }
        ]
    }

    public var commands: [Command] { actions.commands }

    /// Asks for confirmation of the day under the cursor (not the current one).
    private func choose() -> [Effect] {
        guard let info else { return [] }
        let day = info.options[list.selected]
        if day == info.currentDay {
            failure = APIFailure(status: 0, code: "same_day", message: "O vencimento já é no dia \(day): escolha outro dia.")
            return []
        }
        failure = nil
        confirming = day
        return []
    }

    private func change(to day: Int) -> [Effect] {
        if key.day != day { key = (day, UUID().uuidString) }
        loading = true
        failure = nil
        let (m, k) = (matricula, key.value)
        return [.call { Message.changed(await Calls.changeDueDate($0, m, day: day, key: k)) as Any }]
    }

    public func appear(app: AppState) -> [Effect] {
        loading = true
        let m = matricula
        return [.call { Message.info(await Calls.dueDate($0, m)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard info != nil, done == nil else { return [] }
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        switch event {
        case .key(let k):
            guard confirming == nil else { return [] }
            if list.handle(k, pageSize: 6) { failure = nil }
        case .click(_, let y):
            guard confirming == nil, let row = rows.first(where: { $0.y == y }) else { return [] }
            list.selected = row.index
        default: break
        }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard let m = message as? Message else { return [] }
        loading = false
        switch m {
        case .info(.success(let i)):
            info = i
            list = ListState(count: i.options.count)
            list.selected = i.options.firstIndex(of: i.currentDay) ?? 0
        case .changed(.success(let c)):
            done = c
            confirming = nil
        case .info(.failure(let f)), .changed(.failure(let f)):
            failure = f
            confirming = nil
        }
        return []
    }

    /// The first due date under `day` for the next bill (`2026-11` → 10/12/2026).
    static func firstDue(_ competencia: String, _ day: Int) -> String {
        guard let c = Competencia(iso: competencia) else { return "-" }
        return DueDatePolicy.firstDueDate(nextCompetencia: c, day: day).formatted
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = area.y + 1
        rows = []
        guard let info else {
            let text = failure?.message ?? "Carregando…"
            s.paragraph(text, x: x, y: y, width: w, role: failure == nil ? .muted : .error)
            return
        }
        let competencia = Competencia(iso: info.nextBillCompetencia)?.formatted ?? info.nextBillCompetencia
        if let d = done {
            let c = Competencia(iso: d.competencia)?.formatted ?? d.competencia
            let first = CivilDate(iso: d.firstDueOn)?.formatted ?? d.firstDueOn
            let lines = [
                ("Vencimento alterado do dia \(d.previousDay) para o dia \(d.day).", Role.success),
                ("Vale a partir da conta de \(c), com vencimento em \(first).", .normal),
                ("As contas já emitidas mantêm o vencimento original.", .muted),
                (
                    "Registrado em \(CivilDate(iso: d.changedOn)?.formatted ?? d.changedOn)\(app.mode == .kiosk ? "" : " pelo atendente").",
                    .muted
                ),
                ("Nova alteração só depois de \(info.minIntervalMonths) meses.", .muted),
            ]
            for (text, role) in lines { y = s.paragraph(text, x: x, y: y, width: w, role: role) }
            s.put("Esc volta.", x: x, y: y + 1, role: .muted)
            return
        }
        s.put("Vencimento atual: todo dia \(info.currentDay)", x: x, y: y, role: .header)
        y += 1
        if let last = info.lastChange {
            let on = CivilDate(iso: last.changedOn)?.formatted ?? last.changedOn
            var text =
                "Última alteração: \(on), do dia \(last.fromDay) para o dia \(last.toDay) (\(last.channel == "balcao" ? "no balcão" : "autoatendimento")"
            if let staff = last.staff { text += ", por \(staff)" }
            y = s.paragraph(text + ")", x: x, y: y, width: w, role: .muted)
        }
        y += 1
        if !info.canChange {
            y = s.paragraph(info.reason ?? "Alteração indisponível no momento.", x: x, y: y, width: w, role: .warning) + 1
        }
        s.put("Dias oferecidos pela companhia", x: x, y: y, role: .header)
        y += 1
        let options = info.options
        let arrow = s.glyphs.arrowRight
        let marked = info.canChange ? list.selected : -1
        rows = list.render(
            into: &s, area: Rect(x: x + 1, y: y, width: 24, height: options.count),
            row: { i in
                "\(i == marked ? arrow : " ") Dia \(options[i] < 10 ? "0" : "")\(options[i])\(options[i] == info.currentDay ? "  (atual)" : "")"
            },
            role: { i in options[i] == info.currentDay ? .muted : .normal }, active: info.canChange,
            spoken: { i in "Dia \(options[i])\(options[i] == info.currentDay ? ", o atual" : "")" })
        y += options.count
        y += 1
        if let c = confirming {
            let lines = [
                "Alterar o vencimento do dia \(info.currentDay) para o dia \(c)?",
                "Vale a partir da conta de \(competencia), com vencimento em \(Self.firstDue(info.nextBillCompetencia, c)).",
                "Enter confirma · Backspace escolhe outro dia · Esc volta sem alterar.",
            ]
            for line in lines { s.announce(line) }
            for line in lines.flatMap({ TextLayout.wrap($0, width: w) }) {
                s.put(line, x: x, y: y, role: .banner)
                y += 1
            }
        } else if info.canChange {
            let text =
                "A mudança vale a partir da próxima conta (\(competencia)); intervalo mínimo de \(info.minIntervalMonths) meses entre alterações."
            for line in TextLayout.wrap(text, width: w) {
                s.put(line, x: x, y: y, role: .muted)
                y += 1
            }
        }
        if let f = failure { s.paragraph(f.message, x: x, y: y + 1, width: w, role: .error) }
    }
}
