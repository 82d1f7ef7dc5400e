import Domain
import Foundation
import SQLKit

/// `agencia-server carga PACOTE [--simular]` (issue 30, DECISIONS 93): an interchange package
/// into the agência's database. The package is checked whole first (`InterchangePackage.open`);
/// then each file is read once, streamed, in batches, in the order of what refers to what: each
/// batch's rows are checked (a row with a fault is set aside with its reasons; a reference must
/// name a property or customer already applied) and the rest applied, upserting by natural key
/// (the keys of properties and customers are kept for a complete package's "missing"). Each batch
/// commits with the cursor (file, line, counts) in `batch_runs`, under the `carga` lease: a load
/// killed half-way continues where it stopped, a second loader is refused while one runs, and a
/// package already applied (the same files' SHA-256) changes nothing.
public enum InterchangeLoad {
    /// What a load did to one file's records.
    public struct Counts: Codable, Sendable, Equatable {
        public var inseridos = 0
        public var atualizados = 0
        public var inalterados = 0
        public var inativados = 0
        public var separados = 0
        /// Records the agência has no use for (a payment of a guia, one not classified…).
        public var ignorados = 0

        static func + (a: Counts, b: Counts) -> Counts {
            Counts(
                inseridos: a.inseridos + b.inseridos, atualizados: a.atualizados + b.atualizados, inalterados: a.inalterados + b.inalterados,
                inativados: a.inativados + b.inativados, separados: a.separados + b.separados, ignorados: a.ignorados + b.ignorados)
        }
    }

    /// A row set aside: where it is and why.
    public struct SetAside: Codable, Sendable, Equatable, CustomStringConvertible {
        public var arquivo: String
        public var linha: Int
        public var chave: String?
        public var motivos: [String]
        public var description: String { "\(arquivo), linha \(linha)\(chave.map { " (\($0))" } ?? ""): \(motivos.joined(separator: "; "))" }
    }

    public struct Report: Codable, Sendable, CustomStringConvertible {
        public var pacote: String
        public var impressao: String
        public var modo: String
        public var simulacao: Bool
        public var arquivos: [String: Counts]
        public var separados: [SetAside]
        /// Properties whose holder changed (their customers' sessions ended).
        public var titularesTrocados: Int
        public var certidoesRevogadas: Int
        /// What the back office must look at (a held bill the source changed, a statement voided).
        public var avisos: [String]
        public var segundos: Double

        public var description: String {
            var s = simulacao ? "Simulação da carga (nada gravado): " : "Carga aplicada: "
            s += "pacote \(modo) \(pacote) em \(String(format: "%.1f", segundos)) s\n"
            let header = ["arquivo", "inseridos", "atualizados", "inalterados", "inativados", "separados", "ignorados"]
            s += header.map { $0.padding(toLength: $0 == "arquivo" ? 16 : 12, withPad: " ", startingAt: 0) }.joined() + "\n"
            for f in Interchange.files {
                guard let c = arquivos[f.name] else { continue }
                s += f.name.padding(toLength: 16, withPad: " ", startingAt: 0)
                s += [c.inseridos, c.atualizados, c.inalterados, c.inativados, c.separados, c.ignorados]
                    .map { String($0).padding(toLength: 12, withPad: " ", startingAt: 0) }.joined() + "\n"
            }
            if titularesTrocados > 0 { s += "Imóveis com titular trocado: \(titularesTrocados) (sessões desses clientes encerradas).\n" }
            if !avisos.isEmpty {
                s += "Avisos para a retaguarda (também na auditoria, ação \(InterchangeLoad.noticeAction)):\n"
                for a in avisos.prefix(20) { s += "  \(a)\n" }
                if avisos.count > 20 { s += "  … e mais \(avisos.count - 20): veja o relatório JSON.\n" }
            }
            if certidoesRevogadas > 0 { s += "Certidões revogadas pela regra (débitos que a carga revelou): \(certidoesRevogadas).\n" }
            if !separados.isEmpty {
                s += "Linhas separadas (\(separados.count)):\n"
                for r in separados.prefix(50) { s += "  \(r)\n" }
                if separados.count > 50 { s += "  … e mais \(separados.count - 50): veja o relatório JSON.\n" }
            }
            return s
        }
    }

