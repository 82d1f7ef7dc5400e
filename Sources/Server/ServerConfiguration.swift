import Domain
import Foundation

/// Everything `agencia-server` can be told. Read from a JSON file (`--config`), then
/// `AGENCIA_*` environment variables, then command-line flags, each overriding the previous.
/// Every key is in `config.example.json` (section `server`).
public struct ServerConfiguration: Codable, Sendable, Equatable {
    /// Address to listen on; loopback unless deliberately exposed.
    public var host: String = "127.0.0.1"
    /// TCP port; 0 picks a free one (the embedded demo backend does this).
    public var port: Int = 8080
    /// `sqlite:PATH` or `postgres://user:pass@host:port/db`.
    public var database: String = "sqlite:agencia.sqlite"
    /// Fill an empty database: `demo` (a few hundred properties) or `ci` (100 000 × 24 months).
    public var seed: String?
    /// Kiosk login fields (PRODUCT.md A1).
    public var loginPolicy: LoginPolicy = .matriculaDVDocumento
    /// How the matrícula check digit is computed.
    public var matriculaRule: MatriculaRule = .mod11
    /// Customer session lifetime, seconds.
    public var customerSessionSeconds: Int = 1800
    /// Staff session lifetime, seconds (one working shift).
    public var staffSessionSeconds: Int = 8 * 3600
    /// Failed logins allowed per account (matrícula or staff user) **from one client address or
    /// terminal** within the window; then that pair is refused until the window ends. Other
    /// addresses are not locked out (DECISIONS 62).
    public var maxFailuresPerAccount: Int = 5
    /// Failed attempts allowed per client address (or terminal) within the window, whatever the
    /// account.
    public var maxFailuresPerAddress: Int = 30
    /// Length of the attempt-counting window, seconds.
    public var attemptWindowSeconds: Int = 900
    /// After this many failures on an account from anywhere in the window, every further login
    /// to it waits `loginDelayBaseMilliseconds`, doubling with each failure, up to
    /// `loginDelayMaxSeconds`: slower guessing for everyone, no lockout for the owner.
    public var loginDelayAfterFailures: Int = 3
    public var loginDelayBaseMilliseconds: Int = 1000
    public var loginDelayMaxSeconds: Int = 10
    /// Successful logins allowed per client address within the window (against bulk harvesting
    /// under the `matricula` policy), and per terminal that presents its credential.
    public var maxLoginsPerAddress: Int = 60
    public var maxLoginsPerTerminal: Int = 240
    /// Terminals: the SHA-256 (hex) of their secret and their mode (`agencia-server
    /// credencial-terminal ID --modo kiosk` makes the pair): a terminal presenting its credential
    /// is counted and audited by name, and opens sessions of its mode only.
    public var terminals: [String: TerminalEntry] = [:]
    /// Proxies (CIDRs) whose `X-Forwarded-For` is believed; any other peer is the client itself.
    public var trustedProxies: [String] = []
    /// Who may read `GET /metrics` (CIDRs): by default this machine only.
    public var metricsFrom: [String] = ["127.0.0.0/8", "::1/128"]
    /// `text` (one line per event, for a person) or `json` (one object per line, for a log
    /// collector).
    public var logFormat: String = "text"
    /// A staff session ends after this long without requests (besides `staffSessionSeconds`).
    /// A customer session ends after `kioskIdleSeconds` + `kioskWarningSeconds` without requests.
    public var staffIdleSeconds: Int = 1800
    /// A connection must deliver a whole request (headers and body) within this many seconds of
    /// opening or of its previous response, or it is closed.
    public var requestReadTimeoutSeconds: Int = 60
    /// Open connections allowed per client address (a trusted proxy is not limited).
    public var maxConnectionsPerAddress: Int = 64
    /// Open connections past which the oldest ones still waiting for a whole request are closed
    /// to make room (thousands of addresses each holding a few half-open ones; issue 27). 0: four
    /// fifths of the process's descriptor limit.
    public var maxOpenConnections: Int = 0
    /// Request bodies above this size are refused with 413.
    public var maxBodyBytes: Int = 64 * 1024
    /// Kiosk idle time before the warning, and the warning's countdown, seconds.
    public var kioskIdleSeconds: Int = 90
    public var kioskWarningSeconds: Int = 15
    /// What a customer does to get a CPF/CNPJ linked to a property (seed 000).
    public var registrationHelp: String =
        "Para cadastrar seu CPF/CNPJ neste imóvel, compareça a uma agência de atendimento com documento de identidade com foto, o CPF/CNPJ e um comprovante de vínculo com o imóvel (escritura, contrato de locação ou conta recente), ou ligue 0800 000 0115."
    /// Show demo matrículas, documents and staff logins on the login screens. Only for demo data.
    public var demoHints: Bool = false
    /// With `seed: "demo"`: also a day's work of protocols in the queues (the embedded demo's
    /// tour; `DemoProtocols.swift`). The tests' demo leaves the queues empty for their own.
    public var demoProtocols: Bool = false
    /// The utility's time zone: decides what "today" is for due dates.
    public var timeZone: String = "America/Sao_Paulo"
    /// Holidays of the utility's municipalities, besides the national ones: `MM-DD` every year,
    /// `AAAA-MM-DD` once. A due date on one moves to the next business day (DOMAIN.md).
    public var localHolidays: [String] = []
    /// Log level: trace, debug, info, notice, warning, error, critical.
    public var logLevel: String = "info"
    /// The utility: what documents print, its FEBRABAN and PIX identities.
    public var utility = UtilitySettings()
    /// Outgoing e-mail; without `url` the server refuses e-mail requests with a clear message.
    public var smtp = SMTPSettings()
    /// Accredited card companies (PRODUCT.md B4).
    public var cardCompanies: [CardCompany] = []
    /// How long a card payment may stay pending before its bills are released, seconds.
    public var cardPaymentTimeoutSeconds: Int = 1800
    /// Serve the **sandbox** card company at `/sandbox-operadora` (loopback only) and accredit it:
    /// for the demo and the tests; nothing is charged. `null` turns it off; a number makes it
    /// decide by itself after that many seconds (amounts ending in ,13 are declined, in ,14 never
    /// answered); 0 waits for `POST /sandbox-operadora/negotiations/{id}/approve|decline`.
    public var sandboxCardCompany: Int? = nil
    /// The sandbox company's secret (its API key and the key of its callbacks' signature); nil:
    /// a new random one at each start. Every `/sandbox-operadora` endpoint asks for it.
    public var sandboxCardCompanySecret: String? = nil
    /// The address card companies call back on; default `http://host:port`.
    public var publicURL: String? = nil
    /// Documents (statements, e-mails) a customer may request per property per hour.
    public var documentRequestsPerHour: Int = 30
    /// The pre-approved due days (six or more, 1–28) and the minimum interval between changes.
    public var dueDates = DueDatePolicy()
    /// Installment limits: maximum count, minimum down payment (%), monthly rate (basis points).
    public var installments = InstallmentPolicy.standard
    /// The same for residencial social properties (low-income policy).
    public var lowIncomeInstallments = InstallmentPolicy.lowIncome

