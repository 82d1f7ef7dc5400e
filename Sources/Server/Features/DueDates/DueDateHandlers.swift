import API
import Domain
import Foundation

/// The due day and its change to one of the utility's days (PRODUCT.md D4, Lei 8.987/1995
/// art. 7º-A): from the next bill, with a minimum interval between changes; idempotent, audited.
struct DueDateHandlers: Sendable {
    let config: ServerConfiguration
    let dueDates: DueDateRepository
    let authorization: Authorization

    /// The current due day, the pre-approved days and whether a change is possible now.
    func getDueDate(_ input: Operations.GetDueDate.Input) async throws -> Operations.GetDueDate.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        let d = try await dueDates.dueDate(grant.matricula)
        let today = grant.today
        let policy = config.dueDates
        var reason: String?
        var allowed: CivilDate?
        if let last = d.last, case let from = policy.nextChangeAllowed(after: last.changedOn), today < from {
            allowed = from
            reason = DueDatePolicy.Problem.tooSoon(lastChange: last.changedOn, allowedFrom: from).description
        }
        let blocked = reason != nil
        return .ok(
            .init(
                body: .json(
                    .init(
                        currentDay: d.day, options: policy.days.sorted(), minIntervalMonths: policy.minIntervalMonths,
                        lastChange: d.last.map { view($0, grant.principal) }, nextChangeAllowedFrom: allowed?.iso,
                        canChange: !blocked, reason: reason,
                        nextBillCompetencia: (d.next ?? Competencia(year: today.year, month: today.month)!).iso))))
    }

    /// Moves the due day from the next bill on (recorded with who and when).
    func changeDueDate(_ input: Operations.ChangeDueDate.Input) async throws -> Operations.ChangeDueDate.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        let matricula = grant.matricula
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        let policy = config.dueDates
        let today = grant.today
        let claim = IdempotencyClaim(
            grant.principal, operation: "due_date", key: input.headers.idempotencyKey, path: [matricula], body: body)
        let staff = grant.staff?.usuario
        let result: (change: DueDateChange, next: Competencia?, replayed: Bool)
        do {
            result = try await dueDates.changeDueDay(
                matricula, to: body.day, claim: claim, channel: staff == nil ? .autoatendimento : .balcao, staff: staff, today: today,
                now: grant.now
            ) { current, last in
                try policy.check(current: current, requested: body.day, lastChange: last?.changedOn, today: today)
            }
        } catch let p as DueDatePolicy.Problem {
            if case .tooSoon = p { throw APIError.conflict(p.description) }
            throw APIError(status: .unprocessableContent, code: "invalid_day", message: p.description)
        }
        if !result.replayed {
            try await grant.record("alterar_vencimento", detail: "\(result.change.fromDay)→\(result.change.toDay)")
        }
        let next = result.next ?? Competencia(year: today.year, month: today.month)!
        return .ok(
            .init(
                headers: .init(idempotencyReplayed: result.replayed ? "true" : nil),
                body: .json(
                    .init(
                        day: result.change.toDay, previousDay: result.change.fromDay, competencia: next.iso,
                        firstDueOn: DueDatePolicy.firstDueDate(nextCompetencia: next, day: result.change.toDay).iso,
                        changedOn: result.change.changedOn.iso))))
    }

    /// A customer sees the change but not which attendant made it.
    private func view(_ c: DueDateChange, _ p: Principal) -> S.DueDateChangeRecord {
        S.DueDateChangeRecord(
            changedOn: c.changedOn.iso, fromDay: c.fromDay, toDay: c.toDay, channel: c.channel.rawValue,
            staff: p.staff != nil ? c.staff : nil)
    }
}
