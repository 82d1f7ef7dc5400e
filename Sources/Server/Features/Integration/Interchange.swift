import Domain
import Foundation

/// The interchange package (issue 30, GSAN.md §9.4): how a utility's commercial system —
/// GSAN, SAP, an in-house one — hands the agência its properties, customers, links, readings,
/// bills and payments. This table is the contract: the loader checks packages against it, the
/// exporter writes it, `docs/INTEGRATION.md` and `docs/intercambio-v1.json` are written from it
/// (and held equal to it by a test), so a producer in any language reads the same rules the
/// loader applies.
public enum Interchange {
    public static let format = "agencia-intercambio"
    public static let version = "1.0"

    /// A column's kind of value, as written in the CSV (RFC 4180, UTF-8).
    public enum Kind: Equatable, Sendable {
        case text(maxLength: Int)
        /// An opaque identifier of the source (`matricula`, `codigo_cliente`, `id_conta`…).
        case identifier
        case integer(min: Int, max: Int)
        /// Decimal with a dot and exactly two places (`1234.50`), never a float.
        case money
        /// `AAAA-MM-DD`.
        case date
        /// ISO 8601 with its offset (`2026-11-30T14:05:00-03:00`).
        case timestamp
        /// `AAAA-MM`.
        case month
        /// `true` or `false`.
        case boolean
        /// CPF (11 digits) or CNPJ (14 characters, alphanumeric allowed), check digits valid.
        case document
        /// DDD and number, digits only (10 or 11).
        case phone
        /// 8 digits.
        case cep
        /// Two capital letters of a Brazilian state.
        case uf
        case email
        /// One of the canonical values.
        case choice([String])

        var name: String {
            switch self {
            case .text(let n): return "texto (até \(n))"
            case .identifier: return "identificador"
            case .integer(let a, let b): return "inteiro \(a)–\(b)"
            case .money: return "dinheiro"
            case .date: return "data"
            case .timestamp: return "data e hora"
            case .month: return "mês"
            case .boolean: return "booleano"
            case .document: return "CPF/CNPJ"
            case .phone: return "telefone"
            case .cep: return "CEP"
            case .uf: return "UF"
            case .email: return "e-mail"
            case .choice: return "enumeração"
            }
        }
    }

    public enum Presence: String, Sendable {
        /// Always present and non-empty.
        case required = "sim"
        case optional = "não"
        /// Only in `incremental` packages (a row's exclusion).
        case incrementalOnly = "incremental"
    }

    public struct Column: Sendable, Equatable {
        public var name: String
        public var presence: Presence
        public var kind: Kind
        public var meaning: String
        /// Coded in the source: `<name>_origem_codigo` and `<name>_origem_descricao` may come
        /// beside it with the source's own code and text (shown where the agência shows the value).
        public var withOrigin: Bool

        init(_ name: String, _ presence: Presence, _ kind: Kind, _ meaning: String, origin: Bool = false) {
            self.name = name
            self.presence = presence
            self.kind = kind
            self.meaning = meaning
            withOrigin = origin
        }
    }

    public struct File: Sendable, Equatable {
        public var name: String
        /// Must a `completo` package carry it.
        public var required: Bool
        /// The natural key: the columns a row is upserted by.
        public var key: [String]
        public var meaning: String
        public var columns: [Column]

        /// The columns a header may have: each column, its origin pair, nothing else.
        public var headerNames: [String] {
            columns.flatMap { c in c.withOrigin ? [c.name, "\(c.name)_origem_codigo", "\(c.name)_origem_descricao"] : [c.name] }
        }
    }

    static let timestampColumn = Column("atualizado_em", .required, .timestamp, "Última alteração do registro na origem.")
    static let excluded = Column("excluido", .incrementalOnly, .boolean, "Só em pacote incremental: `true` exclui o registro (fica inativo).")

