/// Failed attempts counted in the database per scope (an account, a protocol number, a client
/// address), so every instance sees them: after `maxFailuresPerAccount` on the first scope or
/// `maxFailuresPerAddress` on the second within the window, refused with 429. Used by the logins
/// and by the public protocol lookup.
struct AttemptLimiter: Sendable {
    let sessions: SessionRepository
    let config: ServerConfiguration
    let clock: AppClock

    /// `scopes`: the account (or what is guessed) first, then the client address.
    func enforce(_ scopes: [String]) async throws {
        let window = Int64(config.attemptWindowSeconds)
        let now = clock.epochSeconds
        for (scope, limit) in zip(scopes, [config.maxFailuresPerAccount, config.maxFailuresPerAddress]) {
            let a = try await sessions.attempts(scope: scope, now: now, window: window)
            if a.failures >= limit { throw APIError.tooManyAttempts(retryAfter: Int(a.windowStart + window - now)) }
        }
    }

    func fail(_ scopes: [String]) async throws {
        try await sessions.recordFailure(scopes: scopes, now: clock.epochSeconds, window: Int64(config.attemptWindowSeconds))
    }
}
