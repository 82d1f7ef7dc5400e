import Domain
import Foundation
import SQLKit

/// A tariff table as stored, with where it came from.
struct StoredTariff: Sendable {
    var table: TariffTable
    var source: String
}

/// Tariff tables, versioned by validity date (DECISIONS 25). Served by `tariff_tables_version`
/// and the bands' primary key.
struct TariffRepository: Sendable {
    let store: any Store

    /// The table in force on `date` for each category (the newest `valid_from` not after it), or
    /// for one category.
    func tariffs(inForceOn date: CivilDate, categoria: Categoria? = nil) async throws -> [StoredTariff] {
        // Two queries whatever the number of tables: the tables in force, then all their bands.
        let newest = SQLQueryString(
            """
            t.valid_from = (SELECT MAX(v.valid_from) FROM tariff_tables v
                            WHERE v.categoria = t.categoria AND v.valid_from <= \(bind: date.iso))
            """)
        let inForce = categoria.map { newest + " AND t.categoria = \(bind: $0.rawValue)" } ?? newest
        return try await store.read { db in
            let tables = try await db.raw(
                """
                SELECT t.id, t.categoria, t.valid_from, t.minimum_m3, t.minimum_cents, t.minimum_discount_percent,
                       t.sewage_percent, t.source
                FROM tariff_tables t WHERE \(inForce)
                """
            ).all()
            var bands: [Int64: [TariffTable.Band]] = [:]
            for b in try await db.raw(
                """
                SELECT b.table_id, b.up_to_m3, b.price_per_m3, b.discount_percent
                FROM tariff_bands b JOIN tariff_tables t ON t.id = b.table_id
                WHERE \(inForce) ORDER BY b.table_id, b.seq
                """
            ).all() {
                bands[try b.decode(column: "table_id", as: Int64.self), default: []].append(
                    TariffTable.Band(
                        upToM3: try b.decode(column: "up_to_m3", as: Int?.self),
                        pricePerM3: Decimal(plain: try b.decode(column: "price_per_m3", as: String.self)) ?? 0,
                        discountPercent: try b.decode(column: "discount_percent", as: Int.self)))
            }
            var out: [StoredTariff] = []
            for row in tables {
                guard let cat = Categoria(rawValue: try row.decode(column: "categoria", as: String.self)),
                    let from = CivilDate(iso: try row.decode(column: "valid_from", as: String.self))
                else { continue }
                out.append(
                    StoredTariff(
                        table: TariffTable(
                            categoria: cat, validFrom: from, minimumM3: try row.decode(column: "minimum_m3", as: Int.self),
                            minimumCents: try row.decode(column: "minimum_cents", as: Int64.self),
                            minimumDiscountPercent: try row.decode(column: "minimum_discount_percent", as: Int.self),
                            bands: bands[try row.decode(column: "id", as: Int64.self)] ?? [],
                            sewagePercent: try row.decode(column: "sewage_percent", as: Int.self)),
                        source: try row.decode(column: "source", as: String.self)))
            }
            return out.sorted {
                Categoria.allCases.firstIndex(of: $0.table.categoria)! < Categoria.allCases.firstIndex(of: $1.table.categoria)!
            }
        }
    }

    /// Stores tables in one transaction; a table with the same category and validity replaces
    /// the stored one. Returns how many were new.
    @discardableResult
    func storeTariffs(_ tariffs: [ImportedTariff], now: Int64) async throws -> Int {
        try await store.write { db in
            var created = 0
            for t in tariffs {
                let table = t.table
                let existing = try await db.raw(
                    "SELECT id FROM tariff_tables WHERE categoria = \(bind: table.categoria.rawValue) AND valid_from = \(bind: table.validFrom.iso)"
                ).first()?.decode(column: "id", as: Int64.self)
                let id: Int64
                if let existing {
                    id = existing
                    try await db.raw("DELETE FROM tariff_bands WHERE table_id = \(bind: id)").run()
                    try await db.raw(
                        """
                        UPDATE tariff_tables SET minimum_m3 = \(bind: table.minimumM3), minimum_cents = \(bind: table.minimumCents),
                          minimum_discount_percent = \(bind: table.minimumDiscountPercent), sewage_percent = \(bind: table.sewagePercent),
                          source = \(bind: t.source), imported_at = \(bind: now)
                        WHERE id = \(bind: id)
                        """
                    ).run()
                } else {
                    guard
                        let row = try await db.raw(
                            """
                            INSERT INTO tariff_tables (categoria, valid_from, minimum_m3, minimum_cents, minimum_discount_percent,
                              sewage_percent, source, imported_at)
                            VALUES (\(bind: table.categoria.rawValue), \(bind: table.validFrom.iso), \(bind: table.minimumM3),
                              \(bind: table.minimumCents), \(bind: table.minimumDiscountPercent), \(bind: table.sewagePercent),
                              \(bind: t.source), \(bind: now))
                            RETURNING id
                            """
                        ).first()
                    else { throw StorageError.corrupt("tariff_tables: no id returned") }
                    id = try row.decode(column: "id", as: Int64.self)
                    created += 1
                }
                for (k, band) in table.bands.enumerated() {
                    try await db.raw(
                        """
                        INSERT INTO tariff_bands (table_id, seq, up_to_m3, price_per_m3, discount_percent)
                        VALUES (\(bind: id), \(bind: k), \(bind: band.upToM3), \(bind: NSDecimalNumber(decimal: band.pricePerM3).stringValue),
                          \(bind: band.discountPercent))
                        """
                    ).run()
                }
            }
            return created
        }
    }
}
