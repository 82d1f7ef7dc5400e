import API
import Domain
import TUI

/// Counter search (PRODUCT.md A6): by matrícula, CPF/CNPJ, name or address (the server decides
/// from what was typed); Enter opens the property's home on the customer's behalf.
///
/// Typing always reaches the query (htop's filter, mc's quick search); arrows move in the
/// results. Enter opens the selected result only while the query on screen is the one that found
/// it; once the query changes the results are gone and Enter searches. After a search, and when
/// the attendant comes back from a customer, the query is selected: the next customer's number
/// replaces it.
public final class CustomerSearchScreen: Screen {
    enum Message: CallResultMessage {
        case results(String, Result<(hits: [Calls.CustomerHit], truncated: Bool), APIFailure>)
        var failure: APIFailure? {
            switch self {
            case .results(_, let r): return r.failure
            }
        }
    }

    var query = TextField(label: "Buscar:", maxLength: 80)
    var hits: [Calls.CustomerHit] = []
    var truncated = false
    var list = ListState(count: 0)
    var busy = false
    var searched: String?
    var failure: APIFailure?
    private var rows: [(y: Int, index: Int)] = []

    public init() {}

    public var title: String { "Buscar cliente" }
    public var isBusy: Bool { busy }
    var actions: [Action] {
        [
            Action(
                Command(.enter, showsResults ? "Abrir imóvel" : "Buscar", help: "Busca; com resultados na tela, abre o imóvel selecionado")
            ) {
                self.enter()
            },
            Action(Command(.function(6), "Ligação nova", help: "Pedido de ligação para um endereço ainda sem imóvel")) {
                [.push(NewConnectionScreen())]
            },
        ] + SupervisionEntry.actions(app)
    }

    private var app: AppState?

    public func appear(app: AppState) -> [Effect] {
        self.app = app
        return []
    }

    public func reappear(app: AppState) -> [Effect] {
        // Back from a customer: the next one's number replaces the query.
        query.selectAll()
        return []
    }

    /// The results on screen are those of the query on screen.
    var showsResults: Bool { !hits.isEmpty && searched == query.text.trimmingCharacters(in: .whitespaces) }

    public var commands: [Command] { actions.commands }

    private func enter() -> [Effect] {
        if showsResults, hits.indices.contains(list.selected) { return [.push(HomeScreen(matricula: hits[list.selected].matricula))] }
        let q = query.text.trimmingCharacters(in: .whitespaces)
        guard !q.isEmpty else {
            failure = APIFailure(status: 0, code: "invalid_input", message: "Digite matrícula, CPF/CNPJ, nome ou endereço.")
            return []
        }
        busy = true
        failure = nil
        return [.call { Message.results(q, await Calls.search($0, q)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        switch event {
        case .key(let k) where [.up, .down, .pageUp, .pageDown].contains(k):
            _ = list.handle(k, pageSize: 10)
        case .key(let k):
            if query.handle(k), !showsResults {
                // The query changed: what is on screen no longer answers it.
                hits = []
                searched = nil
                failure = nil
            }
        case .click(_, let y):
            if let r = rows.first(where: { $0.y == y }) {
                if list.selected == r.index { return [.push(HomeScreen(matricula: hits[r.index].matricula))] }
                list.selected = r.index
            }
        default: break
        }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard case .results(let q, let r) = message as? Message else { return [] }
        busy = false
        searched = q
        switch r {
        case .success(let res):
            hits = res.hits
            truncated = res.truncated
            list = ListState(count: hits.count)
            query.selectAll()
        case .failure(let f):
            failure = f
        }
        return []
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        var y = area.y + 1
        query.render(into: &s, x: x, y: y, labelWidth: 8, width: min(60, area.width - 14), focused: true)
        y += 1
        s.put(
            showsResults
                ? "Setas escolhem, Enter abre; digitar começa outra busca." : "Matrícula, CPF/CNPJ, nome ou endereço. Enter busca.",
            x: x + 8, y: y, role: .muted)
        y += 2
        if let f = failure {
            s.paragraph(f.message, x: x, y: y, width: area.width - 4, role: .error)
            return
        }
        if busy {
            s.put("Buscando…", x: x, y: y, role: .muted)
            return
        }
        guard let q = searched else { return }
        if hits.isEmpty {
            s.paragraph("Nenhum cliente encontrado para “\(q)”.", x: x, y: y, width: area.width - 4, role: .warning)
            return
        }
        let w = area.width - 4
        let cols = (mat: 10, nome: max(26, (w - 10 - 18 - 6) / 2), doc: 18)
        // Narrower than a whole row, the address (what tells the Marias apart) takes a line of its
        // own under each result instead of being cut (issue 28.22).
        let twoLines = 2 + cols.mat + 1 + cols.nome + 1 + cols.doc + 1 + 40 > w
        s.put(
            TextLayout.pad("  Matrícula", width: cols.mat + 2) + " " + TextLayout.pad("Titular", width: cols.nome) + " "
                + TextLayout.pad("CPF/CNPJ", width: cols.doc) + (twoLines ? "" : " Endereço"), x: x, y: y, role: .header, clip: area)
        y += 1
        let (hits, arrow, cursorRow) = (hits, s.glyphs.arrowRight, list.selected)
        rows = list.render(
            into: &s, area: Rect(x: x, y: y, width: w, height: max(1, area.y + area.height - y - 1)),
            row: { i in
                let h = hits[i]
                return (i == cursorRow ? "\(arrow) " : "  ") + TextLayout.pad(Matricula.display(h.matricula), width: cols.mat) + " "
                    + TextLayout.pad(h.nome, width: cols.nome) + " " + TextLayout.pad(h.documento, width: cols.doc)
                    + (twoLines ? "" : " " + h.endereco)
            },
            secondLine: twoLines ? { "    " + hits[$0].endereco } : nil,
            spoken: { i in "\(hits[i].nome), matrícula \(Matricula.display(hits[i].matricula)), \(hits[i].endereco)" })
        let footer = "\(counted(hits.count, "resultado"))" + (truncated ? " (há mais: refine a busca)" : "")
        s.put(footer, x: x, y: area.y + area.height - 1, role: .muted)
    }
}
