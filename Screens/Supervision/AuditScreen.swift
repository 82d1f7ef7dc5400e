import API
import Domain
import Foundation
import TUI

/// The supervisor's audit trail (issue 14): what each staff member did, newest first, filtered
/// by staff member, matrícula, action and dates. Enter in the filters applies them; the list
/// brings older pages as the cursor reaches its end; F6 lists the logins with failures.
public final class AuditScreen: Screen {
    enum Message: CallResultMessage {
        case page(Calls.AuditFilter, append: Bool, Result<(items: [Calls.AuditEntry], next: Int64?), APIFailure>)
        var failure: APIFailure? {
            if case .page(_, _, let r) = self { return r.failure }
            return nil
        }
    }

    var form = Form([
        .init("Usuário:", .text(TextField(label: "", maxLength: 64, accepts: { !$0.isWhitespace })), hint: "atendente ou servidor"),
        .init("Matrícula:", .text(TextField(label: "", maxLength: 20, accepts: { $0.isNumber || $0 == "-" }))),
        .init("Ação:", .text(TextField(label: "", maxLength: 40)), hint: "login, pagamento_cartao…"),
        .init("De:", .text(TextField(label: "", maxLength: 10, accepts: { $0.isNumber || $0 == "/" })), hint: "dd/mm/aaaa"),
        .init("Até:", .text(TextField(label: "", maxLength: 10, accepts: { $0.isNumber || $0 == "/" })), hint: "dd/mm/aaaa"),
    ])
    var filter = Calls.AuditFilter()
    var items: [Calls.AuditEntry] = []
    var next: Int64?
    var list = ListState(count: 0)
    var inList = false
    var busy = false
    var failure: APIFailure?

    public init() {}

    public var title: String { "Supervisão — trilha de auditoria" }
    public var isBusy: Bool { busy }
    var actions: [Action] {
        [
            Action(Command(.enter, inList ? "Filtros" : "Aplicar", help: "Nos filtros, aplica-os; na lista, volta aos filtros")) {
                if self.inList {
                    self.inList = false
                    return []
                }
                return self.apply()
            },
            Action(Command(.function(5), "Atualizar", help: "Lê a trilha de novo, com os mesmos filtros")) { self.load(append: false) },
            Action(Command(.function(6), "Bloqueios", help: "Acessos com tentativas erradas: desbloquear")) {
                [.push(LoginLocksScreen())]
            },
            Action(Command(.function(7), "Certidões", help: "Verifica uma certidão pelo código e, se preciso, a revoga com o motivo")) {
                [.push(CertidaoVerificationScreen())]
            },
            Action(Command(.function(8), "Integração", help: "Eventos que a concessionária não recebeu: reenviar ou descartar")) {
                [.push(DeliveriesScreen())]
            },
            .navigation(Command(.tab, "Campo", help: "Passa ao próximo filtro", inBar: false)),
        ]
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] { items.isEmpty ? load(append: false) : [] }

    /// `dd/mm/aaaa` as `AAAA-MM-DD`: `.some(nil)` for an empty field, nil for anything else.
    static func isoDate(_ text: String) -> String?? {
        let t = text.trimmingCharacters(in: .whitespaces)
        if t.isEmpty { return .some(nil) }
        let p = t.split(separator: "/").compactMap { Int($0) }
        guard p.count == 3, let d = CivilDate(year: p[2], month: p[1], day: p[0]) else { return nil }
        return .some(d.iso)
    }

    private func apply() -> [Effect] {
        form.problems = [:]
        var f = Calls.AuditFilter()
        func text(_ i: Int) -> String? {
            let v = form.value(i).trimmingCharacters(in: .whitespaces)
            return v.isEmpty ? nil : v
        }
        f.staff = text(0)?.lowercased()
        f.matricula = text(1)?.filter(\.isNumber)
        f.action = text(2)
        for (i, keyPath) in [(3, \Calls.AuditFilter.from), (4, \Calls.AuditFilter.to)] {
            if let d = Self.isoDate(form.value(i)) { f[keyPath: keyPath] = d } else { form.problems[i] = "data inválida" }
        }
        guard form.problems.isEmpty else { return [] }
        filter = f
        return load(append: false)
    }

