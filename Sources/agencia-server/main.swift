import API
import ArgumentParser
import Domain
import Foundation
import Hummingbird
import Server

/// `agencia-server`: reads the configuration (file, then environment, then flags) and runs the
/// application `buildApplication` makes.
@main
struct AgenciaServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agencia-server",
        abstract: "Servidor REST da Agência Virtual.",
        version: AgenciaVersion.current,
        subcommands: [
            Serve.self, StaffCommand.self, TariffsCommand.self, UnitsCommand.self, ProtocolTypesCommand.self, ServiceTypesCommand.self,
            CertidaoCommand.self, DeclaracoesCommand.self, ArrecadacaoCommand.self, TerminalCredentialCommand.self,
            BackupCommand.self, RestoreCommand.self, ExportCommand.self, LoadCommand.self, GsanCommand.self,
            IntegrationCommand.self,
        ],
        defaultSubcommand: Serve.self)
}

struct ServerOptions: ParsableArguments {
    @Option(help: "Arquivo JSON de configuração (o objeto \"server\" de config.example.json).")
    var config: String?
    @Option(help: "Banco de dados: sqlite:CAMINHO ou postgres://usuario:senha@host:porta/banco.")
    var database: String?

    func resolve() throws -> ServerConfiguration {
        var c = try config.map(ServerConfiguration.load(file:)) ?? ServerConfiguration()
        try c.apply(environment: ProcessInfo.processInfo.environment)
        if let database { c.database = database }
        return c
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Inicia o servidor HTTP.")

    @OptionGroup var options: ServerOptions
    @Option(help: "Endereço de escuta.") var host: String?
    @Option(help: "Porta TCP (0 escolhe uma livre).") var port: Int?
    @Option(help: "Preenche um banco vazio: demo, ci (100 mil imóveis), sergipe (1 milhão) ou referencia (atendentes, catálogos e tarifas de demonstração, sem imóveis: para carregar os dados da concessionária).") var seed: String?
    @Flag(help: "Mostra matrículas e usuários de demonstração na tela de login.") var demoHints = false
    @Option(help: "Escreve a porta em uso neste arquivo quando o servidor estiver pronto.") var portFile: String?
    @Option(help: "Só demonstração e testes: toma esta data (AAAA-MM-DD) como hoje; exige --seed.") var demoToday: String?
    /// The demo inside `agencia`: stops (gracefully) when the process that started it is gone,
    /// even if that one was killed.
    @Flag(help: .hidden) var stopWithParent = false

    func run() async throws {
        var c = try options.resolve()
        if let host { c.host = host }
        if let port { c.port = port }
        if let seed { c.seed = seed }
        if demoHints { c.demoHints = true }
        if let demoToday {
            guard let day = CivilDate(iso: demoToday) else { throw ValidationError("--demo-today: data inválida (use AAAA-MM-DD)") }
            c.demoToday = day
        }
        let portFile = portFile
        if stopWithParent {
            let parent = getppid()
            Task.detached {
                while getppid() == parent { try? await Task.sleep(for: .seconds(1)) }
                kill(getpid(), SIGTERM)
            }
        }
        let server = try await buildApplication(
            c,
            onServerRunning: { port in
                if let portFile { try? String(port).write(toFile: portFile, atomically: true, encoding: .utf8) }
            })
        try await server.application.runService()
        await server.store.shutdown()
    }
}

/// Makes a terminal credential: the secret goes to the terminal's configuration, its SHA-256
/// to the server's (`terminals`); the server never holds the secret itself.
struct TerminalCredentialCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credencial-terminal", abstract: "Gera a credencial de um terminal (quiosque, balcão).")

    @Argument(help: "Identificador do terminal (letras minúsculas, dígitos, '-', '_' ou '.').") var terminal: String
    @Option(help: "O modo do terminal: kiosk (autoatendimento), counter (balcão) ou staff (retaguarda).") var modo: String

