import API
import Barcodes
import Domain
import Foundation
import TUI

/// A payable document on screen (PRODUCT.md B1, B3, B5): a bill's second copy or a payment
/// statement. Shows the value and due date, the linha digitável in blocks, the PIX "copia e
/// cola" and, when the terminal is tall enough, the PIX QR drawn with half blocks (F7 shows it
/// full screen). F2 prints, F3 saves (counter and staff), F4 sends by e-mail.
public final class DocumentScreen: Screen {
    enum Message: CallResultMessage {
        case bill(Result<Calls.BillDetail, APIFailure>)
        case statement(Result<(Calls.Statement, existing: Bool), APIFailure>)
        case fee(Result<Calls.ServiceFee, APIFailure>)
        case delivered(Delivery, Result<String, APIFailure>)
        var failure: APIFailure? {
            switch self {
            case .bill(let r): return r.failure
            case .statement(let r): return r.failure
            case .fee(let r): return r.failure
            case .delivered(_, let r): return r.failure
            }
        }
    }

    /// Where a document's PDF goes from this terminal.
    enum Delivery {
        case print, save
        var verb: String { self == .print ? "imprimir" : "salvar" }
    }

    let matricula: String
    private(set) var document: DocumentRef?
    /// Bills to put on a new statement (created on appear, with one idempotency key, so a retry
    /// never makes a second statement).
    let statementOf: [Int64]?
    let idempotencyKey = UUID().uuidString
    var bill: Calls.BillDetail?
    var statement: Calls.Statement?
    var fee: Calls.ServiceFee?
    var loading = 0
    var failure: APIFailure?
    var notice: (String, Role)?
    var qr: BarcodeMatrix?

    /// Saving PDFs is offered at counters and to staff, never at a kiosk.
    let canSave: Bool

    public init(matricula: String, document: DocumentRef?, statementOf: [Int64]? = nil, canSave: Bool) {
        self.canSave = canSave
        self.matricula = matricula
        self.document = document
        self.statementOf = statementOf
    }

    public var title: String {
        switch document {
        case .bill: return "Segunda via — imóvel \(Matricula.display(matricula))"
        case .statement(let id): return "Extrato de débitos nº \(id)"
        case .receipt(let id): return "Comprovante AV-CP-\(id)"
        case .serviceFee(let id): return "Taxa de serviço nº \(id)"
        case .carne(let id): return "Carnê do acordo nº \(id)"
        case .carneSlip(let id, let seq): return "Acordo nº \(id), parcela \(seq)"
        case .certidao(let id): return "Certidão nº \(id)"
        case .declaracao(_, let year): return "Declaração anual de quitação de \(year)"
        case nil: return "Extrato de débitos"
        }
    }
    public var purpose: String { "Valor, vencimento, linha digitável e PIX do documento, para pagar em qualquer banco" }
    public var isBusy: Bool { loading > 0 }

    var payment: Calls.PaymentCode? { bill?.payment ?? statement?.payment ?? fee?.payment }

    var actions: [Action] {
        let ready = payment != nil && document != nil
        var rows = [
            Action(Command(.function(3), "Imprimir", help: "Imprime o documento (PDF) na impressora deste terminal", enabled: ready)) {
                app in
                self.notice = ("Gerando o PDF e enviando à impressora…", .muted)
                return self.deliver(.print, app: app)
            },
            // E-mail goes through the property's record; a fee with no property yet is printed or saved.
            Action(Command(.function(4), "E-mail", help: "Envia o PDF por e-mail", enabled: ready && !matricula.isEmpty)) {
                self.document.map { [.push(EmailScreen(matricula: self.matricula, document: $0))] } ?? []
            },
            Action(Command(.function(7), "QR", help: "Mostra o QR code do PIX em tela cheia", enabled: ready)) {
                self.payment.map { [.push(QRScreen(payload: $0.pix, caption: "PIX — \(Money(cents: $0.totalCents).formatted)"))] } ?? []
            },
        ]
        if canSave {
            rows.insert(
                Action(Command(.function(6), "Salvar", help: "Salva o PDF no diretório configurado", enabled: ready)) { app in
                    self.deliver(.save, app: app)
                }, at: 1)
        }
        if failure?.retryable == true { rows.append(Action(Command(.function(5), "Atualizar", help: "Tenta de novo")) { self.load() }) }
        return rows
    }

