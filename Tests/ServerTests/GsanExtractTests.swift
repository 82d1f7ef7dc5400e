import Domain
import Foundation
import Logging
import PostgresNIO
import SQLKit
import XCTest

@testable import Server

/// `agencia-server gsan extrair` (issue 30) against a GSAN-shaped schema that this test creates
/// in the test PostgreSQL: GSAN's schema, table and column names and types as GSAN.md gives them
/// from GSAN's published mappings (no GSAN code), in a `SQL_ASCII` database holding Latin-1
/// bytes, as GSAN installations do. Its rows cover every bill situation code, the water and
/// sewer situations, a bill and a payment moved to history, a rectified bill, an estimated
/// reading, a customer with CNPJ, a link ended. The extractor reads it with a role that can only
/// SELECT; the package loads; and for each property the agência's open bills are exactly those
/// an independent SQL over GSAN finds by GSAN's own open-debt rule.
final class GsanExtractTests: XCTestCase {
    /// GSAN's tables, as GSAN.md §1–§4 describe them (only the columns the extraction reads,
    /// and a few beside them).
    static let schema = """
        CREATE SCHEMA cadastro;
        CREATE SCHEMA atendimentopublico;
        CREATE SCHEMA micromedicao;
        CREATE SCHEMA faturamento;
        CREATE SCHEMA arrecadacao;
        CREATE TABLE cadastro.logradouro_tipo (lgtp_id integer PRIMARY KEY, lgtp_dslogradourotipo varchar(20), lgtp_dsabreviado varchar(3));
        CREATE TABLE cadastro.logradouro_titulo (lgtt_id integer PRIMARY KEY, lgtt_dslogradourotitulo varchar(25), lgtt_dsabreviado varchar(5));
        CREATE TABLE cadastro.unidade_federacao (unfe_id integer PRIMARY KEY, unfe_dsufsigla char(2));
        CREATE TABLE cadastro.municipio (muni_id integer PRIMARY KEY, muni_nmmunicipio varchar(30), muni_cdibge integer, unfe_id integer);
        CREATE TABLE cadastro.bairro (bair_id integer PRIMARY KEY, bair_nmbairro varchar(30), bair_cdbairro integer, muni_id integer);
        CREATE TABLE cadastro.logradouro (logr_id integer PRIMARY KEY, logr_nmlogradouro varchar(40) NOT NULL, logr_nmpopular varchar(30),
          lgtp_id integer, lgtt_id integer, muni_id integer);
        CREATE TABLE cadastro.cep (cep_id integer PRIMARY KEY, cep_cdcep integer);
        CREATE TABLE cadastro.logradouro_bairro (lgbr_id integer PRIMARY KEY, logr_id integer, bair_id integer);
        CREATE TABLE cadastro.logradouro_cep (lgcp_id integer PRIMARY KEY, logr_id integer, cep_id integer);
        CREATE TABLE cadastro.imovel_perfil (iper_id integer PRIMARY KEY, iper_dsimovelperfil varchar(20), iper_icgrandeconsumidor smallint);
        CREATE TABLE cadastro.categoria (catg_id integer PRIMARY KEY, catg_dscategoria varchar(15), catg_dsabreviado char(3));
        CREATE TABLE cadastro.subcategoria (scat_id integer PRIMARY KEY, catg_id integer NOT NULL, scat_cdsubcategoria integer,
          scat_dssubcategoria varchar(50), scat_cdtarifasocial char(1), scat_icrural smallint);
        CREATE TABLE atendimentopublico.ligacao_agua_situacao (last_id integer PRIMARY KEY, last_dsligacaoaguasituacao varchar(20), last_icfaturamento smallint);
        CREATE TABLE atendimentopublico.ligacao_esgoto_situacao (lest_id integer PRIMARY KEY, lest_dsligacaoesgotosituacao varchar(20), lest_icfaturamento smallint);
        CREATE TABLE cadastro.imovel (imov_id integer NOT NULL PRIMARY KEY CHECK (imov_id <= 99999999), loca_id integer NOT NULL, stcm_id integer NOT NULL,
          qdra_id integer NOT NULL, imov_nnlote smallint NOT NULL, imov_nnsublote smallint NOT NULL, lgbr_id integer, lgcp_id integer,
          imov_nnimovel character(5) NOT NULL, imov_dscomplementoendereco varchar(25), last_id integer NOT NULL, lest_id integer NOT NULL,
          iper_id integer NOT NULL, cstf_id integer NOT NULL, imov_qteconomia smallint, imov_idcategoriaprincipal integer,
          imov_idsubcategoriaprincipal integer, imov_ddvencimento smallint, imov_icvencimentomesseguinte smallint NOT NULL DEFAULT 2,
          icte_id integer NOT NULL DEFAULT 2, imov_icexclusao smallint, imov_tmultimaalteracao timestamp NOT NULL DEFAULT now());
        CREATE TABLE cadastro.imovel_subcategoria (imov_id integer NOT NULL, scat_id integer NOT NULL, imsb_qteconomia smallint NOT NULL,
          imsb_tmultimaalteracao timestamp, PRIMARY KEY (imov_id, scat_id));
        CREATE TABLE micromedicao.hidrometro (hidr_id integer PRIMARY KEY, hidr_nnhidrometro varchar(11));
        CREATE TABLE micromedicao.hidrometro_inst_hist (hidi_id integer PRIMARY KEY, hidr_id integer);
        CREATE TABLE atendimentopublico.ligacao_agua (lagu_id integer PRIMARY KEY, lagu_dtligacaoagua date, lagu_dtcorte date,
          lagu_dtreligacaoagua date, lagu_dtsupressaoagua date, hidi_id integer);
        CREATE TABLE cadastro.cliente_tipo (cltp_id integer PRIMARY KEY, cltp_dsclientetipo varchar(50), cltp_icpessoafisicajuridica smallint);
        CREATE TABLE cadastro.cliente (clie_id integer NOT NULL PRIMARY KEY, clie_nmcliente varchar(50), clie_nmabreviado varchar(40),
          cltp_id integer NOT NULL, clie_nncpf varchar(11), clie_nncnpj varchar(14), clie_dsemail varchar(40), clie_dtnascimento date,
          clie_nnmae varchar(50), clie_icuso smallint, clie_tmultimaalteracao timestamp);
        CREATE TABLE cadastro.cliente_fone (cfon_id integer PRIMARY KEY, clie_id integer NOT NULL, cfon_cdddd char(2), cfon_nnfone varchar(9),
          cfon_nnfoneramal varchar(4), cfon_icfonepadrao smallint, cfon_nmcontato varchar(50), fnet_id integer);
        CREATE TABLE cadastro.cliente_relacao_tipo (crtp_id integer PRIMARY KEY, crtp_dsclienterelacaotipo varchar(30));
        CREATE TABLE cadastro.cliente_imovel (clim_id integer NOT NULL PRIMARY KEY, clie_id integer NOT NULL, imov_id integer NOT NULL, crtp_id integer,
          clim_dtrelacaoinicio date NOT NULL, clim_dtrelacaofim date, cifr_id integer, clim_icnomeconta smallint NOT NULL, clim_tmultimaalteracao timestamp);
        CREATE TABLE faturamento.debito_credito_situacao (dcst_id integer PRIMARY KEY, dcst_dsdebitocreditosituacao varchar(30), dcst_dsabreviado varchar(10));
        CREATE TABLE faturamento.conta (cnta_id integer NOT NULL PRIMARY KEY, imov_id integer NOT NULL, cnta_amreferenciaconta integer NOT NULL,
          cnta_amreferenciacontabil integer NOT NULL, cnta_dtvencimentoconta date NOT NULL, cnta_dtvencimentooriginal date NOT NULL,
          cnta_dtemissao date, cnta_vlagua numeric(13,2) NOT NULL, cnta_vlesgoto numeric(13,2) NOT NULL, cnta_vldebitos numeric(13,2) NOT NULL,
          cnta_vlcreditos numeric(13,2) NOT NULL, cnta_vlimpostos numeric(13,2), cnta_nnconsumoagua integer, cnta_nnconsumoesgoto integer,
          cnta_dgverificadorconta smallint NOT NULL, dcst_idatual integer NOT NULL, dcst_idanterior integer, cnta_dtrevisao date, cmrv_id integer,
          cnta_dtcancelamento date, cnta_idorigem integer, parc_id integer, cnta_amreferenciabaixacontabil integer,
          cnta_tmultimaalteracao timestamp NOT NULL);
        CREATE TABLE faturamento.conta_historico (cnta_id integer NOT NULL PRIMARY KEY, imov_id integer NOT NULL, cnhi_amreferenciaconta integer NOT NULL,
          cnhi_dtvencimentoconta date NOT NULL, cnhi_dtvencimentooriginal date, cnhi_dtemissao date, cnhi_vlagua numeric(13,2) NOT NULL,
          cnhi_vlesgoto numeric(13,2) NOT NULL, cnhi_vldebitos numeric(13,2) NOT NULL, cnhi_vlcreditos numeric(13,2) NOT NULL,
          cnhi_vlimpostos numeric(13,2), cnhi_nnconsumoagua integer, cnhi_nnconsumoesgoto integer, cnhi_dgverificadorconta smallint,
          dcst_idatual integer NOT NULL, cnhi_dtrevisao date, cnta_idorigem integer, parc_id integer, cnhi_amreferenciabaixacontabil integer,
          cnhi_tmcontahistorico timestamp, cnhi_tmultimaalteracao timestamp NOT NULL);
        CREATE TABLE arrecadacao.pagamento_situacao (pgst_id integer PRIMARY KEY, pgst_dspagamentosituacao varchar(20));
        CREATE TABLE arrecadacao.arrecadacao_forma (arfm_id integer PRIMARY KEY, arfm_dsarrecadacaoforma varchar(30));
        CREATE TABLE arrecadacao.pagamento (pgmt_id integer NOT NULL PRIMARY KEY, pgmt_vlpagamento numeric(13,2) NOT NULL, pgmt_dtpagamento date NOT NULL,
          pgmt_amreferenciapagamento integer, pgmt_amreferenciaarrecadacao integer NOT NULL, cnta_id integer, gpag_id integer, dbac_id integer,
          cbdo_id integer, fatu_id integer, dotp_id integer NOT NULL, imov_id integer, clie_id integer, pgst_idatual integer, pgst_idanterior integer,
          avbc_id integer NOT NULL, arfm_id integer, pgmt_tmultimaalteracao timestamp);
        CREATE TABLE arrecadacao.pagamento_historico (pghi_id integer NOT NULL PRIMARY KEY, pghi_vlpagamento numeric(13,2) NOT NULL,
          pghi_dtpagamento date NOT NULL, pghi_amreferenciapagamento integer, cnta_id integer, gpag_id integer, dotp_id integer NOT NULL,
          imov_id integer, pgst_idatual integer, arfm_id integer, pghi_tmultimaalteracao timestamp);
        CREATE TABLE micromedicao.consumo_tipo (cstp_id integer PRIMARY KEY, cstp_dsconsumotipo varchar(20), cstp_dsabreviadaconsumotipo varchar(2));
        CREATE TABLE micromedicao.leitura_anormalidade (ltan_id integer PRIMARY KEY, ltan_dsleituraanormalidade varchar(25), ltan_dsabrevleituraanormalidad varchar(5));
        CREATE TABLE micromedicao.medicao_historico (mdhi_id integer PRIMARY KEY, lagu_id integer, imov_id integer, medt_id integer NOT NULL,
          mdhi_amleitura integer NOT NULL, mdhi_dtleituraatualfaturamento date, mdhi_nnleituraatualfaturamento integer NOT NULL,
          mdhi_nnconsumomedidomes integer, ltan_idleitanormfatmt integer, hidi_id integer, mdhi_tmultimaalteracao timestamp);
        CREATE TABLE micromedicao.consumo_historico (cshi_id integer PRIMARY KEY, imov_id integer NOT NULL, lgti_id integer NOT NULL,
          cshi_amfaturamento integer NOT NULL, cshi_nnconsumofaturadomes integer CHECK (cshi_nnconsumofaturadomes >= 0), cshi_nnconsumomedio integer,
          cshi_nnconsumominimo integer, cstp_id integer NOT NULL, csan_id integer, cshi_icfaturamento smallint, cshi_tmultimaalteracao timestamp)
        """

