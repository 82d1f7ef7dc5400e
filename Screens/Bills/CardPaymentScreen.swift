import API
import Domain
import Foundation
import TUI

/// Card payment (PRODUCT.md B4): the accredited companies with their fees; choosing one shows
/// the amount, the fee and the total before confirming; then the company's instructions while it
/// decides, the screen following the payment by itself (F5 asks at once). The bills stay "em
/// revisão" until the company decides; approved shows the receipt's data, declined and expired
/// say what to do next.
public final class CardPaymentScreen: Screen {
    enum Message: CallResultMessage {
        case companies(Result<[Calls.CardCompany], APIFailure>)
        case started(Result<Calls.CardPayment, APIFailure>)
        case status(Result<Calls.CardPayment, APIFailure>)
        /// A background check while the company decides.
        case followed(Result<Calls.CardPayment, APIFailure>)
        var failure: APIFailure? {
            switch self {
            case .companies(let r): return r.failure
            case .started(let r), .status(let r), .followed(let r): return r.failure
            }
        }
    }

    let matricula: String
    let bills: [Calls.Bill]
    var companies: [Calls.CardCompany] = []
    var list = ListState(count: 0)
    var confirming: Calls.CardCompany?
    var payment: Calls.CardPayment?
    var loading = 0
    var failure: APIFailure?
    /// A background check is scheduled (one at a time), every `followSeconds`.
    var following = false
    var followSeconds = 3.0
    let key = UUID().uuidString

    /// Saving PDFs is offered at counters and to staff, never at a kiosk.
    let canSave: Bool

    init(matricula: String, bills: [Calls.Bill], canSave: Bool = false) {
        self.matricula = matricula
        self.bills = bills
        self.canSave = canSave
    }

    private func deliver(_ doc: DocumentRef, print: Bool, app: AppState) -> [Effect] {
        loading += 1
        notice = DocumentDelivered.waiting("o comprovante", print: print)
        return [DocumentDelivered.call(doc, of: matricula, print: print, output: app.output)]
    }

    var amount: Int64 { bills.reduce(0) { $0 + DebtsScreen.amount($1) } }
    static func fee(_ amount: Int64, _ bp: Int) -> Int64 { Money(cents: amount).share(basisPoints: Int64(bp)).cents }

    public var title: String { "Pagar com cartão" }
    /// While the company decides, the kiosk's idle timer holds: the customer sees the outcome
    /// (issue 28.5).
    public var awaitsOutcome: Bool { payment?.status == .pendente }
    public var isBusy: Bool { loading > 0 }
    /// What printing or saving the receipt answered.
    var notice: (String, Role)?

    var actions: [Action] {
        let m = matricula
        if let p = payment, p.status == .aprovado {
            let receipt = DocumentRef.receipt(p.id)
            var rows = [
                Action(Command(.function(3), "Imprimir", help: "Imprime o comprovante do pagamento neste terminal")) { app in
                    self.deliver(receipt, print: true, app: app)
                },
                Action(Command(.function(4), "E-mail", help: "Envia o comprovante por e-mail")) {
                    [.push(EmailScreen(matricula: m, document: receipt))]
                },
            ]
            if canSave {
                rows.insert(
                    Action(Command(.function(6), "Salvar", help: "Salva o comprovante (PDF) no diretório configurado")) { app in
                        self.deliver(receipt, print: false, app: app)
                    }, at: 1)
            }
            return rows
        }
        if let p = payment {
            return [
                Action(Command(.function(5), "Atualizar", help: "Consulta a situação do pagamento na operadora")) {
                    self.loading += 1
                    return [.call { Message.status(await Calls.cardPayment($0, m, p.id)) as Any }]
                }
            ]
        }
        if let c = confirming {
            return [
                Action(Command(.enter, "Confirmar", help: "Confirma o pagamento com esta operadora")) {
                    self.loading += 1
                    self.failure = nil
                    let (ids, key) = (self.bills.map(\.id), self.key)
                    return [.call { Message.started(await Calls.startCardPayment($0, m, company: c.id, ids: ids, key: key)) as Any }]
                },
                Action(Command(.backspace, "Outra", help: "Escolhe outra operadora")) {
                    self.confirming = nil
                    return []
                },
            ]
        }
        return [
            Action(Command(.enter, "Escolher", help: "Escolhe a operadora sob o cursor", enabled: !companies.isEmpty)) {
                if self.companies.indices.contains(self.list.selected) { self.confirming = self.companies[self.list.selected] }
                return []
            }
        ]
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] {
        loading += 1
        return [.call { Message.companies(await Calls.cardCompanies($0)) as Any }]
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard case .key(let k) = event else { return [] }
        if let effects = actions.perform(k, app: app) { return effects }
        if payment == nil, confirming == nil { _ = list.handle(k, pageSize: 5) }
        return []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        if let d = message as? DocumentDelivered {
            loading -= 1
            notice = d.notice("o comprovante")
            return []
        }
        guard let m = message as? Message else { return [] }
        if case .followed = m {} else { loading -= 1 }  // background checks are not loading
        switch m {
        case .companies(let r):
            switch r {
            case .success(let c):
                companies = c
                list = ListState(count: c.count)
            case .failure(let f): failure = f
            }
        case .started(let r), .status(let r):
            switch r {
            case .success(let p):
                payment = p
                failure = nil
            case .failure(let f): failure = f
            }
        case .followed(let r):
            following = false
            switch r {
            case .success(let p):
                payment = p
                failure = nil
            case .failure(let f) where f.code == "cancelled": return []
            case .failure(let f): failure = f  // shown; the next check may succeed
            }
        }
        return follow()
    }

