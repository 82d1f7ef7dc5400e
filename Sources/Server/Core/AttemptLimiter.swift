/// Attempts counted in the database per scope, so every instance sees them (DECISIONS 6, 62).
///
/// Logins (`LoginGuard`): failures lock an account only for the address or terminal they came
/// from; failures on the account from anywhere make every further attempt on it wait, longer
/// each time, up to a cap; an address or terminal is limited in failures and in successful
/// logins. Public lookups (`enforce`/`fail`) count a guessed thing and the origin.
struct AttemptLimiter: Sendable {
    let sessions: SessionRepository
    let config: ServerConfiguration
    let clock: AppClock

    /// `scopes`: what is guessed first, then the origin; refused with 429 after
    /// `maxFailuresPerAccount` on the first or `maxFailuresPerAddress` on the second.
    func enforce(_ scopes: [String]) async throws {
        for (scope, limit) in zip(scopes, [config.maxFailuresPerAccount, config.maxFailuresPerAddress]) {
            try await refuse(scope, atLeast: limit, metric: "lookup")
        }
    }

    func fail(_ scopes: [String]) async throws {
        try await sessions.count(scopes: scopes, now: clock.epochSeconds, window: window)
    }

    private var window: Int64 { Int64(config.attemptWindowSeconds) }

    private func refuse(
        _ scope: String, atLeast limit: Int, metric: String, what: String = "Muitas tentativas sem sucesso.", after: String = ""
    ) async throws {
        let now = clock.epochSeconds
        let a = try await sessions.attempts(scope: scope, now: now, window: window)
        if a.count >= limit {
            Telemetry.loginsRefused(metric).increment()
            throw APIError.tooManyAttempts(retryAfter: Int(a.windowStart + window - now), what: what, after: after)
        }
    }

    /// A login to `account` (`m:100013`, `s:ana`) from the request's origin.
    func login(_ account: String) -> LoginGuard { LoginGuard(limiter: self, account: account, origin: Principal.origin) }

    struct LoginGuard: Sendable {
        let limiter: AttemptLimiter
        let account: String
        let origin: Origin

        private var pair: String { "\(account)@\(origin.limitKey)" }
        private var successes: String { "ok:\(origin.limitKey)" }

        /// Refuses what is over a limit (429), then waits the account's delay.
        func admit() async throws {
            let c = limiter.config
            let here = origin.terminal == nil ? "deste endereço" : "deste terminal"
            try await limiter.refuse(
                pair, atLeast: c.maxFailuresPerAccount, metric: "account_at_origin",
                what: "Muitas tentativas sem sucesso \(here) para esta conta.",
                after: " ou peça a um supervisor que desbloqueie o acesso")
            try await limiter.refuse(
                origin.limitKey, atLeast: c.maxFailuresPerAddress, metric: "failures_at_origin",
                what: "Muitas tentativas sem sucesso \(here).")
            try await limiter.refuse(
                successes, atLeast: origin.terminal == nil ? c.maxLoginsPerAddress : c.maxLoginsPerTerminal, metric: "logins_at_origin",
                what: "Muitos acessos \(here) em pouco tempo.")
            let failures = try await limiter.sessions.attempts(scope: account, now: limiter.clock.epochSeconds, window: limiter.window)
                .count
            let delay = Self.delay(failures: failures, config: c)
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

        func failed() async throws {
            try await limiter.fail([pair, account, origin.limitKey])
        }

        func succeeded() async throws {
            try await limiter.sessions.clear(scope: pair)
            try await limiter.fail([successes])
        }
    }
}
