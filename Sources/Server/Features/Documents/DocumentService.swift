import Documents
import Domain
import Foundation
import NIOPosix
import SQLKit

/// The documents a customer can print or receive by e-mail, as the outbox stores them.
enum DocumentKind: String, Sendable {
    /// An open bill's second copy.
    case bill
    /// A payment statement.
    case statement
    /// The receipt of an approved card payment.
    case receipt
    /// A protocol's public step told to its requester (no attachment).
    case protocolStep = "protocol_step"
    /// A service request's fee document.
    case serviceFee = "service_fee"
    /// The ouvidoria's alert of a manifestation waiting to be received (the id is its number).
    case ouvidoriaAlert = "ouvidoria_alert"
    /// The code that confirms a new e-mail address (the id is the change's).
    case emailCode = "email_code"
    /// The old address told of the change.
    case emailChanged = "email_changed"
    /// An agreement's carnê (the id is the agreement's).
    case carne
    /// A declaração anual de quitação.
    case declaracao
    /// A certidão de débitos.
    case certidao
}

extension PayableDocument.Kind {
    /// The digit in the barcode's free field and the letters of the PIX txid.
    var barcodeDigit: Int {
        switch self {
        case .bill: return 1
        case .statement: return 2
        case .serviceFee: return 3
        }
    }
    var txidPrefix: String {
        switch self {
        case .bill: return "AVC"
        case .statement: return "AVE"
        case .serviceFee: return "AVS"
        }
    }
}

/// A document ready to go out: its PDF, and how an e-mail presents it.
struct Delivery: Sendable {
    /// Nil for a notice without attachment.
    var pdf: Data?
    var fileName: String
    var subject: String
    /// What the e-mail says about the attachment.
    var body: String
}

/// The printable documents (an open bill's second copy, a statement, a card payment's receipt)
/// from what is stored, and the per-property limit on documents a customer may request. Used by
/// the PDF endpoints, the e-mail request and the outbox sender.
struct DocumentService: Sendable {
    let store: any Store
    let bills: BillRepository
    let statements: StatementRepository
    let properties: PropertyRepository
    let cardPayments: CardPaymentRepository
    let companies: CardCompanyDirectory
    let factory: DocumentFactory
    let clock: AppClock
    let requestsPerHour: Int
    let agreementSettings: AgreementSettings
    /// `certidaoSigningKey`: the seal's key (nil: the one generated in the database).
    let certidaoSigningKey: String?