    /// Protocol attachments: the largest file accepted and how many one step may carry.
    public var attachmentMaxBytes: Int = 10 * 1024 * 1024
    public var attachmentsPerStep: Int = 5
    /// What one staff member may upload per hour and per day, and what one protocol may hold.
    public var attachmentBytesPerHour: Int = 100 * 1024 * 1024
    public var attachmentBytesPerDay: Int = 500 * 1024 * 1024
    public var attachmentsPerProtocol: Int = 40
    public var attachmentBytesPerProtocol: Int = 100 * 1024 * 1024

    /// The ouvidoria (Lei 13.460/2017): its unit, its address for alerts, anonymous types.
    public var ouvidoria = OuvidoriaSettings()
    /// The utility's service-management systems that hear of the protocols by webhook (issue 31).
    public var integration = IntegrationSettings()
    /// How far each signer of an agreement may go (beyond the attendant's, a supervisor) and
    /// when an agreement is broken.
    public var agreements = AgreementSettings()
    /// How long a certidão de débitos is valid, days.
    public var certidaoValidDays = 90
    /// The Ed25519 key that signs the certidão's QR (base64 of the 32-byte raw key); nil: one is
    /// generated once and kept in the database.
    public var certidaoSigningKey: String? = nil

    public var attachmentLimits: AttachmentLimits {
        AttachmentLimits(
            maxBytes: attachmentMaxBytes, maxPerStep: attachmentsPerStep, maxBytesPerHour: attachmentBytesPerHour,
            maxBytesPerDay: attachmentBytesPerDay, maxPerProtocol: attachmentsPerProtocol, maxBytesPerProtocol: attachmentBytesPerProtocol)
    }

