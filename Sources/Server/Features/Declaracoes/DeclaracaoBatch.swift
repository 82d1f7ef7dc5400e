import Domain
import Foundation
import SQLKit
import SQLiteKit

/// What the operator reads when a batch stops on an error: the database's "busy" (another
/// process holds SQLite's write lock past the busy timeout) said plainly; anything else as it is.
public enum BatchFailure {
    public static func message(_ error: any Error) -> String {
        if let e = error as? SQLiteError, [.busy, .busyTimeout, .locked].contains(e.reason) {
            return "O banco de dados está ocupado por outra escrita (outro processo com o SQLite aberto para gravar); nada se perdeu: "
                + "execute de novo em instantes — a execução continua de onde parou."
        }
        return "\(error)"
    }
}

/// Another run holds the batch's lease.
public struct BatchBusy: Error, CustomStringConvertible {
    let holder: String
    let until: Int64
    public var description: String {
        "Outra execução está em andamento (\(holder)); ela mantém a vez por até \(max(0, until)) s sem renovar. Tente depois."
    }
}

/// `agencia-server declaracoes --ano Y` (Lei 12.007/2009, art. 3º: with the bill due in May of
/// the next year): every property whose bills of Y are all paid gets its declaration, e-mailed
/// through the outbox to holders with an address. Pages of properties in matrícula order; each
/// declaration and its e-mail in one transaction: killed at any point and run again, it
/// continues after the last page done and issues none twice (one declaration per property and
/// year in the database). Two instances at once: the second is refused (the lease).
public enum DeclaracaoBatch {
    public struct Summary: Sendable, CustomStringConvertible {
        public var year = 0
        public var examined = 0
        /// Issued by this run, found already issued, e-mails queued by this run.
        public var issued = 0
        public var alreadyIssued = 0
        public var emailed = 0
        public var refused: [DeclaracaoAnual.Refusal.Code: Int] = [:]
        /// Continued from an earlier run that stopped.
        public var resumed = false
        public var seconds = 0.0
        /// All the year's declarations in the database after the run.
        public var totalForYear = 0

        public var eligible: Int { issued + alreadyIssued }

        public var description: String {
            var s = """
                Declarações anuais de quitação de \(year)\(resumed ? " (continuação de uma execução interrompida)" : ""):
                  imóveis examinados: \(examined)
                  com direito (todas as contas de \(year) pagas): \(eligible)
                    emitidas agora: \(issued)
                    já emitidas antes: \(alreadyIssued)
                  enviadas por e-mail (na fila de envio): \(emailed)
                """
            let labels: [(DeclaracaoAnual.Refusal.Code, String)] = [
                (.openBills, "com conta de \(year) em aberto ou em revisão"), (.agreementNotPaid, "com conta num parcelamento não quitado"),
                (.noBills, "sem contas com vencimento em \(year)"),
            ]
            s += "\n  sem direito: \(refused.values.reduce(0, +))"
            for (code, label) in labels { s += "\n    \(label): \(refused[code] ?? 0)" }
            s += "\n  total de declarações de \(year) no banco: \(totalForYear)"
            s += String(format: "\n  tempo: %.1f s (%.0f imóveis/s)", seconds, seconds > 0 ? Double(examined) / seconds : 0)
            return s
        }
    }

    /// Runs the batch for `year`. `progress(done, total)` after each page.
    public static func run(
        configuration: ServerConfiguration, year: Int, pageSize: Int = 500, clock: @escaping @Sendable () -> Date = ServerClock.system,
        progress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws -> Summary {
        try await AdminStore.run(configuration, clock: clock) { store in
            let appClock = AppClock(now: clock, timeZone: configuration.timeZone, calendar: configuration.businessCalendar)
            return try await run(
                store: store, year: year, today: appClock.today, emailEnabled: configuration.smtp.url != nil, pageSize: pageSize,
                now: { appClock.epochSeconds }, progress: progress)
        }
    }

    static func run(
        store: any Store, year: Int, today: CivilDate, emailEnabled: Bool, pageSize: Int, now: @escaping @Sendable () -> Int64,
        progress: @escaping @Sendable (Int, Int) -> Void
    ) async throws -> Summary {
        let started = ContinuousClock.now
        guard year < today.year else {
            throw DeclaracaoAnual.Refusal(code: .yearNotEnded, reasons: ["O ano de \(year) ainda não terminou."], advice: "")
        }
        let lease = BatchLease(store: store, name: "declaracoes-\(year)", holder: BatchLease.holderHere(), seconds: 120)
        var cursor = try await lease.acquire(now: now())
        var summary = Summary()
        summary.year = year
        summary.resumed = cursor != nil
        let properties = PropertyRepository(store: store)
        let declaracoes = DeclaracaoRepository(store: store)
        let total = try await store.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM properties").first()?.decode(column: "n", as: Int.self) ?? 0
        }
        var done = try await store.read { [cursor] db in
            try await db.raw("SELECT COUNT(*) AS n FROM properties WHERE matricula <= \(bind: cursor ?? "")").first()?
                .decode(column: "n", as: Int.self) ?? 0
        }
        while true {
            let page = try await properties.properties(after: cursor, limit: pageSize)
            if page.isEmpty { break }
            let bills = try await declaracoes.yearBills(page.map(\.matricula), year: year)
            for p in page {
                switch DeclaracaoAnual.decide(year: year, today: today, bills: bills[p.matricula] ?? []) {
                case .failure(let r): summary.refused[r.code, default: 0] += 1
                case .success(let lines):
                    let email = emailEnabled ? p.titular.email.flatMap { try? EmailAddress.parse($0).get().description } : nil
                    let (_, created) = try await declaracoes.issue(
                        p, year: year, lines: lines, issuedOn: today, channel: "lote", staff: nil, email: email, now: now())
                    if created {
                        summary.issued += 1
                        if email != nil { summary.emailed += 1 }
                    } else {
                        summary.alreadyIssued += 1
                    }
                }
            }
            summary.examined += page.count
            done += page.count
            cursor = page.last?.matricula
            guard try await lease.advance(cursor: cursor, finished: false, now: now()) else {
                throw BatchBusy(holder: "outra instância assumiu a execução", until: 0)
            }
            progress(done, total)
        }
        _ = try await lease.advance(cursor: nil, finished: true, now: now())
        summary.totalForYear = try await store.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM declaracoes WHERE ano = \(bind: year)").first()?.decode(column: "n", as: Int.self)
                ?? 0
        }
        let elapsed = ContinuousClock.now - started
        summary.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return summary
    }
}