    func run() throws {
        guard ServerConfiguration.isTerminalID(terminal) else {
            throw ValidationError("identificador inválido: use letras minúsculas, dígitos, '-', '_' ou '.' (até 60)")
        }
        guard TerminalCredential.modes.contains(modo) else { throw ValidationError("--modo: use kiosk, counter ou staff") }
        let (secret, hash) = TerminalCredential.make()
        print("No terminal (objeto \"client\"):   \"terminalId\": \"\(terminal)\", \"terminalSecret\": \"\(secret)\"")
        print(
            "No servidor (objeto \"server\"):   \"terminals\": { \"\(terminal)\": { \"mode\": \"\(modo)\", \"secretHash\": \"\(hash)\" } }")
    }
}

struct StaffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "staff", abstract: "Cadastro de atendentes e servidores.", subcommands: [AddStaff.self])
}

struct AddStaff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Cadastra ou atualiza um usuário; a senha é lida da entrada padrão.")

    @OptionGroup var options: ServerOptions
    @Argument(help: "Usuário (login).") var usuario: String
    @Option(help: "Nome completo.") var nome: String
    @Option(help: "Papel: atendente, backoffice ou supervisor.") var papel: String = "atendente"
    @Option(help: "Unidade de lotação.") var unidade: String

    func run() async throws {
        guard let role = StaffRole(rawValue: papel) else {
            throw ValidationError("papel inválido: \(papel) (atendente, backoffice ou supervisor)")
        }
        guard let senha = readLine(strippingNewline: true), senha.count >= 8 else {
            throw ValidationError("a senha (na entrada padrão) deve ter ao menos 8 caracteres")
        }
        try await StaffAdmin.upsert(
            configuration: options.resolve(), usuario: usuario.lowercased(), nome: nome, senha: senha, papel: role,
            unidade: unidade)
        print("usuário \(usuario.lowercased()) gravado")
    }
}

struct TariffsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tariffs", abstract: "Tabelas de tarifas.", subcommands: [ImportTariffs.self])
}

struct ImportTariffs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Importa tabelas de tarifas de um arquivo CSV ou JSON (formato no README); com erro, nada é gravado.")

    @OptionGroup var options: ServerOptions
    @Argument(help: "Arquivo .csv ou .json.") var file: String
    @Flag(help: "Só valida o arquivo, sem gravar.") var dryRun = false

    func run() async throws {
        do {
            print(try await TariffAdmin.importFile(configuration: options.resolve(), path: file, dryRun: dryRun))
        } catch let e as ImportFileError {
            FileHandle.standardError.write(Data("\(file): nada foi importado.\n\(e.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct UnitsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "units", abstract: "Unidades da companhia (destinos dos protocolos).", subcommands: [ImportCatalogue<UnitsFile>.self])
}

struct ProtocolTypesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "protocol-types", abstract: "Catálogo de tipos de protocolo.", subcommands: [ImportCatalogue<ProtocolTypesFile>.self])
}

struct ServiceTypesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "service-types", abstract: "Catálogo de serviços (religação, falta d'água…).",
        subcommands: [ImportCatalogue<ServiceTypesFile>.self])
}

protocol CatalogueFile { static var kind: CatalogueAdmin.Kind { get } }
enum ServiceTypesFile: CatalogueFile { static let kind = CatalogueAdmin.Kind.serviceTypes }
enum UnitsFile: CatalogueFile { static let kind = CatalogueAdmin.Kind.units }
enum ProtocolTypesFile: CatalogueFile { static let kind = CatalogueAdmin.Kind.protocolTypes }

struct ImportCatalogue<File: CatalogueFile>: AsyncParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: "import", abstract: "Importa de um arquivo CSV (formato no README); com erro, nada é gravado.")
    }

    @OptionGroup var options: ServerOptions
    @Argument(help: "Arquivo .csv.") var file: String
    @Flag(help: "Só valida o arquivo, sem gravar.") var dryRun = false

    func run() async throws {
        do {
            print(try await CatalogueAdmin.importFile(File.kind, configuration: options.resolve(), path: file, dryRun: dryRun))
        } catch let e as ImportFileError {
            FileHandle.standardError.write(Data("\(file): nada foi importado.\n\(e.description)\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct CertidaoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "certidao", abstract: "O selo assinado (QR) das certidões.",
        subcommands: [CertidaoPublicKey.self, CertidaoVerify.self])
}

struct CertidaoPublicKey: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "public-key", abstract: "Mostra a chave pública (Ed25519, base64) que confere o QR das certidões.")

    @OptionGroup var options: ServerOptions

    func run() async throws { print(try await CertidaoAdmin.publicKey(configuration: options.resolve())) }
}

