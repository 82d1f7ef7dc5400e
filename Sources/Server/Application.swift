import API
import Domain
import Foundation
import Hummingbird
import Logging
import OpenAPIHummingbird
import PostgresNIO
import ServiceLifecycle

/// The request context: Hummingbird's basics plus the client's address (login limits).
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// Decoding limits are enforced by `BodyLimitMiddleware` before this is used.
    public var maxUploadSize: Int { 1 << 20 }
}

/// What `buildApplication` hands back: the application to run and the store (so callers such
/// as the embedded demo backend and the tests can reach it and close it).
public struct AgenciaServer: Sendable {
    public let application: any ApplicationProtocol
    public let store: any Store
}

/// Builds the whole server from its configuration: opens the database, migrates it, seeds it
/// when asked and empty, and wires the router. `main` only calls this and runs the result.
public func buildApplication(
    _ config: ServerConfiguration,
    clock: (@Sendable () -> Date)? = nil,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
) async throws -> AgenciaServer {
    try config.validate()
    let clock = clock ?? config.demoToday.map { ServerClock.pinned(to: $0, timeZone: config.timeZone) } ?? ServerClock.system
    var logger = Logger(label: "agencia-server")
    logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info

    let store = try await StoreFactory.open(config.database, logger: logger)
    var services: [any Service] = []
    if let pg = store as? PostgresStore { services.append(PostgresClientService(client: pg.client)) }

    // Migrations and seeding need the PostgreSQL pool running; the pool's run() is a service
    // of the application, so run them in a task started by the first service.
    let migrate: @Sendable () async throws -> Void = {
        try await Migrations.run(on: store, now: Int64(clock().timeIntervalSince1970))
        if let tier = config.seed {
            let now = clock()
            try await DemoData.seed(
                tier, store: store, reference: LocalCalendar.today(now, timeZone: config.timeZone),
                now: Int64(now.timeIntervalSince1970))
        }
    }
    if store is SQLiteStore { try await migrate() }

    let repository = Repository(store: store)
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: ErrorMiddleware())
    router.add(middleware: BodyLimitMiddleware(maxBytes: config.maxBodyBytes))
    router.add(middleware: ClientAddressMiddleware())
    router.add(middleware: AuthMiddleware(repository: repository, clock: { Int64(clock().timeIntervalSince1970) }))
    // The document ships as a resource bundle beside the binary; a binary copied without it
    // still serves the API (and says why the document is missing) instead of refusing to start.
    let document = try? OpenAPIDocument.yaml()
    if document == nil { logger.warning("openapi.yaml não encontrado junto ao executável (agencia_API.resources)") }
    router.get("/openapi.yaml") { _, _ in
        guard let document else {
            throw APIError(status: .notFound, code: "not_found", message: "Documento da API indisponível nesta instalação.")
        }
        return Response(
            status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(data: document)))
    }
    let runtime = ServerRuntime()
    let cards = CardCompanyDirectory(config: config, runtime: runtime)
    if let secret = cards.sandboxSecret, let auto = config.sandboxCardCompany {
        SandboxCardCompany(secret: secret, autoSeconds: auto, logger: logger).register(on: router)
    }
    let handlers = Handlers(
        config: config, repository: repository, engine: store.engine, clock: clock, logger: logger,
        documents: DocumentFactory(utility: config.utility), cards: cards, cardClient: CardCompanyClient(), runtime: runtime)
    try handlers.registerHandlers(on: router, serverURL: Servers.Server1.url())
    services.append(BackgroundWork(handlers: handlers))

    var app = Application(
        router: router,
        configuration: .init(address: .hostname(config.host, port: config.port), serverName: "agencia-server"),
        services: services,
        onServerRunning: { channel in
            runtime.port = channel.localAddress?.port ?? config.port
            await onServerRunning(runtime.port)
        },
        logger: logger)
    if store is PostgresStore {
        app.beforeServerStarts(perform: migrate)
    }
    return AgenciaServer(application: app, store: store)
}

/// Runs the PostgreSQL pool for the application's lifetime.
struct PostgresClientService: Service {
    let client: PostgresClient
    func run() async throws { await client.run() }
}