    /// The utility's codes and descriptions (Latin-1 bytes: `\\311` is É).
    static let codes = """
        INSERT INTO cadastro.logradouro_tipo VALUES (1, 'RUA', 'RUA'), (2, 'AVENIDA', 'AV');
        INSERT INTO cadastro.logradouro_titulo VALUES (1, 'DOUTOR', 'DR');
        INSERT INTO cadastro.unidade_federacao VALUES (1, 'SE');
        INSERT INTO cadastro.municipio VALUES (1, 'ARACAJU', 2800308, 1);
        INSERT INTO cadastro.bairro VALUES (1, E'S\\303O JOS\\311', 1, 1), (2, 'CENTRO', 2, 1);
        INSERT INTO cadastro.logradouro VALUES (1, E'JO\\303O PESSOA', NULL, 1, NULL, 1), (2, 'CARLOS FIRPO', NULL, 2, 1, 1);
        INSERT INTO cadastro.cep VALUES (1, 49010000), (2, 49015120);
        INSERT INTO cadastro.logradouro_bairro VALUES (1, 1, 2), (2, 2, 1);
        INSERT INTO cadastro.logradouro_cep VALUES (1, 1, 1), (2, 2, 2);
        INSERT INTO cadastro.imovel_perfil VALUES (1, 'GRANDE', 1), (4, 'TARIFA SOCIAL', 2), (5, 'NORMAL', 2);
        INSERT INTO cadastro.categoria VALUES (1, 'RESIDENCIAL', 'RES'), (2, 'COMERCIAL', 'COM'), (3, 'INDUSTRIAL', 'IND'), (4, E'P\\332BLICO', 'PUB');
        INSERT INTO cadastro.subcategoria VALUES (11, 1, 101, 'RESIDENCIAL', 'N', 2), (21, 2, 201, 'COMERCIAL', 'N', 2), (31, 3, 301, 'INDUSTRIAL', 'N', 2),
          (41, 4, 401, E'P\\332BLICO', 'N', 2);
        INSERT INTO atendimentopublico.ligacao_agua_situacao VALUES (1, 'POTENCIAL', 2), (2, E'FACT\\315VEL', 2), (3, 'LIGADO', 1),
          (4, E'EM FISCALIZA\\307\\303O', 1), (5, 'CORTADO', 1), (6, 'SUPRIMIDO', 2), (7, 'SUPR. PARCIAL', 2), (8, 'SUPR. PARC. A PEDIDO', 2),
          (9, 'EM CANCELAMENTO', 2);
        INSERT INTO atendimentopublico.ligacao_esgoto_situacao VALUES (1, 'POTENCIAL', 2), (2, E'FACT\\315VEL', 2), (3, 'LIGADO', 1),
          (4, E'EM FISCALIZA\\307\\303O', 1), (5, 'LIG. FORA DE USO', 2), (6, 'TAMPONADO', 2);
        INSERT INTO cadastro.cliente_tipo VALUES (1, E'PESSOA F\\315SICA', 1), (2, E'PESSOA JUR\\315DICA', 2);
        INSERT INTO cadastro.cliente_relacao_tipo VALUES (1, E'PROPRIET\\301RIO'), (2, E'USU\\301RIO'), (3, E'RESPONS\\301VEL');
        INSERT INTO faturamento.debito_credito_situacao VALUES (0, 'NORMAL', 'NORMAL'), (1, 'RETIFICADA', 'RETIF'), (2, E'INCLU\\315DA', 'INCL'),
          (3, 'CANCELADA', 'CANC'), (4, E'CANCELADA POR RETIFICA\\307\\303O', 'CANC RET'), (5, 'PARCELADA', 'PARC'), (6, 'ARRASTADA', 'ARRAS'),
          (7, 'ENTRADA DE PARCELAMENTO', 'ENTR'), (8, E'D\\311BITO PRESCRITO', 'PRESC'), (9, E'PR\\311-FATURADA', 'PREFAT'),
          (10, E'CART\\303O CR\\311DITO', 'CARTAO'), (11, 'ERRO PROCESSAMENTO', 'ERRO'), (12, E'DEB PRESCRITO CONTAS INCLU\\315DAS', 'PRESC'),
          (13, 'PAGA', 'PAGA');
        INSERT INTO arrecadacao.pagamento_situacao VALUES (0, 'CLASSIFICADO'), (1, 'EM DUPLICIDADE'), (2, 'DOC. INEXISTENTE'),
          (3, 'VALOR EM EXCESSO'), (4, 'VALOR A BAIXAR'), (5, E'VALOR N\\303O CONFERE'), (7, 'MOVIMENTO ABERTO'), (9, 'DUPLIC. EXC. DEVOLV.'),
          (10, 'DOC A CONTABILIZAR'), (11, 'DOC INEX PRESCRITO'), (12, 'DOC INEX PARCELADA'), (13, 'DOC INEX CANCELADA'), (14, 'DOC INEX ERRO');
        INSERT INTO arrecadacao.arrecadacao_forma VALUES (1, E'GUICH\\312 DE CAIXA'), (2, E'D\\311BITO AUTOM\\301TICO'), (3, 'INTERNET');
        INSERT INTO micromedicao.consumo_tipo VALUES (1, 'REAL', 'RE'), (3, E'M\\311DIA HIDR\\324METRO', 'MH'), (6, 'ESTIMADO', 'ES'), (5, E'N\\303O MEDIDO', 'NM');
        INSERT INTO micromedicao.leitura_anormalidade VALUES (30, E'HIDR\\324METRO PARADO', 'HP');
        INSERT INTO micromedicao.hidrometro VALUES (1, 'Y21A000123');
        INSERT INTO micromedicao.hidrometro_inst_hist VALUES (1, 1)
        """

