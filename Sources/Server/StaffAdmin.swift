import Foundation
import HummingbirdBcrypt
import Logging
import SQLKit

/// Staff accounts from the command line (`agencia-server staff add`): passwords hashed with
/// bcrypt, never stored or printed in clear.
public enum StaffAdmin {
    public static func upsert(
        configuration: ServerConfiguration, usuario: String, nome: String, senha: String, papel: String, unidade: String
    ) async throws {
        let logger = Logger(label: "agencia-server")
        let store = try await StoreFactory.open(configuration.database, logger: logger)
        let work: @Sendable () async throws -> Void = {
            try await Migrations.run(on: store)
            let hash = Bcrypt.hash(senha, cost: 12)
            try await store.write { db in
                try await db.raw(
                    """
                    INSERT INTO staff (usuario, nome, senha_hash, papel, unidade, ativo)
                    VALUES (\(bind: usuario), \(bind: nome), \(bind: hash), \(bind: papel), \(bind: unidade), 1)
                    ON CONFLICT (usuario) DO UPDATE SET nome = excluded.nome, senha_hash = excluded.senha_hash,
                      papel = excluded.papel, unidade = excluded.unidade, ativo = 1
                    """
                ).run()
            }
        }
        if let pg = store as? PostgresStore {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await pg.client.run() }
                try await work()
                group.cancelAll()
            }
        } else {
            try await work()
        }
        await store.shutdown()
    }
}