    /// The document's PDF and e-mail texts, or the API's "not found"/"not payable" answer.
    func delivery(_ kind: DocumentKind, id: Int64, matricula: String) async throws -> Delivery {
        if kind == .protocolStep { return try await protocolNotice(stepId: id) }
        if kind == .ouvidoriaAlert { return try await ouvidoriaAlert(number: id) }
        if kind == .emailCode || kind == .emailChanged { return try await emailChangeNotice(kind, id: id) }
        if kind == .declaracao {
            guard let d = try await DeclaracaoRepository(store: store).declaracao(id: id), d.matricula == matricula else {
                throw APIError.declaracaoNotFound
            }
            let doc = declaracaoDocument(d)
            return Delivery(
                pdf: try await pdf(doc), fileName: "quitacao-anual-\(d.year).pdf",
                subject: "Declaração anual de quitação de débitos \(d.year) — matrícula \(doc.matricula)",
                body: """
                    Segue em anexo a declaração anual de quitação de débitos de \(d.year) do imóvel de matrícula \(doc.matricula) (Lei nº 12.007/2009): \(counted(d.lines.count, "conta")) do ano, todas pagas, \(doc.total.formatted) no total.

                    Ela substitui, para comprovar o pagamento, as quitações mensais das contas de \(d.year).
                    """)
        }
        if kind == .certidao {
            let (pdf, c) = try await certidao(id: id, matricula: matricula)
            return Delivery(
                pdf: pdf, fileName: "certidao-\(id).pdf", subject: "\(c.kind.title) — matrícula \(Matricula.display(c.matricula))",
                body: """
                    Segue em anexo a \(c.kind.title) nº \(id) do imóvel de matrícula \(Matricula.display(c.matricula)), emitida em \(c.issuedOn.formatted) e válida até \(c.validUntil.formatted).

                    Código de verificação: \(c.code)
                    Qualquer pessoa confere a certidão por este código, sem login, num terminal da Agência Virtual (F4 na tela inicial).
                    """)
        }
        if kind == .carne {
            let (carne, agreement) = try await carne(agreementId: id, seq: nil, matricula: matricula)
            return Delivery(
                pdf: try await NIOThreadPool.singleton.runIfActive { try PDFRenderer.render(carne) },
                fileName: "carne-acordo-\(agreement.id).pdf", subject: "Carnê do acordo nº \(agreement.id) — matrícula \(carne.matricula)",
                body: """
                    Segue em anexo o carnê do acordo de parcelamento nº \(agreement.id) do imóvel de matrícula \(carne.matricula): os termos e \(counted(carne.slips.count, "boleto")) das parcelas em aberto, cada um com código de barras, linha digitável e PIX.
                    """)
        }
        if kind == .receipt {
            let r = try await receipt(id: id, matricula: matricula)
            let pdf = try await NIOThreadPool.singleton.runIfActive { try PDFRenderer.render(r) }
            return Delivery(
                pdf: pdf, fileName: "comprovante-\(r.reference).pdf",
                subject: "Comprovante de pagamento \(r.reference) — matrícula \(r.matricula)",
                body: """
                    Segue em anexo o comprovante do pagamento com cartão \(r.reference), aprovado em \(r.approvedAt), do imóvel de matrícula \(r.matricula).

                    Operadora: \(r.companyName)\(r.companyReference.map { " (referência \($0))" } ?? "")
                    Total cobrado no cartão: \(r.total.formatted)
                    """)
        }
        let doc = try await document(kind == .bill ? .bill : kind == .serviceFee ? .serviceFee : .statement, id: id, matricula: matricula)
        let pdf = try await self.pdf(doc)
        let what: String
        let subject: String
        let file: String
        if doc.kind == .bill {
            let comp = doc.lines.first?.reference ?? ""
            subject = "Segunda via da conta \(comp) — matrícula \(doc.matricula)"
            what = "a segunda via da conta de \(comp)"
            file = "conta-\(doc.lines.first?.competencia?.iso ?? doc.number).pdf"
        } else if doc.kind == .serviceFee {
            subject = "Taxa de serviço nº \(doc.number) — matrícula \(doc.matricula)"
            what = "o documento de pagamento da taxa nº \(doc.number) (protocolo \(doc.lines.first?.reference ?? ""))"
            file = "taxa-\(doc.number).pdf"
        } else {
            subject = "Extrato de débitos nº \(doc.number) — matrícula \(doc.matricula)"
            what = "o extrato de débitos nº \(doc.number), com \(counted(doc.lines.count, "conta")),"
            file = "extrato-\(doc.number).pdf"
        }
        return Delivery(
            pdf: pdf, fileName: file, subject: subject,
            body: """
                Segue em anexo \(what) do imóvel de matrícula \(doc.matricula).

                Valor: \(doc.total.formatted)
                Vencimento: \(doc.due.formatted)
                Linha digitável: \(doc.barcode.linhaDigitavel)

                PIX copia e cola:
                \(doc.pix.payload)
                """)
    }

    /// What a protocol's requester is told of one public step.
    func protocolNotice(stepId: Int64) async throws -> Delivery {
        let repository = ProtocolRepository(store: store)
        guard let (number, index) = try await repository.step(id: stepId), let r = try await repository.protocolRecord(number) else {
            throw APIError.protocolNotFound
        }
        let s = r.steps[index]
        let units = Dictionary(try await repository.units().map { ($0.code, $0.name) }) { a, _ in a }
        let unit = units[s.toUnit ?? r.unit] ?? r.unit
        let what: String
        switch s.action {
        case "open": what = "foi aberto e encaminhado à unidade \(unit)"
        case "forward": what = "foi encaminhado à unidade \(unit)"
        case "conclude": what = "foi concluído"
        case "reopen": what = "foi reaberto"
        case "extend": what = "teve o prazo de resposta prorrogado"
        case "source": what = s.situation == .concluido ? "foi concluído pela concessionária" : "teve um novo andamento na concessionária"
        default: what = "teve um novo andamento"
        }
        var body =
            "O protocolo \(r.number.formatted) (\(r.subject)) \(what) em \(LocalCalendar.dateTime(Date(timeIntervalSince1970: TimeInterval(s.at)), timeZone: clock.timeZone))."
        if r.ouvidoria, s.action == "open", let deadline = r.deadlineAt {
            let due = LocalCalendar.local(Date(timeIntervalSince1970: TimeInterval(deadline)), timeZone: clock.timeZone).date
            body +=
                "\n\nSua manifestação à Ouvidoria foi registrada. A resposta será dada até \(due.formatted) (30 dias, prorrogáveis uma "
                + "única vez por mais 30 com justificativa — Lei nº 13.460/2017, art. 16)."
        }
        if let text = s.text, s.isPublic { body += "\n\n\(text)" }
        body += "\n\nSituação: \(s.situation.label). Acompanhe pelo número do protocolo e o CPF/CNPJ do requerente."
        return Delivery(pdf: nil, fileName: "", subject: "Protocolo \(r.number.formatted) — \(s.situation.label.lowercased())", body: body)
    }

