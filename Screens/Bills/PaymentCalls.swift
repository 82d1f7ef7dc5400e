import API
import Foundation
import OpenAPIRuntime
import TUI

/// The bills-and-payments calls (issue 3).
extension Calls {
    typealias Bill = Components.Schemas.Bill
    typealias BillList = Components.Schemas.BillList
    typealias BillDetail = Components.Schemas.BillDetail
    typealias Statement = Components.Schemas.Statement
    typealias Payment = Components.Schemas.Payment
    typealias CardCompany = Components.Schemas.CardCompanyInfo
    typealias CardPayment = Components.Schemas.CardPayment
    typealias EmailStatus = Components.Schemas.EmailStatus
    typealias PaymentCode = Components.Schemas.PaymentCode
    typealias ServiceFee = Components.Schemas.ServiceFee

    static func bills(_ c: Client, _ m: String) async -> Result<BillList, APIFailure> {
        await run {
            switch try await c.listBills(path: .init(matricula: m)) {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    /// A fee of the property `m`; with no property (`m` empty: a ligação nova), by id (counter and staff).
    static func serviceFee(_ c: Client, _ m: String, _ id: Int64) async -> Result<ServiceFee, APIFailure> {
        await run {
            if m.isEmpty {
                switch try await c.getAnyServiceFee(path: .init(feeId: id)) {
                case .ok(let ok): return .success(try ok.body.json)
                case .default(let status, let e): return .failure(APIFailure(status: status, e))
                }
            }
            switch try await c.getServiceFee(path: .init(matricula: m, feeId: id)) {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func bill(_ c: Client, _ m: String, _ id: Int64) async -> Result<BillDetail, APIFailure> {
        await run {
            switch try await c.getBill(path: .init(matricula: m, billId: id)) {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    /// A statement for the bills, and whether it is the one already issued today for them.
    static func createStatement(_ c: Client, _ m: String, _ ids: [Int64], key: String) async -> Result<
        (Statement, existing: Bool), APIFailure
    > {
        await run {
            switch try await c.createStatement(
                path: .init(matricula: m), headers: .init(idempotencyKey: key), body: .json(.init(billIds: ids)))
            {
            case .created(let ok): return .success((try ok.body.json, existing: false))
            case .ok(let ok): return .success((try ok.body.json, existing: true))
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    /// Prints or saves a document's PDF on this terminal; the line to show says how it went.
    static func deliver(_ c: Client, _ m: String, _ doc: DocumentRef, print: Bool, output: DocumentOutput) async -> Result<
        String, APIFailure
    > {
        switch await pdf(c, m, doc) {
        case .success(let pdf): return print ? await output.print(pdf, doc.fileName) : await output.save(pdf, doc.fileName)
        case .failure(let f): return .failure(f)
        }
    }

    /// A document's PDF: a bill's second copy, a statement or a card payment's receipt.
    static func pdf(_ c: Client, _ m: String, _ doc: DocumentRef) async -> Result<Data, APIFailure> {
        await run {
            let body: HTTPBody
            switch doc {
            case .bill(let id):
                switch try await c.getBillPDF(path: .init(matricula: m, billId: id)) {
                case .ok(let ok): body = try ok.body.pdf
                case .default(let status, let e): return .failure(APIFailure(status: status, e))
                }
            case .statement(let id):
                switch try await c.getStatementPDF(path: .init(matricula: m, statementId: id)) {
                case .ok(let ok): body = try ok.body.pdf
                case .default(let status, let e): return .failure(APIFailure(status: status, e))
                }
            case .receipt(let id):
                switch try await c.getCardPaymentReceipt(path: .init(matricula: m, cardPaymentId: id)) {
                case .ok(let ok): body = try ok.body.pdf
                case .default(let status, let e): return .failure(APIFailure(status: status, e))
                }
            case .serviceFee(let id) where m.isEmpty:
                switch try await c.getAnyServiceFeePDF(path: .init(feeId: id)) {
                case .ok(let ok): body = try ok.body.pdf
                case .default(let status, let e): return .failure(APIFailure(status: status, e))
                }
            case .serviceFee(let id):
                switch try await c.getServiceFeePDF(path: .init(matricula: m, feeId: id)) {
                case .ok(let ok): body = try ok.body.pdf
                case .default(let status, let e): return .failure(APIFailure(status: status, e))
                }
            case .carne(let id):
                switch try await c.getCarne(path: .init(matricula: m, agreementId: id)) {
                case .ok(let ok): body = try ok.body.pdf
                case .default(let status, let e): return .failure(APIFailure(status: status, e))
                }
            case .carneSlip(let id, let seq):
                switch try await c.getCarne(path: .init(matricula: m, agreementId: id), query: .init(seq: seq)) {
                case .ok(let ok): body = try ok.body.pdf
                case .default(let status, let e): return .failure(APIFailure(status: status, e))
                }
            case .certidao(let id):
                switch try await c.getCertidaoPDF(path: .init(matricula: m, certidaoId: id)) {
                case .ok(let ok): body = try ok.body.pdf
                case .default(let status, let e): return .failure(APIFailure(status: status, e))
                }
            case .declaracao(_, let year):
                switch try await c.getDeclaracaoPDF(path: .init(matricula: m, ano: year)) {
                case .ok(let ok): body = try ok.body.pdf
                case .default(let status, let e): return .failure(APIFailure(status: status, e))
                }
            }
            return .success(try await Data(collecting: body, upTo: 8 << 20))
        }
    }

    static func email(_ c: Client, _ m: String, _ doc: DocumentRef, to: String?, key: String) async -> Result<EmailStatus, APIFailure> {
        await run {
            let ref: Components.Schemas.DocumentRef
            switch doc {
            case .bill(let id): ref = .init(kind: .bill, id: id)
            case .statement(let id): ref = .init(kind: .statement, id: id)
            case .receipt(let id): ref = .init(kind: .receipt, id: id)
            case .serviceFee(let id): ref = .init(kind: .serviceFee, id: id)
            case .carne(let id), .carneSlip(let id, _): ref = .init(kind: .carne, id: id)
            case .declaracao(let id, _): ref = .init(kind: .declaracao, id: id)
            case .certidao(let id): ref = .init(kind: .certidao, id: id)
            }
            switch try await c.requestEmail(
                path: .init(matricula: m), headers: .init(idempotencyKey: key), body: .json(.init(document: ref, to: to)))
            {
            case .accepted(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func payments(_ c: Client, _ m: String) async -> Result<[Payment], APIFailure> {
        await run {
            switch try await c.listPayments(path: .init(matricula: m)) {
            case .ok(let ok): return .success(try ok.body.json.items)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func cardCompanies(_ c: Client) async -> Result<[CardCompany], APIFailure> {
        await run {
            switch try await c.listCardCompanies() {
            case .ok(let ok): return .success(try ok.body.json.items)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func startCardPayment(_ c: Client, _ m: String, company: String, ids: [Int64], key: String) async -> Result<
        CardPayment, APIFailure
    > {
        await run {
            switch try await c.createCardPayment(
                path: .init(matricula: m), headers: .init(idempotencyKey: key), body: .json(.init(companyId: company, billIds: ids)))
            {
            case .created(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func cardPayment(_ c: Client, _ m: String, _ id: Int64) async -> Result<CardPayment, APIFailure> {
        await run {
            switch try await c.getCardPayment(path: .init(matricula: m, cardPaymentId: id)) {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }
}

/// A document handed to this terminal's printer or folder (F2/F3 on the screens that show one),
/// off the UI thread: the call, the line shown while it runs and the one shown when it ends.
/// `what` names the document in those lines ("o carnê", "a certidão").
struct DocumentDelivered: CallResultMessage {
    let result: Result<String, APIFailure>
    var failure: APIFailure? { result.failure }

    static func call(_ doc: DocumentRef, of matricula: String, print: Bool, output: DocumentOutput) -> Effect {
        .call { DocumentDelivered(result: await Calls.deliver($0, matricula, doc, print: print, output: output)) as Any }
    }

    static func waiting(_ what: String, print: Bool) -> (String, Role) {
        (print ? "Gerando \(what) e enviando à impressora…" : "Gerando \(what)…", .muted)
    }

    func notice(_ what: String) -> (String, Role) {
        switch result {
        case .success(let line): return (line, .success)
        case .failure(let f): return ("Não foi possível entregar \(what): \(f.message)", .error)
        }
    }
}

/// A payable document the terminal can print, save or send.
public enum DocumentRef: Equatable, Sendable {
    case bill(Int64)
    case statement(Int64)
    /// An approved card payment's comprovante.
    case receipt(Int64)
    /// A service request's fee document.
    case serviceFee(Int64)
    /// An agreement's carnê: its terms and a slip per open installment.
    case carne(Int64)
    /// The second copy of one installment (`seq` 0: the down payment), brought up to date when late.
    case carneSlip(agreement: Int64, seq: Int)
    /// A certidão de débitos.
    case certidao(Int64)
    /// A declaração anual de quitação (its id, and the year that names it).
    case declaracao(id: Int64, year: Int)

    var fileName: String {
        switch self {
        case .bill(let id): return "segunda-via-\(id).pdf"
        case .statement(let id): return "extrato-\(id).pdf"
        case .receipt(let id): return "comprovante-AV-CP-\(id).pdf"
        case .serviceFee(let id): return "taxa-\(id).pdf"
        case .carne(let id): return "carne-acordo-\(id).pdf"
        case .carneSlip(let id, let seq): return "acordo-\(id)-parcela-\(seq).pdf"
        case .certidao(let id): return "certidao-\(id).pdf"
        case .declaracao(_, let year): return "quitacao-anual-\(year).pdf"
        }
    }
}

/// Where documents go from this terminal: the printer command and the save directory
/// (configuration `printCommand`, `saveDirectory`). Each returns a line for the user.
public struct DocumentOutput: Sendable {
    public var print: @Sendable (Data, String) async -> Result<String, APIFailure>
    public var save: @Sendable (Data, String) async -> Result<String, APIFailure>
    /// The folder protocol attachments are picked from (nil: this terminal attaches nothing).
    public var attachmentsDirectory: String?

    public init(
        print: @escaping @Sendable (Data, String) async -> Result<String, APIFailure>,
        save: @escaping @Sendable (Data, String) async -> Result<String, APIFailure>,
        attachmentsDirectory: String? = nil
    ) {
        self.print = print
        self.save = save
        self.attachmentsDirectory = attachmentsDirectory
    }

    /// A terminal without printer or disk (tests that do not exercise them).
    public static let none = DocumentOutput(
        print: { _, _ in .failure(APIFailure(status: 0, code: "no_printer", message: "Nenhuma impressora configurada neste terminal.")) },
        save: { _, _ in .failure(APIFailure(status: 0, code: "no_disk", message: "Este terminal não salva arquivos.")) })
}

/// What CUPS's `lp` says, in Portuguese for the person at the terminal. The usual messages are
/// translated; anything else is shown as it came, after "a impressora respondeu:".
public enum PrinterMessages {
    /// A failure's message from `lp`'s error output.
    public static func failure(_ said: String) -> String {
        let s = said.lowercased()
        if s.contains("no default destination") {
            return "não há impressora padrão neste terminal: peça ao suporte para configurar uma (printCommand)."
        }
        if s.contains("does not exist") || s.contains("unknown destination") {
            return "a impressora configurada neste terminal não existe: peça ao suporte para conferir o printCommand."
        }
        if s.contains("not accepting jobs") {
            return "a impressora está parada e não aceita documentos agora: verifique se está ligada e com papel, ou chame o suporte."
        }
        if s.contains("unable to connect") || s.contains("scheduler not responding") || s.contains("connection refused") {
            return "o serviço de impressão deste terminal não responde: chame o suporte."
        }
        if s.contains("forbidden") || s.contains("not authorized") {
            return "este terminal não tem permissão para usar a impressora: chame o suporte."
        }
        return said.isEmpty ? "a impressora recusou o documento." : "a impressora respondeu: \(said)"
    }

    /// The success line: `lp`'s "request id is balcao1-12 (1 file(s))" becomes the job's name.
    public static func success(_ said: String) -> String {
        if let r = said.range(of: "request id is ") {
            let job = said[r.upperBound...].split(separator: " ").first.map(String.init) ?? ""
            return "Documento enviado à impressora (pedido \(job))."
        }
        return "Documento enviado à impressora."
    }
}
