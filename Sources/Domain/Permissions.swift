/// Who may call an operation (DECISIONS 63; the README's table is this one, checked by
/// `PermissionTests`): the server refuses by it, and the terminals offer only what it allows
/// (issue 28.19). Object-level rules come after, in the server's `Authorization.check`: a
/// customer's own properties, a back-office member's own unit, an agreement within the signer's
/// limits.
public enum Actor: String, CaseIterable, Sendable {
    /// Anyone, without logging in.
    case publico
    /// A customer at a kiosk.
    case cliente
    case atendente
    case backoffice
    case supervisor
    /// The utility's service-management system, by its API key (issue 31): reads the events and
    /// answers requests; nothing else.
    case integracao
}

public enum Permissions {
    private static let everyone: Set<Actor> = Set(Actor.allCases)
    private static let integration: Set<Actor> = [.integracao]
    private static let sessions: Set<Actor> = [.cliente, .atendente, .backoffice, .supervisor]
    /// Reading a property's situation: the customer, the counter, and the back office handling
    /// the property's protocols.
    private static let readProperty: Set<Actor> = sessions
    /// Serving a customer: documents, payments, agreements, requests — the customer at a kiosk
    /// or an attendant (or supervisor) at a counter on their behalf.
    private static let serveCustomer: Set<Actor> = [.cliente, .atendente, .supervisor]
    /// Counter work with no customer session equivalent.
    private static let counter: Set<Actor> = [.atendente, .supervisor]
    private static let staff: Set<Actor> = [.atendente, .backoffice, .supervisor]
    /// Working the units' queues: receive, dispatch, forward, conclude, extend.
    private static let backOffice: Set<Actor> = [.backoffice, .supervisor]
    private static let supervisor: Set<Actor> = [.supervisor]

    /// Every operation of `openapi.yaml`, by operationId.
    public static let table: [String: Set<Actor>] = [
        // Open to all: health, login, public information, what a company or a citizen sends.
        "getHealth": everyone, "getAuthPolicy": everyone, "loginCustomer": everyone, "loginStaff": everyone,
        "getCertidaoPublicKey": everyone, "verifyCertidao": everyone, "getOuvidoria": everyone,
        "createManifestation": everyone, "lookupProtocol": everyone, "reportProblem": everyone, "listTariffs": everyone,
        "simulateBill": everyone, "cardCompanyCallback": everyone, "getProtocolReceipt": everyone,
        // Any session.
        "getSession": sessions, "logout": sessions, "getProtocolCatalogue": sessions, "getProtocol": sessions,
        "getProtocolAttachment": sessions,
        // A property's situation.
        "getProperty": readProperty, "getLinkedProperties": readProperty, "listBills": readProperty, "getBill": readProperty,
        "listPayments": readProperty, "getConsumption": readProperty, "listAgreements": readProperty, "getAgreement": readProperty,
        "listPropertyProtocols": readProperty, "getDueDate": readProperty, "listServices": readProperty,
        "listDeclaracaoYears": readProperty,
        // Serving the customer.
        "getBillPDF": serveCustomer, "createStatement": serveCustomer, "getStatement": serveCustomer,
        "getStatementPDF": serveCustomer, "requestEmail": serveCustomer, "listCardCompanies": serveCustomer,
        "createCardPayment": serveCustomer, "getCardPayment": serveCustomer, "getCardPaymentReceipt": serveCustomer,
        "createAgreement": serveCustomer, "getCarne": serveCustomer, "issueCertidao": serveCustomer,
        "getCertidaoPDF": serveCustomer, "issueDeclaracao": serveCustomer, "getDeclaracaoPDF": serveCustomer,
        "simulateInstallments": serveCustomer, "changeDueDate": serveCustomer, "requestService": serveCustomer,
        "getServiceFee": serveCustomer, "getServiceFeePDF": serveCustomer, "startEmailChange": serveCustomer,
        "confirmEmailChange": serveCustomer,
        // The counter.
        "listPropertylessServices": counter, "requestNewConnection": counter, "getAnyServiceFee": counter,
        "getAnyServiceFeePDF": counter, "linkPerson": counter, "unlinkPerson": counter, "setPhone": counter,
        // Any staff member.
        "searchCustomers": staff, "listPeople": staff, "getContactHistory": staff, "createProtocol": staff,
        "uploadAttachment": staff,
        // The back office.
        "getQueue": backOffice, "addProtocolStep": backOffice, "extendManifestation": backOffice,
        "getOuvidoriaSummary": backOffice, "getOuvidoriaOverdue": backOffice, "applyDocumentChange": backOffice,
        // The utility's service-management system.
        "listIntegrationEvents": integration, "updateSourceReference": integration, "addSourceStep": integration,
        // The supervisor.
        "listAudit": supervisor, "listLoginLocks": supervisor, "unlockLogin": supervisor, "revokeCertidao": supervisor,
        "listIntegrationDeliveries": supervisor, "decideIntegrationDelivery": supervisor,
    ]

    /// Whether `actor` may call `operation` (an operation not in the table: nobody).
    public static func allows(_ actor: Actor, _ operation: String) -> Bool { table[operation]?.contains(actor) ?? false }
}