    public struct AlreadyApplied: Error, CustomStringConvertible {
        public var description: String { "Este pacote (os mesmos arquivos) já foi aplicado: nada mudou." }
    }

    public struct Progress: Sendable {
        public var phase: String
        public var file: String
        public var done: Int
        public var total: Int
        public var perSecond: Double
    }

    /// Checks and applies the package in `folder` (`simulate`: everything but the writes).
    public static func run(
        configuration: ServerConfiguration, folder: String, simulate: Bool, batchSize: Int = 2_000,
        progress: @escaping @Sendable (Progress) -> Void = { _ in }, clock: @escaping @Sendable () -> Date = ServerClock.system
    ) async throws -> Report {
        let package = try InterchangePackage.open(folder)
        guard package.matriculaRule == configuration.matriculaRule else {
            throw InterchangePackage.Refused(
                "O pacote confere a matrícula pela regra \(package.manifest.regraDvMatricula) e esta agência usa \(configuration.matriculaRule.rawValue) "
                    + "(server.matriculaRule): as matrículas não seriam as mesmas.")
        }
        return try await AdminStore.run(configuration, clock: clock) { store in
            let loader = Loader(
                store: store, package: package, rule: configuration.matriculaRule, timeZone: configuration.timeZone, simulate: simulate,
                batchSize: batchSize, progress: progress, clock: clock)
            return try await loader.run()
        }
    }

    /// The order files are applied in: what a row refers to is applied before it.
    static let applyOrder = ["clientes.csv", "imoveis.csv", "vinculos.csv", "leituras.csv", "contas.csv", "pagamentos.csv", "debitos.csv"]
    /// The files whose keys a load keeps (`interchange_keys`): a key repeated in a later batch, and
    /// a complete package's "missing".
    static let referenced = ["imoveis.csv", "clientes.csv"]
    /// The holder of a property with no link in force in the source.
    static let noHolder = (documento: CustomerKey.prefix, nome: "(sem titular na origem)")
    static let leaseName = "carga"
    /// Who the audit trail says did what a load did, and the action of its notices.
    static let actor = "carga"
    static let noticeAction = "carga_aviso"
    /// The source's words on a bill whose only payments it has not classified (`em_revisao`).
    static let paymentUnderReview = "pagamento em análise na concessionária"

    /// Where a load is: persisted with each batch (`batch_runs.cursor`).
    struct Cursor: Codable {
        var fingerprint: String
        var loadId: Int64
        /// 1 applying, 2 finishing.
        var phase: Int
        var file: String
        var line: Int
        var counts: [String: Counts]
        var holders: Int
    }
}

/// One load's run.
final class Loader: @unchecked Sendable {
    typealias Row = (line: Int, row: [String: String])
    typealias Counts = InterchangeLoad.Counts

    let store: any Store
    let package: InterchangePackage
    let rule: MatriculaRule
    let timeZone: String
    let simulate: Bool
    let batchSize: Int
    let progress: @Sendable (InterchangeLoad.Progress) -> Void
    let clock: @Sendable () -> Date
    let lease: BatchLease
    let today: CivilDate
    var cursor: InterchangeLoad.Cursor
    /// A simulation's rows set aside while applying (its writes are rolled back).
    var lateSetAside: [InterchangeLoad.SetAside] = []
    var lateNotices: [String] = []
    /// A simulation's one transaction, while it applies.
    var simulation: (any SQLDatabase)?
    /// What the end of a complete package inactivated: properties, customers, holders changed.
    var inactivation = (0, 0, 0)

    init(
        store: any Store, package: InterchangePackage, rule: MatriculaRule, timeZone: String, simulate: Bool, batchSize: Int,
        progress: @escaping @Sendable (InterchangeLoad.Progress) -> Void, clock: @escaping @Sendable () -> Date
    ) {
        self.store = store
        self.package = package
        self.rule = rule
        self.timeZone = timeZone
        self.simulate = simulate
        self.batchSize = batchSize
        self.progress = progress
        self.clock = clock
        lease = BatchLease(store: store, name: InterchangeLoad.leaseName, holder: BatchLease.holderHere(), seconds: 600)
        today = LocalCalendar.today(clock(), timeZone: timeZone)
        cursor = .init(fingerprint: package.fingerprint, loadId: 0, phase: 1, file: "", line: 0, counts: [:], holders: 0)
    }