    /// Demo and tests only (`--demo-today`, never in a configuration file): the date the server
    /// takes as today. Refused unless the server seeds demo data and no real card company is
    /// accredited.
    public var demoToday: CivilDate? = nil

    public init() {}

    /// The utility's business days: national holidays and `localHolidays` (validated).
    public var businessCalendar: BusinessCalendar {
        BusinessCalendar(localHolidays: localHolidays.compactMap(BusinessCalendar.LocalHoliday.init))
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port, database, seed, loginPolicy, matriculaRule, customerSessionSeconds,
            staffSessionSeconds, maxFailuresPerAccount, maxFailuresPerAddress, attemptWindowSeconds, loginDelayAfterFailures,
            loginDelayBaseMilliseconds, loginDelayMaxSeconds, maxLoginsPerAddress, maxLoginsPerTerminal, terminals, trustedProxies,
            metricsFrom, logFormat,
            staffIdleSeconds, requestReadTimeoutSeconds, maxConnectionsPerAddress, maxOpenConnections,
            maxBodyBytes, kioskIdleSeconds, kioskWarningSeconds, registrationHelp, demoHints, demoProtocols, timeZone, localHolidays, logLevel,
            utility, smtp, cardCompanies, cardPaymentTimeoutSeconds, sandboxCardCompany, sandboxCardCompanySecret, publicURL,
            documentRequestsPerHour,
            dueDates, installments, lowIncomeInstallments, attachmentMaxBytes, attachmentsPerStep, attachmentBytesPerHour,
            attachmentBytesPerDay, attachmentsPerProtocol, attachmentBytesPerProtocol, ouvidoria, agreements, certidaoValidDays,
            certidaoSigningKey, integration
    }

