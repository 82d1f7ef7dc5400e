import API
import Crypto
import Curl
import Domain
import Foundation
import Logging
import SQLKit

/// Administration from the command line: opens the configured database, applies the
/// migrations, runs `body` and closes it (PostgreSQL's client runs beside it).
enum AdminStore {
    static func run<T: Sendable>(
        _ configuration: ServerConfiguration, clock: @escaping @Sendable () -> Date = ServerClock.system,
        _ body: @escaping @Sendable (any Store) async throws -> T
    ) async throws -> T {
        let store = try await StoreFactory.open(configuration.database, logger: Logger(label: "agencia-server"))
        do {
            let result = try await withClientRunning(store) {
                try await Migrations.run(on: store, now: Int64(clock().timeIntervalSince1970))
                return try await body(store)
            }
            await store.shutdown()
            return result
        } catch {
            await store.shutdown()
            throw error
        }
    }

    /// Runs `body` with the store usable outside a server: PostgreSQL's client, which a server
    /// runs as a service, runs beside it (SQLite needs nothing).
    static func withClientRunning<T: Sendable>(_ store: any Store, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard let pg = store as? PostgresStore else { return try await body() }
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await pg.client.run()
                return nil
            }
            let result = try await body()
            group.cancelAll()
            return result
        }
    }
}

/// Staff accounts from the command line (`agencia-server staff add`): passwords hashed with
/// bcrypt, never stored or printed in clear.
public enum StaffAdmin {
    public static func upsert(
        configuration: ServerConfiguration, usuario: String, nome: String, senha: String, papel: StaffRole, unidade: String
    ) async throws {
        try await AdminStore.run(configuration) { store in
            let hash = Passwords.hash(senha)
            try await store.write { db in
                try await db.raw(
                    """
                    INSERT INTO staff (usuario, nome, senha_hash, papel, unidade, ativo)
                    VALUES (\(bind: usuario), \(bind: nome), \(bind: hash), \(bind: papel.rawValue), \(bind: unidade), 1)
                    ON CONFLICT (usuario) DO UPDATE SET nome = excluded.nome, senha_hash = excluded.senha_hash,
                      papel = excluded.papel, unidade = excluded.unidade, ativo = 1
                    """
                ).run()
            }
        }
    }
}

/// Tariff tables from a file (`agencia-server tariffs import FILE`): every line checked first,
/// then all tables stored in one transaction, or nothing.
public enum TariffAdmin {
    /// Returns a summary for the operator; throws `ImportFileError` (every problem with its line).
    public static func importFile(
        configuration: ServerConfiguration, path: String, dryRun: Bool, clock: @escaping @Sendable () -> Date = ServerClock.system
    ) async throws -> String {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ImportFileError(problems: [(0, "não foi possível ler \(path)")])
        }
        guard data.count <= 5_000_000 else { throw ImportFileError(problems: [(0, "arquivo grande demais (máximo 5 MB)")]) }
        let tables = try TariffFile.parse(data, name: path)
        let lines = tables.map { t in
            "  \(t.table.categoria.rawValue) desde \(t.table.validFrom.formatted): mínima \(Money(cents: t.table.minimumCents).formatted) até \(t.table.minimumM3) m³, \(t.table.bands.count) faixas, esgoto \(t.table.sewagePercent) % (\(t.source))"
        }
        if dryRun { return "\(tables.count) tabela(s) válidas; nada foi gravado (--dry-run):\n" + lines.joined(separator: "\n") }
        let created = try await AdminStore.run(configuration, clock: clock) { store in
            try await TariffRepository(store: store).storeTariffs(tables, now: Int64(clock().timeIntervalSince1970))
        }
        return "\(tables.count) tabela(s) importadas (\(created) novas, \(tables.count - created) substituídas):\n"
            + lines.joined(separator: "\n")
    }
}

/// Units and protocol types from files (`agencia-server units import`, `protocol-types import`):
/// all or nothing, every problem with its line.
public enum CatalogueAdmin {
    public enum Kind: Sendable { case units, protocolTypes, serviceTypes }