    public var commands: [Command] { actions.commands }

    public func appear(app: AppState) -> [Effect] { load() }

    func load() -> [Effect] {
        loading += 1
        failure = nil
        let m = matricula
        if let ids = statementOf, document == nil {
            let key = idempotencyKey
            return [.call { Message.statement(await Calls.createStatement($0, m, ids, key: key)) as Any }]
        }
        switch document {
        case .bill(let id): return [.call { Message.bill(await Calls.bill($0, m, id)) as Any }]
        case .serviceFee(let id): return [.call { Message.fee(await Calls.serviceFee($0, m, id)) as Any }]
        case .statement, .receipt, .carne, .carneSlip, .certidao, .declaracao, nil: return []
        }
    }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        if case .key(let k) = event, let effects = actions.perform(k, app: app) { return effects }
        return []
    }

    /// Fetches the PDF and hands it to the printer or the disk, off the UI thread.
    func deliver(_ delivery: Delivery, app: AppState) -> [Effect] {
        guard let document else { return [] }
        let (m, output) = (matricula, app.output)
        loading += 1
        return [
            .call { Message.delivered(delivery, await Calls.deliver($0, m, document, print: delivery == .print, output: output)) as Any }
        ]
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard let m = message as? Message else { return [] }
        loading -= 1
        switch m {
        case .bill(let r):
            switch r {
            case .success(let b):
                bill = b
                if b.payment == nil {
                    failure = APIFailure(
                        status: 0, code: "not_open", message: "Esta conta não está em aberto: não há segunda via para pagar.")
                }
            case .failure(let f): failure = f
            }
        case .statement(let r):
            switch r {
            case .success(let (s, existing)):
                statement = s
                document = .statement(s.id)
                if existing {
                    notice = ("Já há um extrato destas contas emitido hoje e ainda válido: é este, com o mesmo código de barras.", .warning)
                }
            case .failure(let f): failure = f
            }
        case .fee(let r):
            switch r {
            case .success(let f): fee = f
            case .failure(let f): failure = f
            }
        case .delivered(let delivery, let r):
            switch r {
            case .success(let line): notice = (line, .success)
            case .failure(let f): notice = ("Não foi possível \(delivery.verb): \(f.message)", .error)
            }
        }
        if let p = payment, qr == nil { qr = try? BarcodeMatrix.qr(p.pix, correction: .low) }
        return []
    }

    // MARK: Drawing

    /// The PIX text cut at exactly `width` characters: spaces are part of the payload, so it
    /// is never word-wrapped.
    static func chunks(_ text: String, width: Int) -> [String] {
        var out: [String] = []
        var rest = Substring(text)
        while !rest.isEmpty {
            out.append(String(rest.prefix(width)))
            rest = rest.dropFirst(width)
        }
        return out
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        var y = area.y + 1
        var w = area.width - 4
        guard let p = payment else {
            if let f = failure {
                y = s.paragraph(f.message, x: x, y: y, width: w, role: .error)
                s.put(f.retryable ? "F5 tenta de novo; Esc volta." : "Esc volta.", x: x, y: y + 1, role: .muted)
            } else {
                var what = "Carregando a conta…"
                if statementOf != nil { what = "Emitindo o extrato…" }
                if case .serviceFee = document { what = "Carregando o documento da taxa…" }
                s.put(what, x: x, y: y, role: .muted)
            }
            return
        }
        let due = CivilDate(iso: p.dueOn)?.formatted ?? p.dueOn
        // The QR goes to the right when the text beside it still fits (the linha digitável is
        // 55 columns): in half blocks, else in quadrant blocks (half as wide: 80 columns), else
        // F7 shows it full screen.
        var side = false
        if let qr, s.glyphs.unicodeText {
            for style in [QRView.Style.halfBlocks, .quadrants] {
                let size = QRView.size(qr, style, quiet: 2)
                guard area.width - size.columns - 3 >= 56, area.height >= size.rows else { continue }
                QRView.draw(qr, style: style, quiet: 2, into: &s, x: area.x + area.width - size.columns - 1, y: area.y)
                w -= size.columns + 2
                side = true
                break
            }
        }
        // Said in the order shown: what the document is, its value and due date, the line to type.
        defer {
            s.announce("Valor: \(Money(cents: p.totalCents).formatted). Vencimento: \(due).")
            s.announce("Linha digitável: \(p.linhaDigitavel)")
        }
        if let b = bill?.bill {
            let comp = Competencia(iso: b.competencia)?.formatted ?? b.competencia
            let what = "Conta de \(comp) · consumo \(cubicMeters(b.consumptionM3))\(b.estimated ? " (leitura estimada)" : "")"
            s.announce(what)
            y = s.paragraph(what, x: x, y: y, width: w)
            if b.overdue {
                y = s.paragraph(
                    "Vencida: o banco recebe o valor original; os encargos vêm na próxima conta. Para quitar agora, use o extrato.", x: x,
                    y: y, width: w, role: .warning)
            }
        } else if let f = fee {
            s.announce("Taxa do serviço \(f.serviceName) · protocolo \(f.protocolNumber)")
            y = s.paragraph("Taxa do serviço \(f.serviceName) · protocolo \(f.protocolNumber)", x: x, y: y, width: w)
        } else if let st = statement {
            let refs = st.lines.map { Competencia(iso: $0.competencia)?.formatted ?? $0.competencia }.joined(separator: ", ")
            s.announce("Extrato de \(counted(st.lines.count, "conta")): \(refs)")
            y = s.paragraph("\(counted(st.lines.count, "conta")): \(refs)", x: x, y: y, width: w)
            let charges = st.lines.reduce(Int64(0)) { $0 + $1.charges.totalCents - $1.amountCents }
            if charges > 0 {
                for line in TextLayout.wrap(
                    "Inclui \(Money(cents: charges).formatted) de multa, juros e correção até o vencimento.", width: w)
                {
                    s.put(line, x: x, y: y, role: .muted)
                    y += 1
                }
            }
        }
        y += 1
        s.put("Valor: ", x: x, y: y, role: .muted)
        s.put(Money(cents: p.totalCents).formatted, x: x + 7, y: y, role: .title)
        s.put("Vencimento: \(due)", x: x + 26, y: y, role: .title, clip: area)
        y += 2
        s.put("Linha digitável (código de barras)", x: x, y: y, role: .header)
        y += 1
        s.put(p.linhaDigitavel, x: x, y: y, role: .title, clip: area)
        y += 2
        s.put("PIX copia e cola", x: x, y: y, role: .header)
        y += 1
        for line in Self.chunks(p.pix, width: max(20, w)) where y < area.y + area.height - 2 {
            s.put(line, x: x, y: y)
            y += 1
        }
        if qr != nil && !side {
            y += 1
            if y < area.y + area.height - 1 {
                s.put(
                    s.glyphs.unicodeText
                        ? "F7 mostra o QR code do PIX em tela cheia." : "Este terminal não desenha o QR code: use o PIX copia e cola.",
                    x: x, y: y, role: .muted, clip: area)
            }
        }
        if let (text, role) = notice {
            // Wrapped, above the bottom line, over whatever is there: never cut.
            let lines = TextLayout.wrap(text, width: w)
            let top = area.y + area.height - lines.count
            for (i, line) in lines.enumerated() {
                s.fill(Rect(x: area.x, y: top + i, width: area.width, height: 1), role: .normal)
                s.put(line, x: x, y: top + i, role: role)
            }
        }
    }
}