    /// Decodes a partial document: keys that are absent keep their defaults.
    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func take<T: Decodable>(_ key: CodingKeys, _ path: WritableKeyPath<ServerConfiguration, T>) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { self[keyPath: path] = v }
        }
        try take(.host, \.host)
        try take(.port, \.port)
        try take(.database, \.database)
        if let v = try c.decodeIfPresent(String.self, forKey: .seed) { seed = v }
        try take(.loginPolicy, \.loginPolicy)
        try take(.matriculaRule, \.matriculaRule)
        try take(.customerSessionSeconds, \.customerSessionSeconds)
        try take(.staffSessionSeconds, \.staffSessionSeconds)
        try take(.maxFailuresPerAccount, \.maxFailuresPerAccount)
        try take(.maxFailuresPerAddress, \.maxFailuresPerAddress)
        try take(.attemptWindowSeconds, \.attemptWindowSeconds)
        try take(.loginDelayAfterFailures, \.loginDelayAfterFailures)
        try take(.loginDelayBaseMilliseconds, \.loginDelayBaseMilliseconds)
        try take(.loginDelayMaxSeconds, \.loginDelayMaxSeconds)
        try take(.maxLoginsPerAddress, \.maxLoginsPerAddress)
        try take(.maxLoginsPerTerminal, \.maxLoginsPerTerminal)
        try take(.terminals, \.terminals)
        try take(.trustedProxies, \.trustedProxies)
        try take(.metricsFrom, \.metricsFrom)
        try take(.logFormat, \.logFormat)
        try take(.staffIdleSeconds, \.staffIdleSeconds)
        try take(.requestReadTimeoutSeconds, \.requestReadTimeoutSeconds)
        try take(.maxConnectionsPerAddress, \.maxConnectionsPerAddress)
        try take(.maxOpenConnections, \.maxOpenConnections)
        try take(.maxBodyBytes, \.maxBodyBytes)
        try take(.kioskIdleSeconds, \.kioskIdleSeconds)
        try take(.kioskWarningSeconds, \.kioskWarningSeconds)
        try take(.registrationHelp, \.registrationHelp)
        try take(.demoHints, \.demoHints)
        try take(.demoProtocols, \.demoProtocols)
        try take(.timeZone, \.timeZone)
        try take(.localHolidays, \.localHolidays)
        try take(.logLevel, \.logLevel)
        try take(.utility, \.utility)
        try take(.smtp, \.smtp)
        try take(.cardCompanies, \.cardCompanies)
        try take(.cardPaymentTimeoutSeconds, \.cardPaymentTimeoutSeconds)
        if let v = try c.decodeIfPresent(Int.self, forKey: .sandboxCardCompany) { sandboxCardCompany = v }
        if let v = try c.decodeIfPresent(String.self, forKey: .sandboxCardCompanySecret) { sandboxCardCompanySecret = v }
        if let v = try c.decodeIfPresent(String.self, forKey: .publicURL) { publicURL = v }
        try take(.documentRequestsPerHour, \.documentRequestsPerHour)
        try take(.dueDates, \.dueDates)
        try take(.installments, \.installments)
        try take(.lowIncomeInstallments, \.lowIncomeInstallments)
        try take(.attachmentMaxBytes, \.attachmentMaxBytes)
        try take(.attachmentsPerStep, \.attachmentsPerStep)
        try take(.attachmentBytesPerHour, \.attachmentBytesPerHour)
        try take(.attachmentBytesPerDay, \.attachmentBytesPerDay)
        try take(.attachmentsPerProtocol, \.attachmentsPerProtocol)
        try take(.attachmentBytesPerProtocol, \.attachmentBytesPerProtocol)
        try take(.ouvidoria, \.ouvidoria)
        try take(.agreements, \.agreements)
        try take(.certidaoValidDays, \.certidaoValidDays)
        if let v = try c.decodeIfPresent(String.self, forKey: .certidaoSigningKey) { certidaoSigningKey = v }
        try take(.integration, \.integration)
    }

    /// Applies `AGENCIA_HOST`, `AGENCIA_PORT`, `AGENCIA_DATABASE`, `AGENCIA_SEED`,
    /// `AGENCIA_LOGIN_POLICY`, `AGENCIA_LOG_LEVEL`.
    public mutating func apply(environment env: [String: String]) throws {
        if let v = env["AGENCIA_HOST"] { host = v }
        if let v = env["AGENCIA_PORT"] {
            guard let p = Int(v) else { throw ConfigurationError.invalid("AGENCIA_PORT", v) }
            port = p
        }
        if let v = env["AGENCIA_DATABASE"] { database = v }
        if let v = env["AGENCIA_SEED"] { seed = v }
        if let v = env["AGENCIA_LOGIN_POLICY"] {
            guard let p = LoginPolicy(rawValue: v) else { throw ConfigurationError.invalid("AGENCIA_LOGIN_POLICY", v) }
            loginPolicy = p
        }
        if let v = env["AGENCIA_LOG_LEVEL"] { logLevel = v }
    }

    /// Checks values that would otherwise fail later and less clearly.
    public func validate() throws {
        guard (0...65535).contains(port) else { throw ConfigurationError.invalid("port", String(port)) }
        guard database.hasPrefix("sqlite:") || database.hasPrefix("postgres://") || database.hasPrefix("postgresql://")
        else { throw ConfigurationError.invalid("database", database) }
        if demoProtocols, seed != "demo" {
            throw ConfigurationError.invalid("demoProtocols", "os protocolos de demonstração só existem com os dados de demonstração (--seed demo)")
        }
        if let s = seed, DemoData.tiers[s] == nil { throw ConfigurationError.invalid("seed", "\(s): use demo, ci, sergipe ou referencia") }
        if demoToday != nil, seed == nil || !cardCompanies.isEmpty {
            throw ConfigurationError.invalid(
                "demoToday", "uma data fixa só é aceita com dados de demonstração (--seed) e sem operadoras de cartão reais")
        }
        for h in localHolidays where BusinessCalendar.LocalHoliday(h) == nil {
            throw ConfigurationError.invalid("localHolidays", "\(h): use MM-DD (todo ano) ou AAAA-MM-DD (uma vez)")
        }
        guard maxBodyBytes >= 1024 else { throw ConfigurationError.invalid("maxBodyBytes", String(maxBodyBytes)) }
        guard (1024...(256 * 1024 * 1024)).contains(attachmentMaxBytes) else {
            throw ConfigurationError.invalid("attachmentMaxBytes", "entre 1024 e 268435456 bytes")
        }
        guard (1...50).contains(attachmentsPerStep) else { throw ConfigurationError.invalid("attachmentsPerStep", "entre 1 e 50") }
        guard attachmentBytesPerHour >= attachmentMaxBytes, attachmentBytesPerDay >= attachmentBytesPerHour,
            attachmentsPerProtocol >= attachmentsPerStep, attachmentBytesPerProtocol >= attachmentMaxBytes
        else {
            throw ConfigurationError.invalid(
                "attachmentBytesPerHour/PerDay/attachmentsPerProtocol/attachmentBytesPerProtocol",
                "cada cota deve caber ao menos um anexo (ou um trâmite) e a diária, a horária")
        }
        try utility.validate()
        guard dueDates.isValid else {
            throw ConfigurationError.invalid("dueDates", "ao menos seis dias distintos entre 1 e 28 (Lei 8.987/1995, art. 7º-A)")
        }
        guard installments.isValid else { throw ConfigurationError.invalid("installments", "limites fora do intervalo") }
        guard lowIncomeInstallments.isValid else {
            throw ConfigurationError.invalid("lowIncomeInstallments", "limites fora do intervalo")
        }
        if sandboxCardCompany != nil, !["127.0.0.1", "localhost", "::1"].contains(host) {
            throw ConfigurationError.invalid("sandboxCardCompany", "a operadora sandbox só pode ser servida em loopback")
        }
        for p in trustedProxies where CIDR(p) == nil {
            throw ConfigurationError.invalid("trustedProxies", "\(p): use um endereço ou uma rede (10.0.0.0/8, ::1/128)")
        }
        for p in metricsFrom where CIDR(p) == nil {
            throw ConfigurationError.invalid("metricsFrom", "\(p): use um endereço ou uma rede (10.0.0.0/8, ::1/128)")
        }
        guard ["text", "json"].contains(logFormat) else { throw ConfigurationError.invalid("logFormat", "\(logFormat): use text ou json") }
        for (id, entry) in terminals {
            let hash = entry.secretHash
            guard TerminalCredential.modes.contains(entry.mode) else {
                throw ConfigurationError.invalid("terminals.\(id).mode", "\(entry.mode): use kiosk, counter ou staff")
            }
            guard Self.isTerminalID(id) else {
                throw ConfigurationError.invalid("terminals", "\(id): use letras minúsculas, dígitos, '-', '_' ou '.' (até 60)")
            }
            guard hash.count == 64, hash.allSatisfy(\.isHexDigit) else {
                throw ConfigurationError.invalid("terminals.\(id)", "o SHA-256 do segredo, em hexadecimal (64 caracteres)")
            }
        }
        guard loginDelayAfterFailures >= 0, loginDelayBaseMilliseconds >= 0, loginDelayMaxSeconds >= 0,
            maxLoginsPerAddress >= 1, maxLoginsPerTerminal >= 1, maxFailuresPerAccount >= 1, maxFailuresPerAddress >= 1
        else { throw ConfigurationError.invalid("limites de login", "valores negativos ou zero") }
        guard staffIdleSeconds >= 60, requestReadTimeoutSeconds >= 1, maxConnectionsPerAddress >= 1, maxOpenConnections >= 0 else {
            throw ConfigurationError.invalid("staffIdleSeconds/requestReadTimeoutSeconds/maxConnectionsPerAddress", "fora do intervalo")
        }
        try integration.validate()
        for c in cardCompanies where c.id.isEmpty || c.id == "sandbox" || !(0...2000).contains(c.feeBasisPoints) {
            throw ConfigurationError.invalid("cardCompanies", c.id)
        }
    }

    /// A terminal's id as configured and sent (`quiosque-centro-1`).
    public static func isTerminalID(_ id: String) -> Bool {
        (1...60).contains(id.count)
            && id.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || "-_.".unicodeScalars.contains($0) }
    }

    /// Reads a JSON file holding either this object or `{"server": {...}}` (the shared
    /// `config.example.json` layout).
    public static func load(file: String) throws -> ServerConfiguration {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: file)) } catch {
            throw ConfigurationError.unreadable(file, String(describing: error))
        }
        do {
            return try load(data: data)
        } catch {
            throw ConfigurationError.unreadable(file, String(describing: error))
        }
    }

    /// Reads either this object or `{"server": {...}}`. A file with a `server` object is read
    /// from it, and a bad value there is an error, never a silent fall back to the defaults.
    public static func load(data: Data) throws -> ServerConfiguration {
        struct Wrapper: Decodable { let server: ServerConfiguration }
        let top = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        if top?["server"] != nil { return try JSONDecoder().decode(Wrapper.self, from: data).server }
        return try JSONDecoder().decode(ServerConfiguration.self, from: data)
    }
}

