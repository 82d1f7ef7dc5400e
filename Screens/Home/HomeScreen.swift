import API
import Domain
import TUI

/// The property's home (PRODUCT.md A4, A5): the property, a banner when there are open debts,
/// the other properties linked to the same CPF/CNPJ (a digit key switches), and shortcuts to
/// the most used services (all of them in Serviços). The same screen serves an attendant, with
/// unmasked data from the server.
public final class HomeScreen: Screen {
    enum Message: CallResultMessage {
        case property(String, Result<Calls.PropertySummary, APIFailure>)
        case linked(String, Result<[Calls.PropertyBrief], APIFailure>)
        var failure: APIFailure? {
            switch self {
            case .property(_, let r): return r.failure
            case .linked(_, let r): return r.failure
            }
        }
    }

    private(set) var matricula: String
    var property: Calls.PropertySummary?
    var linked: [Calls.PropertyBrief] = []
    var list = ListState(count: 0)
    var loading = 0
    var failure: APIFailure?
    private var linkedRows: [(y: Int, index: Int)] = []

    public init(matricula: String) { self.matricula = matricula }

    public var title: String { "Imóvel \(Matricula.display(matricula))" }
    public var purpose: String { "O imóvel, seus débitos e os outros imóveis do mesmo CPF ou CNPJ; as teclas de função abrem os serviços" }
    public var isBusy: Bool { loading > 0 }

    /// Home's command table: the most used services as F-keys (the rest in Serviços, F9),
    /// refresh on F5 as on every screen, and the other properties by number.
    var actions: [Action] {
        // A service this role may not use gets no key (issue 28.19: the back office reads, it does not serve).
        func service(_ key: Int, _ id: Service.ID) -> Action? {
            let svc = Service.with(id)
            guard app?.may(svc.operation) ?? true else { return nil }
            return Action(Command(.function(key), svc.label, help: svc.summary)) {
                [.push(svc.open(Service.Context(matricula: self.matricula, property: self.property)))]
            }
        }
        // Enter opens nothing here (issue 28.17): it is the key a customer just pressed to log in.
        let entries: [Action?] = [
            .digits(Command(.char("1"), "1–9 Imóvel", help: "Abre o outro imóvel de número 1 a 9", enabled: !linked.isEmpty, inBar: false))
            {
                self.open($0 - 1)
            },
            service(2, .debts),
            service(3, .secondCopy),
            service(4, .payments),
            Action(Command(.function(5), "Atualizar", help: "Recarrega os dados do imóvel")) { self.load() },
            service(6, .consumption),
            service(7, .dueDate),
            service(8, .installments),
            Action(Command(.function(9), "Serviços", help: "Todos os serviços, com filtro: tarifas, simulação de conta e os demais")) {
                [.push(ServicesScreen(matricula: self.matricula, property: self.property))]
            },
        ]
        return entries.compactMap { $0 }
    }

    public var commands: [Command] { actions.commands }

    private weak var app: AppState?

    public func appear(app: AppState) -> [Effect] {
        self.app = app
        return load()
    }
    /// Back from a service: the debt summary may have changed (a card payment, for instance).
    public func reappear(app: AppState) -> [Effect] { load() }

    private func load() -> [Effect] {
        loading = 2
        failure = nil
        let m = matricula
        return [
            .call { Message.property(m, await Calls.property($0, m)) as Any },
            .call { Message.linked(m, await Calls.linked($0, m)) as Any },
        ]
    }

    private func open(_ index: Int) -> [Effect] {
        guard linked.indices.contains(index) else { return [] }
        matricula = linked[index].matricula
        property = nil
        linked = []
        list = ListState(count: 0)
        return load()
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        switch event {
        case .key(let k):
            if let effects = actions.perform(k, app: app) { return effects }
            _ = list.handle(k, pageSize: 5)
        case .click(_, let y):
            if let row = linkedRows.first(where: { $0.y == y }) { return open(row.index) }
        default: break
        }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard let m = message as? Message else { return [] }
        switch m {
        case .property(let mat, let r):
            guard mat == matricula else { return [] }
            loading -= 1
            switch r {
            case .success(let p): property = p
            case .failure(let f): failure = f
            }
        case .linked(let mat, let r):
            guard mat == matricula else { return [] }
            loading -= 1
            switch r {
            case .success(let l):
                linked = l
                list = ListState(count: l.count)
            case .failure(let f): failure = failure ?? f
            }
        }
        return []
    }

