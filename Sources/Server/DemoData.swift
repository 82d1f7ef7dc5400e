import Domain
import Foundation
import SQLKit

/// Deterministic data for an empty database. `demo`: a few hundred properties covering every
/// situation a screen can show (curated fixtures first, listed on the login screen in demo
/// mode); `ci`: 100 000 properties × 24 months of bills, for benchmarks; `sergipe`: 1 000 000
/// properties (a state utility's size), the same way. Same seed, same data.
/// Every value here is invented. The data is generated relative to "today" (the server's clock)
/// so that each curated fixture keeps its promise on every day of the year (checked for every
/// day of a leap year by `DemoDataTests`).
public enum DemoData {
    public struct Hint: Sendable {
        public let matricula: String
        public let documento: String?
        public let description: String
    }

    /// A curated property: who holds it and what situation it shows.
    struct Fixture {
        let sequence: Int
        let holder: Int  // index into `people`
        let categoria: Categoria
        let situacao: SituacaoLigacao
        let profile: Profile
        let address: (String, String, String)  // logradouro, número, bairro
        let hint: String
    }

    /// How a property's bills look.
    /// Every profile has its newest bill not yet due; `overdue(n)` adds n overdue bills before it.
    enum Profile {
        case allPaid, overdue(Int), openNotDue, underReview, mixed
        /// Six bills in an agreement kept up to date (`planAgreement`), the newest one to come.
        case agreement
    }

    static let people: [(nome: String, documento: String, email: String?, telefone: String?)] = [
        ("Maria Aparecida da Silva", "11144477735", "maria.silva@example.com", "(79) 99876-1234"),
        ("Metalúrgica Horizonte Ltda", "12ABC34501DE35", "financeiro@horizonte.example.com", "(79) 3222-0101"),
        ("João Batista dos Santos", "52998224725", nil, "(79) 98888-2020"),
        ("Prefeitura Municipal de Nossa Senhora do Socorro", "11222333000181", "obras@socorro.example.gov.br", nil),
        ("Ana Luíza Conceição", "39053344705", "ana.luiza@example.com", nil),
        ("Josefa Nunes Prado", "31845720644", "josefa.prado@example.com", "(79) 99123-4567"),
    ]

    static let fixtures: [Fixture] = [
        Fixture(
            sequence: 10001, holder: 0, categoria: .residencial, situacao: .ativa, profile: .overdue(2),
            address: ("Rua Laranjeiras", "120", "Centro"), hint: "contas vencidas; 3 imóveis no mesmo CPF"),
        Fixture(
            sequence: 10002, holder: 0, categoria: .residencial, situacao: .ativa, profile: .allPaid,
            address: ("Avenida Beira Mar", "2450", "Atalaia"), hint: "tudo pago"),
        Fixture(
            sequence: 10003, holder: 0, categoria: .comercial, situacao: .ativa, profile: .underReview,
            address: ("Rua João Pessoa", "33", "Centro"), hint: "conta em revisão (pagamento com cartão)"),
        Fixture(
            sequence: 10004, holder: 1, categoria: .industrial, situacao: .ativa, profile: .openNotDue,
            address: ("Rodovia BR-101", "km 96", "Distrito Industrial"), hint: "empresa com CNPJ alfanumérico"),
        Fixture(
            sequence: 10005, holder: 2, categoria: .residencialSocial, situacao: .cortada, profile: .overdue(1),
            address: ("Travessa São José", "7", "Santos Dumont"), hint: "tarifa social; cortada; 1 conta vencida"),
        Fixture(
            sequence: 10006, holder: 3, categoria: .publica, situacao: .ativa, profile: .mixed,
            address: ("Praça da Matriz", "1", "Centro"), hint: "órgão público"),
        Fixture(
            sequence: 10007, holder: 4, categoria: .residencial, situacao: .suprimida, profile: .overdue(8),
            address: ("Rua Itabaiana", "508", "São José"), hint: "suprimida; 8 vencidas; vencimento mudado"),
        Fixture(
            sequence: 10008, holder: 5, categoria: .residencial, situacao: .ativa, profile: .agreement,
            address: ("Rua Lagarto", "815", "Getúlio Vargas"), hint: "acordo em dia; certidão efeito negativa"),
    ]

    public static var customerHints: [Hint] {
        fixtures.map { f in
            let m = Matricula(sequence: String(f.sequence))
            return Hint(
                matricula: m?.formatted ?? String(f.sequence), documento: TaxID(people[f.holder].documento)?.formatted, description: f.hint)
        }
    }

    /// Demo staff: user, password, role. Passwords are printed on the demo login screen only.
    static let staffAccounts: [(usuario: String, senha: String, nome: String, papel: StaffRole, unidade: String)] = [
        ("ana", "atende123", "Ana Paula Menezes", .atendente, "centro"),
        ("bruno", "backoffice123", "Bruno Teixeira", .backoffice, "ouvidoria"),
        ("carla", "supervisao123", "Carla Dantas", .supervisor, "centro"),
        ("diego", "comercial123", "Diego Araújo", .backoffice, "comercial"),
    ]