    /// The matrícula of sequence `n` with GSAN's mod-11 digit.
    static func imov(_ n: Int) -> Int { Int(Matricula(sequence: String(n), rule: .mod11)!.normalized)! }

    static func data() -> String {
        let p = (1001...1009).map(imov)
        let t = "'2026-11-20 10:00:00'"
        var sql = [String]()
        // Properties: every water situation 1–9 and sewer situation 1–6; one category only by
        // its subcategories; one on the social-tariff perfil; one excluded.
        let props: [(Int, Int, Int, String, Int, Int)] = [
            // (imov, last, lest, categoria principal, perfil, exclusão)
            (p[0], 3, 3, "1", 5, 2), (p[1], 5, 5, "NULL", 5, 2), (p[2], 6, 6, "3", 5, 2), (p[3], 1, 1, "1", 4, 2), (p[4], 2, 2, "4", 5, 2),
            (p[5], 4, 4, "1", 5, 2), (p[6], 7, 3, "1", 5, 2), (p[7], 8, 3, "1", 5, 2), (p[8], 9, 3, "1", 5, 1),
        ]
        for (i, x) in props.enumerated() {
            sql.append(
                """
                INSERT INTO cadastro.imovel (imov_id, loca_id, stcm_id, qdra_id, imov_nnlote, imov_nnsublote, lgbr_id, lgcp_id, imov_nnimovel,
                  imov_dscomplementoendereco, last_id, lest_id, iper_id, cstf_id, imov_qteconomia, imov_idcategoriaprincipal, imov_ddvencimento,
                  imov_icexclusao, imov_tmultimaalteracao)
                VALUES (\(x.0), 1, 1, 1, \(i + 1), 0, \(i % 2 + 1), \(i % 2 + 1), '\(100 + i)  ', \(i == 0 ? "E'APTO 3 BLOCO \\301'" : "NULL"),
                  \(x.1), \(x.2), \(x.4), 1, \(i == 1 ? "NULL" : "1"), \(x.3), \(i == 0 ? "15" : "NULL"), \(x.5), \(t))
                """)
            let scat = i == 1 ? 21 : i == 2 ? 31 : i == 4 ? 41 : 11
            sql.append("INSERT INTO cadastro.imovel_subcategoria VALUES (\(x.0), \(scat), \(i == 1 ? 2 : 1), \(t))")
            sql.append(
                "INSERT INTO atendimentopublico.ligacao_agua VALUES (\(x.0), '2015-03-01', \(x.1 == 5 ? "'2026-10-15'" : "NULL"), NULL, \(x.1 >= 6 && x.1 <= 8 ? "'2026-09-01'" : "NULL"), \(i == 0 ? "1" : "NULL"))"
            )
        }
        // Customers: a CPF, a CNPJ (a company), a name in Latin-1, a former user, an owner; phones.
        sql += [
            "INSERT INTO cadastro.cliente VALUES (501, E'JOS\\311 DA CONCEI\\307\\303O', NULL, 1, '11144477735', NULL, 'JOSE@EXAMPLE.COM', '1970-01-01', 'X', 1, \(t))",
            "INSERT INTO cadastro.cliente VALUES (502, E'EMPRESA A\\307\\332CAR & CIA LTDA', NULL, 2, NULL, '11222333000181', 'financeiro@acucar', NULL, NULL, 1, \(t))",
            "INSERT INTO cadastro.cliente VALUES (503, E'MARIA JOS\\311 SANTOS', NULL, 1, '52998224725', NULL, NULL, NULL, NULL, 1, \(t))",
            "INSERT INTO cadastro.cliente VALUES (504, E'ANT\\324NIO PRADO', NULL, 1, '39053344705', NULL, NULL, NULL, NULL, 1, \(t))",
            "INSERT INTO cadastro.cliente VALUES (505, E'JO\\303O PROPRIET\\301RIO', NULL, 1, '31845720644', NULL, NULL, NULL, NULL, 1, \(t))",
            "INSERT INTO cadastro.cliente_fone VALUES (1, 501, '79', '999871234', NULL, 1, NULL, 3), (2, 502, '79', '32220101', NULL, 1, NULL, 2)",
        ]
        // Links: José uses p1 since 2020 (on the bill), Antônio used it until 2019, João owns it.
        let links: [(Int, Int, Int, String, String, Int)] = [
            (1, 501, p[0], "2020-01-01", "NULL", 1), (2, 504, p[0], "2015-03-01", "'2019-12-31'", 0), (3, 505, p[0], "2015-03-01", "NULL", 0),
            (4, 502, p[1], "2018-05-01", "NULL", 1), (5, 503, p[2], "2019-01-01", "NULL", 1), (6, 503, p[3], "2019-01-01", "NULL", 1),
            (7, 502, p[4], "2019-01-01", "NULL", 1), (8, 501, p[5], "2019-01-01", "NULL", 1), (9, 501, p[6], "2019-01-01", "NULL", 1),
            (10, 501, p[7], "2019-01-01", "NULL", 1), (11, 501, p[8], "2019-01-01", "NULL", 1),
        ]
        for l in links {
            let crtp = l.0 == 3 ? 1 : 2
            sql.append("INSERT INTO cadastro.cliente_imovel VALUES (\(l.0), \(l.1), \(l.2), \(crtp), '\(l.3)', \(l.4), NULL, \(l.5), \(t))")
        }
        // Bills: (id, imov, month, water, credits, situation, under review, history, replaces, dívida ativa)
        struct B {
            var id: Int, imov: Int, am: Int, agua: String, creditos = "0.00", dcst = 0, revisao = false, historico = false, origem: Int? = nil,
                divida = false
        }
        let bills: [B] = [
            B(id: 101, imov: p[0], am: 202609, agua: "60.00", historico: true),
            B(id: 102, imov: p[0], am: 202610, agua: "80.00", dcst: 4, historico: true),
            B(id: 103, imov: p[0], am: 202610, agua: "70.00", dcst: 1, origem: 102),
            B(id: 104, imov: p[0], am: 202611, agua: "65.00", revisao: true),
            B(id: 105, imov: p[0], am: 202608, agua: "55.00"),
            B(id: 201, imov: p[1], am: 202607, agua: "90.00", dcst: 5), B(id: 202, imov: p[1], am: 202608, agua: "91.00", dcst: 6),
            B(id: 203, imov: p[1], am: 202609, agua: "92.00", dcst: 7), B(id: 204, imov: p[1], am: 202610, agua: "93.00", dcst: 2),
            B(id: 205, imov: p[1], am: 202611, agua: "94.00"), B(id: 206, imov: p[1], am: 202606, agua: "95.00"),
            B(id: 301, imov: p[2], am: 202601, agua: "40.00", dcst: 8), B(id: 302, imov: p[2], am: 202602, agua: "41.00", dcst: 12),
            B(id: 303, imov: p[2], am: 202603, agua: "42.00", dcst: 9), B(id: 304, imov: p[2], am: 202604, agua: "43.00", dcst: 10),
            B(id: 305, imov: p[2], am: 202605, agua: "44.00", dcst: 11), B(id: 306, imov: p[2], am: 202606, agua: "45.00", dcst: 3, historico: true),
            B(id: 307, imov: p[2], am: 202607, agua: "46.00", dcst: 13), B(id: 308, imov: p[2], am: 202611, agua: "47.00", divida: true),
            B(id: 309, imov: p[2], am: 202610, agua: "48.00", creditos: "58.00"),
            B(id: 401, imov: p[3], am: 202611, agua: "20.00"), B(id: 601, imov: p[5], am: 202611, agua: "30.00"),
            B(id: 701, imov: p[6], am: 202607, agua: "31.00"), B(id: 702, imov: p[6], am: 202608, agua: "32.00"),
            B(id: 703, imov: p[6], am: 202609, agua: "33.00"), B(id: 704, imov: p[6], am: 202610, agua: "34.00"),
            B(id: 705, imov: p[6], am: 202611, agua: "35.00"),
            B(id: 801, imov: p[7], am: 202608, agua: "36.00"), B(id: 802, imov: p[7], am: 202609, agua: "37.00"),
            B(id: 803, imov: p[7], am: 202610, agua: "38.00"), B(id: 804, imov: p[7], am: 202611, agua: "39.00"),
        ]
        for b in bills {
            // Due on the 10th of the next month.
            let (year, month) = b.am % 100 == 12 ? (b.am / 100 + 1, 1) : (b.am / 100, b.am % 100 + 1)
            let due = String(format: "'%04d-%02d-10'", year, month)
            if b.historico {
                sql.append(
                    """
                    INSERT INTO faturamento.conta_historico VALUES (\(b.id), \(b.imov), \(b.am), \(due), \(due), NULL, \(b.agua), 10.00, 0.00, \(b.creditos),
                      NULL, 12, 12, 1, \(b.dcst), NULL, \(b.origem.map(String.init) ?? "NULL"), NULL, NULL, \(t), \(t))
                    """)
            } else {
                sql.append(
                    """
                    INSERT INTO faturamento.conta VALUES (\(b.id), \(b.imov), \(b.am), \(b.am), \(due), \(due), NULL, \(b.agua), 10.00, 0.00, \(b.creditos),
                      0.00, 12, 12, 1, \(b.dcst), NULL, \(b.revisao ? "'2026-11-25'" : "NULL"), NULL, NULL, \(b.origem.map(String.init) ?? "NULL"),
                      \(b.dcst == 5 ? "77" : "NULL"), \(b.divida ? "202611" : "NULL"), \(t))
                    """)
            }
        }
        // Payments: classified (one in history), not classified in each situation, a guia's.
        let payments: [(Int, Int?, String, Int, Int, Bool)] = [
            // (id, bill, value, situation, document type, history)
            (9001, 101, "70.00", 0, 1, true), (9002, 105, "65.00", 0, 1, false), (9003, 205, "50.00", 5, 1, false),
            (9004, 206, "105.00", 1, 1, false), (9005, 206, "105.00", 0, 1, false), (9006, nil, "25.00", 0, 7, false),
            (9007, 306, "55.00", 13, 1, false), (9008, 601, "40.00", 7, 1, false), (9009, 701, "41.00", 2, 1, false),
            (9010, 702, "50.00", 3, 1, false), (9011, 703, "10.00", 4, 1, false), (9012, 704, "44.00", 9, 1, true),
            (9013, 705, "45.00", 10, 1, false), (9014, 801, "46.00", 11, 1, false), (9015, 802, "47.00", 12, 1, false),
            (9016, 803, "48.00", 14, 1, false), (9017, 804, "49.00", 0, 1, false),
        ]
        for x in payments {
            let bill = x.1.map(String.init) ?? "NULL"
            if x.5 {
                sql.append("INSERT INTO arrecadacao.pagamento_historico VALUES (\(x.0), \(x.2), '2026-11-05', NULL, \(bill), NULL, \(x.4), NULL, \(x.3), 1, \(t))")
            } else {
                sql.append(
                    """
                    INSERT INTO arrecadacao.pagamento VALUES (\(x.0), \(x.2), '2026-11-05', NULL, 202611, \(bill), \(x.4 == 7 ? "66" : "NULL"), NULL, NULL, NULL,
                      \(x.4), NULL, NULL, \(x.3), NULL, 1, \(x.0 % 3 + 1), \(t))
                    """)
            }
        }
        // Readings of p1: real with the meter's reading, average, estimated with an anomaly.
        sql += [
            "INSERT INTO micromedicao.medicao_historico VALUES (1, \(p[0]), NULL, 1, 202610, '2026-10-05', 1234, 12, NULL, 1, \(t))",
            "INSERT INTO micromedicao.medicao_historico VALUES (2, \(p[0]), NULL, 1, 202611, '2026-11-05', 1234, 0, 30, 1, \(t))",
            "INSERT INTO micromedicao.consumo_historico VALUES (1, \(p[0]), 1, 202609, 11, 12, 10, 3, NULL, 1, \(t))",
            "INSERT INTO micromedicao.consumo_historico VALUES (2, \(p[0]), 1, 202610, 12, 12, 10, 1, NULL, 1, \(t))",
            "INSERT INTO micromedicao.consumo_historico VALUES (3, \(p[0]), 1, 202611, 13, 12, 10, 6, NULL, 1, \(t))",
            "INSERT INTO micromedicao.consumo_historico VALUES (4, \(p[0]), 2, 202611, 13, 12, 10, 6, NULL, 1, \(t))",
        ]
        return sql.joined(separator: ";\n")
    }