struct CertidaoVerify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract:
            "Confere, sem conexão, o texto do QR de uma certidão (AVCERT1|…) ou um arquivo com ele; com --online, também a validade "
            + "hoje e uma eventual revogação no servidor. Sai com 1 se não confere.")

    @Argument(help: "O texto lido do QR, ou o caminho de um arquivo que o contém.") var input: String
    @Option(help: "Chave pública (base64), de `agencia-server certidao public-key` ou de GET /v1/certidao-public-key.")
    var publicKey: String
    @Option(
        help:
            "Endereço do servidor (ex.: https://agencia.exemplo.com.br) para conferir também, on-line, se a certidão está válida hoje ou foi revogada."
    )
    var online: String?

    func run() async throws {
        var text = input
        if FileManager.default.fileExists(atPath: input), let data = FileManager.default.contents(atPath: input) {
            text = String(decoding: data, as: UTF8.self)
        }
        do {
            var server: URL?
            if let online {
                guard let u = URL(string: online), u.scheme == "http" || u.scheme == "https" else {
                    throw ValidationError("--online: informe o endereço do servidor com http:// ou https://.")
                }
                server = u
            }
            print(try await CertidaoAdmin.verify(text, publicKey: publicKey, online: server))
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

struct DeclaracoesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "declaracoes",
        abstract:
            "Emite as declarações anuais de quitação (Lei 12.007/2009) de um ano para todos os imóveis com direito e as envia por "
            + "e-mail a quem tem endereço cadastrado. Pode ser interrompida e executada de novo: continua de onde parou, sem repetir.")

    @OptionGroup var options: ServerOptions
    @Option(help: "O ano das declarações (já encerrado).") var ano: Int
    @Option(help: "Imóveis por página (cada página renova a vez desta execução).") var pagina = 500

    func run() async throws {
        let configuration = try options.resolve()
        let terminal = isatty(STDERR_FILENO) == 1
        do {
            let summary = try await DeclaracaoBatch.run(
                configuration: configuration, year: ano, pageSize: max(1, pagina),
                progress: { done, total in
                    let line = "\(done)/\(total) imóveis (\(total > 0 ? done * 100 / total : 100) %)"
                    // On a terminal, one line rewritten; in a log (cron, systemd), a line per page.
                    FileHandle.standardError.write(Data((terminal ? "\r\(line)" : "\(line)\n").utf8))
                })
            if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
            print(summary)
        } catch {
            if terminal { FileHandle.standardError.write(Data("\n".utf8)) }
            FileHandle.standardError.write(Data("\(BatchFailure.message(error))\n".utf8))
            throw ExitCode(error is BatchBusy ? 75 : 1)
        }
    }
}

struct ArrecadacaoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "arrecadacao", abstract: "Pagamentos informados pelos bancos (arquivo de retorno FEBRABAN de arrecadação).",
        subcommands: [ImportArrecadacao.self])
}

struct ImportArrecadacao: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "importar",
        abstract:
            "Importa um arquivo de retorno (layout FEBRABAN de arrecadação, registros A/G/Z de 150 posições): cada pagamento "
            + "quita a conta, o extrato, a taxa ou a parcela do seu código de barras. Cada arquivo entra uma vez só.")

    @OptionGroup var options: ServerOptions
    @Argument(help: "O arquivo de retorno do banco.") var arquivo: String
    @Flag(help: "Só confere o arquivo e mostra o que faria, sem gravar.") var simular = false

    func run() async throws {
        do {
            let summary = try await ArrecadacaoImport.importFile(configuration: options.resolve(), path: arquivo, dryRun: simular)
            print(simular ? "Simulação (nada gravado).\n\(summary)" : "\(summary)")
        } catch let e as ArrecadacaoImport.AlreadyImported {
            FileHandle.standardError.write(Data("\(e)\n".utf8))
            throw ExitCode(3)
        } catch let e as ArrecadacaoRetorno.Problems {
            FileHandle.standardError.write(Data("Arquivo recusado, nada foi importado:\n\(e)\n".utf8))
            throw ExitCode(2)
        }
    }
}

