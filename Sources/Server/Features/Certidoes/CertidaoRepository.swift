import Domain
import SQLKit

/// Certidões as issued, by id or by verification code (the unique `code`), their revocation, and
/// the ones still in force (`certidoes_in_force`) for the rule that reviews them.
struct CertidaoRepository: Sendable {
    let store: any Store

    struct Issued {
        var id: Int64
        var code: String
        var address: String
        var matricula: String
        var kind: CertidaoKind
        var issuedOn: CivilDate
        var validUntil: CivilDate
        var holderName: String
        var holderDocument: String
        var revocation: Revocation?
    }

    struct Revocation: Equatable {
        /// Epoch seconds.
        var at: Int64
        /// The supervisor's login, or `CertidaoRepository.rule`.
        var by: String
        var reason: String
    }

    /// Who revokes a certidão found issued on false facts.
    static let rule = "regra"

    static let columns =
        "id, code, matricula, kind, issued_on, valid_until, holder_name, holder_document, address, revoked_at, revoked_by, revoked_reason"

    func certidao(id: Int64) async throws -> Issued? { try await find("id = \(bind: id)") }
    func certidao(code: String) async throws -> Issued? { try await find("code = \(bind: code)") }

    private func find(_ condition: SQLQueryString) async throws -> Issued? {
        try await store.read { db in
            var sql: SQLQueryString = "SELECT \(unsafeRaw: Self.columns) FROM certidoes WHERE "
            sql.appendInterpolation(condition)
            return try await db.raw(sql).first().map(Self.issued)
        }
    }

    static func issued(_ r: any SQLRow) throws -> Issued {
        guard let kind = CertidaoKind(rawValue: try r.decode(column: "kind", as: String.self)),
            let issued = CivilDate(iso: try r.decode(column: "issued_on", as: String.self)),
            let until = CivilDate(iso: try r.decode(column: "valid_until", as: String.self))
        else { throw StorageError.corrupt("certidao") }
        var revocation: Revocation?
        if let at = try r.optional("revoked_at", as: Int64.self) {
            revocation = Revocation(
                at: at, by: try r.optional("revoked_by", as: String.self) ?? "",
                reason: try r.optional("revoked_reason", as: String.self) ?? "")
        }
        return Issued(
            id: try r.decode(column: "id", as: Int64.self), code: try r.decode(column: "code", as: String.self),
            address: try r.decode(column: "address", as: String.self), matricula: try r.decode(column: "matricula", as: String.self),
            kind: kind, issuedOn: issued, validUntil: until, holderName: try r.decode(column: "holder_name", as: String.self),
            holderDocument: try r.decode(column: "holder_document", as: String.self), revocation: revocation)
    }

    /// Revokes the certidão `code` unless it already was (the first revocation stands: a retry
    /// or a second supervisor changes nothing). Returns it as it stands afterwards.
    func revoke(code: String, by: String, reason: String, now: Int64) async throws -> Issued? {
        try await store.write { db in
            try await db.raw(
                """
                UPDATE certidoes SET revoked_at = \(bind: now), revoked_by = \(bind: by), revoked_reason = \(bind: reason)
                WHERE code = \(bind: code) AND revoked_at IS NULL
                """
            ).run()
            return try await db.raw("SELECT \(unsafeRaw: Self.columns) FROM certidoes WHERE code = \(bind: code)").first().map(Self.issued)
        }
    }

    /// A page of the certidões in force on `today` (not revoked, not expired), by id after `after`.
    func inForce(today: CivilDate, after: Int64, limit: Int) async throws -> [Issued] {
        try await store.read { db in
            try await db.raw(
                """
                SELECT \(unsafeRaw: Self.columns) FROM certidoes
                WHERE revoked_at IS NULL AND valid_until >= \(bind: today.iso) AND id > \(bind: after)
                ORDER BY id LIMIT \(bind: limit)
                """
            ).all().map(Self.issued)
        }
    }
}
