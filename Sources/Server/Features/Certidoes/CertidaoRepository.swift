import Domain
import SQLKit

/// Certidões as issued, by id or by verification code (the unique `code`).
struct CertidaoRepository: Sendable {
    let store: any Store

    struct Issued {
        var code: String
        var address: String
        var matricula: String
        var kind: CertidaoKind
        var issuedOn: CivilDate
        var validUntil: CivilDate
        var holderName: String
        var holderDocument: String
    }

    func certidao(id: Int64) async throws -> Issued? { try await find("id = \(bind: id)") }
    func certidao(code: String) async throws -> Issued? { try await find("code = \(bind: code)") }

    private func find(_ condition: SQLQueryString) async throws -> Issued? {
        try await store.read { db in
            var sql: SQLQueryString =
                "SELECT code, matricula, kind, issued_on, valid_until, holder_name, holder_document, address FROM certidoes WHERE "
            sql.appendInterpolation(condition)
            guard let r = try await db.raw(sql).first() else { return nil }
            guard let kind = CertidaoKind(rawValue: try r.decode(column: "kind", as: String.self)),
                let issued = CivilDate(iso: try r.decode(column: "issued_on", as: String.self)),
                let until = CivilDate(iso: try r.decode(column: "valid_until", as: String.self))
            else { throw StorageError.corrupt("certidao") }
            return Issued(
                code: try r.decode(column: "code", as: String.self), address: try r.decode(column: "address", as: String.self),
                matricula: try r.decode(column: "matricula", as: String.self),
                kind: kind,
                issuedOn: issued, validUntil: until, holderName: try r.decode(column: "holder_name", as: String.self),
                holderDocument: try r.decode(column: "holder_document", as: String.self))
        }
    }
}
