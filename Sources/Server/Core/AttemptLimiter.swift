/// Attempts counted in the database per scope, so every instance sees them (DECISIONS 6, 62).
///
/// Every attempt is reserved before it is checked (issue 27, DECISIONS 78): one statement counts
/// it and returns the count with it, so a burst of concurrent attempts is counted one by one —
/// never evaluated whole against the count before it — on every engine and instance. What turns
/// out not to count is taken back (a right password, a lookup that found, a refused attempt).
///
/// Logins (`LoginGuard`): failures lock an account only for the address or terminal they came
/// from; failures on the account from anywhere make every further attempt on it wait, longer
/// each time, up to a cap; an address or terminal is limited in failures and in successful
/// logins. Public lookups and public writes (`reserve`) count what is guessed or sent and the
/// origin.
struct AttemptLimiter: Sendable {
    let sessions: SessionRepository
    let config: ServerConfiguration
    let clock: AppClock

    private var window: Int64 { Int64(config.attemptWindowSeconds) }

    /// One attempt reserved on some scopes: it stays counted unless released.
    struct Reservation: Sendable {
        let limiter: AttemptLimiter
        let scopes: [String]

        /// This attempt does not count (it found what it looked for; it was a replay).
        func release() async throws { try await limiter.release(scopes) }
    }

    /// Counts an attempt on `scopes` — what is guessed (or who sends) first, then the origin —
    /// and refuses it (429, not counted) when it is over `maxFailuresPerAccount` on the first or
    /// `maxFailuresPerAddress` on the second.
    func reserve(_ scopes: [String]) async throws -> Reservation {
        try await reserve(
            zip(scopes, [config.maxFailuresPerAccount, config.maxFailuresPerAddress]).map {
                Limit(scope: $0, limit: $1, metric: "lookup", what: "Muitas tentativas sem sucesso.")
            })
        return Reservation(limiter: self, scopes: scopes)
    }

    struct Limit {
        var scope: String
        /// Attempts allowed in the window (nil: counted, never refused).
        var limit: Int?
        var metric = ""
        var what = ""
        var after = ""
    }

    /// Counts an attempt on every scope; over a limit, takes it back from all and refuses.
    /// Returns each scope's count with this attempt.
    @discardableResult
    private func reserve(_ limits: [Limit]) async throws -> [Int] {
        let now = clock.epochSeconds
        let counts = try await sessions.reserve(scopes: limits.map(\.scope), now: now, window: window)
        for (l, c) in zip(limits, counts) {
            guard let limit = l.limit, c.count > limit else { continue }
            try await sessions.release(scopes: limits.map(\.scope), now: now, window: window)
            Telemetry.loginsRefused(l.metric).increment()
            throw APIError.tooManyAttempts(retryAfter: Int(c.windowStart + window - now), what: l.what, after: l.after)
        }
        return counts.map(\.count)
    }

    private func release(_ scopes: [String]) async throws {
        try await sessions.release(scopes: scopes, now: clock.epochSeconds, window: window)
    }

    /// A login to `account` (`m:100013`, `s:ana`) from the request's origin.
    func login(_ account: String) -> LoginGuard { LoginGuard(limiter: self, account: account, origin: Principal.origin) }

    struct LoginGuard: Sendable {
        let limiter: AttemptLimiter
        let account: String
        let origin: Origin

        private var pair: String { "\(account)@\(origin.limitKey)" }
        private var successes: String { "ok:\(origin.limitKey)" }
        /// With a terminal's credential, failures count at its address too: a credential lifts
        /// the limit on logins per address (a service point's kiosks share one), never the limit
        /// on guesses (issue 27).
        private var address: String? { origin.terminal == nil ? nil : "ip:\(origin.address)" }

        /// Reserves the attempt — a failure of the account here, of the origin, of the account
        /// anywhere, and a login of the origin — refusing what is over a limit (429), then waits
        /// the account's delay for the failures before it, those still in flight included.
        func admit() async throws {
            let c = limiter.config
            // A customer reads it at a kiosk: no addresses, no supervisors (issue 28.20).
            let customer = account.hasPrefix("m:")
            let here = customer ? "neste terminal" : origin.terminal == nil ? "deste endereço" : "deste terminal"
            var limits = [
                Limit(
                    scope: pair, limit: c.maxFailuresPerAccount, metric: "account_at_origin",
                    what: customer
                        ? "Muitas tentativas sem sucesso para esta matrícula. Confira a matrícula e o CPF/CNPJ na conta de água."
                        : "Muitas tentativas sem sucesso \(here) para esta conta.",
                    after: customer ? " ou procure um atendente" : " ou peça a um supervisor que desbloqueie o acesso"),
                Limit(
                    scope: origin.limitKey, limit: c.maxFailuresPerAddress, metric: "failures_at_origin",
                    what: "Muitas tentativas sem sucesso \(here).", after: customer ? " ou procure um atendente" : ""),
                Limit(
                    scope: successes, limit: origin.terminal == nil ? c.maxLoginsPerAddress : c.maxLoginsPerTerminal,
                    metric: "logins_at_origin", what: "Muitos acessos \(here) em pouco tempo."),
                Limit(scope: account, limit: nil),
            ]
            if let address {
                limits.append(
                    Limit(
                        scope: address, limit: c.maxFailuresPerAddress, metric: "failures_at_origin",
                        what: customer ? "Muitas tentativas sem sucesso neste local." : "Muitas tentativas sem sucesso deste endereço.",
                        after: customer ? " ou procure um atendente" : ""))
            }
            let counts = try await limiter.reserve(limits)
            let delay = Self.delay(failures: counts[3] - 1, config: c)
            if delay > .zero { try await Task.sleep(for: delay) }
        }

        /// The wait before checking a login to an account that failed `failures` times in the
        /// window: none up to `loginDelayAfterFailures`, then the base, doubling, capped.
        static func delay(failures: Int, config c: ServerConfiguration) -> Duration {
            let over = failures - c.loginDelayAfterFailures
            guard over >= 0 else { return .zero }
            let ms = min(Double(c.loginDelayBaseMilliseconds) * Double(1 << min(over, 20)), Double(c.loginDelayMaxSeconds) * 1000)
            return .milliseconds(Int(ms))
        }

        /// A failure: it stays counted; it was not a login.
        func failed() async throws {
            try await limiter.release([successes])
        }

        /// A login: the account's failures here are forgotten; this one was not a failure.
        func succeeded() async throws {
            try await limiter.sessions.clear(scope: pair)
            try await limiter.release([origin.limitKey, account] + (address.map { [$0] } ?? []))
        }
    }
}
