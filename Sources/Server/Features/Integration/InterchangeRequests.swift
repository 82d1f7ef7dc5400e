import CSV
import Crypto
import Domain
import Foundation
import SQLKit

/// The requests' files (issue 31, GSAN.md §9.4), for a source that takes files rather than
/// webhooks or the feed: `solicitacoes.csv` goes out (`agencia-server integracao exportar`), and
/// `solicitacoes_retorno.csv` comes back (`agencia-server integracao retorno`). Neither belongs
/// to the data package: `carga` refuses them as unknown files.
extension Interchange {
    public static let requestsOut = File(
        name: "solicitacoes.csv", required: false, key: ["protocolo_agencia"],
        meaning: "Sai da agência: as solicitações abertas (uma linha por protocolo), na ordem dos eventos.",
        columns: [
            Column("protocolo_agencia", .required, .text(maxLength: 11), "O número do protocolo na agência, `2026/000123`."),
            Column("evento_id", .required, .integer(min: 1, max: Int.max), "O id do evento de abertura: a próxima exportação usa `--desde` com o maior."),
            Column("aberta_em", .required, .timestamp, ""),
            Column("canal", .required, .choice(["quiosque", "balcao", "retaguarda"]), "Onde foi aberta."),
            Column("tipo", .required, .identifier, "O tipo de protocolo da agência (o código do catálogo)."),
            Column("assunto", .required, .text(maxLength: 200), ""),
            Column("matricula", .optional, .identifier, "Vazia num pedido sem imóvel (ligação nova)."),
            Column("solicitante_cpf_cnpj", .optional, .document, "Vazio numa manifestação à ouvidoria (Lei 13.460/2017, art. 10 § 7)."),
            Column("solicitante_nome", .optional, .text(maxLength: 120), ""),
            Column("solicitante_telefone", .optional, .phone, ""),
            Column("solicitante_email", .optional, .email, ""),
            Column("descricao", .required, .text(maxLength: 4000), "O que o cliente escreveu."),
            Column("unidade", .required, .identifier, "A unidade da agência que tem o protocolo."),
            Column("prazo", .optional, .timestamp, "O prazo da agência para a resposta."),
            Column("anexos", .required, .integer(min: 0, max: 1000), "Quantos arquivos vieram com a abertura (os arquivos vão à parte)."),
            Column("ouvidoria", .required, .boolean, "Manifestação à ouvidoria: vai à unidade de ouvidoria da concessionária."),
        ])

    public static let requestAnswers = File(
        name: "solicitacoes_retorno.csv", required: false, key: ["protocolo_agencia", "evento_em"],
        meaning:
            "Volta à agência: o que a concessionária fez de cada solicitação. Aplicado inteiro ou nada; cada linha uma vez (pela chave).",
        columns: [
            Column("protocolo_agencia", .required, .text(maxLength: 11), "O número do protocolo na agência, `2026/000123`."),
            Column("id_origem", .optional, .identifier, "A chave da solicitação na origem (GSAN: `rgat_id`)."),
            Column("protocolo_origem", .optional, .text(maxLength: 40), "O número de protocolo da origem: mostrado ao cliente e ao atendente."),
            Column("evento_em", .required, .timestamp, "Quando aconteceu na origem."),
            Column(
                "situacao", .required, .choice(["recebida", "pendente", "em_execucao", "encerrada", "bloqueada", "rejeitada"]),
                "`encerrada` e `rejeitada` concluem o protocolo na agência."),
            Column("unidade_atual", .optional, .text(maxLength: 120), "A unidade da origem (só para a retaguarda)."),
            Column("data_prevista", .optional, .date, "Quando a origem prevê atender: mostrada ao cliente."),
            Column("motivo_encerramento", .optional, .text(maxLength: 200), "O motivo de encerramento ou de rejeição."),
            Column("parecer", .optional, .text(maxLength: 4000), "Texto público: o cliente o lê e recebe por e-mail."),
            Column("os_situacao", .optional, .text(maxLength: 60), "A situação da ordem de serviço (só para a retaguarda)."),
        ])

    static let channelWords = ["kiosk": "quiosque", "counter": "balcao", "staff": "retaguarda"]
}

