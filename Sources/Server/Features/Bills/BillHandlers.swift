import API
import Domain
import OpenAPIRuntime

/// The debts screen's bills (updated to today when overdue) and a bill's second copy: codes and
/// PDF (PRODUCT.md B1, B2).
struct BillHandlers: Sendable {
    let bills: BillRepository
    let documents: DocumentService
    let authorization: Authorization

    /// The property's bills, newest first (24 months), overdue ones updated to today.
    func listBills(_ input: Operations.ListBills.Input) async throws -> Operations.ListBills.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        let list = try await bills.bills(grant.matricula)
        let today = grant.today
        let index = list.contains { $0.isOverdue(on: today, calendar: grant.calendar) } ? try await bills.correctionIndex() : [:]
        try await grant.record("consultar_debitos")
        return .ok(
            .init(
                body: .json(
                    .init(items: list.map { BillViews.bill($0, today: today, calendar: grant.calendar, index: index) }, asOf: today.iso))))
    }

    /// One bill, with its barcode, linha digitável and PIX when open (segunda via).
    func getBill(_ input: Operations.GetBill.Input) async throws -> Operations.GetBill.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        guard let b = try await bills.bill(grant.matricula, id: input.path.billId) else { throw APIError.billNotFound }
        let today = grant.today
        let index = b.isOverdue(on: today, calendar: grant.calendar) ? try await bills.correctionIndex() : [:]
        var payment: S.PaymentCode?
        if b.situacao.isPayable {
            let (barcode, pix) = try documents.factory.billCodes(b)
            payment = BillViews.paymentCode(barcode, pix, due: b.due, total: b.value)
        }
        try await grant.record("consultar_conta", detail: String(b.id))
        return .ok(
            .init(body: .json(.init(bill: BillViews.bill(b, today: today, calendar: grant.calendar, index: index), payment: payment))))
    }

    /// The bill's second copy as PDF (open bills only).
    func getBillPDF(_ input: Operations.GetBillPDF.Input) async throws -> Operations.GetBillPDF.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        let pdf = try await documents.pdf(documents.document(.bill, id: input.path.billId, matricula: grant.matricula))
        try await grant.record("segunda_via_pdf", detail: String(input.path.billId))
        return .ok(.init(body: .pdf(HTTPBody(pdf))))
    }
}
