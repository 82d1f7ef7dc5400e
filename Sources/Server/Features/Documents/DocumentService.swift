import Documents
import Domain
import Foundation
import NIOPosix
import SQLKit

/// The printable documents (an open bill's second copy, a statement) from what is stored, and
/// the per-property limit on documents a customer may request. Used by the bill and statement
/// endpoints, the e-mail request and the outbox sender.
/// The payable documents: stored as `bill`/`statement` (the outbox), a digit in the barcode's
/// free field and letters in the PIX txid.
enum DocumentKind: String, Sendable {
    case bill, statement

    var barcodeDigit: Int { self == .bill ? 1 : 2 }
    var txidPrefix: String { self == .bill ? "AVC" : "AVE" }
}

struct DocumentService: Sendable {
    let store: any Store
    let bills: BillRepository
    let statements: StatementRepository
    let properties: PropertyRepository
    let factory: DocumentFactory
    let clock: AppClock
    let requestsPerHour: Int

    /// The document, or the API's "not found"/"not payable" answer.
    func document(_ kind: DocumentKind, id: Int64, matricula: String) async throws -> PayableDocument {
        switch kind {
        case .bill:
            guard let b = try await bills.bill(matricula, id: id) else { throw APIError.billNotFound }
            guard b.situacao == .aberta else { throw APIError.notPayable }
            guard let p = try await properties.property(matricula) else { throw APIError.notFound }
            return try factory.billDocument(b, property: p, today: clock.today, calendar: clock.calendar)
        case .statement:
            guard let s = try await statements.statement(matricula, id: id) else { throw APIError.statementNotFound }
            guard let p = try await properties.property(matricula) else { throw APIError.notFound }
            return try factory.statementDocument(s, property: p)
        }
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