    public static func importFile(
        _ kind: Kind, configuration: ServerConfiguration, path: String, dryRun: Bool,
        clock: @escaping @Sendable () -> Date = ServerClock.system
    ) async throws -> String {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else {
            throw ImportFileError(problems: [(0, "não foi possível ler \(path)")])
        }
        guard data.count <= 5_000_000 else { throw ImportFileError(problems: [(0, "arquivo grande demais (máximo 5 MB)")]) }
        guard let text = String(data: data, encoding: .utf8) else { throw ImportFileError(problems: [(0, "o arquivo não está em UTF-8")]) }
        return try await AdminStore.run(configuration, clock: clock) { store in
            let repository = ProtocolRepository(store: store)
            let now = Int64(clock().timeIntervalSince1970)
            switch kind {
            case .units:
                let units = try ProtocolCatalogue.units(text)
                if !dryRun { try await repository.storeCatalogue(units: units, types: [], now: now) }
                return "\(units.count) unidade(s) \(dryRun ? "válidas; nada foi gravado (--dry-run)" : "importadas")."
            case .protocolTypes:
                let known = Set(try await repository.units().map(\.code))
                let types = try ProtocolCatalogue.types(text, units: known)
                if !dryRun { try await repository.storeCatalogue(units: [], types: types, now: now) }
                return "\(types.count) tipo(s) de protocolo \(dryRun ? "válidos; nada foi gravado (--dry-run)" : "importados")."
            case .serviceTypes:
                let known = Set(try await repository.units().map(\.code))
                let services = try ServiceCatalogue.types(text, units: known)
                if !dryRun { try await ServiceRepository(store: store).store(services, now: now) }
                return "\(services.count) serviço(s) \(dryRun ? "válidos; nada foi gravado (--dry-run)" : "importados")."
            }
        }
    }
}

/// `agencia-server certidao`: the seal's public key, and checking a seal offline.
public enum CertidaoAdmin {
    /// The public key (base64) of the configured or stored signing key.
    public static func publicKey(configuration: ServerConfiguration) async throws -> String {
        try await AdminStore.run(configuration) { store in
            try await CertidaoSeal.key(configured: configuration.certidaoSigningKey, store: store).publicKey.rawRepresentation
                .base64EncodedString()
        }
    }

    /// What the seal certifies, if it is intact under `publicKey` (base64); the error says why not.
    /// With `online` (the server's address, e.g. `https://agencia.exemplo.com.br`), the code is
    /// then checked there too: valid, expired or revoked (with the reason) today.
    public static func verify(_ text: String, publicKey: String, online: URL? = nil) async throws -> String {
        guard let raw = Data(base64Encoded: publicKey), let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else {
            throw CertidaoSeal.Problem.malformed
        }
        switch CertidaoSeal.verify(text, publicKey: key) {
        case .success(let f):
            let sealed = """
                Assinatura válida: emitida pela companhia e não alterada.
                Código: \(f.code)
                Certidão: \(f.kind)
                Matrícula: \(f.matricula) · titular \(f.holder) (\(f.holderDocument))
                Emitida em \(f.issuedOn), válida até \(f.validUntil)
                """
            guard let online else {
                return sealed + " (a validade na data de hoje e uma eventual revogação se conferem pelo código, on-line: --online).\n"
            }
            do {
                return sealed + "\n" + (try await onlineStatus(code: f.code, server: online))
            } catch let e as OnlineCheckFailed {
                throw OnlineCheckFailed(message: sealed + "\n" + e.message)
            }
        case .failure(let p): throw p
        }
    }

    /// The server's answer for `code` today, in one sentence; thrown when it is not good news, so
    /// that the command exits with 1.
    static func onlineStatus(code: String, server: URL) async throws -> String {
        var options = CurlTransport.Options()
        options.connectTimeout = .seconds(10)
        options.totalTimeout = .seconds(30)
        let client = Client(serverURL: server.appendingPathComponent("v1"), transport: CurlTransport(options: options))
        let answer: Components.Schemas.CertidaoVerification
        do {
            answer = try await client.verifyCertidao(body: .json(.init(code: code))).ok.body.json
        } catch {
            throw OnlineCheckFailed(message: "Conferência on-line em \(server.absoluteString) não respondeu: \(error)")
        }
        switch answer.status {
        case .valida: return "On-line: VÁLIDA hoje (até \(answer.validUntil.flatMap(CivilDate.init(iso:))?.formatted ?? "—"))."
        case .expirada:
            throw OnlineCheckFailed(
                message: "On-line: EXPIRADA (válida até \(answer.validUntil.flatMap(CivilDate.init(iso:))?.formatted ?? "—")).")
        case .revogada:
            throw OnlineCheckFailed(
                message:
                    "On-line: REVOGADA em \(answer.revokedOn.flatMap(CivilDate.init(iso:))?.formatted ?? "—"). Motivo: \(answer.revocationReason ?? "—")"
            )
        case .desconhecida: throw OnlineCheckFailed(message: "On-line: o servidor não conhece este código.")
        }
    }

    struct OnlineCheckFailed: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}