    /// GSAN's own open debt (GSAN.md §3.4, the query of `pesquisarContasImovel` with bills under
    /// revisão left out): situation normal, retificada or incluída, a positive total, no payment
    /// of any situation in `pagamento` ∪ `pagamento_historico`. Written independently of the
    /// extractor: (matrícula, month, cents).
    static let gsanOpenDebt = """
        SELECT u.imov_id::bigint AS imov, u.am::bigint AS am, (u.total * 100)::bigint AS cents FROM (
          SELECT cnta_id, imov_id, cnta_amreferenciaconta AS am, dcst_idatual AS dcst, cnta_dtrevisao AS rev,
            cnta_vlagua + cnta_vlesgoto + cnta_vldebitos - cnta_vlcreditos - coalesce(cnta_vlimpostos, 0) AS total FROM faturamento.conta
          UNION ALL
          SELECT cnta_id, imov_id, cnhi_amreferenciaconta, dcst_idatual, cnhi_dtrevisao,
            cnhi_vlagua + cnhi_vlesgoto + cnhi_vldebitos - cnhi_vlcreditos - coalesce(cnhi_vlimpostos, 0) FROM faturamento.conta_historico
        ) u
        WHERE u.dcst IN (0, 1, 2) AND u.total > 0 AND u.rev IS NULL
          AND NOT EXISTS (SELECT 1 FROM arrecadacao.pagamento p WHERE p.cnta_id = u.cnta_id)
          AND NOT EXISTS (SELECT 1 FROM arrecadacao.pagamento_historico h WHERE h.cnta_id = u.cnta_id)
        """