    /// While the company decides, checks again in a few seconds.
    private func follow() -> [Effect] {
        guard let p = payment, p.status == .pendente, !following else { return [] }
        following = true
        let (m, id) = (matricula, p.id)
        return [.follow(after: followSeconds) { Message.followed(await Calls.cardPayment($0, m, id)) as Any }]
    }

    /// What the payment's state means for the customer, and what to do next.
    static func outcome(_ p: Calls.CardPayment) -> [(String, Role)] {
        switch p.status {
        case .pendente:
            return [
                ("Aguardando a resposta da operadora. Esta tela se atualiza sozinha; as contas ficam em revisão até lá.", .underReview),
                (
                    "Se precisar sair, a resposta aparece em Pagamentos e nesta conta ao entrar de novo (referência \(p.reference)).",
                    .muted
                ),
            ]
        case .aprovado:
            let when = p.decidedAt.map { " em \(Self.dateTime($0))" } ?? ""
            var lines: [(String, Role)] = [("Pagamento aprovado pela operadora\(when): as contas estão pagas.", .success)]
            lines.append(("Comprovante: referência \(p.reference)\(p.companyReference.map { " · operadora \($0)" } ?? "")", .title))
            lines.append(("F3 imprime o comprovante, F4 o envia por e-mail; o pagamento aparece em Pagamentos.", .muted))
            return lines
        case .recusado:
            return [
                ("Pagamento recusado pela operadora: nada foi cobrado e as contas voltaram a ficar em aberto.", .error),
                (
                    "Esc volta aos débitos: tente outra operadora ou cartão, ou pague pelo código de barras ou PIX (extrato ou 2ª via).",
                    .normal
                ),
            ]
        case .expirado:
            return [
                ("A operadora não respondeu a tempo: o pagamento foi cancelado e as contas voltaram a ficar em aberto.", .warning),
                ("Esc volta aos débitos para tentar de novo, ou pague pelo código de barras ou PIX (extrato ou 2ª via).", .normal),
            ]
        }
    }

    /// `29/11/2026 14:05` at the utility's zone.
    static func dateTime(_ d: Date) -> String { ProtocolText.dateTime.string(from: d) }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        var y = area.y + 1
        let w = area.width - 4
        let refs = bills.map { Competencia(iso: $0.competencia)?.formatted ?? $0.competencia }.joined(separator: ", ")
        y = s.paragraph("Contas: \(refs)", x: x, y: y, width: w)
        s.put("Valor das contas (atualizado até hoje): \(Money(cents: amount).formatted)", x: x, y: y, role: .title, clip: area)
        y += 2
        if let p = payment {
            y = s.paragraph("\(p.companyName) · total no cartão \(Money(cents: p.totalCents).formatted)", x: x, y: y, width: w) + 1
            for (text, role) in Self.outcome(p) {
                for line in TextLayout.wrap(text, width: w) {
                    s.put(line, x: x, y: y, role: role)
                    y += 1
                }
            }
            // The company's instructions matter only while it decides.
            if p.status == .pendente, let instructions = p.instructions {
                y += 1
                for line in TextLayout.wrap(instructions, width: w) {
                    s.put(line, x: x, y: y)
                    y += 1
                }
            }
        } else if let c = confirming {
            let fee = Self.fee(amount, c.feeBasisPoints)
            y = s.paragraph("Operadora: \(c.nome)", x: x, y: y, width: w, role: .header)
            s.put("Valor das contas:  \(Money(cents: amount).formatted)", x: x, y: y)
            s.put("Taxa da operadora: \(Money(cents: fee).formatted) (\(BasisPoints.formatted(c.feeBasisPoints)))", x: x, y: y + 1)
            s.put("Total no cartão:   \(Money(cents: amount + fee).formatted)", x: x, y: y + 2, role: .title)
            y += 4
            s.paragraph("Enter confirma. As contas ficam em revisão até a operadora confirmar.", x: x, y: y, width: w, role: .muted)
        } else {
            s.put("Escolha a operadora (a taxa é cobrada por ela):", x: x, y: y, role: .header)
            y += 1
            let (shown, arrow, marked) = (companies, s.glyphs.arrowRight, list.selected)
            func fee(_ c: Calls.CardCompany) -> String {
                "taxa \(BasisPoints.formatted(c.feeBasisPoints)) = \(Money(cents: Self.fee(amount, c.feeBasisPoints)).formatted)"
            }
            list.render(
                into: &s, area: Rect(x: x, y: y, width: w, height: shown.count),
                row: { i in "\(i == marked ? "\(arrow) " : "  ")\(TextLayout.pad(shown[i].nome, width: max(10, w - 34))) \(fee(shown[i]))" },
                spoken: { i in "\(shown[i].nome), \(fee(shown[i]))" })
            y += shown.count
            if companies.isEmpty && loading == 0 && failure == nil {
                s.put("Nenhuma operadora credenciada.", x: x, y: y, role: .muted)
            }
        }
        if let f = failure {
            s.footer(f.message, x: x, bottom: area.y + area.height - 1, width: w, role: .error)
        } else if let (text, role) = notice {
            s.footer(text, x: x, bottom: area.y + area.height - 1, width: w, role: role)
        }
    }

}
