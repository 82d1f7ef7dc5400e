import API
import Domain
import Foundation
import SQLKit

/// The supervisor's (DECISIONS 63): the staff's audit trail, filtered and paged, and the
/// accounts with failed logins, to unlock (audited).
struct SupervisionHandlers: Sendable {
    let audit: AuditLog
    let sessions: SessionRepository
    let authorization: Authorization
    let config: ServerConfiguration
    let clock: AppClock

    func listAudit(_ input: Operations.ListAudit.Input) async throws -> Operations.ListAudit.Output {
        _ = try await authorization.check(.staff())
        let q = input.query
        func day(_ text: String?, _ name: String) throws -> CivilDate? {
            guard let text else { return nil }
            guard let d = CivilDate(iso: text) else { throw APIError.invalid("Data inválida em \(name): use AAAA-MM-DD.") }
            return d
        }
        let from = try day(q.from, "from")
        let to = try day(q.to, "to")
        if let from, let to, to < from { throw APIError.invalid("O período termina antes de começar.") }
        func epoch(_ d: CivilDate) -> Int64 { Int64(LocalCalendar.instant(d, minute: 0, timeZone: clock.timeZone).timeIntervalSince1970) }
        let filter = AuditLog.Filter(
            staff: q.staff.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.flatMap { $0.isEmpty ? nil : $0 },
            matricula: q.matricula.map { $0.filter(\.isNumber) }.flatMap { $0.isEmpty ? nil : $0 },
            action: q.action.flatMap { $0.isEmpty ? nil : $0 }, from: from.map(epoch), until: to.map { epoch($0.adding(days: 1)) },
            before: q.before)
        let limit = min(200, max(1, q.limit ?? 50))
        let rows = try await audit.page(filter, limit: limit + 1)
        let items = rows.prefix(limit).map { e in
            S.AuditEntry(
                id: e.id, at: Date(timeIntervalSince1970: TimeInterval(e.at)), staff: e.staff, action: e.action, matricula: e.matricula,
                detail: e.detail, terminal: e.terminal, clientAddress: e.clientAddress)
        }
        return .ok(.init(body: .json(.init(items: Array(items), next: rows.count > limit ? items.last?.id : nil))))
    }

    func listLoginLocks(_ input: Operations.ListLoginLocks.Input) async throws -> Operations.ListLoginLocks.Output {
        _ = try await authorization.check(.staff())
        let now = clock.epochSeconds
        let window = Int64(config.attemptWindowSeconds)
        let items = try await sessions.accountAttempts(now: now, window: window).compactMap { a -> S.LoginLock? in
            let kind: S.LoginAccount.KindPayload = a.account.hasPrefix("m:") ? .matricula : .staff
            let locked = a.origin != nil && a.count >= config.maxFailuresPerAccount
            return S.LoginLock(
                account: .init(kind: kind, id: String(a.account.dropFirst(2))), origin: a.origin, failures: a.count,
                until: Date(timeIntervalSince1970: TimeInterval(a.windowStart + window)), locked: locked)
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func unlockLogin(_ input: Operations.UnlockLogin.Input) async throws -> Operations.UnlockLogin.Output {
        let grant = try await authorization.check(.staff())
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        let id: String
        switch body.account.kind {
        case .matricula:
            id = body.account.id.filter(\.isNumber)
            guard !id.isEmpty else { throw APIError.invalid("Informe a matrícula (só os números).") }
        case .staff:
            id = body.account.id.trimmingCharacters(in: .whitespaces).lowercased()
            guard !id.isEmpty else { throw APIError.invalid("Informe o usuário.") }
        }
        let account = (body.account.kind == .matricula ? "m:" : "s:") + id
        let cleared = try await sessions.clearAccount(account)
        let what = body.account.kind == .matricula ? "matrícula \(Matricula.display(id))" : "usuário \(id)"
        try await audit.record(
            grant.principal, "desbloquear_acesso", matricula: body.account.kind == .matricula ? id : nil,
            detail: "\(what): \(cleared) contador(es) zerado(s)")
        return .ok(.init(body: .json(.init(cleared: cleared))))
    }
}
