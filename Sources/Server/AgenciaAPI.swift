import API

/// The API's operations (`openapi.yaml`), each forwarded to its feature's handlers in
/// `Features/<Feature>/`. Nothing else lives here: a reader finds an endpoint's handler and its
/// SQL in the folder named by the operation's tag. A class: the OpenAPI runtime copies the
/// handler value on every request, and a struct of twenty handlers meant a hundred retains and
/// releases per request (a tenth of the CPU of `/v1/health`, measured in issue 15).
final class AgenciaAPI: APIProtocol, Sendable {
    let health: HealthHandlers
    let sessions: SessionHandlers
    let properties: PropertyHandlers
    let bills: BillHandlers
    let statements: StatementHandlers
    let email: EmailHandlers
    let payments: PaymentHandlers
    let cardPayments: CardPaymentHandlers
    let consumption: ConsumptionHandlers
    let tariffs: TariffHandlers
    let installments: InstallmentHandlers
    let dueDates: DueDateHandlers
    let protocols: ProtocolHandlers
    let services: ServiceHandlers
    let certidoes: CertidaoHandlers
    let declaracoes: DeclaracaoHandlers
    let agreements: AgreementHandlers
    let customers: CustomerHandlers
    let ouvidoria: OuvidoriaHandlers
    let supervision: SupervisionHandlers
    let integration: IntegrationHandlers

    init(
        health: HealthHandlers,
        sessions: SessionHandlers,
        properties: PropertyHandlers,
        bills: BillHandlers,
        statements: StatementHandlers,
        email: EmailHandlers,
        payments: PaymentHandlers,
        cardPayments: CardPaymentHandlers,
        consumption: ConsumptionHandlers,
        tariffs: TariffHandlers,
        installments: InstallmentHandlers,
        dueDates: DueDateHandlers,
        protocols: ProtocolHandlers,
        services: ServiceHandlers,
        certidoes: CertidaoHandlers,
        declaracoes: DeclaracaoHandlers,
        agreements: AgreementHandlers,
        customers: CustomerHandlers,
        ouvidoria: OuvidoriaHandlers,
        supervision: SupervisionHandlers,
        integration: IntegrationHandlers
    ) {
        self.health = health
        self.sessions = sessions
        self.properties = properties
        self.bills = bills
        self.statements = statements
        self.email = email
        self.payments = payments
        self.cardPayments = cardPayments
        self.consumption = consumption
        self.tariffs = tariffs
        self.installments = installments
        self.dueDates = dueDates
        self.protocols = protocols
        self.services = services
        self.certidoes = certidoes
        self.declaracoes = declaracoes
        self.agreements = agreements
        self.customers = customers
        self.ouvidoria = ouvidoria
        self.supervision = supervision
        self.integration = integration
    }

    // MARK: Health

    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output { try await health.getHealth(input) }

    // MARK: Session

    func getAuthPolicy(_ input: Operations.GetAuthPolicy.Input) async throws -> Operations.GetAuthPolicy.Output {
        try await sessions.getAuthPolicy(input)
    }

    func loginCustomer(_ input: Operations.LoginCustomer.Input) async throws -> Operations.LoginCustomer.Output {
        try await sessions.loginCustomer(input)
    }

    func loginStaff(_ input: Operations.LoginStaff.Input) async throws -> Operations.LoginStaff.Output {
        try await sessions.loginStaff(input)
    }

    func logout(_ input: Operations.Logout.Input) async throws -> Operations.Logout.Output { try await sessions.logout(input) }

    func getSession(_ input: Operations.GetSession.Input) async throws -> Operations.GetSession.Output {
        try await sessions.getSession(input)
    }

    // MARK: Property

    func getProperty(_ input: Operations.GetProperty.Input) async throws -> Operations.GetProperty.Output {
        try await properties.getProperty(input)
    }

    func getLinkedProperties(_ input: Operations.GetLinkedProperties.Input) async throws -> Operations.GetLinkedProperties.Output {
        try await properties.getLinkedProperties(input)
    }

    func searchCustomers(_ input: Operations.SearchCustomers.Input) async throws -> Operations.SearchCustomers.Output {
        try await properties.searchCustomers(input)
    }

    // MARK: Bill

    func listBills(_ input: Operations.ListBills.Input) async throws -> Operations.ListBills.Output { try await bills.listBills(input) }