/// Runs a backup or a restore: its progress on a terminal (one line rewritten on stderr;
/// nothing when stderr is a file or the journal), then its summary line on stdout; a refusal
/// on stderr with exit code 2.
func reporting<T: CustomStringConvertible>(_ what: String, _ body: (@escaping @Sendable (String) -> Void) async throws -> T) async throws {
    let tty = isatty(STDERR_FILENO) == 1
    let progress: @Sendable (String) -> Void = { phase in
        if tty { FileHandle.standardError.write(Data("\r\u{1B}[K\(phase)…".utf8)) }
    }
    let clear = { if tty { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) } }
    do {
        let summary = try await body(progress)
        clear()
        print(summary)
    } catch let e as Backup.Refused {
        clear()
        FileHandle.standardError.write(Data("\(what) recusado: \(e)\n".utf8))
        throw ExitCode(2)
    } catch {
        clear()
        throw error
    }
}

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract:
            "Copia o banco, com o servidor no ar, para uma pasta nova em DESTINO (manifesto, SHA-256, contagem de linhas) "
            + "e remove as cópias além da retenção. Nunca sobrescreve.")

    @OptionGroup var options: ServerOptions
    @Argument(help: "Pasta dos backups (cada um numa subpasta agencia-AAAAMMDDTHHMMSSZ).") var destino: String
    @Option(help: "Dias com uma cópia guardada (a mais nova de cada dia).") var manterDiarias = 7
    @Option(help: "Meses com uma cópia guardada (a mais nova de cada mês).") var manterMensais = 12

    func run() async throws {
        try await reporting("backup") {
            try await Backup.run(
                configuration: options.resolve(), destination: destino, keepDaily: manterDiarias, keepMonthly: manterMensais,
                progress: $0)
        }
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract:
            "Restaura um backup (a pasta com manifest.json) num banco vazio (--database), conferindo tudo antes; "
            + "depois aplica as migrações mais novas.")

    @OptionGroup var options: ServerOptions
    @Argument(help: "A pasta do backup (agencia-AAAAMMDDTHHMMSSZ).") var origem: String
    @Flag(help: "Só confere o backup (manifesto, SHA-256, banco descomprimido, linhas), sem gravar nada.") var verificar = false

    func run() async throws {
        try await reporting("restore") {
            try await Restore.run(origin: origem, configuration: options.resolve(), checkOnly: verificar, progress: $0)
        }
    }
}

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exportar",
        abstract:
            "Escreve os imóveis, clientes, vínculos, leituras, contas e pagamentos da agência num pacote de intercâmbio "
            + "completo (docs/INTEGRATION.md), numa pasta nova.")

    @OptionGroup var options: ServerOptions
    @Argument(help: "A pasta do pacote (nova ou vazia).") var pacote: String

    func run() async throws {
        do {
            print(try await InterchangeExport.run(configuration: options.resolve(), folder: pacote))
        } catch let e as InterchangePackage.Refused {
            FileHandle.standardError.write(Data("exportação recusada: \(e)\n".utf8))
            throw ExitCode(2)
        }
    }
}