    var now: Int64 { Int64(clock().timeIntervalSince1970) }

    func run() async throws -> InterchangeLoad.Report {
        let started = clock()
        let saved = try await lease.acquire(now: now).flatMap { try? JSONDecoder().decode(InterchangeLoad.Cursor.self, from: Data($0.utf8)) }
        do {
            // (A cursor of phase 0 was left by a version that checked every file before applying
            // any: nothing of it was applied, so the load starts again.)
            if let saved, saved.fingerprint == package.fingerprint, saved.phase >= 1, !simulate {
                cursor = saved
            } else {
                if saved != nil, simulate {
                    throw InterchangePackage.Refused("Uma carga parou no meio: rode-a de novo até o fim antes de simular outra.")
                }
                try await start()
            }
            // Every file of the package has its line in the summary, an empty one too.
            for name in package.headers.keys where cursor.counts[name] == nil { cursor.counts[name] = Counts() }
            if simulate {
                // A simulation applies in one transaction and rolls it back at the end: each
                // file sees the rows of the files before it, and nothing stays.
                struct Done: Error {}
                do {
                    try await store.write { db in
                        self.simulation = db
                        try await self.walk()
                        self.inactivation = try await self.inactivate(db: db)
                        throw Done()
                    }
                } catch is Done {}
                simulation = nil
            } else {
                if cursor.phase <= 1 { try await walk() }
                cursor.phase = 2
                inactivation = try await store.write { db in try await self.inactivate(db: db) }
            }
            return try await finish(seconds: { self.clock().timeIntervalSince(started) })
        } catch {
            simulation = nil
            try? await lease.release()
            throw error
        }
    }

    /// Every file of the package in the order of what refers to what, from where the cursor
    /// stands.
    func walk() async throws {
        let order = InterchangeLoad.applyOrder
        for name in order {
            guard let file = Interchange.files.first(where: { $0.name == name }), package.headers[name] != nil else { continue }
            if !cursor.file.isEmpty, order.firstIndex(of: name) ?? 0 < order.firstIndex(of: cursor.file) ?? 0 { continue }
            try await walk(file)
        }
        cursor.phase = 2
        cursor.file = ""
        cursor.line = 0
    }

    /// A complete package's "missing": inactive (`Context.inactivateMissing`); nothing for an
    /// incremental one.
    func inactivate(db: any SQLDatabase) async throws -> (Int, Int, Int) {
        guard package.mode == .completo else { return (0, 0, 0) }
        return try await Context(loader: self).inactivateMissing(db: db, loadId: cursor.loadId)
    }

    /// A new load: not one already applied; the last one's leftovers cleared.
    func start() async throws {
        let (fingerprint, mode, now, simulate) = (package.fingerprint, package.mode.rawValue, now, simulate)
        cursor.loadId = try await store.write { db in
            if try await db.raw(
                "SELECT id FROM interchange_loads WHERE fingerprint = \(bind: fingerprint) AND finished_at IS NOT NULL"
            ).first() != nil {
                throw InterchangeLoad.AlreadyApplied()
            }
            try await db.raw("DELETE FROM interchange_keys").run()
            try await db.raw("DELETE FROM interchange_set_aside").run()
            guard !simulate else { return 0 }
            return try await db.raw(
                "INSERT INTO interchange_loads (fingerprint, modo, started_at) VALUES (\(bind: fingerprint), \(bind: mode), \(bind: now)) RETURNING id"
            ).first()?.decode(column: "id", as: Int64.self) ?? 0
        }
    }

    /// One file, in batches from where the cursor stands. The next batch is read and screened
    /// on another thread while one is applied (the database works meanwhile: DECISIONS 93).
    func walk(_ file: Interchange.File) async throws {
        let reader = BatchReader(rows: try package.rows(file), skip: cursor.file == file.name ? cursor.line : 0, size: batchSize)
        let total = package.manifest.arquivos.first { $0.nome == file.name }?.registros ?? 0
        let started = clock()
        var done = 0
        let read = { @Sendable [self] in
            let (rows, skipped) = try reader.next()
            return (rows, skipped, self.screen(file, rows))
        }
        var next = Task(operation: read)
        while true {
            let (batch, skipped, screened) = try await next.value
            done += skipped
            guard !batch.isEmpty else { break }
            next = Task(operation: read)
            try await apply(file, batch, screened)
            done += batch.count
            let seconds = max(0.001, clock().timeIntervalSince(started))
            progress(.init(phase: "aplicando", file: file.name, done: done, total: total, perSecond: Double(done) / seconds))
        }
    }

