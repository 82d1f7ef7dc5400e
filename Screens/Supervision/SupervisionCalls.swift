import API
import Domain
import Foundation
import TUI

/// The supervisor's calls (DECISIONS 63): the audit trail and the logins with failures.
extension Calls {
    typealias AuditEntry = Components.Schemas.AuditEntry
    typealias LoginLock = Components.Schemas.LoginLock

    struct AuditFilter: Equatable, Sendable {
        var staff: String?
        var matricula: String?
        var action: String?
        /// `AAAA-MM-DD`.
        var from: String?
        var to: String?
    }

    static func audit(_ c: Client, _ f: AuditFilter, before: Int64?) async -> Result<(items: [AuditEntry], next: Int64?), APIFailure> {
        await run {
            switch try await c.listAudit(
                query: .init(staff: f.staff, matricula: f.matricula, action: f.action, from: f.from, to: f.to, before: before, limit: 100))
            {
            case .ok(let ok):
                let page = try ok.body.json
                return .success((page.items, page.next))
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func loginLocks(_ c: Client) async -> Result<[LoginLock], APIFailure> {
        await run {
            switch try await c.listLoginLocks() {
            case .ok(let ok): return .success(try ok.body.json.items)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func unlock(_ c: Client, _ account: Components.Schemas.LoginAccount) async -> Result<Int, APIFailure> {
        await run {
            switch try await c.unlockLogin(body: .json(.init(account: account))) {
            case .ok(let ok): return .success(try ok.body.json.cleared)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }
}

/// F4 Auditoria on the staff member's first screen (counter search, back-office queue), for a
/// supervisor only: the server refuses the others anyway.
enum SupervisionEntry {
    static func actions(_ app: AppState?) -> [Action] {
        guard case .staff(_, _, .supervisor?, _) = app?.session else { return [] }
        return [
            Action(Command(.function(4), "Auditoria", help: "Supervisão: trilha de auditoria e acessos bloqueados")) {
                [.push(AuditScreen())]
            }
        ]
    }
}

/// The webhooks' deliveries (issue 31).
extension Calls {
    typealias Deliveries = Components.Schemas.EntregasIntegracao

    static func deliveries(_ c: Client) async -> Result<Deliveries, APIFailure> {
        await run {
            switch try await c.listIntegrationDeliveries() {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func decide(
        _ c: Client, webhook: String, eventId: Int64, _ decision: Components.Schemas.DecisaoEntrega.DecisionPayload
    ) async -> Result<Void, APIFailure> {
        await run {
            switch try await c.decideIntegrationDelivery(path: .init(webhook: webhook, eventId: eventId), body: .json(.init(decision: decision))) {
            case .noContent: return .success(())
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }
}