    // MARK: Drawing

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        var y = area.y + 1
        guard let p = property else {
            if let f = failure {
                s.paragraph(f.message, x: x, y: y, width: area.width - 4, role: .error)
                if f.retryable { s.put("F5 tenta de novo.", x: x, y: y + 2, role: .muted) }
            } else {
                s.put("Carregando os dados do imóvel…", x: x, y: y, role: .muted)
            }
            return
        }
        let w = area.width - 4
        s.put("Matrícula ", x: x, y: y, role: .muted)
        s.put(Matricula.display(p.matricula), x: x + 10, y: y, role: .title)
        // The screen's beginning, where a screen reader starts (nothing here takes the focus).
        s.cursor = (x, y)
        s.announce("Matrícula \(Matricula.display(p.matricula))")
        let e = p.endereco
        y += 1
        let cat = Categoria(rawValue: p.categoria.rawValue)?.label ?? p.categoria.rawValue
        var lig = SituacaoLigacao(rawValue: p.situacaoLigacao.rawValue)?.label ?? p.situacaoLigacao.rawValue
        if let since = p.situacaoLigacaoSinceOn.flatMap(CivilDate.init(iso:)) { lig += " desde \(since.formatted)" }
        let document =
            p.titular.documento == CustomerKey.noDocument
            ? CustomerKey.noDocument : "\(p.titular.documento.count > 14 ? "CNPJ" : "CPF") \(p.titular.documento)"
        // Each group of facts flows over as many lines as it needs: nothing is cut.
        let groups = [
            ["\(e.logradouro), \(e.numero)\(e.complemento.map { " \($0)" } ?? "") - \(e.bairro), \(e.cidade)/\(e.uf)", "CEP \(e.cep)"],
            [
                "Categoria: \(cat) (\(counted(p.economias, "economia")))", "Ligação: \(lig)",
                "Esgoto: \(p.esgoto ? "ligado" : "não ligado")",
            ],
            ["Titular: \(p.titular.nome)", document, p.titular.email ?? "", p.titular.telefone ?? ""],
        ]
        s.announce(groups[0].joined(separator: ", "))
        for group in groups {
            for line in TextLayout.flow(group, width: w) {
                s.put(line, x: x, y: y)
                y += 1
            }
        }
        y += 1
        // Debt banner (A4): count, total, oldest due date; in text, not only colour.
        let d = p.debts
        var banner = [
            d.inAgreementCount > 0
                ? "Nenhuma conta em aberto fora do acordo (\(counted(d.inAgreementCount, "conta")) em parcelamento)."
                : "Nenhum débito em aberto."
        ]
        var role = Role.success
        if d.openCount > 0 {
            let oldest = d.oldestDueOn.flatMap(CivilDate.init(iso:))?.formatted ?? "-"
            let total = Money(cents: d.openTotalCents).formatted
            let overdue = d.overdueCount > 0 ? ", \(counted(d.overdueCount, "vencida"))" : ""
            // Which figure this is, said where it is shown (issue 28.8): the bills' own values; the
            // debts screen adds the charges up to today.
            banner = [
                "! DÉBITOS EM ABERTO: \(counted(d.openCount, "conta"))\(overdue) — \(total) sem multa e juros",
                d.overdueCount > 0
                    ? "  Vencimento mais antigo: \(oldest) · com encargos até hoje: F2 Débitos"
                    : "  Vencimento mais antigo: \(oldest)",
            ]
            role = d.overdueCount > 0 ? .overdue : .banner
        }
        // What the customer most needs to hear after the title.
        s.announce(banner.map { String($0.drop { $0 == " " || $0 == "!" }) }.joined(separator: ". "))
        for line in banner {
            s.fill(Rect(x: x, y: y, width: w, height: 1), role: role)
            s.put(TextLayout.fit(" " + line, width: w), x: x, y: y, role: role)
            y += 1
        }
        if d.underReviewCount > 0 {
            s.put(
                "\(counted(d.underReviewCount, "conta")) em revisão: não se paga até a decisão (veja em F2 Débitos).",
                x: x, y: y, role: .underReview, clip: area)
            y += 1
        }
        y += 1
        // Linked properties (A5).
        linkedRows = []
        s.put(
            linked.isEmpty ? "Outros imóveis do mesmo CPF/CNPJ" : "Outros imóveis do mesmo CPF/CNPJ (tecle o número ou toque para abrir)",
            x: x, y: y, role: .header, clip: area)
        y += 1
        if linked.isEmpty {
            s.put(
                app.mode == .kiosk ? "Nenhum outro imóvel vinculado ao documento informado." : "Nenhum outro imóvel do titular.", x: x + 1,
                y: y, role: .muted)
            y += 1
        } else {
            let shown = linked
            func debts(_ l: Calls.PropertyBrief) -> String {
                var parts: [String] = []
                if l.openCount > 0 { parts.append("\(l.openCount) em aberto") }
                if l.underReviewCount > 0 { parts.append("\(l.underReviewCount) em revisão") }
                return parts.isEmpty ? "sem débitos" : parts.joined(separator: ", ")
            }
            // No row is selected (a number or a tap opens one; the arrows scroll them).
            linkedRows = list.render(
                into: &s, area: Rect(x: x, y: y, width: w, height: max(1, min(linked.count, area.y + area.height - y - 2))),
                row: { i in
                    let l = shown[i]
                    // The address gives way to the debts, which are never cut.
                    let addressWidth = max(10, w - 19 - CharWidth.of(debts(l)))
                    return
                        "  [\(i + 1)] \(TextLayout.pad(Matricula.display(l.matricula), width: 10)) \(TextLayout.pad(TextLayout.fit(l.endereco, width: addressWidth), width: addressWidth)) \(debts(l))"
                }, role: { i in shown[i].openCount > 0 ? .overdue : shown[i].underReviewCount > 0 ? .underReview : .normal }, active: false,
                spoken: { _ in "" })
            // Said after the banner: each with its number to type.
            for (i, l) in shown.enumerated() { s.announce("\(i + 1): imóvel \(Matricula.display(l.matricula)), \(l.endereco), \(debts(l))") }
        }
        if let f = failure { s.footer(f.message, x: x, bottom: area.y + area.height - 1, width: w, role: .error) }
    }
}