    /// The demo's units and protocol types, in the import format (`ProtocolCatalogue`).
    static let demoUnits = """
        codigo,nome
        atendimento,Atendimento ao Cliente
        centro,Agência Centro
        comercial,Comercial
        operacao,Operação e Manutenção
        ouvidoria,Ouvidoria
        ti,Tecnologia da Informação (GTIC)
        juridico,Jurídico
        suprimentos,Suprimentos
        """
    static let demoProtocolTypes = """
        codigo,nome,descricao,unidade,prazo_dias,publico
        outros,Outros,"Assuntos que não se encaixam nos demais tipos; a unidade de atendimento encaminha.",atendimento,15,sim
        revisao-conta,Revisão de conta,"Contestação de valor, leitura ou consumo de uma conta.",comercial,10,sim
        vazamento,Vazamento,"Vazamento na rede, no ramal ou no cavalete, com ponto de referência.",operacao,2,sim
        falta-agua,Falta d'água,"Falta de água no imóvel ou na rua.",operacao,1,sim
        ligacao-nova,Ligação nova,"Pedido de ligação de água ou esgoto para um imóvel.",comercial,30,sim
        reclamacao,Reclamação,"Insatisfação com o atendimento ou o serviço, depois de procurado o atendimento (Ouvidoria).",ouvidoria,30,sim
        denuncia,Denúncia,"Irregularidade ou ato ilícito: fraude, ligação clandestina, conduta de empregado (Ouvidoria).",ouvidoria,30,sim
        elogio,Elogio,"Reconhecimento de um atendimento ou serviço (Ouvidoria).",ouvidoria,30,sim
        sugestao,Sugestão,"Ideia para melhorar o serviço (Ouvidoria).",ouvidoria,30,sim
        solicitacao-ouvidoria,Solicitação à Ouvidoria,"Pedido de providência não atendido pelos canais comuns (Ouvidoria).",ouvidoria,30,sim
        ouvidoria-outros,Outros (Ouvidoria),"Manifestação que não se encaixa nos demais tipos (Ouvidoria).",ouvidoria,30,sim
        fornecedor-nota,Nota fiscal de fornecedor,"Entrega de nota fiscal ou cobrança de fornecedor.",suprimentos,15,sim
        juridico-intimacao,Intimação judicial,"Intimações e ofícios judiciais (uso interno).",juridico,5,não
        problema-agencia,Problema na Agência Virtual,"Relato de um problema com os terminais ou o sistema (F1 em qualquer tela).",ti,5,não
        vinculo-cadastral,Vínculo cadastral,"Vínculo ou desvínculo de uma pessoa a um imóvel, com o documento apresentado no balcão.",atendimento,1,não
        acesso-sistema,Acesso a sistema,"Pedido de acesso ou de correção em sistemas internos.",ti,5,não
        """

    /// The demo's services (fees and deadlines fictitious), in the import format (`ServiceCatalogue`).
    static let demoServiceTypes = """
        codigo,nome,descricao,unidade,prazo_dias,prazo_horas_uteis,taxa,cobranca,campos,situacoes,motivo,sem_vencidas,exige_imovel,documentos
        religacao,Religação,"Religa o abastecimento de uma ligação cortada por débito.",operacao,,24,"25,00",proxima_conta,telefone*:Telefone para contato|observacao:Observação para a equipe,cortada,"A religação é para ligações cortadas; esta ligação não está cortada.",sim,sim
        religacao-urgente,Religação urgente,"Religação em até 8 horas úteis, com taxa maior.",operacao,,8,"60,00",documento,telefone*:Telefone para contato|observacao:Observação para a equipe,cortada,"A religação é para ligações cortadas; esta ligação não está cortada.",sim,sim
        reativacao,Reativação de ligação,"Reativa uma ligação suprimida (hidrômetro retirado).",comercial,5,,"45,00",proxima_conta,telefone*:Telefone para contato,suprimida,"A reativação é para ligações suprimidas.",sim,sim
        ligacao-nova,Ligação nova,"Ligação de água ou esgoto para um imóvel ainda sem ligação.",comercial,30,,"120,00",documento,ponto_referencia*:Ponto de referência|telefone*:Telefone para contato,factivel,"Este imóvel já tem ligação: para outra ligação no mesmo endereço, procure uma agência.",não,não
        falta-agua,Falta d'água,"Falta de água no imóvel ou na rua.",operacao,,4,,,ponto_referencia:Ponto de referência|telefone*:Telefone para contato,ativa,"Sem ligação ativa não há abastecimento: peça a religação ou a reativação.",não,sim
        vazamento,Vazamento,"Vazamento na rua, na calçada ou no cavalete.",operacao,,8,,,local*:Onde está o vazamento|ponto_referencia*:Ponto de referência|telefone:Telefone para contato,,,não,sim
        segunda-via-contrato,2ª via do contrato de adesão,"Cópia do contrato de prestação de serviços do imóvel.",atendimento,2,,,,email:E-mail para receber a cópia,,,não,sim
        titularidade,Alteração de titularidade,"Passa o imóvel para o nome de outra pessoa (documentos na agência).",comercial,10,,,,novo_titular*:Nome do novo titular|documento_novo*:CPF/CNPJ do novo titular|telefone*:Telefone para contato,,,não,sim,"Documento do novo titular e comprovante de posse ou locação do imóvel, em qualquer agência."
        atualizacao-documento,Atualização do CPF/CNPJ do titular,"Corrige o CPF/CNPJ do titular (erro de cadastro, CNPJ alfanumérico); documentos na agência.",comercial,5,,,,documento_novo*:Novo CPF/CNPJ|motivo*:Motivo da correção,,,não,sim,"Documento de identidade e comprovante de inscrição no CPF (ou cartão CNPJ), originais, em qualquer agência ou pelo atendente."
        atualizacao-cadastral,Atualização cadastral,"Corrige nome, endereço de entrega ou outros dados do cadastro.",atendimento,5,,,,dados*:O que mudou|telefone:Telefone para contato,,,não,sim
        cancelamento,Cancelamento ou inativação,"Encerra o abastecimento do imóvel (imóvel vazio, demolido).",comercial,15,,,,motivo*:Motivo|telefone*:Telefone para contato,ativa|cortada,"A ligação deste imóvel já está inativa.",não,sim
        tarifa-social,Tarifa social,"Enquadramento na tarifa social (inscrição no CadÚnico).",comercial,30,,,,nis*:NIS (CadÚnico)|moradores*:Número de moradores|telefone:Telefone para contato,,,não,sim,"Folha resumo do CadÚnico e conta de energia, em qualquer agência."
        """

