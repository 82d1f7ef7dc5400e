import Domain
import TUI

/// Every service a terminal offers for a property, in one table: the Serviços menu lists it and
/// Home's shortcuts point into it, so a service has one name everywhere. The next issues add
/// their services here (requests, protocols, certificates, agreements).
struct Service {
    enum ID: String, CaseIterable, Sendable {
        case debts, secondCopy, payments, consumption, dueDate, billSimulation, installments, tariffs, request, protocols, newProtocol,
            protocolLookup, ouvidoria, email, record, agreements, certidao, declaracao, verifyCertidao, reportProblem
    }

    let id: ID
    /// Short, for the function bar.
    let label: String
    /// As the menu lists it.
    let title: String
    let summary: String
    /// The terminal modes that offer it.
    let modes: Set<TerminalMode>
    let open: (Context) -> any Screen

    /// What a service opens with: the property on screen and what is known of it.
    struct Context {
        public var matricula: String
        public var property: Calls.PropertySummary?
    }

    static let everywhere: Set<TerminalMode> = [.kiosk, .counter, .staff]

    static let all: [Service] = [
        Service(
            id: .debts, label: "Débitos", title: "Débitos e pagamento",
            summary: "Contas do imóvel; extrato para pagar as selecionadas; pagamento com cartão", modes: everywhere
        ) { DebtsScreen(matricula: $0.matricula) },
        Service(
            id: .secondCopy, label: "2ª via", title: "Segunda via de conta",
            summary: "Linha digitável, PIX, impressão e e-mail de uma conta em aberto", modes: everywhere
        ) { DebtsScreen(matricula: $0.matricula, mode: .secondCopy) },
        Service(
            id: .payments, label: "Pagamentos", title: "Pagamentos realizados",
            summary: "Histórico de pagamentos do imóvel: data, valor, canal e conta", modes: everywhere
        ) { PaymentsScreen(matricula: $0.matricula) },
        Service(
            id: .consumption, label: "Consumo", title: "Histórico de consumo",
            summary: "Gráfico de 12, 18 ou 24 meses, média, leitura real ou estimada", modes: everywhere
        ) { ConsumptionScreen(matricula: $0.matricula) },
        Service(
            id: .dueDate, label: "Vencimento", title: "Data de vencimento",
            summary: "Dias oferecidos e alteração do dia de vencimento das próximas contas", modes: everywhere
        ) { DueDateScreen(matricula: $0.matricula) },
        Service(
            id: .installments, label: "Parcelar", title: "Simular parcelamento",
            summary: "Entrada e número de parcelas dos débitos vencidos (simulação, não vale como contrato)", modes: everywhere
        ) { InstallmentSimulationScreen(matricula: $0.matricula, debts: $0.property?.debts) },
        Service(
            id: .billSimulation, label: "Simular", title: "Simular conta",
            summary: "Valor da conta para um consumo, com a categoria e as economias do imóvel", modes: everywhere
        ) {
            BillSimulationScreen(
                categoria: $0.property?.categoria.rawValue, economias: $0.property?.economias ?? 1, esgoto: $0.property?.esgoto ?? true)
        },
        Service(
            id: .tariffs, label: "Tarifas", title: "Tabela de tarifas",
            summary: "Tarifas em vigor por categoria e faixa de consumo", modes: everywhere
        ) { TariffsScreen(categoria: $0.property?.categoria.rawValue) },
        Service(
            id: .request, label: "Pedir serviço", title: "Solicitar serviço",
            summary: "Religação, falta d'água, vazamento, ligação nova…: taxa e data prevista antes de confirmar", modes: everywhere
        ) { ServiceCatalogueScreen(matricula: $0.matricula) },
        Service(
            id: .protocols, label: "Protocolos", title: "Meus protocolos",
            summary: "Protocolos do imóvel e do CPF/CNPJ, abertos em qualquer canal: situação e trâmites", modes: everywhere
        ) { ProtocolsScreen(matricula: $0.matricula) },
        Service(
            id: .newProtocol, label: "Abrir protocolo", title: "Abrir protocolo",
            summary: "Um protocolo para o cliente na tela: tipo, assunto, texto, prazo; o número sai na hora", modes: [.counter, .staff]
        ) { NewProtocolScreen(holder: $0.property) },
        Service(
            id: .protocolLookup, label: "Protocolo", title: "Consultar protocolo",
            summary: "Situação e trâmites públicos de um protocolo, pelo número e o CPF/CNPJ do requerente", modes: everywhere
        ) { _ in ProtocolLookupScreen() },
        Service(
            id: .email, label: "E-mail", title: "Atualizar e-mail",
            summary: "Troca o e-mail do cadastro: um código de 6 dígitos vai ao novo endereço para confirmar", modes: everywhere
        ) { EmailChangeScreen(matricula: $0.matricula) },
        Service(
            id: .record, label: "Cadastro", title: "Cadastro do imóvel",
            summary: "Pessoas vinculadas e seus papéis, vincular e desvincular com documento, telefone, histórico de contatos",
            modes: [.counter, .staff]
        ) { CustomerRecordScreen(matricula: $0.matricula) },
        Service(
            id: .agreements, label: "Acordos", title: "Acordos de parcelamento",
            summary:
                "Parcelas pagas e em aberto, 2ª via de uma parcela (atualizada se atrasada) ou do carnê, por que um acordo foi rompido",
            modes: everywhere
        ) { AgreementsScreen(matricula: $0.matricula) },
        Service(
            id: .certidao, label: "Certidão", title: "Certidão de débitos",
            summary: "Certidão negativa (ou positiva com efeito de negativa) do imóvel, ou o que a impede", modes: everywhere
        ) { CertidaoScreen(matricula: $0.matricula) },
        Service(
            id: .declaracao, label: "Quitação", title: "Declaração anual de quitação",
            summary: "Declaração de quitação de débitos de um ano encerrado (Lei 12.007/2009), ou as contas que a impedem",
            modes: everywhere
        ) { DeclaracaoScreen(matricula: $0.matricula) },
        Service(
            id: .verifyCertidao, label: "Certidão", title: "Verificar certidão",
            summary: "Confere uma certidão pelo código: válida, expirada ou desconhecida (no quiosque: F4 na tela inicial)",
            modes: [.counter, .staff]
        ) { _ in CertidaoVerificationScreen() },
        Service(
            id: .ouvidoria, label: "Ouvidoria", title: "Ouvidoria",
            summary: "Reclamação, denúncia, elogio, sugestão ou solicitação à Ouvidoria: resposta em até 30 dias", modes: everywhere
        ) { _ in OuvidoriaScreen() },
        Service(
            id: .reportProblem, label: "Problema", title: "Relatar um problema",
            summary: "Algo não funcionou neste terminal ou no sistema: conte em poucas palavras (também F1 e R em qualquer tela)",
            modes: everywhere
        ) { _ in ReportProblemScreen(screen: "Serviços") },
    ]