    public static let files: [File] = [
        File(
            name: "imoveis.csv", required: true, key: ["matricula"],
            meaning: "Os imóveis (ligações) da concessionária.",
            columns: [
                Column("matricula", .required, .identifier, "Como impressa na conta, com o dígito verificador (validado pela `regra_dv_matricula`)."),
                Column("inscricao", .optional, .text(maxLength: 40), "Inscrição imobiliária (GSAN: localidade.setor.quadra.lote.sublote)."),
                Column("logradouro", .required, .text(maxLength: 120), "Tipo, título e nome do logradouro, como no endereço da conta."),
                Column("numero", .optional, .text(maxLength: 20), "Número (vazio: sem número)."),
                Column("complemento", .optional, .text(maxLength: 80), ""),
                Column("bairro", .required, .text(maxLength: 80), ""),
                Column("municipio", .required, .text(maxLength: 80), ""),
                Column("municipio_ibge", .optional, .text(maxLength: 7), "Código IBGE do município."),
                Column("uf", .required, .uf, ""),
                Column("cep", .optional, .cep, ""),
                Column(
                    "situacao_agua", .required,
                    .choice(["potencial", "factivel", "ligada", "em_fiscalizacao", "cortada", "suprimida", "suprimida_parcial", "em_cancelamento", "outra"]),
                    "Situação da ligação de água.", origin: true),
                Column("situacao_agua_desde", .optional, .date, "Desde quando a ligação está nesta situação (corte, supressão, ligação)."),
                Column(
                    "situacao_esgoto", .required, .choice(["potencial", "factivel", "ligado", "em_fiscalizacao", "fora_de_uso", "tamponado", "outra"]),
                    "Situação da ligação de esgoto.", origin: true),
                Column(
                    "categoria_principal", .required, .choice(["residencial", "comercial", "industrial", "publica", "outra"]),
                    "Categoria de maior número de economias.", origin: true),
                Column("economias_total", .required, .integer(min: 1, max: 9_999), "Economias (unidades) da ligação."),
                Column("tarifa_social", .required, .boolean, "Enquadrado na tarifa social (regra da concessionária sobre perfil ou subcategoria)."),
                Column("perfil", .optional, .text(maxLength: 60), "Perfil do imóvel na origem (só informativo).", origin: true),
                Column("dia_vencimento", .optional, .integer(min: 1, max: 31), "Dia de vencimento das contas."),
                Column("hidrometro", .optional, .text(maxLength: 30), "Número do hidrômetro da ligação de água."),
                Column("ativo", .required, .boolean, "`false`: imóvel excluído na origem (fica inativo na agência)."),
                timestampColumn, excluded,
            ]),
        File(
            name: "clientes.csv", required: true, key: ["codigo_cliente"],
            meaning: "As pessoas e empresas ligadas a imóveis. Não se trocam RG, filiação, nascimento, profissão nem sexo (LGPD: minimização).",
            columns: [
                Column("codigo_cliente", .required, .identifier, "Código do cliente na origem."),
                Column("tipo_pessoa", .required, .choice(["F", "J"]), "Pessoa física ou jurídica."),
                Column("nome", .required, .text(maxLength: 120), "Nome ou razão social."),
                Column("cpf_cnpj", .optional, .document, "Sem ele o cliente não entra no autoatendimento (só no balcão, que pode corrigir o cadastro)."),
                Column("email", .optional, .email, ""),
                Column("telefone_principal", .optional, .phone, ""),
                Column("celular", .optional, .phone, ""),
                Column("aceita_email", .optional, .boolean, "Aceita receber contas e avisos por e-mail."),
                Column("ativo", .required, .boolean, ""),
                timestampColumn, excluded,
            ]),
        File(
            name: "vinculos.csv", required: true, key: ["matricula", "codigo_cliente", "tipo", "inicio"],
            meaning: "Quem responde por cada imóvel, e desde quando.",
            columns: [
                Column("matricula", .required, .identifier, "Um imóvel de `imoveis.csv` (ou já carregado)."),
                Column("codigo_cliente", .required, .identifier, "Um cliente de `clientes.csv` (ou já carregado)."),
                Column("tipo", .required, .choice(["proprietario", "usuario", "responsavel"]), "Papel do cliente no imóvel.", origin: true),
                Column("inicio", .required, .date, ""),
                Column("fim", .optional, .date, "Vazio: vínculo em vigor."),
                Column("nome_na_conta", .optional, .boolean, "É o nome impresso na conta (o titular que a agência mostra)."),
                timestampColumn, excluded,
            ]),
        File(
            name: "leituras.csv", required: false, key: ["matricula", "referencia", "ponto"],
            meaning: "Leituras e consumos faturados, mês a mês.",
            columns: [
                Column("matricula", .required, .identifier, ""),
                Column("referencia", .required, .month, "Mês de faturamento."),
                Column("ponto", .required, .choice(["agua", "poco"]), "Ponto de medição."),
                Column("hidrometro", .optional, .text(maxLength: 30), ""),
                Column("data_leitura", .optional, .date, ""),
                Column("leitura", .optional, .integer(min: 0, max: 999_999_999), "Leitura do hidrômetro."),
                Column("consumo_medido_m3", .optional, .integer(min: 0, max: 9_999_999), ""),
                Column("consumo_faturado_m3", .required, .integer(min: 0, max: 9_999_999), "O consumo que a conta cobrou."),
                Column("consumo_medio_m3", .optional, .integer(min: 0, max: 9_999_999), ""),
                Column(
                    "tipo_consumo", .required, .choice(["real", "media", "estimado", "informado", "minimo", "sem_consumo", "nao_medido", "outro"]),
                    "Só `real` é leitura real; os demais aparecem como estimados.", origin: true),
                Column("anormalidade", .optional, .text(maxLength: 120), "Anormalidade de leitura ou de consumo.", origin: true),
                timestampColumn, excluded,
            ]),
        File(
            name: "contas.csv", required: true, key: ["id_conta"],
            meaning:
                "As contas, atuais e históricas (no GSAN, `conta` ∪ `conta_historico`). Em aberto na agência: situação normal, retificada ou incluída, "
                + "valor total acima de zero, sem `quitada`, fora de revisão e sem pagamento em `pagamentos.csv`.",
            columns: [
                Column("id_conta", .required, .identifier, "O mesmo na conta atual e no histórico."),
                Column("matricula", .required, .identifier, ""),
                Column("referencia", .required, .month, ""),
                Column("vencimento", .required, .date, ""),
                Column("vencimento_original", .optional, .date, ""),
                Column("emissao", .optional, .date, ""),
                Column("valor_agua", .required, .money, ""),
                Column("valor_esgoto", .required, .money, ""),
                Column("valor_debitos", .required, .money, "Serviços e parcelas cobrados na conta."),
                Column("valor_creditos", .required, .money, ""),
                Column("valor_impostos", .required, .money, "Impostos retidos."),
                Column("valor_total", .required, .money, "Igual a água + esgoto + débitos − créditos − impostos; senão a linha é recusada."),
                Column("consumo_agua_m3", .optional, .integer(min: 0, max: 9_999_999), ""),
                Column("consumo_esgoto_m3", .optional, .integer(min: 0, max: 9_999_999), ""),
                Column(
                    "situacao", .required,
                    .choice([
                        "normal", "retificada", "incluida", "cancelada", "substituida", "parcelada", "arrastada", "entrada_parcelamento", "prescrita",
                        "pre_faturada", "outra",
                    ]), "", origin: true),
                Column("em_revisao", .required, .boolean, "Contestada, em revisão na origem (não se cobra até decidir)."),
                Column("divida_ativa", .optional, .boolean, "Inscrita em dívida ativa."),
                Column("divida_ativa_em", .optional, .date, "Data da inscrição em dívida ativa."),
                Column("id_conta_substituida", .optional, .identifier, "A conta que esta retifica ou substitui."),
                Column("id_parcelamento", .optional, .identifier, "O parcelamento da origem que a contém."),
                Column("codigo_cliente_titular", .optional, .identifier, "O cliente em nome de quem a conta foi emitida."),
                Column("codigo_barras", .optional, .text(maxLength: 44), "Os 44 dígitos do código de barras que a origem imprimiu (senão a agência gera o seu)."),
                Column("quitada", .optional, .boolean, "Só para origens que não detalham pagamentos: quando presente, decide se está paga."),
                timestampColumn, excluded,
            ]),
        File(
            name: "pagamentos.csv", required: true, key: ["id_pagamento"],
            meaning: "Os pagamentos, atuais e históricos, de contas e de outros documentos.",
            columns: [
                Column("id_pagamento", .required, .identifier, ""),
                Column("id_conta", .optional, .identifier, "Vazio: não é de uma conta."),
                Column(
                    "documento_tipo", .required,
                    .choice(["conta", "guia", "entrada_parcelamento", "debito_a_cobrar", "documento_cobranca", "fatura", "outro"]), "",
                    origin: true),
                Column("id_documento_origem", .optional, .identifier, "A guia, o documento de cobrança ou o débito pago."),
                Column("matricula", .optional, .identifier, ""),
                Column("data_pagamento", .required, .date, ""),
                Column("valor", .required, .money, ""),
                Column(
                    "situacao", .required,
                    .choice(["classificado", "duplicidade", "valor_divergente", "documento_inexistente", "em_processamento", "outra"]),
                    "`classificado` quita a conta; um pagamento de conta noutra situação a tira da cobrança (em análise) até a origem classificá-lo — a regra do GSAN.",
                    origin: true),
                Column("canal", .optional, .text(maxLength: 60), "Forma de arrecadação, como a origem a descreve.", origin: true),
                timestampColumn, excluded,
            ]),
        File(
            name: "debitos.csv", required: false, key: ["id_debito"],
            meaning: "Outros débitos em aberto que não são contas (guias, parcelas a cobrar). Conferido e ainda não usado pela agência.",
            columns: [
                Column("id_debito", .required, .identifier, ""),
                Column("matricula", .required, .identifier, ""),
                Column("tipo", .required, .choice(["guia", "debito_a_cobrar", "parcelamento", "outro"]), "", origin: true),
                Column("descricao", .required, .text(maxLength: 120), "Como a agência o mostra."),
                Column("vencimento", .optional, .date, ""),
                Column("valor", .required, .money, "Saldo em aberto."),
                timestampColumn, excluded,
            ]),
    ]

