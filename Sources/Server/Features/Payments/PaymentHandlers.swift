import API

/// The property's payment history (PRODUCT.md B6).
struct PaymentHandlers: Sendable {
    let payments: PaymentRepository
    let authorization: Authorization

    /// Payment history (date, amount, channel, bill), newest first.
    func listPayments(_ input: Operations.ListPayments.Input) async throws -> Operations.ListPayments.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        let items = try await payments.payments(grant.matricula)
        try await grant.record("consultar_pagamentos")
        return .ok(
            .init(
                body: .json(
                    .init(
                        items: items.map {
                            .init(
                                paidOn: $0.paidOn.iso, amountCents: $0.amount.cents, channel: $0.channel, billId: $0.billId,
                                competencia: $0.competencia.iso)
                        }))))
    }
}