/// The utility as documents show it, and its collection identities.
public struct UtilitySettings: Codable, Sendable, Equatable {
    public var name = "Companhia de Saneamento (demonstração)"
    public var cnpj = "12.345.678/0001-95"
    public var address = "Rua da Água, 100 - Centro, Aracaju/SE"
    public var contact = "0800 000 0115 · atendimento@saneamento.example.br"
    /// The 4-digit company code FEBRABAN assigned (barcode positions 16–19).
    public var febrabanCompany = "0123"
    /// Barcode value identifier: 6 (mod 10) or 8 (mod 11).
    public var barcodeValueID = 6
    public var pixKey = "12345678000195"
    public var pixName = "Companhia de Saneamento"
    public var pixCity = "Aracaju"
    /// Days a payment statement stays payable (its charges are computed to that date).
    public var statementValidDays = 3
    /// Debts inscribed in dívida ativa are negotiated under their own collection agreement:
    /// its FEBRABAN company code (the carnê's barcodes) and how the carnê names it.
    public var dividaAtivaFebrabanCompany = "0124"
    public var dividaAtivaConvenio = "Convênio de cobrança da dívida ativa nº 001/2026 (demonstração)"

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, cnpj, address, contact, febrabanCompany, barcodeValueID, pixKey, pixName, pixCity, statementValidDays
        case dividaAtivaFebrabanCompany, dividaAtivaConvenio
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? name
        cnpj = try c.decodeIfPresent(String.self, forKey: .cnpj) ?? cnpj
        address = try c.decodeIfPresent(String.self, forKey: .address) ?? address
        contact = try c.decodeIfPresent(String.self, forKey: .contact) ?? contact
        febrabanCompany = try c.decodeIfPresent(String.self, forKey: .febrabanCompany) ?? febrabanCompany
        barcodeValueID = try c.decodeIfPresent(Int.self, forKey: .barcodeValueID) ?? barcodeValueID
        pixKey = try c.decodeIfPresent(String.self, forKey: .pixKey) ?? pixKey
        pixName = try c.decodeIfPresent(String.self, forKey: .pixName) ?? pixName
        pixCity = try c.decodeIfPresent(String.self, forKey: .pixCity) ?? pixCity
        statementValidDays = try c.decodeIfPresent(Int.self, forKey: .statementValidDays) ?? statementValidDays
        dividaAtivaFebrabanCompany = try c.decodeIfPresent(String.self, forKey: .dividaAtivaFebrabanCompany) ?? dividaAtivaFebrabanCompany
        dividaAtivaConvenio = try c.decodeIfPresent(String.self, forKey: .dividaAtivaConvenio) ?? dividaAtivaConvenio
    }

    var valueID: ArrecadacaoBarcode.ValueID { barcodeValueID == 8 ? .reaisMod11 : .reaisMod10 }

    func validate() throws {
        guard febrabanCompany.count == 4, febrabanCompany.allSatisfy(\.isNumber) else {
            throw ConfigurationError.invalid("utility.febrabanCompany", febrabanCompany)
        }
        guard dividaAtivaFebrabanCompany.count == 4, dividaAtivaFebrabanCompany.allSatisfy(\.isNumber) else {
            throw ConfigurationError.invalid("utility.dividaAtivaFebrabanCompany", dividaAtivaFebrabanCompany)
        }
        guard [6, 8].contains(barcodeValueID) else { throw ConfigurationError.invalid("utility.barcodeValueID", String(barcodeValueID)) }
        guard !pixKey.isEmpty else { throw ConfigurationError.invalid("utility.pixKey", pixKey) }
        guard (0...30).contains(statementValidDays) else {
            throw ConfigurationError.invalid("utility.statementValidDays", String(statementValidDays))
        }
    }
}

