import Dispatch
import NIOConcurrencyHelpers
import XCTest

@testable import Server

/// Issue 15: a call on a pooled PostgreSQL connection never leaves its caller waiting forever
/// (a server whose PostgreSQL was restarted under it once ignored SIGTERM: one query on a
/// connection the restart terminated was never answered). The work here stands in for
/// PostgresNIO: it answers only after 5 s whatever happens, as an unanswered query ignores
/// cancellation; every refusal must come long before that.
final class GuardedCallTests: XCTestCase {
    private let slowAnswer = 5.0

    /// An answer after `slowAnswer` seconds that cancellation cannot hurry.
    private func answerLate() async -> Int {
        await withCheckedContinuation { c in
            DispatchQueue.global().asyncAfter(deadline: .now() + slowAnswer) { c.resume(returning: 42) }
        }
    }

    private func run(_ closed: @escaping @Sendable () -> Bool, holds: Bool = true) async -> (Result<Int, any Error>, Double) {
        let start = ContinuousClock.now
        let result: Result<Int, any Error>
        do {
            result = .success(
                try await GuardedCall.run(acquireTimeout: .milliseconds(300), lostGrace: .milliseconds(200), checkEvery: .milliseconds(20))
                {
                    lease in
                    if holds { lease.hold(isClosed: closed) }
                    return await self.answerLate()
                })
        } catch {
            result = .failure(error)
        }
        let elapsed = ContinuousClock.now - start
        return (result, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    private func assertUnavailable(
        _ outcome: (Result<Int, any Error>, Double), within seconds: Double, file: StaticString = #filePath, line: UInt = #line
    ) {
        guard case .failure(let error) = outcome.0 else {
            return XCTFail("answered \(outcome.0) instead of refusing", file: file, line: line)
        }
        XCTAssertEqual(error as? StorageError, .unavailable, file: file, line: line)
        XCTAssertLessThan(outcome.1, seconds, "refused only after \(outcome.1) s", file: file, line: line)
    }

    func testAConnectionThatClosesUnderAnUnansweredCallIsRefusedSoon() async {
        let closed = NIOLockedValueBox(false)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { closed.withLockedValue { $0 = true } }
        // Closed at 0.5 s, seen within 20 ms, 200 ms of grace: refused near 0.7 s, not at 5 s.
        assertUnavailable(await run({ closed.withLockedValue { $0 } }), within: 2)
    }

    func testNoConnectionWithinTheAcquireTimeoutIsRefused() async {
        assertUnavailable(await run({ false }, holds: false), within: 2)
    }

    func testALongCallOnAnOpenConnectionIsAnswered() async {
        // Held at once, open all along: the 300 ms deadline is not a limit on the work.
        let (result, elapsed) = await run({ false })
        XCTAssertEqual(try result.get(), 42)
        XCTAssertGreaterThanOrEqual(elapsed, slowAnswer - 0.1)
    }

    func testACancelledCallerIsNotHeldByADeadConnection() async {
        let task = Task { await self.run({ true }) }
        try? await Task.sleep(for: .milliseconds(50))
        task.cancel()
        assertUnavailable(await task.value, within: 2)
    }
}
