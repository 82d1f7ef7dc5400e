import Domain
import Foundation
import Logging
import SQLKit

/// `agencia-server gsan extrair --de postgres://… --para PACOTE [--desde …]` (issue 30): an
/// interchange package read from a GSAN database, with GSAN's own tables and codes (GSAN.md
/// §1–§4, written from its published mappings; no GSAN code). It reads in one read-only
/// transaction (one snapshot: a bill moving to history between two pages cannot be lost or
/// read twice) and writes nothing to GSAN; the role it connects with should be able to
/// SELECT only (README). Text in a `SQL_ASCII` database is read as bytes and transcoded from
/// Latin-1, as GSAN installations store it.
public enum GsanExtract {
    public struct Options: Sendable {
        public var source: String
        public var folder: String
        /// Only what changed after this instant (an incremental package).
        public var since: Date?
        /// The perfis (`iper_id`) that mean tarifa social at this utility (GSAN.md §1.5: ids
        /// differ per utility); a subcategory with `scat_cdtarifasocial = 'S'` counts too.
        public var socialProfiles: [Int] = [4]
        /// How text is stored: nil asks the server (`SQL_ASCII` → Latin-1 bytes).
        public var latin1: Bool?
        /// The utility's zone: GSAN's timestamps are local times without one.
        public var timeZone: String = ServerConfiguration().timeZone

        public init(source: String, folder: String) {
            self.source = source
            self.folder = folder
        }
    }

    public struct Summary: Sendable, CustomStringConvertible {
        public var folder: String
        public var records: [String: Int]
        public var cleaned: [String: Int]
        public var seconds: Double
        public var description: String {
            var s =
                "pacote do GSAN em \(folder) (\(String(format: "%.1f", seconds)) s): "
                + Interchange.files.compactMap { f in records[f.name].map { "\(f.name) \($0)" } }.joined(separator: ", ")
            for (what, n) in cleaned.sorted(by: { $0.key < $1.key }) { s += "\n  \(what): \(n) deixados em branco (inválidos na origem)" }
            return s
        }
    }

    public static func run(_ options: Options, clock: @escaping @Sendable () -> Date = ServerClock.system) async throws -> Summary {
        try InterchangeExport.prepare(options.folder)
        let started = clock()
        var logger = Logger(label: "gsan")
        logger.logLevel = .error
        let store = try PostgresStore(url: options.source, logger: logger)
        let zone = TimeZone(identifier: options.timeZone) ?? .current
        let stamp = ISO8601DateFormatter.string(from: started, timeZone: zone, formatOptions: [.withInternetDateTime])
        let cleaned = Tally()
        let records = try await AdminStore.withClientRunning(store) {
            try await store.write { db in
                try await db.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").run()
                let encoding = try await db.raw("SHOW server_encoding").first()?.decode(column: "server_encoding", as: String.self)
                let q = Queries(latin1: options.latin1 ?? (encoding == "SQL_ASCII"), since: options.since, zone: zone, cleaned: cleaned)
                var manifest: [String: Any] = [
                    "sistema_origem": "GSAN", "gerado_em": stamp, "modo": options.since == nil ? "completo" : "incremental",
                    "regra_dv_matricula": MatriculaRule.mod11.rawValue,
                ]
                if let since = options.since {
                    manifest["desde"] = ISO8601DateFormatter.string(from: since, timeZone: zone, formatOptions: [.withInternetDateTime])
                }
                return try await InterchangeExport.writePackage(
                    folder: options.folder, files: q.files(socialProfiles: options.socialProfiles),
                    query: { sql in try await db.raw(SQLQueryString(sql)).all() }, manifest: manifest)
            }
        }
        await store.shutdown()
        return Summary(folder: options.folder, records: records, cleaned: cleaned.counts, seconds: clock().timeIntervalSince(started))
    }

