import Domain
import Foundation
import HTTPTypes
import OpenAPIRuntime

/// Who may call an operation (DECISIONS 63; the README's table is this one, checked by
/// `PermissionTests`). Object-level rules come after, in `Authorization.check`: a customer's own
/// properties, a back-office member's own unit, an agreement within the signer's limits.
enum Actor: String, CaseIterable, Sendable {
    /// Anyone, without logging in.
    case publico
    /// A customer at a kiosk.
    case cliente
    case atendente
    case backoffice
    case supervisor

    init(_ principal: Principal) {
        switch principal.staff?.role {
        case nil: self = .cliente
        case .atendente: self = .atendente
        case .backoffice: self = .backoffice
        case .supervisor: self = .supervisor
        }
    }
}

enum Permissions {
    private static let everyone: Set<Actor> = Set(Actor.allCases)
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
    static let table: [String: Set<Actor>] = [
        // Open to all: health, login, public information, what a company or a citizen sends.
        "getHealth": everyone, "getAuthPolicy": everyone, "loginCustomer": everyone, "loginStaff": everyone,
        "getCertidaoPublicKey": everyone, "verifyCertidao": everyone, "getOuvidoria": everyone,
        "createManifestation": everyone, "lookupProtocol": everyone, "reportProblem": everyone, "listTariffs": everyone,
        "simulateBill": everyone, "cardCompanyCallback": everyone,
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
        // The supervisor.
        "listAudit": supervisor, "listLoginLocks": supervisor, "unlockLogin": supervisor, "revokeCertidao": supervisor,
    ]

    /// The terminal modes each role logs in to: a terminal's mode comes from its configuration,
    /// and a role works in the one made for it (a supervisor in both).
    static func modes(of role: StaffRole) -> Set<String> {
        switch role {
        case .atendente: return ["counter"]
        case .backoffice: return ["staff"]
        case .supervisor: return ["counter", "staff"]
        }
    }
}

/// Runs `Authorization.permit` with the operation's id before the generated code decodes the
/// request: a role that may not call an operation learns nothing more from it.
struct PermissionMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        try Authorization.permit(operationID)
        return try await next(request, body, metadata)
    }
}