    /// The matrícula check-digit rules a manifest may name (`regra_dv_matricula`): the
    /// agência's own (`MatriculaRule`; GSAN's is `mod11`), or none (the source's identifier as is).
    public static let matriculaRules = MatriculaRule.allCases.map(\.rawValue) + ["nenhuma"]
}

extension Interchange {
    /// `docs/intercambio-v1.json`: the same table for a producer in another language.
    public static func jsonSchema() throws -> Data {
        func kind(_ k: Kind) -> [String: Any] {
            switch k {
            case .text(let n): return ["tipo": "texto", "tamanho_max": n]
            case .identifier: return ["tipo": "identificador"]
            case .integer(let a, let b): return ["tipo": "inteiro", "min": a, "max": b]
            case .money: return ["tipo": "dinheiro", "formato": "^-?[0-9]+\\.[0-9]{2}$"]
            case .date: return ["tipo": "data", "formato": "AAAA-MM-DD"]
            case .timestamp: return ["tipo": "data_hora", "formato": "ISO 8601 com fuso"]
            case .month: return ["tipo": "mes", "formato": "AAAA-MM"]
            case .boolean: return ["tipo": "booleano", "valores": ["true", "false"]]
            case .document: return ["tipo": "cpf_cnpj"]
            case .phone: return ["tipo": "telefone", "formato": "^[0-9]{10,11}$"]
            case .cep: return ["tipo": "cep", "formato": "^[0-9]{8}$"]
            case .uf: return ["tipo": "uf", "formato": "^[A-Z]{2}$"]
            case .email: return ["tipo": "email"]
            case .choice(let values): return ["tipo": "enumeracao", "valores": values]
            }
        }
        func describe(_ f: File) -> [String: Any] {
            [
                "nome": f.name, "obrigatorio": f.required, "chave": f.key, "descricao": f.meaning,
                "colunas": f.columns.map { c in
                    kind(c.kind).merging(
                        ["nome": c.name, "obrigatoria": c.presence.rawValue, "descricao": c.meaning, "origem": c.withOrigin],
                        uniquingKeysWith: { a, _ in a })
                },
            ]
        }
        let object: [String: Any] = [
            "formato": format, "versao": version, "regras_dv_matricula": matriculaRules,
            "solicitacoes": [describe(requestsOut), describe(requestAnswers)],
            "arquivos": files.map(describe),
        ]
        var data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        data.append(0x0A)
        return data
    }