    private func load(append: Bool) -> [Effect] {
        busy = true
        failure = nil
        let f = filter
        let before = append ? next : nil
        return [.call { Message.page(f, append: append, await Calls.audit($0, f, before: before)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        switch event {
        case .key(let k) where inList:
            _ = list.handle(k, pageSize: 8)
            if list.selected == items.count - 1, next != nil, !busy { return load(append: true) }
        case .key(.down) where form.focus == form.fields.count - 1 && !items.isEmpty:
            inList = true
        case .key(let k):
            form.handle(k)
        case .click(_, let y):
            inList = !form.click(row: y)
        default: break
        }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard case .page(let f, let append, let r) = message as? Message, f == filter else { return [] }
        busy = false
        switch r {
        case .success(let page):
            items = append ? items + page.items : page.items
            next = page.next
            let selected = append ? list.selected : 0
            list = ListState(count: items.count)
            list.selected = min(selected, max(0, items.count - 1))
            if !append { inList = !items.isEmpty }
        case .failure(let f):
            failure = f
        }
        return []
    }

    static var stamp: DateFormatter { LocalTime.formatter("dd/MM/yy HH:mm") }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = form.render(into: &s, x: x, y: area.y + 1, labelWidth: 11, width: 24, active: !inList)
        y += 1
        if let f = failure {
            s.paragraph(f.message, x: x, y: y, width: w, role: .error)
            return
        }
        guard !items.isEmpty else {
            s.put(busy ? "Carregando…" : "Nada na trilha com estes filtros.", x: x, y: y, role: .muted)
            return
        }
        let cols = (at: 15, staff: 10, action: 24, mat: 10)
        s.put(
            TextLayout.fit(
                TextLayout.pad("Quando", width: cols.at) + TextLayout.pad("Usuário", width: cols.staff)
                    + TextLayout.pad("Ação", width: cols.action) + TextLayout.pad("Matrícula", width: cols.mat) + "Terminal",
                width: w), x: x, y: y, role: .header)
        y += 1
        // The selected entry's detail, wrapped, under the list.
        let e = items[min(list.selected, items.count - 1)]
        var detail = [e.detail, e.terminal.map { "terminal \($0)" }, e.clientAddress.map { "endereço \($0)" }]
            .compactMap { $0 }.joined(separator: " · ")
        if detail.isEmpty { detail = "Sem detalhes." }
        let detailLines = Array(TextLayout.wrap(detail, width: w).prefix(2))
        let rows = max(1, area.y + area.height - y - detailLines.count - 2)
        let items = items
        list.render(
            into: &s, area: Rect(x: x, y: y, width: w, height: rows),
            row: { i in
                let it = items[i]
                return TextLayout.pad(Self.stamp.string(from: it.at), width: cols.at) + TextLayout.pad(it.staff, width: cols.staff)
                    + TextLayout.pad(CodeWording.auditAction(it.action), width: cols.action)
                    + TextLayout.pad(it.matricula.map(Matricula.display) ?? "", width: cols.mat) + (it.terminal ?? "")
            }, active: inList,
            spoken: { i in
                let it = items[i]
                return "\(Self.stamp.string(from: it.at)), \(it.staff), \(CodeWording.auditAction(it.action))"
            })
        var dy = area.y + area.height - detailLines.count - 1
        for line in detailLines {
            s.put(line, x: x, y: dy, role: .muted)
            dy += 1
        }
        let count = counted(items.count, "registro") + (next != nil ? " (↓ no fim traz mais)" : "")
        s.put(TextLayout.fit(count, width: w), x: x, y: area.y + area.height - 1, role: .muted)
    }
}

/// Accounts with failed logins in the current window (issue 14): from where, how many, until
/// when, locked there or only slowed down. F2 unlocks the selected account from every origin
/// (audited on the server).
public final class LoginLocksScreen: Screen {
    enum Message: CallResultMessage {
        case loaded(Result<[Calls.LoginLock], APIFailure>)
        case unlocked(String, Result<Int, APIFailure>)
        var failure: APIFailure? {
            switch self {
            case .loaded(let r): return r.failure
            case .unlocked(_, let r): return r.failure
            }
        }
    }

    var items: [Calls.LoginLock] = []
    var list = ListState(count: 0)
    var busy = false
    var failure: APIFailure?
    var notice: String?

    public init() {}

    public var title: String { "Supervisão — acessos com falhas" }
    public var isBusy: Bool { busy }
    var actions: [Action] {
        [
            Action(
                Command(
                    .function(2), "Desbloquear", help: "Zera as falhas da conta selecionada, de todos os endereços", enabled: !items.isEmpty
                )
            ) { self.unlock() },
            Action(Command(.function(5), "Atualizar", help: "Lê a lista de novo")) { self.load() },
        ]
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] { load() }

    private func load() -> [Effect] {
        busy = true
        return [.call { Message.loaded(await Calls.loginLocks($0)) as Any }]
    }

    static func describe(_ a: Components.Schemas.LoginAccount) -> String {
        a.kind == .matricula ? "Matrícula \(Matricula.display(a.id))" : "Usuário \(a.id)"
    }

    private func unlock() -> [Effect] {
        guard items.indices.contains(list.selected), !busy else { return [] }
        let account = items[list.selected].account
        busy = true
        notice = nil
        return [.call { Message.unlocked(Self.describe(account), await Calls.unlock($0, account)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        if case .key(let k) = event { _ = list.handle(k, pageSize: 10) }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard let m = message as? Message else { return [] }
        busy = false
        switch m {
        case .loaded(.success(let l)):
            items = l
            let selected = list.selected
            list = ListState(count: l.count)
            list.selected = min(selected, max(0, l.count - 1))
            failure = nil
        case .unlocked(let who, .success(let n)):
            notice =
                "Acesso desbloqueado (\(who.lowercased())): \(counted(n, "contador", plural: "contadores")) de falhas zerado\(n == 1 ? "" : "s"). O desbloqueio está na trilha de auditoria."
            return load()
        case .loaded(.failure(let f)), .unlocked(_, .failure(let f)):
            failure = f
        }
        return []
    }

    static var time: DateFormatter { LocalTime.formatter("HH:mm") }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = area.y + 1
        y =
            s.paragraph(
                "Bloqueado: recusado daquele endereço ou terminal até o fim da janela. Lento: cada nova tentativa na conta espera mais (de qualquer lugar).",
                x: x, y: y, width: w, role: .muted) + 1
        if let n = notice { y = s.paragraph(n, x: x, y: y, width: w, role: .success) + 1 }
        if let f = failure { s.footer(f.message, x: x, bottom: area.y + area.height - 1, width: w, role: .error) }
        guard !items.isEmpty else {
            s.put(busy ? "Carregando…" : "Nenhuma conta com tentativas erradas agora.", x: x, y: y, role: .muted)
            return
        }
        let cols = (account: 24, origin: 28, n: 7, until: 7)
        s.put(
            TextLayout.fit(
                TextLayout.pad("Conta", width: cols.account) + TextLayout.pad("Origem", width: cols.origin)
                    + TextLayout.pad("Falhas", width: cols.n) + TextLayout.pad("Até", width: cols.until) + "Situação", width: w),
            x: x, y: y, role: .header)
        y += 1
        let rows = max(1, area.y + area.height - y - 1)
        let items = items
        func origin(_ l: Calls.LoginLock) -> String {
            l.origin.map { $0.hasPrefix("t:") ? "terminal \($0.dropFirst(2))" : String($0.dropFirst(3)) } ?? "qualquer lugar"
        }
        list.render(
            into: &s, area: Rect(x: x, y: y, width: w, height: rows),
            row: { i in
                let l = items[i]
                return TextLayout.pad(Self.describe(l.account), width: cols.account) + TextLayout.pad(origin(l), width: cols.origin)
                    + TextLayout.pad(String(l.failures), width: cols.n) + TextLayout.pad(Self.time.string(from: l.until), width: cols.until)
                    + (l.locked ? "BLOQUEADO" : "lento")
            },
            spoken: { i in
                let l = items[i]
                return "\(Self.describe(l.account)), \(counted(l.failures, "falha")) de \(origin(l)), \(l.locked ? "bloqueado" : "lento") até \(Self.time.string(from: l.until))"
            })
    }
}