    func getBill(_ input: Operations.GetBill.Input) async throws -> Operations.GetBill.Output { try await bills.getBill(input) }

    func getBillPDF(_ input: Operations.GetBillPDF.Input) async throws -> Operations.GetBillPDF.Output { try await bills.getBillPDF(input) }

    // MARK: Statement

    func createStatement(_ input: Operations.CreateStatement.Input) async throws -> Operations.CreateStatement.Output {
        try await statements.createStatement(input)
    }

    func getStatement(_ input: Operations.GetStatement.Input) async throws -> Operations.GetStatement.Output {
        try await statements.getStatement(input)
    }

    func getStatementPDF(_ input: Operations.GetStatementPDF.Input) async throws -> Operations.GetStatementPDF.Output {
        try await statements.getStatementPDF(input)
    }

    // MARK: Email

    func requestEmail(_ input: Operations.RequestEmail.Input) async throws -> Operations.RequestEmail.Output {
        try await email.requestEmail(input)
    }

    // MARK: Payment

    func listPayments(_ input: Operations.ListPayments.Input) async throws -> Operations.ListPayments.Output {
        try await payments.listPayments(input)
    }

    // MARK: CardPayment

    func listCardCompanies(_ input: Operations.ListCardCompanies.Input) async throws -> Operations.ListCardCompanies.Output {
        try await cardPayments.listCardCompanies(input)
    }

    func createCardPayment(_ input: Operations.CreateCardPayment.Input) async throws -> Operations.CreateCardPayment.Output {
        try await cardPayments.createCardPayment(input)
    }

    func getCardPayment(_ input: Operations.GetCardPayment.Input) async throws -> Operations.GetCardPayment.Output {
        try await cardPayments.getCardPayment(input)
    }

    func getCardPaymentReceipt(_ input: Operations.GetCardPaymentReceipt.Input) async throws -> Operations.GetCardPaymentReceipt.Output {
        try await cardPayments.getCardPaymentReceipt(input)
    }

    func cardCompanyCallback(_ input: Operations.CardCompanyCallback.Input) async throws -> Operations.CardCompanyCallback.Output {
        try await cardPayments.cardCompanyCallback(input)
    }

    // MARK: Consumption

    func getConsumption(_ input: Operations.GetConsumption.Input) async throws -> Operations.GetConsumption.Output {
        try await consumption.getConsumption(input)
    }

    // MARK: Tariff

    func listTariffs(_ input: Operations.ListTariffs.Input) async throws -> Operations.ListTariffs.Output {
        try await tariffs.listTariffs(input)
    }

    func simulateBill(_ input: Operations.SimulateBill.Input) async throws -> Operations.SimulateBill.Output {
        try await tariffs.simulateBill(input)
    }

    // MARK: Installment

    func simulateInstallments(_ input: Operations.SimulateInstallments.Input) async throws -> Operations.SimulateInstallments.Output {
        try await installments.simulateInstallments(input)
    }

    // MARK: DueDate

    func getDueDate(_ input: Operations.GetDueDate.Input) async throws -> Operations.GetDueDate.Output {
        try await dueDates.getDueDate(input)
    }

    func changeDueDate(_ input: Operations.ChangeDueDate.Input) async throws -> Operations.ChangeDueDate.Output {
        try await dueDates.changeDueDate(input)
    }

    // MARK: Protocols

    func getProtocolCatalogue(_ input: Operations.GetProtocolCatalogue.Input) async throws -> Operations.GetProtocolCatalogue.Output {
        try await protocols.getProtocolCatalogue(input)
    }

    func createProtocol(_ input: Operations.CreateProtocol.Input) async throws -> Operations.CreateProtocol.Output {
        try await protocols.createProtocol(input)
    }

    func getProtocol(_ input: Operations.GetProtocol.Input) async throws -> Operations.GetProtocol.Output {
        try await protocols.getProtocol(input)
    }

    func listPropertyProtocols(_ input: Operations.ListPropertyProtocols.Input) async throws -> Operations.ListPropertyProtocols.Output {
        try await protocols.listPropertyProtocols(input)
    }

    func getProtocolReceipt(_ input: Operations.GetProtocolReceipt.Input) async throws -> Operations.GetProtocolReceipt.Output {
        try await protocols.getProtocolReceipt(input)
    }
    func lookupProtocol(_ input: Operations.LookupProtocol.Input) async throws -> Operations.LookupProtocol.Output {
        try await protocols.lookupProtocol(input)
    }

