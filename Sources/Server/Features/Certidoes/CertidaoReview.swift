import Domain

/// The rule that finds certidões issued on facts since found false (issue 27): every certidão in
/// force is checked against the bills its property owes now (`CertidaoDecision.falsified`), and
/// one that no longer stands is revoked with the bills that revoke it as the reason, and audited.
/// Runs in the background chores, under their lease (one instance at a time).
struct CertidaoReview: Sendable {
    let certidoes: CertidaoRepository
    let bills: BillRepository
    let audit: AuditLog
    static let page = 500

    /// Reviews every certidão in force on `today`; returns how many it revoked.
    func run(today: CivilDate, calendar: BusinessCalendar, now: Int64) async throws -> Int {
        var revoked = 0
        var after = Int64(0)
        while true {
            try Task.checkCancellation()
            let page = try await certidoes.inForce(today: today, after: after, limit: Self.page)
            for c in page {
                let reasons = CertidaoDecision.falsified(bills: try await bills.owed(c.matricula), issuedOn: c.issuedOn, calendar: calendar)
                guard !reasons.isEmpty else { continue }
                let reason =
                    "Emitida em \(c.issuedOn.formatted) sem considerar débitos que já estavam vencidos: " + reasons.joined(separator: " ")
                // Revoked by this run, not a moment before by a supervisor.
                let stands = try await certidoes.revoke(code: c.code, by: CertidaoRepository.rule, reason: reason, now: now)
                guard let r = stands?.revocation, r.by == CertidaoRepository.rule, r.at == now, r.reason == reason else { continue }
                try await audit.record(
                    staff: CertidaoRepository.rule, "revogar_certidao", matricula: c.matricula, detail: "certidão \(c.id)")
                revoked += 1
            }
            guard let last = page.last, page.count == Self.page else { return revoked }
            after = last.id
        }
    }
}
