import API
import Domain
import Foundation
import TUI

extension Calls {
    typealias Declaracao = Components.Schemas.Declaracao

    static func declaracaoYears(_ c: Client, _ m: String) async -> Result<
        [Components.Schemas.DeclaracaoYears.ItemsPayloadPayload], APIFailure
    > {
        await run {
            switch try await c.listDeclaracaoYears(path: .init(matricula: m)) {
            case .ok(let ok): return .success(try ok.body.json.items)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func issueDeclaracao(_ c: Client, _ m: String, year: Int) async -> Result<Declaracao, APIFailure> {
        await run {
            switch try await c.issueDeclaracao(path: .init(matricula: m), body: .json(.init(ano: year))) {
            case .created(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }
}

/// Declaração anual de quitação (Lei 12.007/2009): the year (last year to start with), F2
/// issues it — or lists each bill of the year that blocks it — and then F2 prints, F3 saves
/// (not at a kiosk), F4 sends it by e-mail. Asked again for the same year, the same declaration.
public final class DeclaracaoScreen: Screen {
    enum Message: CallResultMessage {
        case years(Result<[Components.Schemas.DeclaracaoYears.ItemsPayloadPayload], APIFailure>)
        case issued(Result<Calls.Declaracao, APIFailure>)
        var failure: APIFailure? {
            switch self {
            case .years(let r): return r.failure
            case .issued(let r): return r.failure
            }
        }
    }

    let matricula: String
    var year = TextField(label: "Ano:", maxLength: 4, accepts: { $0.isASCII && $0.isNumber })
    var declaracao: Calls.Declaracao?
    /// The ended years with bills, newest first (from the server: the terminal has no calendar).
    var years: [Components.Schemas.DeclaracaoYears.ItemsPayloadPayload] = []
    var refusal: APIFailure?
    var busy = false
    var notice: (String, Role)?
    var view = DocumentView()
    private var canSave = false

    init(matricula: String) { self.matricula = matricula }

    public var title: String { "Quitação anual — imóvel \(Matricula.display(matricula))" }
    public var purpose: String { Service.with(.declaracao).summary }
    public var isBusy: Bool { busy }

    var actions: [Action] {
        guard let d = declaracao else {
            return [Action(Command(.function(2), "Emitir", help: "Emite a declaração do ano, ou diz o que a impede")) { self.issue() }]
        }
        let doc = DocumentRef.declaracao(id: d.id, year: d.ano)
        var rows = [
            Action(Command(.function(3), "Imprimir", help: "Imprime a declaração")) { app in self.deliver(doc, print: true, app: app) }
        ]
        if canSave {
            rows.append(
                Action(Command(.function(6), "Salvar", help: "Salva o PDF da declaração")) { app in
                    self.deliver(doc, print: false, app: app)
                })
        }
        rows.append(
            Action(Command(.function(4), "E-mail", help: "Envia a declaração por e-mail")) { _ in
                [.push(EmailScreen(matricula: self.matricula, document: doc))]
            })
        rows.append(
            Action(Command(.function(7), "Outro ano", help: "Escolhe outro ano")) { _ in
                self.declaracao = nil
                self.notice = nil
                return []
            })
        return rows
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        canSave = app.canSave
        guard years.isEmpty else { return [] }
        let m = matricula
        return [.call { Message.years(await Calls.declaracaoYears($0, m)) as Any }]
    }

    private func issue() -> [Effect] {
        guard let y = Int(year.text), (2000...2100).contains(y) else {
            refusal = APIFailure(status: 0, code: "invalid", message: "Digite o ano com quatro algarismos, por exemplo 2025.")
            return []
        }
        busy = true
        refusal = nil
        let m = matricula
        return [.call { Message.issued(await Calls.issueDeclaracao($0, m, year: y)) as Any }]
    }

    private func deliver(_ doc: DocumentRef, print: Bool, app: AppState) -> [Effect] {
        busy = true
        notice = DocumentDelivered.waiting("a declaração", print: print)
        return [DocumentDelivered.call(doc, of: matricula, print: print, output: app.output)]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard case .key(let k) = event, !busy else { return [] }
        if let effects = actions.perform(k, app: app) { return effects }
        if declaracao == nil {
            if k == .enter { return issue() }
            if year.handle(k) { refusal = nil }
            return []
        }
        _ = view.handle(event)
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        if let d = message as? DocumentDelivered {
            busy = false
            notice = d.notice("a declaração")
            return []
        }
        guard let m = message as? Message else { return [] }
        busy = false
        switch m {
        case .years(.success(let items)):
            years = items
            // The newest ended year: the one a customer usually asks for.
            if year.text.isEmpty, let newest = items.first {
                year.text = String(newest.ano)
                year.cursor = year.text.count
            }
        case .years(.failure(let f)): refusal = f
        case .issued(.success(let d)):
            declaracao = d
            view = DocumentView()
            notice = nil
        case .issued(.failure(let f)): refusal = f
        }
        return []
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = area.y + 1
        let bottom = area.y + area.height - 1
        guard let d = declaracao else {
            y =
                s.paragraph(
                    "Lei nº 12.007/2009: a declaração sai para um ano encerrado em que todas as contas foram pagas. F2 ou Enter emite.",
                    x: x, y: y, width: w, role: .muted) + 1
            year.render(into: &s, x: x, y: y, labelWidth: 5, width: 6, focused: !busy)
            y += 2
            if !years.isEmpty {
                let list = years.map { "\($0.ano)\($0.issued ? " (emitida)" : "")" }.joined(separator: ", ")
                y = s.paragraph("Anos com contas: \(list).", x: x, y: y, width: w, role: .hint) + 1
            }
            if let f = refusal {
                for line in f.message.split(separator: "\n") { y = s.paragraph(String(line), x: x, y: y, width: w, role: .warning) }
            }
            return
        }
        let total = Money(cents: d.totalCents).formatted
        y =
            s.paragraph(
                "Declaração anual de quitação de \(d.ano) emitida (nº \(d.id)): \(counted(d.lines.count, "conta")), todas pagas, \(total).",
                x: x, y: y, width: w, role: .success) + 1
        s.put("Fatura   Situação                       Pago em     Valor", x: x, y: y, role: .header)
        y += 1
        let footer = notice.map { TextLayout.wrap($0.0, width: w).count } ?? 0
        let rows = d.lines.map { l -> (text: String, role: Role) in
            let comp = Competencia(iso: l.competencia)?.formatted ?? l.competencia
            let paid = CivilDate(iso: l.paidOn)?.formatted ?? l.paidOn
            let situacao = l.situacao.padding(toLength: 30, withPad: " ", startingAt: 0)
            return ("\(comp)  \(situacao) \(paid)  \(Money(cents: l.amountCents).formatted)", .normal)
        }
        view.render(rows, into: &s, area: Rect(x: x, y: y, width: w, height: bottom - footer - y), name: "contas")
        if let (text, role) = notice { s.footer(text, x: x, bottom: bottom, width: w, role: role) }
    }
}