    /// How many values of each kind were left empty because GSAN's were invalid.
    final class Tally: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var counts: [String: Int] = [:]
        func add(_ what: String) { lock.withLock { counts[what, default: 0] += 1 } }
    }

    // MARK: GSAN's codes (GSAN.md §1.5, §2, §3.3, §3.4, §4)

    static func water(_ id: Int64?) -> String {
        switch id {
        case 1: return "potencial"
        case 2: return "factivel"
        case 3: return "ligada"
        case 4: return "em_fiscalizacao"
        case 5: return "cortada"
        case 6: return "suprimida"
        case 7, 8: return "suprimida_parcial"
        case 9: return "em_cancelamento"
        default: return "outra"
        }
    }

    static func sewer(_ id: Int64?) -> String {
        switch id {
        case 1: return "potencial"
        case 2: return "factivel"
        case 3: return "ligado"
        case 4: return "em_fiscalizacao"
        case 5: return "fora_de_uso"
        case 6: return "tamponado"
        default: return "outra"
        }
    }

    static func category(_ id: Int64?) -> String {
        switch id {
        case 1: return "residencial"
        case 2: return "comercial"
        case 3: return "industrial"
        case 4: return "publica"
        default: return "outra"
        }
    }

    static func relation(_ id: Int64?) -> String? {
        switch id {
        case 1: return "proprietario"
        case 2: return "usuario"
        case 3: return "responsavel"
        default: return nil
        }
    }

    static func billSituation(_ id: Int64?) -> String {
        switch id {
        case 0: return "normal"
        case 1: return "retificada"
        case 2: return "incluida"
        case 3: return "cancelada"
        case 4: return "substituida"
        case 5: return "parcelada"
        case 6: return "arrastada"
        case 7: return "entrada_parcelamento"
        case 8, 12: return "prescrita"
        case 9: return "pre_faturada"
        default: return "outra"
        }
    }

    static func paymentSituation(_ id: Int64?) -> String {
        switch id {
        case 0: return "classificado"
        case 1, 9: return "duplicidade"
        case 3, 4, 5: return "valor_divergente"
        case 2, 11, 12, 13, 14: return "documento_inexistente"
        case 7, 10: return "em_processamento"
        default: return "outra"
        }
    }

    static func document(_ id: Int64?) -> String {
        switch id {
        case 1: return "conta"
        case 7: return "guia"
        case 2: return "entrada_parcelamento"
        case 6: return "debito_a_cobrar"
        case 3: return "documento_cobranca"
        case 5: return "fatura"
        default: return "outro"
        }
    }

    static func consumption(_ id: Int64?) -> String {
        switch id {
        case 1: return "real"
        case 2, 3, 9: return "media"
        case 6: return "estimado"
        case 4: return "informado"
        case 7, 11: return "minimo"
        case 8: return "sem_consumo"
        case 5: return "nao_medido"
        default: return "outro"
        }
    }

    /// The queries of each file, a page at a time in key order, and their values.
    struct Queries: Sendable {
        let latin1: Bool
        let since: Date?
        let zone: TimeZone
        let cleaned: Tally

        /// A text column as the extractor reads it: its bytes (hex) when they are Latin-1.
        func t(_ expression: String, _ name: String) -> String { latin1 ? "encode(textsend(\(expression)), 'hex') AS \(name)" : "\(expression) AS \(name)" }

        func text(_ row: any SQLRow, _ column: String) throws -> String {
            guard let raw = try row.decode(column: column, as: String?.self) else { return "" }
            var s = raw
            if latin1 {
                var bytes: [UInt8] = []
                var i = raw.startIndex
                while i < raw.endIndex, let j = raw.index(i, offsetBy: 2, limitedBy: raw.endIndex), let b = UInt8(raw[i..<j], radix: 16) {
                    bytes.append(b)
                    i = j
                }
                s = String(bytes: bytes, encoding: .isoLatin1) ?? ""
            }
            // Control characters and runs of spaces (GSAN's char(n) padding) go.
            return s.unicodeScalars.filter { !CharacterSet.controlCharacters.contains($0) }.map(String.init).joined()
                .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        }

        func int(_ row: any SQLRow, _ column: String) throws -> Int64? { try row.decode(column: column, as: Int64?.self) }
        func string(_ row: any SQLRow, _ column: String) throws -> String { try row.decode(column: column, as: String?.self) ?? "" }

        /// `AAAAMM` as `AAAA-MM`.
        func month(_ value: Int64?) -> String {
            guard let v = value else { return "" }
            return String(format: "%04d-%02d", Int(v / 100), Int(v % 100))
        }

        /// GSAN's timestamps are the utility's local time without a zone.
        func stamp(_ local: String) -> String {
            guard local.count >= 19 else { return "" }
            let offset = zone.secondsFromGMT() / 60
            return String(local.prefix(19)) + String(format: "%@%02d:%02d", offset < 0 ? "-" : "+", abs(offset) / 60, abs(offset) % 60)
        }

        /// A value the loader would refuse, left empty and counted.
        func valid(_ value: String, _ kind: Interchange.Kind, _ what: String) -> String {
            guard !value.isEmpty, Interchange.problem(value, kind) != nil else { return value }
            cleaned.add(what)
            return ""
        }

        static let date = "'YYYY-MM-DD'"
        static let ts = "'YYYY-MM-DD\"T\"HH24:MI:SS'"

        /// `AND <column> > since`, for an incremental package.
        func changed(_ column: String) -> String {
            guard let since else { return "" }
            let local = ISO8601DateFormatter.string(from: since, timeZone: zone, formatOptions: [.withFullDate, .withTime, .withColonSeparatorInTime])
            return " AND \(column) > '\(local.replacingOccurrences(of: "T", with: " "))'"
        }

        func after(_ column: String, _ key: String?) -> String { "\(column) > \(key.flatMap(Int64.init) ?? Int64.min)" }

        func files(socialProfiles: [Int]) -> [(String, InterchangeExport.Source)] {
            let page = InterchangeExport.page
            let social = socialProfiles.isEmpty ? "false" : "i.iper_id IN (\(socialProfiles.map(String.init).joined(separator: ", ")))"
            let q = self
            return [
                (
                    "imoveis.csv",
                    .init(
                        columns: [
                            "matricula", "logradouro", "numero", "complemento", "bairro", "municipio", "municipio_ibge", "uf", "cep", "situacao_agua",
                            "situacao_agua_origem_codigo", "situacao_agua_origem_descricao", "situacao_agua_desde", "situacao_esgoto",
                            "situacao_esgoto_origem_codigo", "situacao_esgoto_origem_descricao", "categoria_principal", "categoria_principal_origem_codigo",
                            "categoria_principal_origem_descricao", "economias_total", "tarifa_social", "perfil", "perfil_origem_codigo",
                            "perfil_origem_descricao", "dia_vencimento", "hidrometro", "ativo", "atualizado_em",
                        ],
                        page: { key in
                            """
                            SELECT i.imov_id AS k,
                              \(q.t("trim(coalesce(lt.lgtp_dsabreviado || ' ', '') || coalesce(lti.lgtt_dsabreviado || ' ', '') || coalesce(l.logr_nmlogradouro, ''))", "logradouro")),
                              \(q.t("i.imov_nnimovel", "numero")), \(q.t("i.imov_dscomplementoendereco", "complemento")), \(q.t("b.bair_nmbairro", "bairro")),
                              \(q.t("m.muni_nmmunicipio", "municipio")), m.muni_cdibge::text AS ibge, uf.unfe_dsufsigla::text AS uf, c.cep_cdcep::text AS cep,
                              i.last_id::bigint AS last_id, \(q.t("las.last_dsligacaoaguasituacao", "last_ds")),
                              to_char(CASE WHEN i.last_id = 5 THEN la.lagu_dtcorte WHEN i.last_id IN (6, 7, 8) THEN la.lagu_dtsupressaoagua
                                WHEN i.last_id = 3 THEN la.lagu_dtligacaoagua END, \(Self.date)) AS desde,
                              i.lest_id::bigint AS lest_id, \(q.t("les.lest_dsligacaoesgotosituacao", "lest_ds")),
                              i.catg::bigint AS catg, \(q.t("cat.catg_dscategoria", "catg_ds")), i.economias::bigint AS economias,
                              (\(social) OR EXISTS (SELECT 1 FROM cadastro.imovel_subcategoria isc JOIN cadastro.subcategoria sc ON sc.scat_id = isc.scat_id
                                WHERE isc.imov_id = i.imov_id AND sc.scat_cdtarifasocial = 'S')) AS social,
                              i.iper_id::bigint AS iper_id, \(q.t("p.iper_dsimovelperfil", "iper_ds")), i.imov_ddvencimento::bigint AS dia,
                              \(q.t("h.hidr_nnhidrometro", "hidrometro")), coalesce(i.imov_icexclusao, 2)::bigint AS exclusao,
                              to_char(i.imov_tmultimaalteracao, \(Self.ts)) AS ts
                            FROM (SELECT i.*, coalesce(i.imov_idcategoriaprincipal, (SELECT sc.catg_id FROM cadastro.imovel_subcategoria isc
                                    JOIN cadastro.subcategoria sc ON sc.scat_id = isc.scat_id WHERE isc.imov_id = i.imov_id
                                    ORDER BY isc.imsb_qteconomia DESC, sc.catg_id LIMIT 1)) AS catg,
                                  coalesce(i.imov_qteconomia, (SELECT sum(imsb_qteconomia) FROM cadastro.imovel_subcategoria s WHERE s.imov_id = i.imov_id), 1) AS economias
                                  FROM cadastro.imovel i WHERE \(q.after("i.imov_id", key))\(q.changed("i.imov_tmultimaalteracao"))
                                  ORDER BY i.imov_id LIMIT \(page)) i
                            LEFT JOIN cadastro.logradouro_bairro lb ON lb.lgbr_id = i.lgbr_id
                            LEFT JOIN cadastro.logradouro l ON l.logr_id = lb.logr_id
                            LEFT JOIN cadastro.logradouro_tipo lt ON lt.lgtp_id = l.lgtp_id
                            LEFT JOIN cadastro.logradouro_titulo lti ON lti.lgtt_id = l.lgtt_id
                            LEFT JOIN cadastro.bairro b ON b.bair_id = lb.bair_id
                            LEFT JOIN cadastro.municipio m ON m.muni_id = b.muni_id
                            LEFT JOIN cadastro.unidade_federacao uf ON uf.unfe_id = m.unfe_id
                            LEFT JOIN cadastro.logradouro_cep lc ON lc.lgcp_id = i.lgcp_id
                            LEFT JOIN cadastro.cep c ON c.cep_id = lc.cep_id
                            LEFT JOIN atendimentopublico.ligacao_agua_situacao las ON las.last_id = i.last_id
                            LEFT JOIN atendimentopublico.ligacao_esgoto_situacao les ON les.lest_id = i.lest_id
                            LEFT JOIN atendimentopublico.ligacao_agua la ON la.lagu_id = i.imov_id
                            LEFT JOIN micromedicao.hidrometro_inst_hist hi ON hi.hidi_id = la.hidi_id
                            LEFT JOIN micromedicao.hidrometro h ON h.hidr_id = hi.hidr_id
                            LEFT JOIN cadastro.imovel_perfil p ON p.iper_id = i.iper_id
                            LEFT JOIN cadastro.categoria cat ON cat.catg_id = i.catg
                            ORDER BY i.imov_id
                            """
                        }, key: "k",
                        value: { column, r in
                            switch column {
                            case "matricula": return String(try q.int(r, "k") ?? 0)
                            case "logradouro", "numero", "complemento", "bairro", "municipio", "hidrometro": return try q.text(r, column)
                            case "municipio_ibge": return try q.string(r, "ibge")
                            case "uf": return try q.string(r, "uf")
                            case "cep": return q.valid((Int(try q.string(r, "cep"))).map { String(format: "%08d", $0) } ?? "", .cep, "CEP de imóvel")
                            case "situacao_agua": return GsanExtract.water(try q.int(r, "last_id"))
                            case "situacao_agua_origem_codigo": return (try q.int(r, "last_id")).map(String.init) ?? ""
                            case "situacao_agua_origem_descricao": return try q.text(r, "last_ds")
                            case "situacao_agua_desde": return try q.string(r, "desde")
                            case "situacao_esgoto": return GsanExtract.sewer(try q.int(r, "lest_id"))
                            case "situacao_esgoto_origem_codigo": return (try q.int(r, "lest_id")).map(String.init) ?? ""
                            case "situacao_esgoto_origem_descricao": return try q.text(r, "lest_ds")
                            case "categoria_principal": return GsanExtract.category(try q.int(r, "catg"))
                            case "categoria_principal_origem_codigo": return (try q.int(r, "catg")).map(String.init) ?? ""
                            case "categoria_principal_origem_descricao": return try q.text(r, "catg_ds")
                            case "economias_total": return String(max(1, try q.int(r, "economias") ?? 1))
                            case "tarifa_social": return try r.decode(column: "social", as: Bool?.self) == true ? "true" : "false"
                            case "perfil", "perfil_origem_descricao": return try q.text(r, "iper_ds")
                            case "perfil_origem_codigo": return (try q.int(r, "iper_id")).map(String.init) ?? ""
                            case "dia_vencimento": return (try q.int(r, "dia")).map(String.init) ?? ""
                            case "ativo": return try q.int(r, "exclusao") == 1 ? "false" : "true"
                            default: return q.stamp(try q.string(r, "ts"))
                            }
                        })
                ),
                (
                    "clientes.csv",
                    .init(
                        columns: [
                            "codigo_cliente", "tipo_pessoa", "nome", "cpf_cnpj", "email", "telefone_principal", "celular", "ativo", "atualizado_em",
                        ],
                        page: { key in
                            """
                            SELECT c.clie_id AS k, ct.cltp_icpessoafisicajuridica::bigint AS pf, \(q.t("c.clie_nmcliente", "nome")),
                              c.clie_nncpf::text AS cpf, c.clie_nncnpj::text AS cnpj, \(q.t("c.clie_dsemail", "email")), c.clie_icuso::bigint AS uso,
                              (SELECT f.cfon_cdddd || f.cfon_nnfone FROM cadastro.cliente_fone f WHERE f.clie_id = c.clie_id AND f.cfon_icfonepadrao = 1
                                ORDER BY f.cfon_id LIMIT 1) AS fone,
                              (SELECT f.cfon_cdddd || f.cfon_nnfone FROM cadastro.cliente_fone f WHERE f.clie_id = c.clie_id AND f.fnet_id = 3
                                ORDER BY f.cfon_id LIMIT 1) AS celular,
                              to_char(c.clie_tmultimaalteracao, \(Self.ts)) AS ts
                            FROM cadastro.cliente c LEFT JOIN cadastro.cliente_tipo ct ON ct.cltp_id = c.cltp_id
                            WHERE \(q.after("c.clie_id", key))\(q.changed("c.clie_tmultimaalteracao")) ORDER BY c.clie_id LIMIT \(page)
                            """
                        }, key: "k",
                        value: { column, r in
                            let company = try q.int(r, "pf") == 2
                            switch column {
                            case "codigo_cliente": return String(try q.int(r, "k") ?? 0)
                            case "tipo_pessoa": return company ? "J" : "F"
                            case "nome": return String(try q.text(r, "nome").prefix(120))
                            case "cpf_cnpj":
                                let digits = try q.string(r, company ? "cnpj" : "cpf").trimmingCharacters(in: .whitespaces)
                                return q.valid(digits, .document, company ? "CNPJ" : "CPF")
                            case "email": return q.valid(try q.text(r, "email").lowercased(), .email, "e-mail")
                            case "telefone_principal": return q.valid(try q.string(r, "fone").filter(\.isNumber), .phone, "telefone")
                            case "celular": return q.valid(try q.string(r, "celular").filter(\.isNumber), .phone, "celular")
                            case "ativo": return try q.int(r, "uso") == 2 ? "false" : "true"
                            default: return q.stamp(try q.string(r, "ts"))
                            }
                        })
                ),
                (
                    "vinculos.csv",
                    .init(
                        columns: [
                            "matricula", "codigo_cliente", "tipo", "tipo_origem_codigo", "tipo_origem_descricao", "inicio", "fim", "nome_na_conta",
                            "atualizado_em",
                        ],
                        page: { key in
                            """
                            SELECT ci.clim_id AS k, ci.imov_id::bigint AS imov, ci.clie_id::bigint AS clie, ci.crtp_id::bigint AS crtp,
                              \(q.t("crt.crtp_dsclienterelacaotipo", "crtp_ds")), to_char(ci.clim_dtrelacaoinicio, \(Self.date)) AS inicio,
                              to_char(ci.clim_dtrelacaofim, \(Self.date)) AS fim, ci.clim_icnomeconta::bigint AS nome_conta,
                              to_char(ci.clim_tmultimaalteracao, \(Self.ts)) AS ts
                            FROM cadastro.cliente_imovel ci LEFT JOIN cadastro.cliente_relacao_tipo crt ON crt.crtp_id = ci.crtp_id
                            WHERE \(q.after("ci.clim_id", key))\(q.changed("ci.clim_tmultimaalteracao")) ORDER BY ci.clim_id LIMIT \(page)
                            """
                        }, key: "k",
                        value: { column, r in
                            switch column {
                            case "matricula": return String(try q.int(r, "imov") ?? 0)
                            case "codigo_cliente": return String(try q.int(r, "clie") ?? 0)
                            case "tipo": return GsanExtract.relation(try q.int(r, "crtp")) ?? "usuario"
                            case "tipo_origem_codigo": return (try q.int(r, "crtp")).map(String.init) ?? ""
                            case "tipo_origem_descricao": return try q.text(r, "crtp_ds")
                            case "inicio": return try q.string(r, "inicio")
                            case "fim": return try q.string(r, "fim")
                            case "nome_na_conta": return try q.int(r, "nome_conta") == 1 ? "true" : "false"
                            default: return q.stamp(try q.string(r, "ts"))
                            }
                        })
                ),
                (
                    "leituras.csv",
                    .init(
                        columns: [
                            "matricula", "referencia", "ponto", "hidrometro", "data_leitura", "leitura", "consumo_medido_m3", "consumo_faturado_m3",
                            "consumo_medio_m3", "tipo_consumo", "tipo_consumo_origem_codigo", "tipo_consumo_origem_descricao", "anormalidade",
                            "anormalidade_origem_codigo", "anormalidade_origem_descricao", "atualizado_em",
                        ],
                        // A month's billed consumption (`consumo_historico`, water) with its reading, when there was one.
                        page: { key in
                            """
                            SELECT ch.cshi_id AS k, ch.imov_id::bigint AS imov, ch.cshi_amfaturamento::bigint AS am, \(q.t("h.hidr_nnhidrometro", "hidrometro")),
                              to_char(m.mdhi_dtleituraatualfaturamento, \(Self.date)) AS data, m.mdhi_nnleituraatualfaturamento::bigint AS leitura,
                              m.mdhi_nnconsumomedidomes::bigint AS medido, ch.cshi_nnconsumofaturadomes::bigint AS faturado,
                              ch.cshi_nnconsumomedio::bigint AS medio, ch.cstp_id::bigint AS cstp, \(q.t("ct.cstp_dsconsumotipo", "cstp_ds")),
                              m.ltan_idleitanormfatmt::bigint AS ltan, \(q.t("an.ltan_dsleituraanormalidade", "ltan_ds")),
                              to_char(greatest(ch.cshi_tmultimaalteracao, m.mdhi_tmultimaalteracao), \(Self.ts)) AS ts
                            FROM micromedicao.consumo_historico ch
                            LEFT JOIN micromedicao.medicao_historico m ON m.lagu_id = ch.imov_id AND m.medt_id = 1 AND m.mdhi_amleitura = ch.cshi_amfaturamento
                            LEFT JOIN micromedicao.hidrometro_inst_hist hi ON hi.hidi_id = m.hidi_id
                            LEFT JOIN micromedicao.hidrometro h ON h.hidr_id = hi.hidr_id
                            LEFT JOIN micromedicao.consumo_tipo ct ON ct.cstp_id = ch.cstp_id
                            LEFT JOIN micromedicao.leitura_anormalidade an ON an.ltan_id = m.ltan_idleitanormfatmt
                            WHERE ch.lgti_id = 1 AND \(q.after("ch.cshi_id", key))\(q.changed("greatest(ch.cshi_tmultimaalteracao, m.mdhi_tmultimaalteracao)"))
                            ORDER BY ch.cshi_id LIMIT \(page)
                            """
                        }, key: "k",
                        value: { column, r in
                            switch column {
                            case "matricula": return String(try q.int(r, "imov") ?? 0)
                            case "referencia": return q.month(try q.int(r, "am"))
                            case "ponto": return "agua"
                            case "hidrometro": return try q.text(r, "hidrometro")
                            case "data_leitura": return try q.string(r, "data")
                            case "leitura": return (try q.int(r, "leitura")).map(String.init) ?? ""
                            case "consumo_medido_m3": return (try q.int(r, "medido")).map { String(max(0, $0)) } ?? ""
                            case "consumo_faturado_m3": return String(max(0, try q.int(r, "faturado") ?? 0))
                            case "consumo_medio_m3": return (try q.int(r, "medio")).map { String(max(0, $0)) } ?? ""
                            case "tipo_consumo": return GsanExtract.consumption(try q.int(r, "cstp"))
                            case "tipo_consumo_origem_codigo": return (try q.int(r, "cstp")).map(String.init) ?? ""
                            case "tipo_consumo_origem_descricao": return try q.text(r, "cstp_ds")
                            case "anormalidade", "anormalidade_origem_descricao": return try q.text(r, "ltan_ds")
                            case "anormalidade_origem_codigo": return (try q.int(r, "ltan")).map(String.init) ?? ""
                            default: return q.stamp(try q.string(r, "ts"))
                            }
                        })
                ),
                (
                    "contas.csv",
                    .init(
                        columns: [
                            "id_conta", "matricula", "referencia", "vencimento", "vencimento_original", "emissao", "valor_agua", "valor_esgoto",
                            "valor_debitos", "valor_creditos", "valor_impostos", "valor_total", "consumo_agua_m3", "consumo_esgoto_m3", "situacao",
                            "situacao_origem_codigo", "situacao_origem_descricao", "em_revisao", "divida_ativa", "id_conta_substituida", "id_parcelamento",
                            "atualizado_em",
                        ],
                        // `conta` ∪ `conta_historico` (GSAN.md §3.2): the same id, the history's row
                        // when both have it.
                        page: { key in
                            """
                            SELECT DISTINCT ON (u.k) u.*, \(q.t("d.dcst_dsdebitocreditosituacao", "dcst_ds")) FROM (
                              SELECT c.cnta_id AS k, c.imov_id::bigint AS imov, c.cnta_amreferenciaconta::bigint AS am,
                                to_char(c.cnta_dtvencimentoconta, \(Self.date)) AS venc, to_char(c.cnta_dtvencimentooriginal, \(Self.date)) AS venc_orig,
                                to_char(c.cnta_dtemissao, \(Self.date)) AS emissao, c.cnta_vlagua::text AS agua, c.cnta_vlesgoto::text AS esgoto,
                                c.cnta_vldebitos::text AS debitos, c.cnta_vlcreditos::text AS creditos, coalesce(c.cnta_vlimpostos, 0)::text AS impostos,
                                c.cnta_nnconsumoagua::bigint AS cons_agua, c.cnta_nnconsumoesgoto::bigint AS cons_esgoto, c.dcst_idatual::bigint AS dcst,
                                c.cnta_dtrevisao IS NOT NULL AS revisao, c.cnta_amreferenciabaixacontabil IS NOT NULL AS divida,
                                c.cnta_idorigem::bigint AS origem, c.parc_id::bigint AS parc, to_char(c.cnta_tmultimaalteracao, \(Self.ts)) AS ts, 0 AS hist
                              FROM faturamento.conta c WHERE \(q.after("c.cnta_id", key))\(q.changed("c.cnta_tmultimaalteracao"))
                              UNION ALL
                              SELECT h.cnta_id, h.imov_id, h.cnhi_amreferenciaconta, to_char(h.cnhi_dtvencimentoconta, \(Self.date)),
                                to_char(h.cnhi_dtvencimentooriginal, \(Self.date)), to_char(h.cnhi_dtemissao, \(Self.date)), h.cnhi_vlagua::text,
                                h.cnhi_vlesgoto::text, h.cnhi_vldebitos::text, h.cnhi_vlcreditos::text, coalesce(h.cnhi_vlimpostos, 0)::text,
                                h.cnhi_nnconsumoagua, h.cnhi_nnconsumoesgoto, h.dcst_idatual, h.cnhi_dtrevisao IS NOT NULL,
                                h.cnhi_amreferenciabaixacontabil IS NOT NULL, h.cnta_idorigem, h.parc_id, to_char(h.cnhi_tmultimaalteracao, \(Self.ts)), 1
                              FROM faturamento.conta_historico h WHERE \(q.after("h.cnta_id", key))\(q.changed("h.cnhi_tmultimaalteracao"))
                            ) u LEFT JOIN faturamento.debito_credito_situacao d ON d.dcst_id = u.dcst
                            ORDER BY u.k, u.hist DESC LIMIT \(page)
                            """
                        }, key: "k",
                        value: { column, r in
                            func money(_ c: String) throws -> String {
                                let cents = Interchange.cents(try q.string(r, c)) ?? 0
                                return InterchangeExport.money(cents)
                            }
                            switch column {
                            case "id_conta": return String(try q.int(r, "k") ?? 0)
                            case "matricula": return String(try q.int(r, "imov") ?? 0)
                            case "referencia": return q.month(try q.int(r, "am"))
                            case "vencimento": return try q.string(r, "venc")
                            case "vencimento_original": return try q.string(r, "venc_orig")
                            case "emissao": return try q.string(r, "emissao")
                            case "valor_agua": return try money("agua")
                            case "valor_esgoto": return try money("esgoto")
                            case "valor_debitos": return try money("debitos")
                            case "valor_creditos": return try money("creditos")
                            case "valor_impostos": return try money("impostos")
                            case "valor_total":
                                let parts = try ["agua", "esgoto", "debitos", "creditos", "impostos"].map { Interchange.cents(try q.string(r, $0)) ?? 0 }
                                return InterchangeExport.money(parts[0] + parts[1] + parts[2] - parts[3] - parts[4])
                            case "consumo_agua_m3": return (try q.int(r, "cons_agua")).map { String(max(0, $0)) } ?? ""
                            case "consumo_esgoto_m3": return (try q.int(r, "cons_esgoto")).map { String(max(0, $0)) } ?? ""
                            case "situacao": return GsanExtract.billSituation(try q.int(r, "dcst"))
                            case "situacao_origem_codigo": return (try q.int(r, "dcst")).map(String.init) ?? ""
                            case "situacao_origem_descricao": return try q.text(r, "dcst_ds")
                            case "em_revisao": return try r.decode(column: "revisao", as: Bool.self) ? "true" : "false"
                            case "divida_ativa": return try r.decode(column: "divida", as: Bool.self) ? "true" : "false"
                            case "id_conta_substituida": return (try q.int(r, "origem")).map(String.init) ?? ""
                            case "id_parcelamento": return (try q.int(r, "parc")).map(String.init) ?? ""
                            default: return q.stamp(try q.string(r, "ts"))
                            }
                        })
                ),
                (
                    "pagamentos.csv",
                    .init(
                        columns: [
                            "id_pagamento", "id_conta", "documento_tipo", "documento_tipo_origem_codigo", "id_documento_origem", "matricula",
                            "data_pagamento", "valor", "situacao", "situacao_origem_codigo", "situacao_origem_descricao", "canal", "canal_origem_codigo",
                            "canal_origem_descricao", "atualizado_em",
                        ],
                        // `pagamento` ∪ `pagamento_historico`: the move keeps the id (GSAN.md §3.4).
                        page: { key in
                            """
                            SELECT DISTINCT ON (u.k) u.*, \(q.t("s.pgst_dspagamentosituacao", "pgst_ds")), \(q.t("f.arfm_dsarrecadacaoforma", "arfm_ds")) FROM (
                              SELECT p.pgmt_id AS k, p.cnta_id::bigint AS conta, p.dotp_id::bigint AS dotp, p.gpag_id::bigint AS guia,
                                p.imov_id::bigint AS imov, to_char(p.pgmt_dtpagamento, \(Self.date)) AS data, p.pgmt_vlpagamento::text AS valor,
                                p.pgst_idatual::bigint AS pgst, p.arfm_id::bigint AS arfm, to_char(p.pgmt_tmultimaalteracao, \(Self.ts)) AS ts, 0 AS hist
                              FROM arrecadacao.pagamento p WHERE \(q.after("p.pgmt_id", key))\(q.changed("p.pgmt_tmultimaalteracao"))
                              UNION ALL
                              SELECT h.pghi_id, h.cnta_id, h.dotp_id, h.gpag_id, h.imov_id, to_char(h.pghi_dtpagamento, \(Self.date)),
                                h.pghi_vlpagamento::text, h.pgst_idatual, h.arfm_id, to_char(h.pghi_tmultimaalteracao, \(Self.ts)), 1
                              FROM arrecadacao.pagamento_historico h WHERE \(q.after("h.pghi_id", key))\(q.changed("h.pghi_tmultimaalteracao"))
                            ) u LEFT JOIN arrecadacao.pagamento_situacao s ON s.pgst_id = u.pgst
                            LEFT JOIN arrecadacao.arrecadacao_forma f ON f.arfm_id = u.arfm
                            ORDER BY u.k, u.hist DESC LIMIT \(page)
                            """
                        }, key: "k",
                        value: { column, r in
                            switch column {
                            case "id_pagamento": return String(try q.int(r, "k") ?? 0)
                            case "id_conta": return (try q.int(r, "conta")).map(String.init) ?? ""
                            case "documento_tipo": return GsanExtract.document(try q.int(r, "dotp"))
                            case "documento_tipo_origem_codigo": return (try q.int(r, "dotp")).map(String.init) ?? ""
                            case "id_documento_origem": return (try q.int(r, "guia")).map(String.init) ?? ""
                            case "matricula": return (try q.int(r, "imov")).map(String.init) ?? ""
                            case "data_pagamento": return try q.string(r, "data")
                            case "valor": return InterchangeExport.money(Interchange.cents(try q.string(r, "valor")) ?? 0)
                            case "situacao": return GsanExtract.paymentSituation(try q.int(r, "pgst"))
                            case "situacao_origem_codigo": return (try q.int(r, "pgst")).map(String.init) ?? ""
                            case "situacao_origem_descricao": return try q.text(r, "pgst_ds")
                            case "canal", "canal_origem_descricao": return String(try q.text(r, "arfm_ds").prefix(60))
                            case "canal_origem_codigo": return (try q.int(r, "arfm")).map(String.init) ?? ""
                            default: return q.stamp(try q.string(r, "ts"))
                            }
                        })
                ),
            ]
        }
    }
}