    /// Commits a batch's work with the cursor after its last line (the counts and holders changed
    /// so far ride in it). A simulation keeps no cursor (it cannot be resumed), and applies in
    /// its one transaction (`simulation`).
    func commit(
        _ file: String, lastLine: Int, _ work: @escaping @Sendable (any SQLDatabase) async throws -> (Counts, holders: Int)
    ) async throws {
        var next = cursor
        next.file = file
        next.line = lastLine
        let (simulate, lease, now, before) = (simulate, lease, now, next)
        @Sendable func add(_ c: Counts, _ h: Int, to cursor: inout InterchangeLoad.Cursor) {
            cursor.counts[file, default: Counts()] = cursor.counts[file, default: Counts()] + c
            cursor.holders += h
        }
        let started = ContinuousClock.now
        let (counts, holders) =
            if let db = simulation {
                try await work(db)
            } else {
                try await store.write { db in
                    let (counts, holders) = try await work(db)
                    var advanced = before
                    add(counts, holders, to: &advanced)
                    if !simulate {
                        try await lease.advance(cursor: String(decoding: try JSONEncoder().encode(advanced), as: UTF8.self), now: now, db: db)
                    }
                    return (counts, holders)
                }
            }
        add(counts, holders, to: &next)
        cursor = next
        if store.engine == .sqlite, simulation == nil {
            // SQLite has one writer and no queue: a loader committing back to back would keep
            // the server's own writes (a login, a payment) waiting. It leaves the writer free a
            // quarter of the time (DECISIONS 93).
            try await Task.sleep(for: min(.milliseconds(50), (ContinuousClock.now - started) / 4))
        }
    }

    // MARK: Checking

    /// A row's natural key as the agência keeps it (a matrícula without its punctuation).
    func key(_ file: String, _ row: [String: String]) -> String? {
        switch file {
        case "imoveis.csv": return matricula(row["matricula"])
        case "clientes.csv": return row["codigo_cliente"]
        case "contas.csv": return row["id_conta"]
        case "pagamentos.csv": return row["id_pagamento"]
        case "debitos.csv": return row["id_debito"]
        case "leituras.csv": return [matricula(row["matricula"]) ?? "", row["referencia"] ?? "", row["ponto"] ?? ""].joined(separator: " ")
        default: return [matricula(row["matricula"]) ?? "", row["codigo_cliente"] ?? "", row["tipo"] ?? "", row["inicio"] ?? ""].joined(separator: " ")
        }
    }

    func matricula(_ printed: String?) -> String? { printed.flatMap { Matricula(parsing: $0, rule: rule)?.normalized } }

    /// A batch's faults its rows show alone: the reasons by line, and each row's natural key.
    func screen(_ file: Interchange.File, _ rows: [Row]) -> (reasons: [Int: [String]], keys: [Int: String]) {
        var reasons: [Int: [String]] = [:]
        var keys: [Int: String] = [:]
        var seen: Set<String> = []
        for r in rows {
            var found = Interchange.problems(r.row, in: file, mode: package.mode, rule: rule)
            if found.isEmpty, file.name != "imoveis.csv", let m = r.row["matricula"], !m.isEmpty, matricula(m) == nil {
                found.append("matricula: dígito verificador não confere (regra \(rule.rawValue))")
            }
            if found.isEmpty, file.name == "imoveis.csv" {
                // What the agência cannot represent: set aside here, before anything refers to it.
                if InterchangeMapping.ligacao(r.row["situacao_agua"] ?? "") == nil {
                    found.append("situacao_agua: \"\(r.row["situacao_agua"] ?? "")\" não tem correspondente na agência")
                }
                if InterchangeMapping.categoria(r.row["categoria_principal"] ?? "", tarifaSocial: r.row["tarifa_social"] == "true") == nil {
                    found.append("categoria_principal: \"\(r.row["categoria_principal"] ?? "")\" não tem tarifa na agência")
                }
            }
            if found.isEmpty, let k = key(file.name, r.row), !seen.insert(k).inserted {
                found.append("chave repetida no arquivo (\(file.key.joined(separator: ", ")))")
            }
            keys[r.line] = key(file.name, r.row)
            if !found.isEmpty { reasons[r.line] = found }
        }
        return (reasons, keys)
    }

