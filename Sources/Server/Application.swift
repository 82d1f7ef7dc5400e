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
    /// What the running instance knows (its port, the chores it ran).
    let runtime: ServerRuntime
    /// PostgreSQL's announcements of changed sessions and reference data (nil on SQLite).
    let changeFeed: ChangeFeed?
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
    _ = Telemetry.registry
    var logger =
        config.logFormat == "json"
        ? Logger(label: "agencia-server", factory: { JSONLogHandler(label: $0, clock: ServerClock.system) })
        : Logger(label: "agencia-server")
    logger.logLevel = Logger.Level(rawValue: config.logLevel) ?? .info

    // The document ships as a resource bundle beside the binary; the server checks every request
    // against it (DECISIONS 64), so without it the server does not start.
    let document: Data
    do { document = try OpenAPIDocument.yaml() } catch {
        throw ConfigurationError.invalid(
            "openapi.yaml", "não encontrado junto ao executável (agencia_API.resources): instale o executável com o seu pacote de recursos")
    }
    let contract = try Contract(yaml: document)
    let store = try await StoreFactory.open(config.database, logger: logger)
    var services: [any Service] = []
    // PostgreSQL: the pool, and the change feed that lets an instance keep sessions in memory
    // (SQLite's feed comes from its writer, below).
    var feed: ChangeFeed? = nil
    if let pg = store as? PostgresStore {
        let f = ChangeFeed()
        services.append(PostgresClientService(client: pg.client))
        services.append(ChangeFeedService(client: pg.client, feed: f, logger: logger))
        feed = f
    }

    // Migrations and seeding need the PostgreSQL pool running; the pool's run() is a service
    // of the application, so run them in a task started by the first service.
    let seedLogger = logger
    let migrate: @Sendable () async throws -> Void = {
        try await Migrations.run(on: store, now: Int64(clock().timeIntervalSince1970))
        if let tier = config.seed {
            let now = clock()
            try await DemoData.seed(
                tier, store: store, reference: LocalCalendar.today(now, timeZone: config.timeZone),
                now: Int64(now.timeIntervalSince1970), utility: config.utility, protocols: config.demoProtocols, timeZone: config.timeZone,
                progress: { done, total in seedLogger.info("seeding", metadata: ["properties": "\(done)/\(total)"]) })
        }
    }
    if let sqlite = store as? SQLiteStore {
        do {
            try await migrate()
            try await sqlite.watchChanges()
        } catch {
            await store.shutdown()  // closed before the error is reported, not crashed on
            throw error
        }
        services.append(SQLiteChangeWatch(store: sqlite))
        feed = sqlite.changes
    }

    let appClock = AppClock(now: clock, timeZone: config.timeZone, calendar: config.businessCalendar)
    let runtime = ServerRuntime()
    // Repositories: one per feature, all over the one store.
    let properties = PropertyRepository(store: store)
    let sessions = SessionRepository(store: store, cache: SessionCache(feed: feed))
    let bills = BillRepository(store: store, indexCache: FeedCachedValue(feed: feed, payload: "correction_index"))
    let statements = StatementRepository(store: store)
    let outbox = OutboxRepository(store: store)
    let cardPayments = CardPaymentRepository(store: store)
    let audit = AuditLog(store: store, clock: appClock)
    let authorization = Authorization(properties: properties, audit: audit, clock: appClock)
    let cards = CardCompanyDirectory(config: config, runtime: runtime)
    let limiter = AttemptLimiter(sessions: sessions, config: config, clock: appClock)
    let documents = DocumentService(
        store: store, bills: bills, statements: statements, properties: properties, cardPayments: cardPayments, companies: cards,
        factory: DocumentFactory(utility: config.utility), clock: appClock, requestsPerHour: config.documentRequestsPerHour,
        agreementSettings: config.agreements, certidaoSigningKey: config.certidaoSigningKey)

    let mail = MailAddresses(smtp: config.smtp)
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: SecurityHeadersMiddleware())
    router.add(middleware: OriginMiddleware(trustedProxies: config.trustedProxies.compactMap(CIDR.init), terminals: config.terminals))
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: MetricsMiddleware())
    router.add(middleware: ErrorMiddleware(contract: contract))
    router.add(middleware: AuthMiddleware(sessions: sessions, clock: appClock))
    // After authentication: only a staff session may send an attachment's larger body.
    router.add(middleware: BodyLimitMiddleware(maxBytes: config.maxBodyBytes, attachmentMaxBytes: config.attachmentMaxBytes))
    let metricsFrom = config.metricsFrom.compactMap(CIDR.init)
    router.get("/metrics") { _, _ in
        guard metricsFrom.contains(where: { $0.contains(Principal.origin.address) }) else {
            throw APIError(status: .forbidden, code: "metrics_forbidden", message: "Métricas só para os endereços em metricsFrom.")
        }
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: Telemetry.exposition())))
    }
    router.get("/openapi.yaml") { _, _ in
        Response(
            status: .ok, headers: [.contentType: "application/yaml; charset=utf-8", .cacheControl: "public, max-age=300"],
            body: .init(byteBuffer: ByteBuffer(data: document)))
    }
    if let secret = cards.sandboxSecret, let auto = config.sandboxCardCompany {
        SandboxCardCompany(secret: secret, autoSeconds: auto, logger: logger).register(on: router)
    }
    let protocolHandlers = ProtocolHandlers(
        protocols: ProtocolRepository(store: store), properties: properties, authorization: authorization, limiter: limiter,
        limits: config.attachmentLimits, clock: appClock, ouvidoriaUnit: config.ouvidoria.unit, mail: mail,
        issuer: DocumentFactory(utility: config.utility).issuer)
    let ouvidoria = OuvidoriaRepository(store: store, unit: config.ouvidoria.unit)
    let api = AgenciaAPI(
        health: HealthHandlers(store: store, logger: logger),
        sessions: SessionHandlers(
            config: config, sessions: sessions, properties: properties, audit: audit, clock: appClock, limiter: limiter, logger: logger),
        properties: PropertyHandlers(
            config: config, properties: properties, bills: bills, authorization: authorization),
        bills: BillHandlers(bills: bills, documents: documents, authorization: authorization),
        statements: StatementHandlers(
            config: config, statements: statements, bills: bills, documents: documents, authorization: authorization),
        email: EmailHandlers(
            config: config, outbox: outbox, bills: bills, statements: statements, properties: properties, documents: documents,
            authorization: authorization, mail: mail),
        payments: PaymentHandlers(payments: PaymentRepository(store: store), authorization: authorization),
        cardPayments: CardPaymentHandlers(
            config: config, cardPayments: cardPayments, bills: bills, companies: cards, client: CardCompanyClient(), documents: documents,
            runtime: runtime,
            authorization: authorization, clock: appClock, logger: logger),
        consumption: ConsumptionHandlers(
            consumption: ConsumptionRepository(store: store), authorization: authorization),
        tariffs: TariffHandlers(tariffs: TariffRepository(store: store), clock: appClock),
        installments: InstallmentHandlers(
            config: config, properties: properties, bills: bills, agreements: AgreementRepository(store: store),
            authorization: authorization),
        dueDates: DueDateHandlers(
            config: config, dueDates: DueDateRepository(store: store), authorization: authorization),
        protocols: protocolHandlers,
        services: ServiceHandlers(
            services: ServiceRepository(store: store), protocols: ProtocolRepository(store: store), properties: properties, bills: bills,
            documents: documents, authorization: authorization, limits: config.attachmentLimits, timeZone: config.timeZone,
            feeValidDays: config.utility.statementValidDays, mail: mail),
        certidoes: CertidaoHandlers(
            config: config, store: store, properties: properties, bills: bills, agreements: AgreementRepository(store: store),
            authorization: authorization, limiter: limiter, clock: appClock, documents: documents),
        declaracoes: DeclaracaoHandlers(
            declaracoes: DeclaracaoRepository(store: store), properties: properties, documents: documents, authorization: authorization),
        agreements: AgreementHandlers(
            config: config, agreements: AgreementRepository(store: store), properties: properties, bills: bills, documents: documents,
            authorization: authorization),
        customers: CustomerHandlers(
            emailChanges: EmailChangeRepository(store: store), people: PeopleRepository(store: store),
            protocols: ProtocolRepository(store: store), protocolHandlers: protocolHandlers, properties: properties,
            authorization: authorization, limiter: limiter,
            emailEnabled: config.smtp.url != nil, mail: mail, timeZone: config.timeZone),
        ouvidoria: OuvidoriaHandlers(
            repository: ouvidoria, protocols: ProtocolRepository(store: store), protocolHandlers: protocolHandlers, properties: properties,
            authorization: authorization, limiter: limiter, limits: config.attachmentLimits, settings: config.ouvidoria, clock: appClock),
        supervision: SupervisionHandlers(audit: audit, sessions: sessions, authorization: authorization, config: config, clock: appClock),
        integration: IntegrationHandlers(
            store: store, clock: appClock, authorization: authorization, audit: audit, webhooks: config.integration.webhooks.map(\.name)))
    // Compact JSON (the generator's default indents every answer: a third more bytes to write),
    // dates written without ICU.
    try api.registerHandlers(
        on: router, serverURL: Servers.Server1.url(),
        configuration: .init(dateTranscoder: RFC3339Transcoder(), jsonEncodingOptions: []),
        middlewares: [PermissionMiddleware(), ContractMiddleware(contract: contract)])
    services.append(
        BackgroundJobs(
            sender: OutboxSender(
                outbox: outbox, documents: documents, smtp: config.smtp, utility: config.utility, clock: appClock, logger: logger),
            cardPayments: cardPayments, ouvidoria: config.ouvidoria.email.map { (ouvidoria, $0) }, store: store,
            agreements: AgreementRepository(store: store), agreementSettings: config.agreements,
            certidaoReview: CertidaoReview(
                certidoes: CertidaoRepository(store: store), bills: bills, audit: audit),
            runtime: runtime,
            clock: appClock, pollSeconds: config.smtp.pollSeconds, logger: logger,
            lease: BatchLease(
                store: store, name: "background", holder: "\(BatchLease.holderHere()):\(UUID().uuidString.prefix(8))",
                seconds: BackgroundJobs.leaseSeconds)))
    if !config.integration.webhooks.isEmpty {
        services.append(WebhookDelivery(store: store, settings: config.integration, clock: appClock, runtime: runtime, logger: logger))
    }

    let connections = ConnectionRegistry(
        maxPerAddress: config.maxConnectionsPerAddress, trusted: config.trustedProxies.compactMap(CIDR.init),
        readTimeoutSeconds: config.requestReadTimeoutSeconds,
        maxOpen: config.maxOpenConnections > 0 ? config.maxOpenConnections : ConnectionRegistry.defaultMaxOpen(), logger: logger)
    var app = Application(
        router: router,
        server: .http1(configuration: .init(additionalChannelHandlers: [ConnectionGuard(registry: connections)])),
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
    return AgenciaServer(application: app, store: store, runtime: runtime, changeFeed: feed)
}

/// Runs the PostgreSQL pool for the application's lifetime.
struct PostgresClientService: Service {
    let client: PostgresClient
    func run() async throws { await client.run() }
}