    /// `docs/INTEGRATION.md`: the contract in words, its tables from `files`.
    public static func document() -> String {
        var out = """
            # Pacote de intercâmbio da Agência Virtual (v\(version))

            <!-- Gerado pelos testes a partir de Sources/Server/Features/Integration/Interchange.swift:
                 não edite à mão. AGENCIA_RECORD=1 swift test --filter InterchangeTests -->

            O sistema comercial da concessionária — GSAN, SAP, um sistema próprio — entrega à agência
            os seus imóveis, clientes, vínculos, leituras, contas e pagamentos num **pacote**: uma pasta
            (ou um zip) com um `manifest.json` e um CSV por tipo de registro. O mesmo contrato, em forma
            de máquina: [`intercambio-v1.json`](intercambio-v1.json). O carregador
            (`agencia-server carga PACOTE`) confere o pacote inteiro antes de gravar; o exportador
            (`agencia-server exportar PACOTE`) escreve o mesmo formato a partir do banco da agência.
            Para o GSAN, `agencia-server gsan extrair` escreve o pacote direto do banco do GSAN (veja o
            README, "The utility's data").

            ## Regras gerais

            - **Arquivos**: os listados abaixo, com esses nomes; qualquer outro recusa o pacote.
            - **CSV**: RFC 4180 — vírgula, aspas duplas, cabeçalho com os nomes exatos das colunas (em
              qualquer ordem; as opcionais podem faltar), UTF-8 sem BOM, fim de linha LF ou CRLF. Um
              arquivo com `;` ou bytes que não são UTF-8 (Latin-1) é recusado, não adivinhado: a origem
              converte.
            - **Valores**: vazio é nulo; dinheiro com ponto e duas casas (`1234.50`); data `AAAA-MM-DD`;
              data e hora ISO 8601 com fuso (`2026-11-30T14:05:00-03:00`); mês `AAAA-MM`; booleano
              `true`/`false`; CPF/CNPJ, telefone (DDD e número) e CEP só com os dígitos (o CNPJ pode ter
              letras, o alfanumérico).
            - **Identificadores** (`matricula`, `codigo_cliente`, `id_conta`, `id_pagamento`) são os da
              origem, opacos. A matrícula vem como impressa na conta, com o dígito, conferido pela regra
              do manifesto (`regra_dv_matricula`: \(matriculaRules.map { "`\($0)`" }.joined(separator: ", ")); o GSAN usa
              `mod11`: pesos 2 a 9 da direita, resto da soma por 11, dígito 0 quando o resto é 0 ou 1).
            - **Enumerações**: o valor canônico (listas abaixo) e, ao lado, o código e o texto da origem
              (`<coluna>_origem_codigo`, `<coluna>_origem_descricao`), que a agência mostra onde houver.
            - **Modos**: `completo` traz todos os registros atuais de cada arquivo incluído — o que
              faltar fica inativo, nunca é apagado (extratos, acordos, protocolos e pagamentos apontam
              para ele); `incremental` traz só o que mudou desde `desde`, e as exclusões como linhas com
              `excluido = true`. Contas e pagamentos cuja situação mudou vêm sempre (no GSAN, as que
              passaram ao histórico).
            - **Falhas**: uma falha do pacote (manifesto que não confere em contagem ou SHA-256, arquivo
              desconhecido, cabeçalho errado, texto que não é UTF-8, versão desconhecida) recusa o pacote
              inteiro, sem gravar nada. Uma falha de linha (dígito de CPF/CNPJ ou de matrícula, conta
              cuja soma não fecha, vínculo a cliente desconhecido, valor fora da enumeração) separa só
              aquela linha; o resultado nomeia cada uma por arquivo, linha e motivo, na tela e num
              relatório JSON, e o resto é aplicado.
            - **Uma vez só**: um pacote já aplicado (o mesmo conjunto de SHA-256) não muda nada.
            - **Em aberto**, para a agência: conta de situação `normal`, `retificada` ou `incluida`, valor
              total acima de zero, sem `quitada`, fora de revisão (`em_revisao`) e sem pagamento em
              `pagamentos.csv` — a regra do GSAN (uma conta sai da cobrança quando um pagamento aponta
              para ela). Um pagamento `classificado` a quita; um de outra situação a deixa em análise.
            - **O que a agência guarda de seu**: uma conta num acordo da agência ou num pagamento com
              cartão em análise não muda de situação nem de valor por uma carga — a mudança vira um aviso
              para a retaguarda; um extrato aberto com uma conta que mudou é cancelado. Vínculos: os em
              vigor decidem o titular (o de `nome_na_conta`; senão o usuário, o proprietário, o
              responsável mais recentes).

            ## `manifest.json`

            ```json
            {
              "formato": "\(format)",
              "versao": "\(version)",
              "concessionaria": {"cnpj": "00000000000191", "nome": "Companhia de Saneamento"},
              "sistema_origem": "GSAN 2023-10",
              "gerado_em": "2026-11-30T02:00:00-03:00",
              "modo": "completo",
              "desde": null,
              "regra_dv_matricula": "mod11",
              "arquivos": [{"nome": "imoveis.csv", "registros": 123456, "sha256": "…"}]
            }
            ```

            `registros` conta as linhas de dados (sem o cabeçalho); `sha256` é o do arquivo como está.
            `desde` (data e hora) só no modo `incremental`.

            """
        for f in files { out += table(f, level: "##") }
        out += requestsDocument
        for f in [requestsOut, requestAnswers] { out += table(f, level: "###") }
        return out
    }