    /// The faults only the database tells: a key an earlier batch of the file already had, a
    /// reference to a property or customer neither applied before nor already loaded (the files
    /// are applied in the order of what refers to what). The keys of properties and customers
    /// are kept (`interchange_keys`) for a complete package's "missing".
    static func references(
        _ db: any SQLDatabase, _ name: String, _ rows: [Row], keys: [Int: String], reasons: inout [Int: [String]], rule: MatriculaRule
    ) async throws {
        if InterchangeLoad.referenced.contains(name) {
            let accepted = rows.filter { reasons[$0.line] == nil }.compactMap { keys[$0.line] }
            guard !accepted.isEmpty else { return }
            let taken = try await existing(db, "SELECT chave AS k FROM interchange_keys WHERE arquivo = \(bind: name) AND chave IN", accepted)
            for r in rows where reasons[r.line] == nil && keys[r.line].map(taken.contains) == true {
                reasons[r.line] = ["chave repetida no arquivo"]
            }
            try await BulkTable.insert(
                db, "interchange_keys", ["arquivo", "chave"],
                rows.filter { reasons[$0.line] == nil }.compactMap { keys[$0.line] }.map { [name, $0] }, conflict: nil)
            return
        }
        var wanted: [(line: Int, file: String, key: String, column: String)] = []
        for r in rows where reasons[r.line] == nil {
            if let m = r.row["matricula"].flatMap({ Matricula(parsing: $0, rule: rule)?.normalized }) {
                wanted.append((r.line, "imoveis.csv", m, "matricula"))
            }
            if name == "vinculos.csv", let c = r.row["codigo_cliente"] { wanted.append((r.line, "clientes.csv", c, "codigo_cliente")) }
        }
        for target in Set(wanted.map(\.file)) {
            let refs = Array(Set(wanted.filter { $0.file == target }.map(\.key)))
            let live =
                target == "imoveis.csv"
                ? try await existing(db, "SELECT matricula AS k FROM properties WHERE matricula IN", refs)
                : try await existing(db, "SELECT codigo_origem AS k FROM customers WHERE codigo_origem IN", refs)
            for w in wanted where w.file == target && !live.contains(w.key) {
                reasons[w.line, default: []].append(
                    "\(w.column): \(target == "imoveis.csv" ? "imóvel" : "cliente") desconhecido (nem no pacote nem já carregado)")
            }
        }
    }

    /// The values of `column` among `keys` that a query (`… IN`) finds, in chunks.
    static func existing(_ db: any SQLDatabase, _ prefix: SQLQueryString, _ keys: [String]) async throws -> Set<String> {
        var found: Set<String> = []
        var start = 0
        while start < keys.count {
            let chunk = keys[start..<min(keys.count, start + 900)]
            var sql = prefix
            sql.appendLiteral(" (")
            for (i, k) in chunk.enumerated() {
                if i > 0 { sql.appendLiteral(", ") }
                sql.appendInterpolation(bind: k)
            }
            sql.appendLiteral(")")
            for row in try await db.raw(sql).all() { found.insert(try row.decode(column: "k", as: String.self)) }
            start += 900
        }
        return found
    }

    // MARK: Applying

    func apply(_ file: Interchange.File, _ rows: [Row], _ screened: (reasons: [Int: [String]], keys: [Int: String])) async throws {
        let name = file.name
        let (found, keys) = screened
        let (ctx, late, rule) = (Context(loader: self), LateBox(), rule)
        try await commit(name, lastLine: rows.last?.line ?? 0) { db in
            var reasons = found
            try await Self.references(db, name, rows, keys: keys, reasons: &reasons, rule: rule)
            var result = try await ctx.apply(name, rows.filter { reasons[$0.line] == nil }, db: db)
            let setAside =
                reasons.sorted { $0.key < $1.key }.map { InterchangeLoad.SetAside(arquivo: name, linha: $0.key, chave: keys[$0.key], motivos: $0.value) }
                + result.setAside
            if !setAside.isEmpty {
                try await BulkTable.insert(
                    db, "interchange_set_aside", ["arquivo", "linha", "chave", "motivos"],
                    setAside.map { [name, $0.linha, $0.chave, $0.motivos.joined(separator: "; ")] }, conflict: "arquivo, linha")
                result.counts.separados += setAside.count
            }
            late.set(setAside, notices: result.notices)
            return (result.counts, result.holders)
        }
        if simulate {
            lateSetAside += late.rows
            lateNotices += late.notices
        }
    }

