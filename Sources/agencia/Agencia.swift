import API
import ArgumentParser
import Curl
import Domain
import Foundation
import Logging
import OpenAPIRuntime
import Screens
import TUI
import Terminal

/// `agencia`: the terminal client. Without a configuration it starts the embedded demo backend
/// on loopback and talks to it over real HTTP, like to any other backend.
@main
struct Agencia: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agencia", abstract: "Agência Virtual — terminal de atendimento.", version: AgenciaVersion.current)

    @Option(help: "Arquivo de configuração (o objeto \"client\" de config.example.json).") var config: String?
    @Option(help: "Modo do terminal: kiosk, counter ou staff (sobrepõe a configuração).") var mode: TerminalMode?
    @Option(help: "URL do servidor (sobrepõe a configuração); sem servidor, usa a demonstração embutida.") var server: String?
    @Flag(help: "Usa a demonstração embutida mesmo havendo configuração.") var demo = false
    @Option(help: "Demonstração embutida: toma esta data (AAAA-MM-DD) como hoje.") var demoToday: String?
    @Option(help: "Testes: a fala vai para arquivos WAV nesta pasta (com utterances.log), e o quiosque a oferece.") var speechFile: String?

    func run() throws {
        var c = ClientConfiguration()
        // With --demo the file still counts (printer, colours, log…); only its server is ignored.
        if let file = ClientConfiguration.locate(explicit: config) {
            do { c = try ClientConfiguration.load(file: file) } catch {
                throw ValidationError("não foi possível ler a configuração \(file): \(error)")
            }
        }
        if let mode { c.mode = mode }
        if let server { c.server = server }
        if demo { c.server = nil }
        var today: CivilDate?
        if let demoToday {
            guard c.server == nil, let day = CivilDate(iso: demoToday) else {
                throw ValidationError("--demo-today: informe AAAA-MM-DD, só com a demonstração embutida")
            }
            today = day
        }
        Logs.bootstrap(file: c.logFile)

        let baseURL: URL
        var embedded: EmbeddedBackend?
        if let s = c.server {
            guard let u = URL(string: s), u.scheme == "http" || u.scheme == "https" else {
                throw ValidationError("URL de servidor inválida: \(s)")
            }
            baseURL = u.appendingPathComponent("v1")
        } else {
            FileHandle.standardError.write(Data("Iniciando a demonstração (servidor embutido)…\n".utf8))
            let backend = try EmbeddedBackend.start(database: c.demoDatabase, idleSeconds: c.demoIdleSeconds, today: today)
            embedded = backend
            baseURL = backend.baseURL
        }
        var options = CurlTransport.Options()
        options.connectTimeout = .seconds(c.connectTimeoutSeconds)
        options.totalTimeout = .seconds(c.requestTimeoutSeconds)
        options.caFile = c.caFile
        let token = TokenBox()
        var middlewares: [any ClientMiddleware] = [BearerMiddleware(box: token)]
        if let id = c.terminalId, let secret = c.terminalSecret {
            middlewares.append(TerminalCredentialMiddleware(id: id, secret: secret))
        }
        let client = Client(serverURL: baseURL, transport: CurlTransport(options: options), middlewares: middlewares)
        let output = Printing.output(
            printCommand: c.printCommand, saveDirectory: c.saveDirectory, attachmentsDirectory: c.attachmentsDirectory)
        let speaker = c.mode == .kiosk && (c.speech.available || speechFile != nil)
            ? Speaker(command: c.speech.command, fileDirectory: speechFile) : nil
        try EventLoop.run(
            mode: c.mode, client: client, token: token, mono: c.colors == "mono", highContrast: c.colors == "alto-contraste",
            speaker: speaker, output: output, terminalId: c.terminalId)
        embedded?.stop()
    }
}

extension TerminalMode: ExpressibleByArgument {}