    /// The code to the new address (nothing to send once the change ended: the code is gone),
    /// or the notice to the old one.
    func emailChangeNotice(_ kind: DocumentKind, id: Int64) async throws -> Delivery {
        guard let c = try await EmailChangeRepository(store: store).change(id) else { throw APIError.notFound }
        let who = TaxID(c.documento)?.masked ?? ""
        if kind == .emailCode {
            guard let code = c.code, c.status == .pendente else {
                throw APIError.conflict("A alteração de e-mail \(id) terminou: o código não é mais enviado.")
            }
            let until = LocalCalendar.dateTime(Date(timeIntervalSince1970: TimeInterval(c.expiresAt)), timeZone: clock.timeZone)
            return Delivery(
                pdf: nil, fileName: "", subject: "Código de confirmação do e-mail: \(code)",
                body: """
                    Para confirmar este endereço como o e-mail do cadastro \(who) na Agência Virtual, digite o código:

                    \(code)

                    Ele vale até \(until) (15 minutos). Se você não pediu esta alteração, ignore esta mensagem: nada muda sem o código.
                    """)
        }
        let when = LocalCalendar.dateTime(Date(timeIntervalSince1970: TimeInterval(c.endedAt ?? c.createdAt)), timeZone: clock.timeZone)
        let how = c.byStaff == nil ? "confirmado com o código enviado ao novo endereço" : "registrado no atendimento presencial"
        return Delivery(
            pdf: nil, fileName: "", subject: "O e-mail do seu cadastro foi alterado",
            body: """
                O e-mail do cadastro \(who) foi alterado em \(when) para \(Masking.email(c.newEmail)) (\(how)).

                Este endereço não receberá mais as mensagens da Agência Virtual. Se você não reconhece esta alteração, procure o atendimento.
                """)
    }

    /// What the ouvidoria's address is told of a manifestation still waiting to be received.
    func ouvidoriaAlert(number id: Int64) async throws -> Delivery {
        let repository = ProtocolRepository(store: store)
        guard let number = ProtocolNumber(parsing: String(id)), let r = try await repository.protocolRecord(number) else {
            throw APIError.protocolNotFound
        }
        let types = Dictionary(try await repository.types().map { ($0.code, $0.name) }) { a, _ in a }
        let opened = Date(timeIntervalSince1970: TimeInterval(r.openedAt))
        let due = r.deadlineAt.map { LocalCalendar.local(Date(timeIntervalSince1970: TimeInterval($0)), timeZone: clock.timeZone).date }
        let waiting = clock.today.daysSinceEpoch - LocalCalendar.local(opened, timeZone: clock.timeZone).date.daysSinceEpoch
        let body = """
            A manifestação \(r.number.formatted) (\(types[r.typeCode] ?? r.typeCode)) chegou em \(LocalCalendar.dateTime(opened, timeZone: clock.timeZone)) e \(waiting == 0 ? "ainda não foi recebida" : "aguarda recebimento há \(counted(waiting, "dia"))").

            Prazo legal de resposta: \(due?.formatted ?? "—") (Lei nº 13.460/2017).
            Receba-a na fila da Ouvidoria (agencia, modo retaguarda). Este aviso se repete a cada dia até o recebimento.
            """
        return Delivery(
            pdf: nil, fileName: "", subject: "Ouvidoria: manifestação \(r.number.formatted) aguarda recebimento", body: body)
    }

    /// An approved card payment's receipt; 404 for another property's, 409 while not approved.
    func receipt(id: Int64, matricula: String) async throws -> CardReceipt {
        guard let c = try await cardPayments.cardPayment(id: id, matricula: matricula) else { throw APIError.cardPaymentNotFound }
        guard c.status == .aprovado else {
            throw APIError.conflict("Só um pagamento aprovado pela operadora tem comprovante; este está \(c.status.rawValue).")
        }
        guard let p = try await properties.property(matricula) else { throw APIError.notFound }
        let lines = try await cardPayments.receiptLines(id: id)
        let approved = Date(timeIntervalSince1970: TimeInterval(c.decidedAt ?? 0))
        return factory.cardReceipt(
            c, companyName: companies.company(c.company)?.nome ?? c.company,
            approvedAt: LocalCalendar.dateTime(approved, timeZone: clock.timeZone),
            property: p, lines: lines)
    }

