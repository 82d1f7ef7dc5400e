import Domain
import Foundation
import HTTPTypes
import OpenAPIRuntime

extension Actor {
    init(_ principal: Principal) {
        switch principal {
        case .customer: self = .cliente
        case .integration: self = .integracao
        case .staff(let s, _):
            switch s.role {
            case .atendente: self = .atendente
            case .backoffice: self = .backoffice
            case .supervisor: self = .supervisor
            }
        }
    }
}

extension Permissions {
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