    static func seedProtocolCatalogue(_ store: any Store, now: Int64) async throws {
        let units = try ProtocolCatalogue.units(demoUnits)
        let types = try ProtocolCatalogue.types(demoProtocolTypes, units: Set(units.map(\.code)))
        try await ProtocolRepository(store: store).storeCatalogue(units: units, types: types, now: now)
        let services = try ServiceCatalogue.types(demoServiceTypes, units: Set(units.map(\.code)))
        try await ServiceRepository(store: store).store(services, now: now)
    }

    public static var staffHints: [Hint] {
        staffAccounts.map { a in
            // Where each logs in (DECISIONS 63): a counter, a back-office terminal, or both.
            let modes = Permissions.modes(of: a.papel)
            let place = modes.count > 1 ? "balcão e retaguarda" : modes.contains("counter") ? "balcão" : "retaguarda"
            return Hint(matricula: a.usuario, documento: a.senha, description: "\(a.papel.rawValue), \(a.unidade) (\(place))")
        }
    }

    // MARK: Generation

    static let firstNames = [
        "José", "Maria", "Antônio", "Francisca", "Carlos", "Ana", "Paulo", "Adriana", "Pedro", "Juliana",
        "Lucas", "Márcia", "Luiz", "Fernanda", "Marcos", "Patrícia", "Gabriel", "Aline", "Rafael", "Sandra", "Raimundo", "Luana",
        "Sebastião", "Cláudia", "João", "Vitória", "Severino", "Beatriz", "Edson", "Conceição",
    ]
    static let surnames = [
        "Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Ferreira", "Costa", "Rodrigues", "Almeida",
        "Nascimento", "Alves", "Carvalho", "Araújo", "Ribeiro", "Menezes", "Dantas", "Barreto", "Prado", "Fontes", "Andrade",
        "Cardoso", "Teixeira", "Gomes", "Macedo", "Sobral", "Rollemberg", "Franco", "Melo", "Batista",
    ]
    static let streets = [
        "Rua Laranjeiras", "Rua Itabaiana", "Avenida Hermes Fontes", "Rua Santa Luzia", "Avenida Barão de Maruim",
        "Rua Lagarto", "Rua Estância", "Avenida Augusto Franco", "Rua Pacatuba", "Rua Boquim", "Avenida Tancredo Neves",
        "Rua Arauá", "Rua Propriá", "Travessa Simões", "Rua Dom Bosco", "Avenida Francisco Porto", "Rua Riachuelo",
    ]
    static let bairros = [
        "Centro", "São José", "Siqueira Campos", "Grageru", "Jardins", "Luzia", "Ponto Novo", "Suíssa",
        "Cirurgia", "Getúlio Vargas", "Santos Dumont", "Atalaia", "Coroa do Meio", "Farolândia", "Inácio Barbosa",
    ]

    /// Fills an empty database. `reference` is "today" and `now` the clock's instant: every
    /// date in the data is placed relative to them.
    /// Generated properties and the random seed of each tier.
    /// `referencia`: the demo's staff, catalogues, tariffs and correction index with no property
    /// — a database ready for the utility's own data (`agencia-server carga`, issue 30).
    static let tiers: [String: (count: Int, seed: UInt64)] = [
        "demo": (300, 1), "ci": (100_000, 2), "sergipe": (1_000_000, 3), "referencia": (0, 0),
    ]

    /// `progress` hears (properties done, total) as batches are stored.
    public static func seed(
        _ tier: String, store: any Store, reference: CivilDate, now: Int64, utility: UtilitySettings = UtilitySettings(),
        protocols: Bool = false, timeZone: String = "America/Sao_Paulo", progress: @Sendable (Int, Int) -> Void = { _, _ in }
    ) async throws {
        let (count, seed) = tiers[tier] ?? tiers["demo"]!
        let empty =
            try await store.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM properties").first()?.decode(column: "n", as: Int64.self) ?? 0
            } == 0
        guard empty else { return }
        var rng = SplitMix64(seed: seed)
        let tariffs = try demoTariffs(reference: reference)
        if tier == "referencia" {
            try await seedStaff(store)
            try await seedProtocolCatalogue(store, now: now)
            try await seedCorrectionIndex(store, reference: reference)
            try await TariffRepository(store: store).storeTariffs(tariffs, now: now)
            return
        }
        let current = BillPrices(
            Dictionary(tariffs.filter { $0.table.validFrom.year == reference.year }.map { ($0.table.categoria, $0.table) }) { a, _ in a })

