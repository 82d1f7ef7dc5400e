import Logging
import ServiceLifecycle

/// The server's own chores, run as a service beside the HTTP server: the outbox sender every
/// `smtp.pollSeconds` (in every instance: each message is claimed with a lease of its own), and
/// every few seconds the sweepers (card payments nobody decided in time, the ouvidoria's daily
/// alerts, idempotency keys past their 24 hours) and hourly the late agreements and the
/// certidões issued on facts since found false (`CertidaoReview`) — these in one
/// instance only, the holder of the `background` lease in `batch_runs` (renewed at each round,
/// given up on a graceful stop, taken over by another when it lapses; DECISIONS 66). Stops
/// between two steps on a graceful shutdown; a database error is logged and tried again on the
/// next round.
struct BackgroundJobs: Service {
    let sender: OutboxSender?
    let cardPayments: CardPaymentRepository
    /// The ouvidoria and its alert address, when configured: manifestations not yet received
    /// are recalled to it once a day.
    let ouvidoria: (OuvidoriaRepository, email: String)?
    let store: any Store
    /// Agreements and the breaking rule (checked every hour).
    let agreements: AgreementRepository
    let agreementSettings: AgreementSettings
    /// Certidões issued on facts since found false (checked with the agreements).
    let certidaoReview: CertidaoReview
    let runtime: ServerRuntime
    let clock: AppClock
    let pollSeconds: Int
    let logger: Logger
    /// The lease that makes this instance the one that runs the shared chores.
    let lease: BatchLease

    static let sweepEverySeconds: Int64 = 5
    static let leaseSeconds: Int64 = 30
    static let agreementCheckEverySeconds: Int64 = 3600

    func run() async throws {
        // A message being handed to the SMTP server finishes first (the transfer does not observe
        // cancellation); the loop ends between two steps.
        try? await cancelWhenGracefulShutdown { try await loop() }
        try? await lease.release()
    }

    /// Whether this instance holds (or now takes) the chores' lease.
    func leads() async throws -> Bool {
        do {
            _ = try await lease.acquire(now: clock.epochSeconds)
            return true
        } catch is BatchBusy {
            return false
        }
    }

    func loop() async throws {
        var lastSweep = Int64(0)
        var lastAgreementCheck = Int64(0)
        while true {
            // Nothing to do until the server listens (on PostgreSQL, migrations run just before).
            if runtime.port != 0 {
                do {
                    if let sender {
                        try await sender.sendDue()
                        Telemetry.outboxPending.record(try await sender.outbox.pendingCount())
                    }
                    if clock.epochSeconds - lastSweep >= Self.sweepEverySeconds {
                        lastSweep = clock.epochSeconds
                        // Every instance reports it: the one a scrape reaches is the one asked.
                        let newest = try await Backup.newest(store)
                        Telemetry.backupAge.record(newest.map { Double(clock.epochSeconds - $0) } ?? .infinity)
                        if try await leads() {
                            runtime.chores += 1
                            try await sweep()
                            if clock.epochSeconds - lastAgreementCheck >= Self.agreementCheckEverySeconds {
                                lastAgreementCheck = clock.epochSeconds
                                let broken = try await breakLateAgreements()
                                if broken > 0 { logger.info("agreements broken", metadata: ["count": "\(broken)"]) }
                                let revoked = try await certidaoReview.run(
                                    today: clock.today, calendar: clock.calendar, now: clock.epochSeconds)
                                if revoked > 0 { logger.info("certidões revoked", metadata: ["count": "\(revoked)"]) }
                            }
                        } else {
                            lastAgreementCheck = 0  // checked at once when this instance takes over
                        }
                    }
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    logger.warning("background work failed", metadata: ["error": "\(error)"])
                }
            }
            try await Task.sleep(for: .seconds(max(1, pollSeconds)))
        }
    }

    func breakLateAgreements() async throws -> Int {
        try await agreements.breakLate(settings: agreementSettings, today: clock.today, calendar: clock.calendar, now: clock.epochSeconds)
    }

    /// Card payments past their deadline release their bills; expired idempotency keys go.
    func sweep() async throws {
        let expired = try await cardPayments.expire(now: clock.epochSeconds, today: clock.today)
        if expired > 0 { logger.info("card payments expired", metadata: ["count": "\(expired)"]) }
        if let (repository, email) = ouvidoria {
            let alerted = try await repository.alertUnreceived(email: email, today: clock.today, now: clock.epochSeconds)
            if alerted > 0 { logger.info("ouvidoria alerts queued", metadata: ["count": "\(alerted)"]) }
        }
        let keys = try await Idempotency.sweep(store, now: clock.epochSeconds)
        if keys > 0 { logger.debug("idempotency keys expired", metadata: ["count": "\(keys)"]) }
    }
}
