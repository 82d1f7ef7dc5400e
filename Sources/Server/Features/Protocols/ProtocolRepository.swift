import Domain
import Foundation
import SQLKit

/// Protocols (issue 11): the units and types catalogue, gap-free numbers per year and the
/// protocols with their steps. Served by the primary keys, `protocols_queue`,
/// `protocols_requester`, `protocols_matricula` and `protocol_steps_number`.
struct ProtocolRepository: Sendable {
    let store: any Store

    // MARK: Catalogue

    /// Adds or replaces units and types (types after units, in one transaction: all or nothing).
    func storeCatalogue(units: [Unit], types: [ProtocolType], now: Int64) async throws {
        try await store.write { db in
            for u in units {
                try await db.raw(
                    """
                    INSERT INTO units (code, name, active) VALUES (\(bind: u.code), \(bind: u.name), 1)
                    ON CONFLICT (code) DO UPDATE SET name = excluded.name, active = 1
                    """
                ).run()
            }
            for t in types {
                try await db.raw(
                    """
                    INSERT INTO protocol_types (code, name, description, default_unit, deadline_days, public, active, imported_at)
                    VALUES (\(bind: t.code), \(bind: t.name), \(bind: t.description), \(bind: t.defaultUnit), \(bind: t.deadlineDays),
                            \(bind: t.isPublic ? 1 : 0), 1, \(bind: now))
                    ON CONFLICT (code) DO UPDATE SET name = excluded.name, description = excluded.description,
                      default_unit = excluded.default_unit, deadline_days = excluded.deadline_days, public = excluded.public,
                      active = 1, imported_at = excluded.imported_at
                    """
                ).run()
            }
        }
    }

    func units() async throws -> [Unit] {
        try await store.read { db in
            try await db.raw("SELECT code, name FROM units WHERE active = 1 ORDER BY name").all().map {
                Unit(code: try $0.decode(column: "code", as: String.self), name: try $0.decode(column: "name", as: String.self))
            }
        }
    }

    func types() async throws -> [ProtocolType] {
        try await store.read { db in
            try await db.raw(
                "SELECT code, name, description, default_unit, deadline_days, public FROM protocol_types WHERE active = 1 ORDER BY name"
            ).all().map {
                ProtocolType(
                    code: try $0.decode(column: "code", as: String.self), name: try $0.decode(column: "name", as: String.self),
                    description: try $0.decode(column: "description", as: String.self),
                    defaultUnit: try $0.decode(column: "default_unit", as: String.self),
                    deadlineDays: try $0.decode(column: "deadline_days", as: Int?.self),
                    isPublic: try $0.decode(column: "public", as: Int.self) != 0)
            }
        }
    }
}