    // MARK: Finishing

    func finish(seconds: @escaping @Sendable () -> Double) async throws -> InterchangeLoad.Report {
        var counts = cursor.counts
        counts["imoveis.csv", default: Counts()].inativados += inactivation.0
        counts["clientes.csv", default: Counts()].inativados += inactivation.1
        let holders = cursor.holders + inactivation.2
        var revoked = 0
        if !simulate {
            let appClock = AppClock(now: clock, timeZone: timeZone)
            let audit = AuditLog(store: store, clock: appClock)
            revoked = try await CertidaoReview(certidoes: CertidaoRepository(store: store), bills: BillRepository(store: store), audit: audit)
                .run(today: appClock.today, calendar: appClock.calendar, now: now)
        }
        let loadId = cursor.loadId
        let notices = try await store.read { db in
            try await db.raw(
                """
                SELECT a.matricula, a.detail FROM audit_log a JOIN interchange_loads l ON l.id = \(bind: loadId)
                WHERE a.staff_usuario = \(bind: InterchangeLoad.actor) AND a.action = \(bind: InterchangeLoad.noticeAction) AND a.at >= l.started_at
                ORDER BY a.id
                """
            ).all().map { "\(try $0.decode(column: "matricula", as: String.self)): \(try $0.decode(column: "detail", as: String.self))" }
        }
        let setAside = try await store.read { db in
            try await db.raw("SELECT arquivo, linha, chave, motivos FROM interchange_set_aside ORDER BY arquivo, linha").all().map {
                InterchangeLoad.SetAside(
                    arquivo: try $0.decode(column: "arquivo", as: String.self), linha: try $0.decode(column: "linha", as: Int.self),
                    chave: try $0.decode(column: "chave", as: String?.self),
                    motivos: try $0.decode(column: "motivos", as: String.self).components(separatedBy: "; "))
            }
        }
        let report = InterchangeLoad.Report(
            pacote: package.folder, impressao: package.fingerprint, modo: package.mode.rawValue, simulacao: simulate, arquivos: counts,
            separados: (setAside + lateSetAside).sorted { ($0.arquivo, $0.linha) < ($1.arquivo, $1.linha) }, titularesTrocados: holders,
            certidoesRevogadas: revoked, avisos: notices + lateNotices, segundos: seconds())
        let (now, simulate) = (now, simulate)
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        try await store.write { db in
            try await db.raw("DELETE FROM interchange_keys").run()
            try await db.raw("DELETE FROM interchange_set_aside").run()
            if !simulate {
                try await db.raw("UPDATE interchange_loads SET finished_at = \(bind: now), report = \(bind: json) WHERE id = \(bind: loadId)").run()
            }
        }
        if simulate {
            try await lease.release()
        } else {
            _ = try await lease.advance(cursor: nil, finished: true, now: now)
        }
        return report
    }
}

/// A file's rows a batch at a time, past the lines a resumed load already applied. One batch is
/// read at a time (`Loader.walk` waits for each before asking for the next).
final class BatchReader: @unchecked Sendable {
    let rows: InterchangePackage.Rows
    let skip: Int
    let size: Int

    init(rows: InterchangePackage.Rows, skip: Int, size: Int) {
        self.rows = rows
        self.skip = skip
        self.size = size
    }

    /// The next batch (empty at the end) and how many lines were skipped before it.
    func next() throws -> (rows: [Loader.Row], skipped: Int) {
        var batch: [Loader.Row] = []
        var skipped = 0
        batch.reserveCapacity(size)
        while batch.count < size, let r = try rows.next() {
            if r.line <= skip { skipped += 1 } else { batch.append(r) }
        }
        return (batch, skipped)
    }
}

/// What a simulated batch set aside, carried out of its rolled-back transaction.
final class LateBox: @unchecked Sendable {
    var rows: [InterchangeLoad.SetAside] = []
    var notices: [String] = []
    func set(_ r: [InterchangeLoad.SetAside], notices n: [String]) {
        rows = r
        notices = n
    }
}