struct LoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "carga",
        abstract:
            "Carrega um pacote de intercâmbio (docs/INTEGRATION.md) do sistema comercial da concessionária: confere o pacote inteiro, "
            + "separa as linhas com falha (arquivo, linha, motivo) e aplica o resto em lotes. Interrompida, continua de onde parou; "
            + "um pacote já aplicado não muda nada (código de saída 3).")

    @OptionGroup var options: ServerOptions
    @Argument(help: "A pasta do pacote (com manifest.json).") var pacote: String
    @Flag(help: "Confere e conta o que faria, sem gravar nada.") var simular = false
    @Option(help: "Onde escrever o relatório JSON (contagens e linhas separadas).") var relatorio = "carga-resultado.json"
    @Option(help: "Registros por lote (cada lote é uma transação com o cursor).") var lote = 2_000

    func run() async throws {
        let terminal = isatty(STDERR_FILENO) == 1
        do {
            let report = try await InterchangeLoad.run(
                configuration: options.resolve(), folder: pacote, simulate: simular, batchSize: max(1, lote),
                progress: { p in
                    let share = p.total > 0 ? min(1, Double(p.done) / Double(p.total)) : 1
                    let bar = String(repeating: "#", count: Int(share * 20)).padding(toLength: 20, withPad: ".", startingAt: 0)
                    let line = "\(p.phase) \(p.file) [\(bar)] \(p.done)/\(p.total) (\(Int(p.perSecond))/s)"
                    // On a terminal, a bar rewritten; in a log (systemd, cron), a line per batch.
                    FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K\(line)" : "\(line)\n").utf8))
                })
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            try JSONEncoder.pretty.encode(report).write(to: URL(fileURLWithPath: relatorio))
            print(report, terminator: "")
            print("Relatório: \(relatorio)")
        } catch {
            if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            switch error {
            case let e as InterchangePackage.Refused:
                FileHandle.standardError.write(Data("Pacote recusado, nada foi gravado: \(e)\n".utf8))
                throw ExitCode(2)
            case let e as InterchangeLoad.AlreadyApplied:
                FileHandle.standardError.write(Data("\(e)\n".utf8))
                throw ExitCode(3)
            case is BatchBusy:
                FileHandle.standardError.write(Data("\(BatchFailure.message(error))\n".utf8))
                throw ExitCode(75)
            default:
                FileHandle.standardError.write(Data("\(BatchFailure.message(error))\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

extension JSONEncoder {
    static var pretty: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return e
    }
}

struct GsanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gsan", abstract: "O sistema comercial GSAN da concessionária.", subcommands: [GsanExtractCommand.self])
}

struct GsanExtractCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extrair",
        abstract:
            "Lê um banco do GSAN (só leitura, numa transação) e escreve um pacote de intercâmbio numa pasta nova, para "
            + "`agencia-server carga`. Não grava nada no GSAN.")

    @Option(help: "O banco do GSAN: postgres://usuario:senha@host:porta/banco (um papel que só lê).") var de: String
    @Option(help: "A pasta do pacote (nova ou vazia).") var para: String
    @Option(help: "Só o que mudou depois deste instante (ISO 8601, ex.: 2026-11-30T02:00:00-03:00): um pacote incremental.")
    var desde: String?
    @Option(help: "Os perfis de imóvel (iper_id) que são tarifa social nesta concessionária.") var perfilTarifaSocial: [Int] = [4]
    @Option(help: "Como o GSAN guarda o texto: latin1 ou utf8 (sem a opção: latin1 num banco SQL_ASCII).") var texto: String?
    @Option(help: "O fuso da concessionária (os horários do GSAN não têm fuso).") var fuso = ServerConfiguration().timeZone

    func run() async throws {
        var options = GsanExtract.Options(source: de, folder: para)
        if let desde {
            guard let d = InterchangePackage.timestamp(desde) else {
                throw ValidationError("--desde: use data e hora ISO 8601 com fuso, ex.: 2026-11-30T02:00:00-03:00.")
            }
            options.since = d
        }
        if let texto {
            guard ["latin1", "utf8"].contains(texto) else { throw ValidationError("--texto: use latin1 ou utf8.") }
            options.latin1 = texto == "latin1"
        }
        guard TimeZone(identifier: fuso) != nil else { throw ValidationError("--fuso: \(fuso) não é um fuso conhecido (ex.: America/Maceio).") }
        options.timeZone = fuso
        options.socialProfiles = perfilTarifaSocial
        do {
            print(try await GsanExtract.run(options))
        } catch let e as InterchangePackage.Refused {
            FileHandle.standardError.write(Data("extração recusada: \(e)\n".utf8))
            throw ExitCode(2)
        }
    }
}

struct IntegrationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "integracao", abstract: "O sistema de gestão de serviços da concessionária: chaves, eventos e retornos.",
        subcommands: [
            IntegrationKeyCommand.self, IntegrationRevokeCommand.self, IntegrationKeysCommand.self, IntegrationExportCommand.self,
            IntegrationAnswersCommand.self,
        ])
}

