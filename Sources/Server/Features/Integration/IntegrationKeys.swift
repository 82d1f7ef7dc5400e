import Foundation
import SQLKit

/// The API keys of the utility's source systems (issue 31): `agencia-server integracao chave
/// NOME` makes one and shows it once; only its SHA-256 is stored. A key is looked up in the
/// database on every request, with no cache, so a revocation holds at once on every instance.
public enum IntegrationKeys {
    /// What tells a key from a session token in `Authorization: Bearer`.
    static let prefix = "agi_"

    /// A key's name: what the source is called in the agência's records and steps.
    public static func isName(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 40 && s.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || "-_.".contains($0)) }
    }

    public struct Info: Sendable, Equatable {
        public var name: String
        public var createdAt: Int64
        public var revokedAt: Int64?
    }

    /// Makes a new live key named `name` and returns it (the only time it exists in clear).
    /// Refused when a live key has that name: revoke it first.
    public static func create(_ name: String, store: any Store, now: Int64) async throws -> String {
        guard isName(name) else { throw IntegrationKeyError.invalidName }
        let key = prefix + SessionToken.make()
        try await store.write { db in
            let live = try await db.raw("SELECT id FROM integration_keys WHERE name = \(bind: name) AND revoked_at IS NULL").first()
            guard live == nil else { throw IntegrationKeyError.exists(name) }
            try await db.raw(
                "INSERT INTO integration_keys (name, key_hash, created_at) VALUES (\(bind: name), \(bind: SessionToken.hash(key)), \(bind: now))"
            ).run()
        }
        return key
    }

    /// Revokes the live key named `name`; false when there is none.
    public static func revoke(_ name: String, store: any Store, now: Int64) async throws -> Bool {
        try await store.write { db in
            let live = try await db.raw("SELECT id FROM integration_keys WHERE name = \(bind: name) AND revoked_at IS NULL").first()
            guard live != nil else { return false }
            try await db.raw("UPDATE integration_keys SET revoked_at = \(bind: now) WHERE name = \(bind: name) AND revoked_at IS NULL").run()
            return true
        }
    }

    public static func list(store: any Store) async throws -> [Info] {
        try await store.read { db in
            try await db.raw("SELECT name, created_at, revoked_at FROM integration_keys ORDER BY name, created_at").all().map {
                Info(
                    name: try $0.decode(column: "name", as: String.self), createdAt: try $0.decode(column: "created_at", as: Int64.self),
                    revokedAt: try $0.decode(column: "revoked_at", as: Int64?.self))
            }
        }
    }

    /// The principal of a live key, read from the database (never from memory).
    static func principal(tokenHash: String, store: any Store) async throws -> Principal? {
        let name = try await store.read { db in
            try await db.raw("SELECT name FROM integration_keys WHERE key_hash = \(bind: tokenHash) AND revoked_at IS NULL").first()?
                .decode(column: "name", as: String.self)
        }
        return name.map { .integration(name: $0, tokenHash: tokenHash) }
    }
}

public enum IntegrationKeyError: Error, CustomStringConvertible {
    case invalidName
    case exists(String)

    public var description: String {
        switch self {
        case .invalidName: return "nome inválido: use letras minúsculas, dígitos, '-', '_' ou '.' (até 40)"
        case .exists(let n): return "já existe uma chave ativa chamada \(n): revogue-a antes (agencia-server integracao revogar \(n))"
        }
    }
}

/// `agencia-server integracao chave|revogar|chaves`.
public enum IntegrationAdmin {
    public static func createKey(configuration: ServerConfiguration, name: String) async throws -> String {
        try await AdminStore.run(configuration) { store in
            try await IntegrationKeys.create(name, store: store, now: Int64(ServerClock.system().timeIntervalSince1970))
        }
    }

    public static func revokeKey(configuration: ServerConfiguration, name: String) async throws -> Bool {
        try await AdminStore.run(configuration) { store in
            try await IntegrationKeys.revoke(name, store: store, now: Int64(ServerClock.system().timeIntervalSince1970))
        }
    }

    public static func keys(configuration: ServerConfiguration) async throws -> [IntegrationKeys.Info] {
        try await AdminStore.run(configuration) { store in try await IntegrationKeys.list(store: store) }
    }
}