/// Agreements: the kiosk's and the attendant's limits (the installment policy is the ceiling,
/// reached by a supervisor or back office), and the breaking rule.
public struct AgreementSettings: Codable, Sendable, Equatable {
    public var kiosk = AgreementLimits(maxCount: 12, minDownPaymentPercent: 20)
    public var atendente = AgreementLimits(maxCount: 18, minDownPaymentPercent: 15)
    /// Broken at this many late installments…
    public var maxOverdueInstallments = 3
    /// …or when the oldest is this many days late.
    public var maxOverdueDays = 90

    public init() {}

    /// Who signs for `role` (nil: the customer at a kiosk) and how far they may go alone: the
    /// limits, how to name them, and whom to ask beyond; nil limits for a supervisor or the back
    /// office (the installment policy is theirs). Used by the simulation and the signature alike
    /// (issue 28.9: the simulation offers only what this terminal and person may sign).
    func signer(_ role: StaffRole?) -> (limits: AgreementLimits, who: String, ask: String)? {
        switch role {
        case nil: return (kiosk, "do autoatendimento", "procure uma agência")
        case .atendente?: return (atendente, "do atendente", "peça a um supervisor")
        default: return nil
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case kiosk, atendente, maxOverdueInstallments, maxOverdueDays }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kiosk = try c.decodeIfPresent(AgreementLimits.self, forKey: .kiosk) ?? kiosk
        atendente = try c.decodeIfPresent(AgreementLimits.self, forKey: .atendente) ?? atendente
        maxOverdueInstallments = try c.decodeIfPresent(Int.self, forKey: .maxOverdueInstallments) ?? maxOverdueInstallments
        maxOverdueDays = try c.decodeIfPresent(Int.self, forKey: .maxOverdueDays) ?? maxOverdueDays
    }
}