/// `agencia-server integracao exportar --desde ID PASTA`.
public enum RequestExport {
    public struct Result: Sendable, CustomStringConvertible {
        public var rows: Int
        public var last: Int64
        public var path: String
        public var description: String {
            "\(rows) solicitação(ões) em \(path); eventos até \(last) — a próxima exportação: --desde \(last)"
        }
    }

    public static func run(configuration: ServerConfiguration, since: Int64, folder: String) async throws -> Result {
        try await AdminStore.run(configuration) { store in try await write(store, since: since, folder: folder, now: Int64(ServerClock.system().timeIntervalSince1970)) }
    }

    static func write(_ store: any Store, since: Int64, folder: String, now: Int64) async throws -> Result {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let path = (folder as NSString).appendingPathComponent(Interchange.requestsOut.name)
        try await IntegrationEvents.publish(store)
        var last = since
        var rows = 0
        let memory = OutputStream(toMemory: ())
        memory.open()
        let csv = try CSVWriter(stream: memory)
        try csv.write(row: Interchange.requestsOut.headerNames)
        while true {
            let after = last
            let batch = try await store.read { db in
                try await db.raw(
                    """
                    SELECT e.id, e.body, (SELECT COUNT(*) FROM protocol_attachments a JOIN protocol_steps s ON s.id = a.step_id
                                          WHERE s.number = e.protocol AND s.action = 'open') AS files
                    FROM integration_events e WHERE e.id > \(bind: after) AND e.type = 'protocolo.criado' ORDER BY e.id LIMIT 1000
                    """
                ).all()
            }
            guard !batch.isEmpty else { break }
            for r in batch {
                let id = try r.decode(column: "id", as: Int64.self)
                let body = try JSONDecoder().decode(IntegrationEvents.Body.self, from: Data(try r.decode(column: "body", as: String.self).utf8))
                guard let s = body.solicitacao else { continue }
                let who = s.solicitante
                try csv.write(row: [
                    body.protocolo, String(id), body.em, Interchange.channelWords[s.canal] ?? s.canal, s.tipo, s.assunto, s.matricula ?? "",
                    who.map { TaxID($0.documento)?.normalized ?? $0.documento } ?? "", who?.nome ?? "",
                    who?.telefone.flatMap(PhoneNumber.normalized) ?? "", who?.email ?? "", s.descricao, body.unidade, s.prazo ?? "",
                    String(try r.decode(column: "files", as: Int.self)), s.ouvidoria ? "true" : "false",
                ])
                rows += 1
                last = id
            }
            if batch.count < 1000 { break }
        }
        // The requests written count as sent.
        if last > since {
            let upTo = last
            try await store.write { db in
                try await db.raw(
                    """
                    UPDATE integration_events SET sent_at = \(bind: now)
                    WHERE id > \(bind: since) AND id <= \(bind: upTo) AND protocol_seq = 1 AND sent_at IS NULL
                    """
                ).run()
            }
        }
        csv.stream.close()
        guard let data = memory.property(forKey: .dataWrittenToMemoryStreamKey) as? Data else {
            throw InterchangePackage.Refused("não foi possível montar o arquivo")
        }
        try data.write(to: URL(fileURLWithPath: path))
        return Result(rows: rows, last: last, path: path)
    }
}