    func addProtocolStep(_ input: Operations.AddProtocolStep.Input) async throws -> Operations.AddProtocolStep.Output {
        try await protocols.addProtocolStep(input)
    }

    func getQueue(_ input: Operations.GetQueue.Input) async throws -> Operations.GetQueue.Output { try await protocols.getQueue(input) }

    func reportProblem(_ input: Operations.ReportProblem.Input) async throws -> Operations.ReportProblem.Output {
        try await protocols.reportProblem(input)
    }

    func listServices(_ input: Operations.ListServices.Input) async throws -> Operations.ListServices.Output {
        try await services.listServices(input)
    }

    func requestService(_ input: Operations.RequestService.Input) async throws -> Operations.RequestService.Output {
        try await services.requestService(input)
    }

    func listPropertylessServices(_ input: Operations.ListPropertylessServices.Input) async throws
        -> Operations.ListPropertylessServices.Output
    {
        try await services.listPropertylessServices(input)
    }

    func requestNewConnection(_ input: Operations.RequestNewConnection.Input) async throws -> Operations.RequestNewConnection.Output {
        try await services.requestNewConnection(input)
    }

    func getAnyServiceFee(_ input: Operations.GetAnyServiceFee.Input) async throws -> Operations.GetAnyServiceFee.Output {
        try await services.getAnyServiceFee(input)
    }

    func getAnyServiceFeePDF(_ input: Operations.GetAnyServiceFeePDF.Input) async throws -> Operations.GetAnyServiceFeePDF.Output {
        try await services.getAnyServiceFeePDF(input)
    }

    func getServiceFee(_ input: Operations.GetServiceFee.Input) async throws -> Operations.GetServiceFee.Output {
        try await services.getServiceFee(input)
    }

    func getServiceFeePDF(_ input: Operations.GetServiceFeePDF.Input) async throws -> Operations.GetServiceFeePDF.Output {
        try await services.getServiceFeePDF(input)
    }

    func uploadAttachment(_ input: Operations.UploadAttachment.Input) async throws -> Operations.UploadAttachment.Output {
        try await protocols.uploadAttachment(input)
    }

    func getProtocolAttachment(_ input: Operations.GetProtocolAttachment.Input) async throws -> Operations.GetProtocolAttachment.Output {
        try await protocols.getProtocolAttachment(input)
    }

    // MARK: Ouvidoria

    func getOuvidoria(_ input: Operations.GetOuvidoria.Input) async throws -> Operations.GetOuvidoria.Output {
        try await ouvidoria.getOuvidoria(input)
    }

    func createManifestation(_ input: Operations.CreateManifestation.Input) async throws -> Operations.CreateManifestation.Output {
        try await ouvidoria.createManifestation(input)
    }

    func getOuvidoriaSummary(_ input: Operations.GetOuvidoriaSummary.Input) async throws -> Operations.GetOuvidoriaSummary.Output {
        try await ouvidoria.getOuvidoriaSummary(input)
    }

    func getOuvidoriaOverdue(_ input: Operations.GetOuvidoriaOverdue.Input) async throws -> Operations.GetOuvidoriaOverdue.Output {
        try await ouvidoria.getOuvidoriaOverdue(input)
    }

    func extendManifestation(_ input: Operations.ExtendManifestation.Input) async throws -> Operations.ExtendManifestation.Output {
        try await ouvidoria.extendManifestation(input)
    }

    // MARK: Customers

    func startEmailChange(_ input: Operations.StartEmailChange.Input) async throws -> Operations.StartEmailChange.Output {
        try await customers.startEmailChange(input)
    }

    func confirmEmailChange(_ input: Operations.ConfirmEmailChange.Input) async throws -> Operations.ConfirmEmailChange.Output {
        try await customers.confirmEmailChange(input)
    }

    func applyDocumentChange(_ input: Operations.ApplyDocumentChange.Input) async throws -> Operations.ApplyDocumentChange.Output {
        try await customers.applyDocumentChange(input)
    }

    func listPeople(_ input: Operations.ListPeople.Input) async throws -> Operations.ListPeople.Output {
        try await customers.listPeople(input)
    }

    func linkPerson(_ input: Operations.LinkPerson.Input) async throws -> Operations.LinkPerson.Output {
        try await customers.linkPerson(input)
    }