struct IntegrationKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chave",
        abstract: "Cria a chave de API de um sistema (papel integracao) e a mostra uma única vez; o servidor guarda só o seu SHA-256.")

    @OptionGroup var options: ServerOptions
    @Argument(help: "O nome do sistema (letras minúsculas, dígitos, '-', '_' ou '.'), ex.: gsan.") var nome: String

    func run() async throws {
        do {
            let key = try await IntegrationAdmin.createKey(configuration: options.resolve(), name: nome)
            print("Chave de \(nome) (guarde agora: não será mostrada de novo):")
            print(key)
            print("Uso: Authorization: Bearer <chave>")
        } catch let e as IntegrationKeyError {
            throw ValidationError(e.description)
        }
    }
}

struct IntegrationRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revogar", abstract: "Revoga a chave ativa de um sistema: recusada na hora, em todas as instâncias.")

    @OptionGroup var options: ServerOptions
    @Argument(help: "O nome do sistema.") var nome: String

    func run() async throws {
        guard try await IntegrationAdmin.revokeKey(configuration: options.resolve(), name: nome) else {
            FileHandle.standardError.write(Data("nenhuma chave ativa chamada \(nome)\n".utf8))
            throw ExitCode(1)
        }
        print("chave de \(nome) revogada")
    }
}

struct IntegrationKeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "chaves", abstract: "Lista as chaves (sem elas): nome, criação, revogação.")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        let keys = try await IntegrationAdmin.keys(configuration: options.resolve())
        if keys.isEmpty { print("nenhuma chave") }
        let f = ISO8601DateFormatter()
        for k in keys {
            let created = f.string(from: Date(timeIntervalSince1970: TimeInterval(k.createdAt)))
            let revoked = k.revokedAt.map { "revogada em " + f.string(from: Date(timeIntervalSince1970: TimeInterval($0))) } ?? "ativa"
            print("\(k.name)\tcriada em \(created)\t\(revoked)")
        }
    }
}

struct IntegrationExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exportar",
        abstract:
            "Escreve PASTA/solicitacoes.csv com as solicitações abertas depois do evento --desde (docs/INTEGRATION.md), "
            + "para um sistema que recebe arquivos; diz o --desde da próxima vez.")

    @OptionGroup var options: ServerOptions
    @Option(help: "O id do último evento já exportado (0: desde o começo).") var desde: Int64 = 0
    @Argument(help: "A pasta onde escrever solicitacoes.csv.") var pasta: String

    func run() async throws {
        guard desde >= 0 else { throw ValidationError("--desde: um id de evento (0 ou mais)") }
        print(try await RequestExport.run(configuration: options.resolve(), since: desde, folder: pasta))
    }
}

struct IntegrationAnswersCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retorno",
        abstract:
            "Aplica um solicitacoes_retorno.csv (docs/INTEGRATION.md): tudo ou nada, com as linhas recusadas numeradas "
            + "(código 2); um arquivo já aplicado não muda nada (código 3).")

    @OptionGroup var options: ServerOptions
    @Argument(help: "O arquivo solicitacoes_retorno.csv.") var arquivo: String
    @Option(help: "O nome do sistema que respondeu (como nas chaves de integração).") var sistema = "concessionaria"

    func run() async throws {
        guard IntegrationKeys.isName(sistema) else { throw ValidationError("--sistema: letras minúsculas, dígitos, '-', '_' ou '.'") }
        do {
            print(try await AnswerFile.run(configuration: options.resolve(), path: arquivo, source: sistema))
        } catch let e as AnswerFile.Refused {
            FileHandle.standardError.write(Data("\(e)\n".utf8))
            throw ExitCode(2)
        } catch let e as InterchangePackage.Refused {
            FileHandle.standardError.write(Data("Arquivo recusado, nada foi aplicado: \(e)\n".utf8))
            throw ExitCode(2)
        } catch let e as AnswerFile.AlreadyApplied {
            FileHandle.standardError.write(Data("\(e)\n".utf8))
            throw ExitCode(3)
        }
    }
}