    static func table(_ f: File, level: String) -> String {
        var out = "\n\(level) `\(f.name)`\(f.required ? "" : " (opcional)")\n\n\(f.meaning) Chave: \(f.key.map { "`\($0)`" }.joined(separator: ", ")).\n\n"
        out += "| Coluna | Obrigatória | Tipo | O que é |\n|---|---|---|---|\n"
        for c in f.columns {
            var meaning = c.meaning
            if case .choice(let values) = c.kind {
                meaning = (meaning.isEmpty ? "" : meaning + " ") + "Valores: \(values.map { "`\($0)`" }.joined(separator: ", "))."
            }
            if c.withOrigin { meaning += " Com `\(c.name)_origem_codigo` e `\(c.name)_origem_descricao`." }
            out += "| `\(c.name)` | \(c.presence.rawValue) | \(c.kind.name) | \(meaning.trimmingCharacters(in: .whitespaces)) |\n"
        }
        return out
    }

    /// The requests' way out and back (issue 31): events, webhooks, the feed, the files.
    static let requestsDocument = """

        ## Solicitações: da agência à concessionária e de volta

        Cada protocolo aberto na agência (serviço, ouvidoria, atualização de CPF/CNPJ, ligação nova,
        problema relatado) e cada passo público dele é um **evento**, gravado na mesma transação da
        mudança: nunca se perde, nunca sai de uma mudança desfeita. Despachos privados, recebimentos,
        edições e nomes de servidores não são eventos. O corpo do evento (JSON, chaves em ordem) está
        em `openapi.yaml` (`EventoIntegracao`): `tipo` (`protocolo.criado`, `protocolo.andamento`,
        `protocolo.concluido`, `protocolo.reaberto`, `protocolo.anexo`), `protocolo` (o número da
        agência), `sequencia` (1, 2, 3… no protocolo: aplique nessa ordem), `em`, `situacao`,
        `unidade`, `texto`, e na abertura a `solicitacao` (na ouvidoria, sem o solicitante — Lei
        13.460/2017, art. 10 § 7). Um passo que a própria origem mandou traz `origem` (o nome da chave).

        A concessionária recebe os eventos de um de três jeitos:

        1. **Webhook** (`integration.webhooks` na configuração do servidor): um `POST` por evento, com
           `X-Agencia-Event-Id` (o id global do evento, que só cresce), `X-Agencia-Event-Type`,
           `X-Agencia-Timestamp` (segundos desde 1970), `X-Agencia-Attempt` e `X-Agencia-Signature:
           sha256=<hex>` — o HMAC-SHA256, com o segredo do webhook, de `<timestamp>.<corpo>` (o
           timestamp, um ponto e o corpo como chegou, em bytes). O receptor confere a assinatura,
           recusa um timestamp a mais de 5 minutos do seu relógio e responde 2xx quando guardou o
           evento; qualquer outra resposta (ou nenhuma) é tentada de novo, com espera que dobra (com
           variação) até `retryMaxSeconds`, e depois de `maxAttempts` o evento fica **parado** e a
           supervisão o vê (reenviar ou descartar). Pelo menos uma vez: um evento pode chegar de novo,
           com o mesmo id — o receptor ignora um id que já guardou. Em ordem por protocolo: o próximo
           evento de um protocolo só sai depois que o anterior foi aceito.
        2. **API** (`GET /v1/integration/events?after=ID&limit=N`, com a chave de
           `agencia-server integracao chave NOME`): os mesmos eventos em ordem de id, iguais em qualquer
           instância; um id lido nunca é seguido por um menor.
        3. **Arquivo**: `agencia-server integracao exportar --desde ID PASTA` escreve
           `solicitacoes.csv` (abaixo) com as aberturas depois do evento `ID`.

        A resposta volta pela API (`PATCH /v1/integration/protocols/{numero}`: `idOrigem`,
        `protocoloOrigem`, `dataPrevista`; `POST /v1/integration/protocols/{numero}/steps`: `situacao`
        `recebida`, `pendente`, `em_execucao`, `bloqueada`, `concluida` com o parecer ou `rejeitada`
        com o motivo, e `eventoEm`) ou pelo arquivo `solicitacoes_retorno.csv`
        (`agencia-server integracao retorno ARQUIVO`). Cada resposta vale uma vez (chave: protocolo e
        `evento_em`/`eventoEm`, pela API ou por arquivo); um passo é público: o cliente o vê em Meus
        protocolos e na consulta pública e recebe por e-mail. Até a origem confirmar, a agência mostra
        "Enviada à concessionária em …"; depois, também o número da origem e a data prevista.

        """
}