    static func offered(in mode: TerminalMode) -> [Service] { all.filter { $0.modes.contains(mode) } }

    /// What this terminal offers this session: its mode's services that the role may use.
    static func offered(to app: AppState) -> [Service] { offered(in: app.mode).filter { app.may($0.operation) } }

    /// The API operation the service is for (what the role must be allowed).
    var operation: String {
        switch id {
        case .debts: return "listBills"
        case .secondCopy: return "getBillPDF"
        case .payments: return "listPayments"
        case .consumption: return "getConsumption"
        case .dueDate: return "getDueDate"
        case .billSimulation: return "simulateBill"
        case .installments: return "simulateInstallments"
        case .tariffs: return "listTariffs"
        case .request: return "requestService"
        case .protocols: return "listPropertyProtocols"
        case .newProtocol: return "createProtocol"
        case .protocolLookup: return "lookupProtocol"
        case .ouvidoria: return "createManifestation"
        case .email: return "startEmailChange"
        case .record: return "listPeople"
        case .agreements: return "listAgreements"
        case .certidao: return "issueCertidao"
        case .declaracao: return "issueDeclaracao"
        case .verifyCertidao: return "verifyCertidao"
        case .reportProblem: return "reportProblem"
        }
    }

    static func with(_ id: ID) -> Service { all.first { $0.id == id }! }

    /// Whether `filter` (typed by a person: any case, with or without accents or hyphens) is in
    /// its title or summary.
    func matches(_ filter: ListFilter) -> Bool { filter.matches(title) || filter.matches(summary) }

    /// Whether `filter` is in its title (listed before the services it matches by summary only).
    func titleMatches(_ filter: ListFilter) -> Bool { filter.matches(title) }
}