    func unlinkPerson(_ input: Operations.UnlinkPerson.Input) async throws -> Operations.UnlinkPerson.Output {
        try await customers.unlinkPerson(input)
    }

    func setPhone(_ input: Operations.SetPhone.Input) async throws -> Operations.SetPhone.Output {
        try await customers.setPhone(input)
    }

    func getContactHistory(_ input: Operations.GetContactHistory.Input) async throws -> Operations.GetContactHistory.Output {
        try await customers.getContactHistory(input)
    }

    // MARK: Agreements

    func createAgreement(_ input: Operations.CreateAgreement.Input) async throws -> Operations.CreateAgreement.Output {
        try await agreements.createAgreement(input)
    }

    func listAgreements(_ input: Operations.ListAgreements.Input) async throws -> Operations.ListAgreements.Output {
        try await agreements.listAgreements(input)
    }

    func getAgreement(_ input: Operations.GetAgreement.Input) async throws -> Operations.GetAgreement.Output {
        try await agreements.getAgreement(input)
    }

    func getCarne(_ input: Operations.GetCarne.Input) async throws -> Operations.GetCarne.Output {
        try await agreements.getCarne(input)
    }

    // MARK: Certidões

    func issueCertidao(_ input: Operations.IssueCertidao.Input) async throws -> Operations.IssueCertidao.Output {
        try await certidoes.issueCertidao(input)
    }

    func getCertidaoPDF(_ input: Operations.GetCertidaoPDF.Input) async throws -> Operations.GetCertidaoPDF.Output {
        try await certidoes.getCertidaoPDF(input)
    }

    func getCertidaoPublicKey(_ input: Operations.GetCertidaoPublicKey.Input) async throws
        -> Operations.GetCertidaoPublicKey.Output
    {
        try await certidoes.getCertidaoPublicKey(input)
    }

    func verifyCertidao(_ input: Operations.VerifyCertidao.Input) async throws -> Operations.VerifyCertidao.Output {
        try await certidoes.verifyCertidao(input)
    }

    func revokeCertidao(_ input: Operations.RevokeCertidao.Input) async throws -> Operations.RevokeCertidao.Output {
        try await certidoes.revokeCertidao(input)
    }

    func listDeclaracaoYears(_ input: Operations.ListDeclaracaoYears.Input) async throws -> Operations.ListDeclaracaoYears.Output {
        try await declaracoes.listDeclaracaoYears(input)
    }

    func issueDeclaracao(_ input: Operations.IssueDeclaracao.Input) async throws -> Operations.IssueDeclaracao.Output {
        try await declaracoes.issueDeclaracao(input)
    }

    func getDeclaracaoPDF(_ input: Operations.GetDeclaracaoPDF.Input) async throws -> Operations.GetDeclaracaoPDF.Output {
        try await declaracoes.getDeclaracaoPDF(input)
    }

    // MARK: Supervision

    func listAudit(_ input: Operations.ListAudit.Input) async throws -> Operations.ListAudit.Output {
        try await supervision.listAudit(input)
    }

    func listLoginLocks(_ input: Operations.ListLoginLocks.Input) async throws -> Operations.ListLoginLocks.Output {
        try await supervision.listLoginLocks(input)
    }

    func unlockLogin(_ input: Operations.UnlockLogin.Input) async throws -> Operations.UnlockLogin.Output {
        try await supervision.unlockLogin(input)
    }

    // MARK: Integration

    func listIntegrationEvents(_ input: Operations.ListIntegrationEvents.Input) async throws -> Operations.ListIntegrationEvents.Output {
        try await integration.listIntegrationEvents(input)
    }
    func updateSourceReference(_ input: Operations.UpdateSourceReference.Input) async throws -> Operations.UpdateSourceReference.Output {
        try await integration.updateSourceReference(input)
    }
    func addSourceStep(_ input: Operations.AddSourceStep.Input) async throws -> Operations.AddSourceStep.Output {
        try await integration.addSourceStep(input)
    }
    func listIntegrationDeliveries(_ input: Operations.ListIntegrationDeliveries.Input) async throws
        -> Operations.ListIntegrationDeliveries.Output
    { try await integration.listIntegrationDeliveries(input) }
    func decideIntegrationDelivery(_ input: Operations.DecideIntegrationDelivery.Input) async throws
        -> Operations.DecideIntegrationDelivery.Output
    { try await integration.decideIntegrationDelivery(input) }
}