    /// The certidão as PDF, with its code and its signed QR seal (404 for another property's).
    func certidaoPDF(id: Int64, matricula: String) async throws -> Data {
        try await certidao(id: id, matricula: matricula).0
    }

    private func certidao(id: Int64, matricula: String) async throws -> (Data, CertidaoRepository.Issued) {
        guard let c = try await CertidaoRepository(store: store).certidao(id: id), c.matricula == matricula else {
            throw APIError(status: .notFound, code: "certidao_not_found", message: "Certidão não encontrada.")
        }
        let u = factory.utility
        let m = Matricula.display(c.matricula)
        let statement =
            c.kind == .negativa
            ? "Certificamos que, até a data de emissão, não constam débitos vencidos relativos ao imóvel de matrícula \(m) "
                + "junto a \(u.name), ressalvado o direito de cobrar débitos que venham a ser apurados."
            : "Certificamos que, até a data de emissão, os débitos vencidos relativos ao imóvel de matrícula \(m) estão "
                + "incluídos em acordo de parcelamento em dia com \(u.name), o que confere a esta certidão os mesmos efeitos da certidão "
                + "negativa enquanto o acordo for cumprido."
        let key = try await CertidaoSeal.key(configured: certidaoSigningKey, store: store)
        let seal = try CertidaoSeal.seal(
            .init(
                code: c.code, kind: c.kind.rawValue, matricula: m, holder: Masking.name(c.holderName),
                holderDocument: TaxID(c.holderDocument)?.masked ?? "", issuedOn: c.issuedOn.iso, validUntil: c.validUntil.iso),
            key: key)
        let doc = CertidaoDocument(
            issuer: factory.issuer, title: c.kind.title, number: String(id), holderName: DocumentFactory.holder(c.holderName),
            holderDocument: TaxID(c.holderDocument)?.masked ?? "", matricula: m, address: c.address, statement: statement,
            issuedOn: c.issuedOn, validUntil: c.validUntil, code: c.code,
            howToVerify:
                "Qualquer pessoa confere esta certidão, sem login, digitando o código acima na tela inicial de um terminal de "
                + "autoatendimento da Agência Virtual (tecla F4, Certidão) ou pedindo a um atendente.", seal: seal)
        return (try await NIOThreadPool.singleton.runIfActive { try PDFRenderer.render(doc) }, c)
    }

    /// A declaração anual as printed.
    func declaracaoDocument(_ d: Declaracao) -> DeclaracaoDocument {
        DeclaracaoDocument(
            issuer: factory.issuer, year: d.year, number: String(d.id), holderName: DocumentFactory.holder(d.holderName),
            holderDocument: TaxID(d.holderDocument)?.masked ?? "", matricula: Matricula.display(d.matricula), address: d.address,
            issuedOn: d.issuedOn, lines: d.lines)
    }

    func pdf(_ doc: DeclaracaoDocument) async throws -> Data {
        try await NIOThreadPool.singleton.runIfActive { try PDFRenderer.render(doc) }
    }

    /// A late installment brought up to date (PRODUCT.md C2): fine, interest and correction up to
    /// the date its new document is payable until (today plus `statementValidDays`, as a
    /// statement), and that document's codes (kind 4, the same number: the bank's file pays the
    /// installment whichever document was used). Keyed by `seq`, the late installments only (the
    /// correction index read once, only when one is late).
    func updated(_ a: Agreement) async throws -> [Int: (
        charges: LateCharges, validUntil: CivilDate, barcode: ArrecadacaoBarcode, pix: PixBRCode
    )] {
        let today = clock.today
        let late = a.installments.filter { a.status == .ativo && $0.paidOn == nil && clock.calendar.isLate(due: $0.due, on: today) }
        guard !late.isEmpty else { return [:] }
        let until = today.adding(days: factory.utility.statementValidDays)
        let index = try await bills.correctionIndex()
        var out: [Int: (charges: LateCharges, validUntil: CivilDate, barcode: ArrecadacaoBarcode, pix: PixBRCode)] = [:]
        for i in late {
            let charges = LateCharges(original: i.amount, due: i.due, paidOn: until, calendar: clock.calendar, index: { index[$0.iso] })
            let (barcode, pix) = try factory.installmentCodes(
                agreement: a.id, seq: i.seq, amount: charges.total, due: until, kind: AgreementKind(rawValue: a.kind) ?? .comum)
            out[i.seq] = (charges, until, barcode, pix)
        }
        return out
    }