/// `agencia-server integracao retorno ARQUIVO`: the source's answers, by file, with the API's
/// checks (`SourceAnswers.apply`) — all lines in one transaction, so a file with a refused line
/// changes nothing and names every refused line; a file applied once is not applied again, and
/// a line applied by the API (same protocol and `evento_em`) is not applied twice.
public enum AnswerFile {
    public struct Refusal: Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "linha \(line): \(reason)" }
    }

    public struct Refused: Error, CustomStringConvertible {
        public var refusals: [Refusal]
        public var description: String {
            "Arquivo recusado, nada foi aplicado (\(refusals.count) linha(s)):\n" + refusals.map(\.description).joined(separator: "\n")
        }
    }

    public struct AlreadyApplied: Error, CustomStringConvertible {
        public var at: Int64
        public var description: String { "Este arquivo já foi aplicado (mesmo SHA-256); nada mudou." }
    }

    public struct Result: Sendable, CustomStringConvertible {
        public var applied: Int
        public var alreadyApplied: Int
        public var description: String {
            "\(applied) retorno(s) aplicado(s)\(alreadyApplied > 0 ? "; \(alreadyApplied) já aplicado(s) antes (pela API ou outro arquivo)" : "")."
        }
    }

    public static func run(configuration: ServerConfiguration, path: String, source: String) async throws -> Result {
        try await AdminStore.run(configuration) { store in
            try await apply(
                path, source: source, store: store, now: Int64(ServerClock.system().timeIntervalSince1970), timeZone: configuration.timeZone)
        }
    }

    static func apply(_ path: String, source: String, store: any Store, now: Int64, timeZone: String) async throws -> Result {
        let file = Interchange.requestAnswers
        let (sha, _) = try InterchangePackage.hashAndCheckText(path, name: file.name)
        let header = try InterchangePackage.header(path, file: file)
        // The answers, each with its line, or the line's faults.
        var answers: [(Int, SourceAnswer)] = []
        var refusals: [Refusal] = []
        guard let stream = InputStream(fileAtPath: path) else { throw InterchangePackage.Refused("Não foi possível ler \(file.name).") }
        let reader = try CSVReader(stream: stream, hasHeaderRow: true, trimFields: false, delimiter: ",")
        var line = 2
        while let fields = reader.next() {
            defer { line += 1 + fields.reduce(0) { $0 + $1.filter(\.isNewline).count } }
            var row: [String: String] = [:]
            for (i, name) in header.enumerated() where i < fields.count { row[name] = fields[i] }
            let problems = Interchange.problems(row, in: file, mode: .completo, rule: nil)
            guard problems.isEmpty else {
                refusals.append(Refusal(line: line, reason: problems.joined(separator: "; ")))
                continue
            }
            func value(_ k: String) -> String? { row[k].flatMap { $0.isEmpty ? nil : $0 } }
            guard let number = value("protocolo_agencia").flatMap(ProtocolNumber.init(parsing:)) else {
                refusals.append(Refusal(line: line, reason: "protocolo_agencia: não é um número de protocolo (2026/000123)"))
                continue
            }
            let situation = value("situacao").flatMap(SourceSituation.init(file:))
            answers.append(
                (
                    line,
                    SourceAnswer(
                        number: number, situation: situation,
                        at: value("evento_em").flatMap(InterchangePackage.timestamp).map { Int64($0.timeIntervalSince1970) },
                        text: value("parecer") ?? value("motivo_encerramento"), sourceId: value("id_origem"),
                        sourceNumber: value("protocolo_origem"), expectedOn: value("data_prevista").flatMap(CivilDate.init(iso:)))
                ))
        }
        if let error = reader.error, !InterchangePackage.isEnd(error, stream) {
            throw InterchangePackage.Refused("\(file.name): CSV ilegível na linha \(line) (\(error)).")
        }
        // Lines refused by their values are not applied; the others are tried anyway, so that one
        // answer names every refused line (then nothing is kept).
        let malformed = refusals
        let postgres = store.engine == .postgres
        // In the order things happened at the source (then the file's), whatever the file's order.
        let parsed = answers.sorted { ($0.1.at ?? 0, $0.0) < ($1.1.at ?? 0, $1.0) }
        return try await store.write { db in
            if let seen = try await db.raw("SELECT applied_at FROM integration_answer_files WHERE sha256 = \(bind: sha)").first() {
                throw AlreadyApplied(at: try seen.decode(column: "applied_at", as: Int64.self))
            }
            var result = Result(applied: 0, alreadyApplied: 0)
            var refusals = malformed
            for (line, answer) in parsed {
                do {
                    if try await SourceAnswers.apply(answer, source: source, now: now, timeZone: timeZone, postgres: postgres, db: db) {
                        result.alreadyApplied += 1
                    } else {
                        result.applied += 1
                    }
                } catch let e as APIError {
                    refusals.append(Refusal(line: line, reason: e.message))
                }
            }
            // Nothing half-applied: the transaction rolls back with the refusals.
            guard refusals.isEmpty else { throw Refused(refusals: refusals.sorted { $0.line < $1.line }) }
            try await db.raw(
                """
                INSERT INTO integration_answer_files (sha256, name, lines, applied_at)
                VALUES (\(bind: sha), \(bind: (path as NSString).lastPathComponent), \(bind: parsed.count), \(bind: now))
                """
            ).run()
            return result
        }
    }
}
