import Foundation
import SQLKit

/// A batch's lease in `batch_runs`: one holder at a time across instances and machines, renewed
/// as it goes, with the cursor of the last page done, so that a run killed halfway continues
/// where it stopped. A holder that died on this machine (its process is gone) is taken over at
/// once; one elsewhere, when its lease expires.
struct BatchLease: Sendable {
    let store: any Store
    let name: String
    let holder: String
    let seconds: Int64

    static func holderHere() -> String { "\(ProcessInfo.processInfo.hostName):\(getpid())" }

    /// Takes the lease (or takes it over); returns the cursor to continue from.
    func acquire(now: Int64) async throws -> String? {
        let (name, holder, until) = (name, holder, now + seconds)
        return try await store.write { db in
            if let row = try await db.raw(
                """
                INSERT INTO batch_runs (name, holder, lease_until) VALUES (\(bind: name), \(bind: holder), \(bind: until))
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
                WHERE batch_runs.lease_until < \(bind: now) OR batch_runs.holder = excluded.holder
                RETURNING cursor
                """
            ).first() {
                return try row.decode(column: "cursor", as: String?.self)
            }
            guard let row = try await db.raw("SELECT holder, lease_until, cursor FROM batch_runs WHERE name = \(bind: name)").first() else {
                throw StorageError.corrupt("batch_runs \(name)")
            }
            let current = try row.decode(column: "holder", as: String.self)
            guard Self.isDeadHere(current) else {
                throw BatchBusy(holder: current, until: try row.decode(column: "lease_until", as: Int64.self) - now)
            }
            try await db.raw(
                """
                UPDATE batch_runs SET holder = \(bind: holder), lease_until = \(bind: until)
                WHERE name = \(bind: name) AND holder = \(bind: current)
                """
            ).run()
            return try row.decode(column: "cursor", as: String?.self)
        }
    }

    /// Records the page done and renews; false when the lease was lost (another took over).
    func advance(cursor: String?, finished: Bool, now: Int64) async throws -> Bool {
        let (name, holder) = (name, holder)
        let until = finished ? 0 : now + seconds
        return try await store.write { db in
            try await db.raw(
                """
                UPDATE batch_runs SET cursor = \(bind: finished ? nil : cursor), lease_until = \(bind: until),
                  finished_at = \(bind: finished ? now : nil)
                WHERE name = \(bind: name) AND holder = \(bind: holder) RETURNING name
                """
            ).first() != nil
        }
    }

    /// Records the cursor inside the caller's transaction, with the work it describes (a kill
    /// between the two cannot happen) and renews; throws `BatchBusy` when another took over.
    func advance(cursor: String, now: Int64, db: any SQLDatabase) async throws {
        guard
            try await db.raw(
                """
                UPDATE batch_runs SET cursor = \(bind: cursor), lease_until = \(bind: now + seconds)
                WHERE name = \(bind: name) AND holder = \(bind: holder) RETURNING name
                """
            ).first() != nil
        else { throw BatchBusy(holder: "outra execução", until: seconds) }
    }

    /// Gives the lease up (a graceful stop): another may take it at once.
    func release() async throws {
        let (name, holder) = (name, holder)
        try await store.write { db in
            try await db.raw("UPDATE batch_runs SET lease_until = 0 WHERE name = \(bind: name) AND holder = \(bind: holder)").run()
        }
    }

    /// A holder of this machine whose process no longer exists.
    static func isDeadHere(_ holder: String) -> Bool {
        let parts = holder.split(separator: ":")
        guard parts.count == 2, String(parts[0]) == ProcessInfo.processInfo.hostName, let pid = Int32(parts[1]) else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