    func testTheExtractReadsGsanAndTheAgenciaOwesExactlyWhatGsanDoes() async throws {
        do { try await extractAndLoad() } catch let e as PSQLError {
            XCTFail(String(reflecting: e))  // PostgreSQL's message, which its description hides
            throw e
        }
    }

    func extractAndLoad() async throws {
        guard let base = Harness.postgresURL else {
            if Harness.postgresRequired { throw Harness.PostgresMissing() }
            throw XCTSkip("PostgreSQL não testado: AGENCIA_TEST_POSTGRES não definido")
        }
        var admin = URLComponents(string: base)!
        admin.path = "/postgres"
        var logger = Logger(label: "gsan-test")
        logger.logLevel = .critical
        let server = try PostgresStore(url: admin.string!, logger: logger)
        try await AdminStore.withClientRunning(server) {
            try await server.read { db in
                try await db.raw("DROP DATABASE IF EXISTS gsan_teste WITH (FORCE)").run()
                try await db.raw("CREATE DATABASE gsan_teste ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0").run()
                if try await db.raw("SELECT 1 AS x FROM pg_roles WHERE rolname = 'gsan_leitor'").first() == nil {
                    try await db.raw("CREATE ROLE gsan_leitor LOGIN PASSWORD 'leitura'").run()
                }
            }
        }
        await server.shutdown()
        var gsanURL = URLComponents(string: base)!
        gsanURL.path = "/gsan_teste"
        let gsan = try PostgresStore(url: gsanURL.string!, logger: logger)
        try await AdminStore.withClientRunning(gsan) {
            try await gsan.write { db in
                for statement in (Self.schema + ";\n" + Self.codes + ";\n" + Self.data()).components(separatedBy: ";\n") {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                for s in ["cadastro", "atendimentopublico", "micromedicao", "faturamento", "arrecadacao"] {
                    try await db.raw(SQLQueryString("GRANT USAGE ON SCHEMA \(s) TO gsan_leitor")).run()
                    try await db.raw(SQLQueryString("GRANT SELECT ON ALL TABLES IN SCHEMA \(s) TO gsan_leitor")).run()
                }
            }
        }
        await gsan.shutdown()
        var reader = gsanURL
        reader.user = "gsan_leitor"
        reader.password = "leitura"

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gsan-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var options = GsanExtract.Options(source: reader.string!, folder: folder)
        options.timeZone = "America/Maceio"
        let clock = TestClock()
        let summary = try await GsanExtract.run(options, clock: { clock.now })
        AEq(summary.records["imoveis.csv"], 9)
        AEq(summary.records["contas.csv"], 31, "conta ∪ conta_historico, each once")
        AEq(summary.records["pagamentos.csv"], 17, "pagamento ∪ pagamento_historico")
        AEq(summary.cleaned["e-mail"], 1, "\(summary)")
        // The role it read with cannot write: "writes nothing" does not rest on the extractor alone.
        let asReader = try PostgresStore(url: reader.string!, logger: logger)
        var wrote = true
        do {
            try await AdminStore.withClientRunning(asReader) {
                try await asReader.write { db in try await db.raw("UPDATE cadastro.imovel SET imov_nnimovel = 'X'").run() }
            }
        } catch let e as PSQLError {
            wrote = false
            ATrue(String(reflecting: e).contains("permission denied"), String(reflecting: e))
        }
        await asReader.shutdown()
        ATrue(!wrote, "the reading role wrote to GSAN")

        // The package loads; the agência then answers from it.
        try await Harness.withServer(.postgres, clock: clock, configure: { $0.seed = "referencia" }) { client, agencia in
            var c = ServerConfiguration()
            c.database = base
            let report = try await InterchangeLoad.run(configuration: c, folder: folder, simulate: false, clock: { clock.now })
            AEq(report.separados, [], "\(report)")
            AEq(report.arquivos["pagamentos.csv"]?.ignorados ?? 0 > 0, true, "the guia's payment is not a bill's")
            let staff = try await client.staffToken()

            // GSAN's open debt, property by property, against the agência's open bills.
            var expected: [String: [String]] = [:]
            let independent = try PostgresStore(url: gsanURL.string!, logger: logger)
            let rows = try await AdminStore.withClientRunning(independent) {
                try await independent.read { db in
                    try await db.raw(SQLQueryString(Self.gsanOpenDebt)).all().map {
                        (try $0.decode(column: "imov", as: Int.self), try $0.decode(column: "am", as: Int.self), try $0.decode(column: "cents", as: Int64.self))
                    }
                }
            }
            await independent.shutdown()
            for (imov, am, cents) in rows {
                expected[String(imov), default: []].append("\(String(format: "%04d-%02d", am / 100, am % 100)) \(cents)")
            }
            AEq(expected.values.map(\.count).reduce(0, +), 4, "four bills open by GSAN's rule: \(expected)")
            for n in 1001...1009 {
                let m = String(Self.imov(n))
                let bills = try await client.get("/v1/properties/\(m)/bills", token: staff).json["items"] as? [[String: Any]] ?? []
                let open = bills.filter { $0["situacao"] as? String == "aberta" }.map { "\($0["competencia"] ?? "") \($0["amountCents"] ?? "")" }
                AEq(open.sorted(), (expected[m] ?? []).sorted(), "matrícula \(m): \(bills.map { "\($0["competencia"] ?? "") \($0["situacao"] ?? "")" })")
            }

            // What the customer and the attendant see of GSAN's data.
            let p1 = String(Self.imov(1001))
            let property = try await client.get("/v1/properties/\(p1)", token: staff).json
            AEq((property["titular"] as? [String: Any])?["nome"] as? String, "JOSÉ DA CONCEIÇÃO", "Latin-1 transcoded; the current user, not the former")
            AEq((property["endereco"] as? [String: Any])?["logradouro"] as? String, "RUA JOÃO PESSOA", "\(property)")
            let p1bills = try await client.get("/v1/properties/\(p1)/bills", token: staff).json["items"] as? [[String: Any]] ?? []
            let byMonth = Dictionary(grouping: p1bills) { $0["competencia"] as? String ?? "" }
            AEq(byMonth["2026-10"]?.compactMap { $0["situacao"] as? String }.sorted(), ["aberta", "baixada"], "a rectified month: the new bill and the replaced")
            AEq(byMonth["2026-10"]?.compactMap { $0["situacaoOrigem"] as? String }, ["CANCELADA POR RETIFICAÇÃO"])
            AEq(byMonth["2026-09"]?.first?["situacao"] as? String, "paga", "a bill in history paid by a payment in history")
            AEq(byMonth["2026-11"]?.first?["situacao"] as? String, "em_revisao", "under revisão at GSAN")
            let consumption = try await client.get("/v1/properties/\(p1)/consumption", token: staff).json["items"] as? [[String: Any]] ?? []
            let estimated = Dictionary(uniqueKeysWithValues: consumption.map { ($0["competencia"] as? String ?? "", $0["estimated"] as? Bool ?? false) })
            AEq(estimated["2026-10"], false, "a real reading")
            AEq(estimated["2026-11"], true, "an estimated reading")
            AEq(estimated["2026-09"], true, "an average is not a reading")
            let people = try await client.get("/v1/properties/\(p1)/people", token: staff).json["items"] as? [[String: Any]] ?? []
            AEq(people.compactMap { $0["nome"] as? String }.sorted(), ["JOSÉ DA CONCEIÇÃO", "JOÃO PROPRIETÁRIO"], "the ended link is not shown")

            let company = try await client.get("/v1/properties/\(Self.imov(1002))", token: staff).json
            AEq((company["titular"] as? [String: Any])?["nome"] as? String, "EMPRESA AÇÚCAR & CIA LTDA")
            AEq(company["situacaoLigacao"] as? String, "cortada")
            AEq(company["situacaoLigacaoSinceOn"] as? String, "2026-10-15")
            AEq(company["categoria"] as? String, "comercial", "the category of its subcategories")
            AEq((try await client.get("/v1/properties/\(Self.imov(1004))", token: staff).json)["categoria"] as? String, "residencial_social")
            let excluded = try await agencia.store.read { db in
                try await db.raw("SELECT ativo FROM properties WHERE matricula = \(bind: String(Self.imov(1009)))").first()?.decode(column: "ativo", as: Int.self)
            }
            AEq(excluded, 0, "imov_icexclusao = 1")

            // The next night: what changed since the last extraction, as an incremental package.
            let admin = try PostgresStore(url: gsanURL.string!, logger: logger)
            try await AdminStore.withClientRunning(admin) {
                try await admin.write { db in
                    let later = "'2026-11-22 09:00:00'"
                    for sql in [
                        "UPDATE cadastro.imovel SET last_id = 5, imov_tmultimaalteracao = \(later) WHERE imov_id = \(Self.imov(1006))",
                        "UPDATE atendimentopublico.ligacao_agua SET lagu_dtcorte = '2026-11-22' WHERE lagu_id = \(Self.imov(1006))",
                        """
                        INSERT INTO arrecadacao.pagamento VALUES (9100, 30.00, '2026-11-22', NULL, 202611, 401, NULL, NULL, NULL, NULL, 1, NULL, NULL, 0,
                          NULL, 1, 3, \(later))
                        """,
                    ] {
                        try await db.raw(SQLQueryString(sql)).run()
                    }
                }
            }
            await admin.shutdown()
            let nightly = folder + "-incremental"
            defer { try? FileManager.default.removeItem(atPath: nightly) }
            var next = GsanExtract.Options(source: reader.string!, folder: nightly)
            next.timeZone = "America/Maceio"
            next.since = ISO8601DateFormatter().date(from: "2026-11-21T00:00:00-03:00")
            let delta = try await GsanExtract.run(next, clock: { clock.now })
            AEq(delta.records["imoveis.csv"], 1, "\(delta)")
            AEq(delta.records["pagamentos.csv"], 1, "\(delta)")
            AEq(delta.records["contas.csv"], 0, "\(delta)")
            let applied = try await InterchangeLoad.run(configuration: c, folder: nightly, simulate: false, clock: { clock.now })
            AEq(applied.arquivos["imoveis.csv"]?.atualizados, 1, "\(applied)")
            AEq(applied.arquivos["pagamentos.csv"]?.inseridos, 1, "\(applied)")
            let cut = try await client.get("/v1/properties/\(Self.imov(1006))", token: staff).json
            AEq(cut["situacaoLigacao"] as? String, "cortada")
            AEq(cut["situacaoLigacaoSinceOn"] as? String, "2026-11-22")
            let paid = try await client.get("/v1/properties/\(Self.imov(1004))/bills", token: staff).json["items"] as? [[String: Any]] ?? []
            AEq(paid.first?["situacao"] as? String, "paga")
            AEq(paid.first?["paidOn"] as? String, "2026-11-22")
        }
    }
}