    /// An active agreement's carnê: every open installment, or one (`seq`) again — a late one
    /// brought up to date.
    func carne(agreementId: Int64, seq: Int?, matricula: String) async throws -> (Carne, Agreement) {
        guard let a = try await AgreementRepository(store: store).agreement(matricula, id: agreementId) else {
            throw APIError(status: .notFound, code: "agreement_not_found", message: "Acordo não encontrado.")
        }
        guard a.status == .ativo else {
            throw APIError.conflict("Este acordo está \(a.status.rawValue): não há parcelas a pagar por ele.")
        }
        var slips = a.installments.filter { $0.paidOn == nil }
        if let seq {
            guard let one = a.installments.first(where: { $0.seq == seq }) else {
                throw APIError(status: .notFound, code: "installment_not_found", message: "Parcela não encontrada neste acordo.")
            }
            guard one.paidOn == nil else { throw APIError.conflict("Esta parcela já foi paga.") }
            slips = [one]
        }
        guard let property = try await properties.property(matricula) else { throw APIError.notFound }
        var carne = try factory.carne(a, slips: slips, property: property, settings: agreementSettings)
        if seq != nil, let one = slips.first, let u = try await updated(a)[one.seq] {
            carne.slips[0].label +=
                " — atualizada: \(u.charges.daysLate) dias de atraso, multa \(u.charges.fine.formatted), "
                + "juros \(u.charges.interest.formatted), correção \(u.charges.correction.formatted)"
            carne.slips[0].due = u.validUntil
            carne.slips[0].amount = u.charges.total
            carne.slips[0].barcode = u.barcode
            carne.slips[0].pix = u.pix
        }
        return (carne, a)
    }

    /// The payable document, or the API's "not found"/"not payable" answer.
    func document(_ kind: PayableDocument.Kind, id: Int64, matricula: String) async throws -> PayableDocument {
        switch kind {
        case .bill:
            guard let b = try await bills.bill(matricula, id: id) else { throw APIError.billNotFound }
            guard b.situacao.isPayable else { throw APIError.notPayable }
            guard let p = try await properties.property(matricula) else { throw APIError.notFound }
            return try factory.billDocument(b, property: p, today: clock.today, calendar: clock.calendar)
        case .statement:
            guard let s = try await statements.statement(matricula, id: id) else { throw APIError.statementNotFound }
            guard let p = try await properties.property(matricula) else { throw APIError.notFound }
            return try factory.statementDocument(s, property: p)
        case .serviceFee:
            guard let f = try await ServiceRepository(store: store).fee(matricula, id: id) else { throw APIError.serviceFeeNotFound }
            return try await feeDocument(f)
        }
    }

    /// A fee's payable document (404 for a fee going on the next bill: nothing to pay now).
    func feeDocument(_ f: ServiceFee) async throws -> PayableDocument {
        guard f.collection == .documento else { throw APIError.serviceFeeNotFound }
        if f.matricula.isEmpty { return try factory.feeDocument(f, property: nil) }
        guard let p = try await properties.property(f.matricula) else { throw APIError.notFound }
        return try factory.feeDocument(f, property: p)
    }

    /// Renders on the thread pool: cairo work never runs on the event loop.
    func pdf(_ doc: PayableDocument) async throws -> Data {
        try await NIOThreadPool.singleton.runIfActive { try PDFRenderer.render(doc) }
    }

    /// Refuses a customer's statement or e-mail beyond the hourly limit per property (attendants
    /// are not limited).
    func checkQuota(_ matricula: String, _ principal: Principal) async throws {
        guard principal.staff == nil else { return }
        let since = clock.epochSeconds - 3600
        let n = try await store.read { db in
            let row = try await db.raw(
                """
                SELECT (SELECT COUNT(*) FROM statements WHERE matricula = \(bind: matricula) AND created_at >= \(bind: since))
                     + (SELECT COUNT(*) FROM email_outbox WHERE matricula = \(bind: matricula) AND created_at >= \(bind: since)) AS n
                """
            ).first()
            return Int(try row?.decode(column: "n", as: Int64.self) ?? 0)
        }
        if n >= requestsPerHour {
            throw APIError(
                status: .tooManyRequests, code: "too_many_documents",
                message: "Limite de documentos por hora atingido para este imóvel. Tente novamente mais tarde.", retryAfterSeconds: 3600)
        }
    }

    /// At most `PDFRenderer.maxLines` distinct bills, at least one.
    static func checkSelection(_ ids: [Int64]) throws {
        guard !ids.isEmpty else { throw APIError.invalid("Selecione ao menos uma conta.") }
        guard Set(ids).count <= PDFRenderer.maxLines else {
            throw APIError.invalid("Selecione no máximo \(PDFRenderer.maxLines) contas por documento.")
        }
    }
}