        var batch = Batch()
        // Curated fixtures and their holders.
        for p in people { batch.customers.append([p.documento, p.nome, p.email, p.telefone]) }
        let schedule = fixtureSchedule(reference: reference)
        for f in fixtures {
            let holder = people[f.holder]
            addProperty(
                &batch, sequence: f.sequence, holder: holder.documento, holderName: holder.nome, categoria: f.categoria,
                situacao: f.situacao, address: f.address, economias: f.categoria == .publica ? 1 : (f.categoria == .comercial ? 2 : 1),
                profile: f.profile, schedule: schedule.forFixture(f.sequence), curated: true, tariffs: current, reference: reference,
                now: now, rng: &rng)
        }
        // A second customer linked to Maria's first property (a tenant), to show links are per document.
        batch.links.append(["\(Matricula(sequence: "10001")?.normalized ?? "")", "39053344705", "usuario"])
        try await batch.flush(store)

        // Generated population.
        for i in 0..<count {
            let seq = 20_000 + i
            let isCompany = rng.next() % 12 == 0
            let nome: String
            let documento: String
            if isCompany {
                let base = String(format: "%08d0001", 10_000_000 + Int(rng.next() % 89_999_999))
                documento = TaxID.complete(base: base)?.normalized ?? "11222333000181"
                nome =
                    "\(surnames[Int(rng.next() % UInt64(surnames.count))]) & \(surnames[Int(rng.next() % UInt64(surnames.count))]) Comércio Ltda"
            } else {
                let base = String(format: "%09d", 100_000_000 + Int(rng.next() % 899_999_999))
                documento = TaxID.complete(base: base)?.normalized ?? "11144477735"
                nome =
                    "\(firstNames[Int(rng.next() % UInt64(firstNames.count))]) \(surnames[Int(rng.next() % UInt64(surnames.count))]) \(surnames[Int(rng.next() % UInt64(surnames.count))])"
            }
            batch.customers.append([documento, nome, nil, nil])
            let categoria: Categoria =
                isCompany
                ? (rng.next() % 3 == 0 ? .industrial : .comercial)
                : (rng.next() % 8 == 0 ? .residencialSocial : .residencial)
            let situacao: SituacaoLigacao = rng.next() % 25 == 0 ? .cortada : .ativa
            let profiles: [Profile] = [.allPaid, .allPaid, .allPaid, .openNotDue, .overdue(1), .overdue(2), .mixed, .underReview]
            let profile = profiles[Int(rng.next() % UInt64(profiles.count))]
            let day = [5, 10, 15, 20, 25, 28][seq % 6]
            addProperty(
                &batch, sequence: seq, holder: documento, holderName: nome, categoria: categoria, situacao: situacao,
                address: (
                    streets[Int(rng.next() % UInt64(streets.count))], String(1 + rng.next() % 2000),
                    bairros[Int(rng.next() % UInt64(bairros.count))]
                ),
                economias: categoria == .comercial ? 1 + Int(rng.next() % 3) : 1, profile: profile,
                schedule: BillSchedule(day: day, reference: reference), curated: false, tariffs: current, reference: reference, now: now,
                rng: &rng)
            // One in ten holders owns a second property.
            if rng.next() % 10 == 0 {
                addProperty(
                    &batch, sequence: 1_000_000 + seq, holder: documento, holderName: nome, categoria: categoria, situacao: .ativa,
                    address: (
                        streets[Int(rng.next() % UInt64(streets.count))], String(1 + rng.next() % 2000),
                        bairros[Int(rng.next() % UInt64(bairros.count))]
                    ),
                    economias: 1, profile: .allPaid, schedule: BillSchedule(day: day, reference: reference), curated: false,
                    tariffs: current, reference: reference, now: now, rng: &rng)
            }
            if batch.bills.count >= 100_000 {
                try await batch.flush(store)
                progress(i + 1, count)
            }
        }
        try await batch.flush(store)
        try await seedStaff(store)
        try await seedProtocolCatalogue(store, now: now)
        try await seedCorrectionIndex(store, reference: reference)
        try await TariffRepository(store: store).storeTariffs(tariffs, now: now)
        try await seedDueDateChange(store, schedule: schedule)
        try await seedAgreement(store, schedule: schedule, reference: reference, now: now, utility: utility)
        if protocols { try await seedProtocols(store, now: now, timeZone: timeZone) }
        if store.engine == .postgres {
            try await store.write { db in
                try await db.raw(
                    "SELECT setval(pg_get_serial_sequence('card_payments', 'id'), GREATEST((SELECT MAX(id) FROM card_payments), 1))"
                ).run()
            }
        }
    }

    // MARK: Dates

    /// When a property's bills fall due. The newest bill falls due at least `leadDays` after
    /// today, so it is always "a vencer"; the one before it a month earlier. A property whose
    /// due day changed keeps the old day on the bills issued before the change.
    struct BillSchedule: Sendable, Equatable {
        /// Days between today and the earliest possible due date of the newest bill.
        static let leadDays = 3
        let day: Int
        let newestDue: CivilDate
        /// The day before a change, and the date of the change.
        var previousDay: Int? = nil
        var changedOn: CivilDate? = nil

        init(day: Int, reference: CivilDate) {
            self.day = day
            newestDue = Self.nextOccurrence(of: day, onOrAfter: reference.adding(days: Self.leadDays))
        }

        /// When a cut or removed connection stopped: after the newest bill's reading (about ten
        /// days before it falls due) and before today, so no reading comes after it.
        func interruptedOn(reference: CivilDate) -> CivilDate {
            min(reference.adding(days: -1), newestDue.adding(days: -8))
        }

        /// The first date on or after `from` that falls on `day` (1–28, present in every month).
        static func nextOccurrence(of day: Int, onOrAfter from: CivilDate) -> CivilDate {
            let this = CivilDate(year: from.year, month: from.month, day: day)!
            if this >= from { return this }
            let next = Competencia(year: from.year, month: from.month)!.adding(months: 1)
            return CivilDate(year: next.year, month: next.month, day: day)!
        }

        /// The bill `k` months before the newest: its competência (the month before it falls
        /// due) and its due date.
        func bill(_ k: Int) -> (competencia: Competencia, due: CivilDate) {
            let dueMonth = Competencia(year: newestDue.year, month: newestDue.month)!.adding(months: -k)
            var due = CivilDate(year: dueMonth.year, month: dueMonth.month, day: day)!
            // Issued about ten days before it falls due: bills issued before the change keep the old day.
            if let previousDay, let changedOn, due.adding(days: -10) <= changedOn {
                due = CivilDate(year: dueMonth.year, month: dueMonth.month, day: previousDay)!
            }
            return (dueMonth.adding(months: -1), due)
        }
    }

    /// The fixtures' due days, chosen from the utility's days so that the newest bill falls due
    /// 3 to 12 days from today and the one before it at least 16 days ago: "a vencer" and
    /// "vencida" stay true whatever today is (weekends and holidays included). Ana Luíza's
    /// property (10007) moved to that day two months ago from another one.
    struct FixtureSchedule {
        let common: BillSchedule
        let changed: BillSchedule

        func forFixture(_ sequence: Int) -> BillSchedule { sequence == DemoData.dueDayChangeFixture ? changed : common }
    }

    static let dueDayChangeFixture = 10007

    static func fixtureSchedule(reference: CivilDate, days: [Int] = DueDatePolicy().days) -> FixtureSchedule {
        let from = reference.adding(days: BillSchedule.leadDays)
        let day = days.min { BillSchedule.nextOccurrence(of: $0, onOrAfter: from) < BillSchedule.nextOccurrence(of: $1, onOrAfter: from) }!
        let common = BillSchedule(day: day, reference: reference)
        var changed = common
        changed.previousDay = day == 10 ? 20 : 10
        changed.changedOn = reference.adding(days: -60)
        return FixtureSchedule(common: common, changed: changed)
    }

    /// Records the due-day change of fixture 10007 (two months ago, at a counter): the demo shows
    /// the minimum interval refusing a new change.
    static func seedDueDateChange(_ store: any Store, schedule: FixtureSchedule) async throws {
        guard let m = Matricula(sequence: String(dueDayChangeFixture))?.normalized, let on = schedule.changed.changedOn,
            let from = schedule.changed.previousDay
        else { return }
        let to = schedule.changed.day
        try await store.write { db in
            try await db.raw(
                """
                INSERT INTO due_date_changes (matricula, from_day, to_day, changed_on, changed_at, channel, staff_usuario)
                VALUES (\(bind: m), \(bind: from), \(bind: to), \(bind: on.iso), \(bind: Int64(on.daysSinceEpoch) * 86_400 + 43_200),
                        \(bind: DueDateChange.Channel.balcao.rawValue), 'ana')
                """
            ).run()
        }
    }

    // MARK: Agreement

    /// The bills (months before the newest) of fixture 10008 that its agreement holds.
    static let agreementBills = 3...8
    static let agreementFixture = 10008

    struct PlannedAgreement: Sendable {
        let signedOn: CivilDate
        let debt: Money
        let downPayment: Money
        let rateBasisPoints: Int
        /// seq 0 the down payment, 1…n the installments; paid on or before their due date.
        let installments: [(seq: Int, due: CivilDate, amount: Money, paidOn: CivilDate?)]
    }

    /// Fixture 10008's agreement, kept up to date whatever today is: signed three weeks after
    /// the newest of its bills fell due, 20 % down and 10 installments at 1 % a.m. on the
    /// property's due day; every installment due before today is paid, the others are to come.
    /// (Its debt is the bills' original value: the demo does not redo the late charges.)
    static func planAgreement(bills: [(due: CivilDate, value: Money)], dueDay: Int, reference: CivilDate) throws -> PlannedAgreement {
        let signedOn = (bills.map(\.due).max() ?? reference).adding(days: 21)
        let debt = bills.reduce(Money.zero) { $0 + $1.value }
        let down = debt.share(basisPoints: 2000)
        let plan = try InstallmentPlan(total: debt, downPayment: down, count: 10, monthlyRate: Decimal(string: "0.01")!)
        let dates = AgreementSchedule.dueDates(signedOn: signedOn, count: plan.installments.count, day: dueDay)
        let all =
            [(0, signedOn.adding(days: 3), down)]
            + zip(dates, plan.installments).enumerated().map { ($0.offset + 1, $0.element.0, $0.element.1) }
        return PlannedAgreement(
            signedOn: signedOn, debt: debt, downPayment: down, rateBasisPoints: 100,
            installments: all.map { s in (s.0, s.1, s.2, s.1 < reference ? min(s.1.adding(days: -1), reference) : nil) })
    }

    /// Stores fixture 10008's agreement over its `parcelada` bills, with the installments'
    /// codes as a signed agreement has them.
    static func seedAgreement(
        _ store: any Store, schedule: FixtureSchedule, reference: CivilDate, now: Int64, utility: UtilitySettings
    ) async throws {
        guard let m = Matricula(sequence: String(agreementFixture))?.normalized,
            let holder = fixtures.first(where: { $0.sequence == agreementFixture }).map({ people[$0.holder].documento })
        else { return }
        let factory = DocumentFactory(utility: utility)
        try await store.write { db in
            let bills = try await db.raw(
                "SELECT id, vencimento, valor_centavos FROM bills WHERE matricula = \(bind: m) AND situacao = 'parcelada' ORDER BY id"
            ).all().map { r in
                (
                    id: try r.decode(column: "id", as: Int64.self),
                    due: CivilDate(iso: try r.decode(column: "vencimento", as: String.self)) ?? reference,
                    value: Money(cents: try r.decode(column: "valor_centavos", as: Int64.self))
                )
            }
            let plan = try planAgreement(
                bills: bills.map { ($0.due, $0.value) }, dueDay: schedule.forFixture(agreementFixture).day, reference: reference)
            guard
                let row = try await db.raw(
                    """
                    INSERT INTO agreements (matricula, kind, status, debt_cents, down_payment_cents, installment_count, rate_bp, signed_on,
                      signed_at, signer_document, channel, staff)
                    VALUES (\(bind: m), 'comum', 'ativo', \(bind: plan.debt.cents), \(bind: plan.downPayment.cents),
                      \(bind: plan.installments.count - 1), \(bind: plan.rateBasisPoints), \(bind: plan.signedOn.iso),
                      \(bind: Int64(plan.signedOn.daysSinceEpoch) * 86_400 + 50_400), \(bind: holder), 'counter', 'ana')
                    RETURNING id
                    """
                ).first()
            else { throw StorageError.corrupt("agreements: no id returned") }
            let id = try row.decode(column: "id", as: Int64.self)
            try await BulkTable.insert(
                db, "agreement_bills", ["agreement_id", "bill_id", "amount_cents"], bills.map { [id, $0.id, $0.value.cents] },
                conflict: nil)
            let installments: [[(any Encodable & Sendable)?]] = try plan.installments.map { i in
                let (barcode, pix) = try factory.installmentCodes(agreement: id, seq: i.seq, amount: i.amount, due: i.due, kind: .comum)
                return [id, i.seq, i.due.iso, i.amount.cents, barcode.digits, pix.payload, i.paidOn?.iso]
            }
            try await BulkTable.insert(
                db, "agreement_installments", ["agreement_id", "seq", "due_on", "amount_cents", "barcode", "pix", "paid_on"], installments,
                conflict: nil)
        }
    }

    /// A monetary-correction index for the last 36 months, marked as demo: plausible monthly
    /// values (0,20 %–0,60 %), not the published IPCA.
    static func seedCorrectionIndex(_ store: any Store, reference: CivilDate) async throws {
        var rng = SplitMix64(seed: 7)
        let start = Competencia(year: reference.year, month: reference.month)!.adding(months: -36)
        let rows: [[(any Encodable & Sendable)?]] = (0..<36).map { k in
            [start.adding(months: k).iso, Int64(2000 + rng.next() % 4001), "demo (não é o IPCA publicado)"]
        }
        try await store.write { db in
            try await BulkTable.insert(db, "correction_index", ["competencia", "ppm", "source"], rows, conflict: "competencia")
        }
    }

    static func seedStaff(_ store: any Store) async throws {
        var rows: [[(any Encodable & Sendable)?]] = []
        for s in staffAccounts {
            rows.append([s.usuario, s.nome, Passwords.hash(s.senha, cost: 10), s.papel.rawValue, s.unidade, 1])
        }
        let staffRows = rows
        try await store.write { db in
            try await BulkTable.insert(db, "staff", ["usuario", "nome", "senha_hash", "papel", "unidade", "ativo"], staffRows, conflict: "usuario")
        }
    }

    // MARK: Bills

    /// A bill as generated, before it is stored.
    struct PlannedBill: Sendable {
        let id: Int64
        let competencia: Competencia
        let due: CivilDate
        let situacao: SituacaoConta
        let paidOn: CivilDate?
        let consumo: Int
        let estimated: Bool
        let value: Int64
        /// When it was inscribed in dívida ativa (fixture 10007's oldest overdue bills).
        var dividaAtivaSince: CivilDate? = nil
    }

    /// Ana Luíza's (10007) three oldest overdue bills were inscribed in dívida ativa 120 days
    /// after they fell due: they go in an agreement of their own.
    static let dividaAtivaFixture = 10007
    static let dividaAtivaBills = 6...8

    /// The 24 bills of a property, newest first. `curated` fixtures follow their profile
    /// exactly; generated properties sometimes leave the bill not yet due unpaid.
    static func planBills(
        sequence: Int, profile: Profile, schedule: BillSchedule, curated: Bool, categoria: Categoria, economias: Int, sewage: Bool,
        tariffs: BillPrices, reference: CivilDate, rng: inout SplitMix64
    ) -> [PlannedBill] {
        let base = 6 + Int(rng.next() % 14)
        return (0..<24).map { k in
            let (comp, due) = schedule.bill(k)
            let estimated = rng.next() % 9 == 0
            let consumo = max(0, base + Int(rng.next() % 9) - 4)
            let value = tariffs.total(categoria, consumption: consumo, economias: economias, sewage: sewage)
            var situacao = SituacaoConta.paga
            switch profile {
            case .allPaid: break
            case .overdue(let n): if k <= n { situacao = .aberta }
            case .openNotDue: if k == 0 { situacao = .aberta }
            case .underReview: if k == 1 { situacao = .emRevisao } else if k == 0 { situacao = .aberta }
            case .agreement: if agreementBills.contains(k) { situacao = .parcelada } else if k == 0 { situacao = .aberta }
            case .mixed: if k == 0 || k == 4 { situacao = .aberta }
            }
            // Paid on or a few days before the due date, never after today.
            var paidOn: CivilDate? = min(due.adding(days: -Int(rng.next() % 6)), reference)
            if !curated && k == 0 && situacao == .paga && rng.next() % 2 == 0 { situacao = .aberta }
            if situacao != .paga { paidOn = nil }
            return PlannedBill(
                id: Int64(sequence) * 100 + Int64(k), competencia: comp, due: due, situacao: situacao, paidOn: paidOn, consumo: consumo,
                estimated: estimated, value: value,
                dividaAtivaSince: sequence == dividaAtivaFixture && dividaAtivaBills.contains(k) && situacao == .aberta
                    ? due.adding(days: 120) : nil)
        }
    }

    private static func addProperty(
        _ batch: inout Batch, sequence: Int, holder: String, holderName: String, categoria: Categoria,
        situacao: SituacaoLigacao, address: (String, String, String), economias: Int, profile: Profile, schedule: BillSchedule,
        curated: Bool, tariffs: BillPrices, reference: CivilDate, now: Int64, rng: inout SplitMix64
    ) {
        guard let m = Matricula(sequence: String(sequence)) else { return }
        let cep = "49\(String(format: "%03d", Int(rng.next() % 100)))-\(String(format: "%03d", Int(rng.next() % 1000)))"
        batch.properties.append([
            m.normalized, address.0, address.1, nil, address.2, "Aracaju", "SE", cep, categoria.rawValue, economias,
            situacao.rawValue, situacao == .ativa ? nil : schedule.interruptedOn(reference: reference).iso,
            situacao == .factivel ? 0 : 1, holder, schedule.day,
        ])
        batch.links.append([m.normalized, holder, "titular"])
        for t in SearchText.terms(holderName) { batch.terms.append(["nome", t, m.normalized]) }
        for t in SearchText.terms("\(address.0) \(address.1) \(address.2) Aracaju") {
            batch.terms.append(["endereco", t, m.normalized])
        }
        let bills = planBills(
            sequence: sequence, profile: profile, schedule: schedule, curated: curated, categoria: categoria, economias: economias,
            sewage: situacao != .factivel, tariffs: tariffs, reference: reference, rng: &rng)
        for b in bills {
            batch.bills.append([
                b.id, m.normalized, b.competencia.iso, b.due.iso, b.value, b.situacao.rawValue, b.consumo, b.estimated ? 1 : 0,
                b.paidOn?.iso, b.dividaAtivaSince?.iso,
            ])
            if let paidOn = b.paidOn {
                let channel = ["banco", "pix", "debito_automatico", "loterica", "pix", "banco"][Int(rng.next() % 6)]
                batch.payments.append([m.normalized, b.id, paidOn.iso, b.value, channel])
            }
            if b.situacao == .emRevisao {
                // The card negotiation that holds it: pending with the sandbox company for a week.
                batch.cardPayments.append([
                    Int64(sequence), m.normalized, "sandbox", CardPaymentStatus.pendente.rawValue, b.value,
                    Money(cents: b.value).share(basisPoints: 299).cents, now, now + 7 * 86_400,
                    "Operadora Sandbox (ambiente de teste): aguardando a confirmação da operadora.",
                ])
                batch.cardPaymentBills.append([Int64(sequence), b.id, b.value])
            }
        }
    }

    /// The demo tariff tables (the importer's CSV format): the table in force since 1 January of
    /// this year and an older residencial version from the year before, which shows that tables
    /// are versioned by validity date. Figures from DOMAIN.md where it has them (residencial
    /// minimum R$ 45,68 for 10 m³, sewage 80 %, social discounts 50/30/20 %); the rest plausible
    /// and marked as demo in `fonte`. Demo bills are computed with them, so a simulation with a
    /// bill's consumption gives the bill's value.
    static func demoTariffs(reference: CivilDate) throws -> [ImportedTariff] {
        let csv = tariffCSV.replacingOccurrences(of: "{ATUAL}", with: "\(reference.year)-01-01")
            .replacingOccurrences(of: "{ANTERIOR}", with: "\(reference.year - 1)-01-01")
        return try TariffFile.parseCSV(csv)
    }

    static let tariffCSV = """
        categoria,vigencia,faixa,ate_m3,valor,desconto_percentual,esgoto_percentual,fonte
        residencial,{ANTERIOR},minima,10,43.20,0,80,Demonstração: valores fictícios
        residencial,{ANTERIOR},m3,20,6.50,0,80,Demonstração: valores fictícios
        residencial,{ANTERIOR},m3,50,10.90,0,80,Demonstração: valores fictícios
        residencial,{ANTERIOR},m3,,15.20,0,80,Demonstração: valores fictícios
        residencial,{ATUAL},minima,10,45.68,0,80,Demonstração: valores fictícios
        residencial,{ATUAL},m3,15,6.10,0,80,Demonstração: valores fictícios
        residencial,{ATUAL},m3,20,7.60,0,80,Demonstração: valores fictícios
        residencial,{ATUAL},m3,25,9.05,0,80,Demonstração: valores fictícios
        residencial,{ATUAL},m3,30,10.50,0,80,Demonstração: valores fictícios
        residencial,{ATUAL},m3,40,12.10,0,80,Demonstração: valores fictícios
        residencial,{ATUAL},m3,50,13.90,0,80,Demonstração: valores fictícios
        residencial,{ATUAL},m3,,16.10,0,80,Demonstração: valores fictícios
        residencial_social,{ATUAL},minima,10,45.68,50,80,Demonstração: valores fictícios
        residencial_social,{ATUAL},m3,15,6.10,30,80,Demonstração: valores fictícios
        residencial_social,{ATUAL},m3,20,7.60,20,80,Demonstração: valores fictícios
        residencial_social,{ATUAL},m3,25,9.05,0,80,Demonstração: valores fictícios
        residencial_social,{ATUAL},m3,30,10.50,0,80,Demonstração: valores fictícios
        residencial_social,{ATUAL},m3,40,12.10,0,80,Demonstração: valores fictícios
        residencial_social,{ATUAL},m3,50,13.90,0,80,Demonstração: valores fictícios
        residencial_social,{ATUAL},m3,,16.10,0,80,Demonstração: valores fictícios
        comercial,{ATUAL},minima,10,89.40,0,80,Demonstração: valores fictícios
        comercial,{ATUAL},m3,20,11.20,0,80,Demonstração: valores fictícios
        comercial,{ATUAL},m3,50,14.30,0,80,Demonstração: valores fictícios
        comercial,{ATUAL},m3,,17.60,0,80,Demonstração: valores fictícios
        industrial,{ATUAL},minima,10,112.50,0,80,Demonstração: valores fictícios
        industrial,{ATUAL},m3,20,13.40,0,80,Demonstração: valores fictícios
        industrial,{ATUAL},m3,50,16.90,0,80,Demonstração: valores fictícios
        industrial,{ATUAL},m3,,19.80,0,80,Demonstração: valores fictícios
        publica,{ATUAL},minima,10,78.20,0,80,Demonstração: valores fictícios
        publica,{ATUAL},m3,20,10.10,0,80,Demonstração: valores fictícios
        publica,{ATUAL},m3,50,12.90,0,80,Demonstração: valores fictícios
        publica,{ATUAL},m3,,15.40,0,80,Demonstração: valores fictícios

        """
    /// What a demo bill costs: the tariff engine's total, remembered per question — a million
    /// properties ask the same few thousand, and the engine's decimal arithmetic was two thirds
    /// of the seeding time (measured on the sergipe tier).
    final class BillPrices {
        private struct Question: Hashable {
            let categoria: Categoria
            let consumption: Int
            let economias: Int
            let sewage: Bool
        }
        private let tables: [Categoria: TariffTable]
        private var answers: [Question: Int64] = [:]

        init(_ tables: [Categoria: TariffTable]) { self.tables = tables }

        func total(_ categoria: Categoria, consumption: Int, economias: Int, sewage: Bool) -> Int64 {
            let q = Question(categoria: categoria, consumption: consumption, economias: economias, sewage: sewage)
            if let known = answers[q] { return known }
            let value =
                (try? tables[categoria]?.simulate(consumptionM3: consumption, economias: economias, sewage: sewage).total.cents) ?? 0
            answers[q] = value
            return value
        }
    }

    struct Batch {
        static let propertyColumns = [
            "matricula", "logradouro", "numero", "complemento", "bairro", "cidade", "uf", "cep", "categoria", "economias",
            "situacao_ligacao", "situacao_desde", "esgoto", "titular", "dia_vencimento",
        ]
        static let billColumns = [
            "id", "matricula", "competencia", "vencimento", "valor_centavos", "situacao", "consumo_m3", "leitura_estimada", "pago_em",
            "divida_ativa_em",
        ]
        static let paymentColumns = ["matricula", "bill_id", "paid_on", "amount_cents", "channel"]
        static let cardPaymentColumns = [
            "id", "matricula", "company", "status", "amount_cents", "fee_cents", "created_at", "expires_at", "instructions",
        ]
        static let cardPaymentBillColumns = ["card_payment_id", "bill_id", "amount_cents"]

        var customers: [BulkTable.Row] = []
        var properties: [BulkTable.Row] = []
        var links: [BulkTable.Row] = []
        var terms: [BulkTable.Row] = []
        var bills: [BulkTable.Row] = []
        var payments: [BulkTable.Row] = []
        var cardPayments: [BulkTable.Row] = []
        var cardPaymentBills: [BulkTable.Row] = []

        mutating func flush(_ store: any Store) async throws {
            let tables: [BulkTable] = [
                .init(name: "customers", columns: ["documento", "nome", "email", "telefone"], rows: customers, conflict: "documento"),
                .init(name: "properties", columns: Self.propertyColumns, rows: properties),
                .init(name: "property_links", columns: ["matricula", "documento", "papel"], rows: links, conflict: "matricula, documento"),
                .init(name: "search_terms", columns: ["kind", "term", "matricula"], rows: terms, conflict: "kind, term, matricula"),
                .init(name: "bills", columns: Self.billColumns, rows: bills),
                .init(name: "payments", columns: Self.paymentColumns, rows: payments),
                .init(name: "card_payments", columns: Self.cardPaymentColumns, rows: cardPayments),
                .init(name: "card_payment_bills", columns: Self.cardPaymentBillColumns, rows: cardPaymentBills),
            ]
            if let pg = store as? PostgresStore {
                // COPY: a utility-sized tier in minutes (multi-row INSERTs took three minutes for
                // the ci tier alone).
                try await pg.bulkLoad(tables)
            } else {
                try await store.write { db in
                    for t in tables { try await BulkTable.insert(db, t.name, t.columns, t.rows, conflict: t.conflict) }
                }
            }
            self = Batch()
        }
    }
}