/// The ouvidoria: its manifestation types are the public protocol types routed to `unit`.
public struct OuvidoriaSettings: Codable, Sendable, Equatable {
    /// The unit that receives manifestations (a unit of the catalogue).
    public var unit = "ouvidoria"
    /// Where the unit is alerted of a new manifestation and, daily, of those not yet received
    /// (nil: no alert e-mail; the staff screens' counter still shows them).
    public var email: String? = nil
    /// Types that may be sent without identification (then consulted with a secret); none by default.
    public var anonymousTypes: [String] = []

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable { case unit, email, anonymousTypes }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        unit = try c.decodeIfPresent(String.self, forKey: .unit) ?? unit
        email = try c.decodeIfPresent(String.self, forKey: .email)
        anonymousTypes = try c.decodeIfPresent([String].self, forKey: .anonymousTypes) ?? anonymousTypes
    }
}

/// The SMTP server documents are sent through (libcurl).
public struct SMTPSettings: Codable, Sendable, Equatable {
    /// `smtp://host:port` or `smtps://host:port`; nil turns e-mail off.
    public var url: String? = nil
    public var from = "Agência Virtual <nao-responda@saneamento.example.br>"
    public var username: String? = nil
    public var password: String? = nil
    /// Require STARTTLS on `smtp://`.
    public var requireTLS = false
    /// Attempts before a message is given up (then shown as failed to staff).
    public var maxAttempts = 10
    /// First retry delay, seconds; doubles on each attempt, up to one hour.
    public var retryBaseSeconds = 5
    /// How often the sender looks for work when idle, seconds.
    public var pollSeconds = 1

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case url, from, username, password, requireTLS, maxAttempts, retryBaseSeconds, pollSeconds
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        url = try c.decodeIfPresent(String.self, forKey: .url)
        from = try c.decodeIfPresent(String.self, forKey: .from) ?? from
        username = try c.decodeIfPresent(String.self, forKey: .username)
        password = try c.decodeIfPresent(String.self, forKey: .password)
        requireTLS = try c.decodeIfPresent(Bool.self, forKey: .requireTLS) ?? requireTLS
        maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? maxAttempts
        retryBaseSeconds = try c.decodeIfPresent(Int.self, forKey: .retryBaseSeconds) ?? retryBaseSeconds
        pollSeconds = try c.decodeIfPresent(Int.self, forKey: .pollSeconds) ?? pollSeconds
    }
}

/// An accredited card company: its fee and the endpoint of its API (docs/CARD-COMPANIES.md).
public struct CardCompany: Codable, Sendable, Equatable {
    public var id: String
    public var nome: String
    /// The company's fee on the amount, basis points (350 = 3,5 %), shown before confirming.
    public var feeBasisPoints: Int
    /// Base URL of the company's API (`POST {endpoint}/negotiations`).
    public var endpoint: String
    /// Shared secret: our bearer token to the company, and the key of its callbacks' HMAC.
    public var secret: String

