import API
import Domain
import Foundation
import TUI

extension Calls {
    typealias Agreement = Components.Schemas.Agreement

    static func signAgreement(
        _ c: Client, _ m: String, documento: String, down: Int64, count: Int, kind: Components.Schemas.AgreementKind, key: String
    ) async -> Result<Agreement, APIFailure> {
        await run {
            switch try await c.createAgreement(
                path: .init(matricula: m), headers: .init(idempotencyKey: key),
                body: .json(.init(documento: documento, downPaymentCents: down, count: count, accept: true, kind: kind)))
            {
            case .created(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }
}

/// Assinar acordo: the terms of the simulation just made, in full — the debts, the down payment,
/// each installment's value and the months they fall due, the charges when late and when the
/// agreement breaks — then F2 signs (once, whatever the retries). Signed, the carnê is printed
/// (F2) or saved (F3, counter).
public final class AgreementSignScreen: Screen {
    enum Message: CallResultMessage {
        case signed(Result<Calls.Agreement, APIFailure>)
        var failure: APIFailure? { if case .signed(let r) = self { return r.failure } else { return nil } }
    }

    let matricula: String
    let documento: String
    let simulation: Calls.InstallmentSimulation
    let key = UUID().uuidString
    var agreement: Calls.Agreement?
    var busy = false
    var failure: APIFailure?
    var notice: (String, Role)?
    var view = DocumentView()

    init(matricula: String, documento: String, simulation: Calls.InstallmentSimulation) {
        self.matricula = matricula
        self.documento = documento
        self.simulation = simulation
    }

    public var title: String { agreement.map { "Acordo nº \($0.id)" } ?? "Assinar acordo" }
    public var isBusy: Bool { busy }

    var actions: [Action] {
        guard let a = agreement else {
            return [
                Action(Command(.function(2), "Assinar", help: "Assina o acordo com estes termos (as contas passam a parcelamento)")) {
                    self.sign()
                }
            ]
        }
        let doc = DocumentRef.carne(a.id)
        var rows = [
            Action(Command(.function(3), "Imprimir", help: "Imprime os termos e um boleto por parcela")) { app in
                self.deliver(doc, print: true, app: app)
            }
        ]
        if canSave {
            rows.append(
                Action(Command(.function(6), "Salvar", help: "Salva o PDF do carnê no diretório configurado")) { app in
                    self.deliver(doc, print: false, app: app)
                })
        }
        return rows
    }

    public var commands: [Command] { actions.commands }
    private var canSave = false

    public func appear(app: AppState) -> [Effect] {
        canSave = app.canSave
        return []
    }

    private func sign() -> [Effect] {
        busy = true
        failure = nil
        let (m, d, key) = (matricula, documento, key)
        let (down, count, kind) = (simulation.downPaymentCents, simulation.count, simulation.kind)
        return [
            .call { Message.signed(await Calls.signAgreement($0, m, documento: d, down: down, count: count, kind: kind, key: key)) as Any }
        ]
    }

    private func deliver(_ doc: DocumentRef, print: Bool, app: AppState) -> [Effect] {
        busy = true
        notice = DocumentDelivered.waiting("o carnê", print: print)
        return [DocumentDelivered.call(doc, of: matricula, print: print, output: app.output)]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard case .key(let k) = event, !busy else { return [] }
        if let effects = actions.perform(k, app: app) { return effects }
        _ = view.handle(event)
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        if let d = message as? DocumentDelivered {
            busy = false
            notice = d.notice("o carnê")
            return []
        }
        guard case .signed(let r) = message as? Message else { return [] }
        busy = false
        switch r {
        case .success(let a):
            agreement = a
            notice = ("Acordo nº \(a.id) assinado: as contas entraram no parcelamento. Imprima o carnê (F3).", .success)
        case .failure(let f): failure = f
        }
        return []
    }

    /// The terms as lines, wrapped: what the customer reads before signing.
    func terms(width: Int) -> [String] {
        let r = simulation
        let parts = r.installments
        var lines = [
            "Débitos que entram, atualizados até hoje: "
                + r.bills.map {
                    "\(Competencia(iso: $0.competencia)?.formatted ?? $0.competencia) \(Money(cents: $0.updated?.totalCents ?? $0.amountCents).formatted)"
                }
                .joined(separator: ", ") + "; total \(Money(cents: r.debtCents).formatted).",
            r.downPaymentCents > 0
                ? "Entrada de \(Money(cents: r.downPaymentCents).formatted), a pagar em poucos dias (boleto no carnê)." : "Sem entrada.",
        ]
        if let first = parts.first, let last = parts.last {
            let rate =
                r.monthlyRateBasisPoints == 0 ? "sem juros" : "com juros de \(BasisPoints.formatted(r.monthlyRateBasisPoints)) ao mês"
            lines.append(
                "\(counted(parts.count, "parcela")) mensal(is) de \(Money(cents: first).formatted)"
                    + (last == first ? "" : " (a última de \(Money(cents: last).formatted))")
                    + ", \(rate), no dia de vencimento das contas do imóvel."
            )
        }
        lines.append("Total: \(Money(cents: r.totalCents).formatted).")
        lines.append(
            "Parcela paga em atraso tem multa, juros e correção. Várias parcelas sem pagamento rompem o acordo: o saldo volta a ser dívida."
        )
        if let a = agreement {
            for i in a.installments {
                let label = i.seq == 0 ? "Entrada" : "Parcela \(i.seq)"
                lines.append("\(label): \(CivilDate(iso: i.dueOn)?.formatted ?? i.dueOn) · \(Money(cents: i.amountCents).formatted)")
            }
        }
        return lines.flatMap { TextLayout.wrap($0, width: width) }
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = area.y + 1
        y = s.paragraph(
            agreement == nil ? "Termos do acordo — leia com o cliente antes de assinar:" : "Termos assinados e parcelas:", x: x, y: y,
            width: w,
            role: .header)
        let bottom = area.y + area.height - 1
        let footer =
            notice.map { TextLayout.wrap($0.0, width: w).count } ?? failure.map { TextLayout.wrap($0.message, width: w).count } ?? 1
        view.render(terms(width: w).map { ($0, .normal) }, into: &s, area: Rect(x: x, y: y, width: w, height: bottom - footer - y), name: "termos")
        if let f = failure {
            s.footer(f.message, x: x, bottom: bottom, width: w, role: .error)
        } else if let (text, role) = notice {
            s.footer(text, x: x, bottom: bottom, width: w, role: role)
        } else if agreement == nil {
            s.footer("F2 assina; Esc volta à simulação sem assinar.", x: x, bottom: bottom, width: w, role: .hint)
        }
    }
}