    public init(id: String, nome: String, feeBasisPoints: Int, endpoint: String, secret: String) {
        self.id = id
        self.nome = nome
        self.feeBasisPoints = feeBasisPoints
        self.endpoint = endpoint
        self.secret = secret
    }
}

/// A configuration that cannot be used, with the key and the value at fault.
public enum ConfigurationError: Error, CustomStringConvertible {
    case invalid(String, String)
    case unreadable(String, String)

    public var description: String {
        switch self {
        case .invalid(let key, let value): return "configuração inválida: \(key) = \(value)"
        case .unreadable(let file, let why): return "não foi possível ler \(file): \(why)"
        }
    }
}

/// Webhooks to the utility's service-management systems (issue 31, docs/INTEGRATION.md): each
/// event of the types a webhook asks for is POSTed to it, signed with its secret, at least once,
/// in order per protocol; after `maxAttempts` failures it is parked for the supervisor.
public struct IntegrationSettings: Codable, Sendable, Equatable {
    public struct Webhook: Codable, Sendable, Equatable {
        /// How the supervisor's screen and the metrics call it (letters, digits, '-', '_', '.').
        public var name: String
        public var url: String
        /// The HMAC-SHA256 key the receiver checks the signature with (at least 32 characters).
        public var secret: String
        /// The event types it wants (`protocolo.criado`…); empty or absent: all.
        public var types: [String] = []

        public init(name: String, url: String, secret: String, types: [String] = []) {
            self.name = name
            self.url = url
            self.secret = secret
            self.types = types
        }

        enum CodingKeys: String, CodingKey, CaseIterable { case name, url, secret, types }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            url = try c.decode(String.self, forKey: .url)
            secret = try c.decode(String.self, forKey: .secret)
            types = try c.decodeIfPresent([String].self, forKey: .types) ?? []
        }
    }

    public var webhooks: [Webhook] = []
    /// Tries before an event is parked (then shown to the supervisor, who may try it again).
    public var maxAttempts = 12
    /// The first retry's delay, seconds; doubled on each try (with jitter), up to `retryMaxSeconds`.
    public var retryBaseSeconds = 5
    public var retryMaxSeconds = 3600
    /// How long an instance holds the events it is sending (no other sends them meanwhile).
    public var leaseSeconds = 60
    /// Requests in flight at once, per instance.
    public var concurrency = 8

    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case webhooks, maxAttempts, retryBaseSeconds, retryMaxSeconds, leaseSeconds, concurrency
    }

    public init(from decoder: any Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        webhooks = try c.decodeIfPresent([Webhook].self, forKey: .webhooks) ?? webhooks
        maxAttempts = try c.decodeIfPresent(Int.self, forKey: .maxAttempts) ?? maxAttempts
        retryBaseSeconds = try c.decodeIfPresent(Int.self, forKey: .retryBaseSeconds) ?? retryBaseSeconds
        retryMaxSeconds = try c.decodeIfPresent(Int.self, forKey: .retryMaxSeconds) ?? retryMaxSeconds
        leaseSeconds = try c.decodeIfPresent(Int.self, forKey: .leaseSeconds) ?? leaseSeconds
        concurrency = try c.decodeIfPresent(Int.self, forKey: .concurrency) ?? concurrency
    }

    func validate() throws {
        var names = Set<String>()
        for w in webhooks {
            guard IntegrationKeys.isName(w.name), names.insert(w.name).inserted else {
                throw ConfigurationError.invalid("integration.webhooks.name", w.name)
            }
            guard let u = URL(string: w.url), ["http", "https"].contains(u.scheme ?? ""), u.host != nil else {
                throw ConfigurationError.invalid("integration.webhooks.url", w.url)
            }
            guard w.secret.count >= 32 else { throw ConfigurationError.invalid("integration.webhooks.secret", "(\(w.name): 32 caracteres ou mais)") }
            for t in w.types where IntegrationEvents.Kind(rawValue: t) == nil {
                throw ConfigurationError.invalid("integration.webhooks.types", t)
            }
        }
        guard maxAttempts >= 1, retryBaseSeconds >= 1, retryMaxSeconds >= retryBaseSeconds, leaseSeconds >= 20, (1...64).contains(concurrency)
        else { throw ConfigurationError.invalid("integration", "maxAttempts ≥ 1, retryBaseSeconds ≥ 1, retryMaxSeconds ≥ retryBaseSeconds, leaseSeconds ≥ 20, concurrency 1–64") }
    }
}
