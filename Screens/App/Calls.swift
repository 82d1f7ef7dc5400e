import API
import Domain
import Foundation

/// The API calls the screens make, each turned into a `Result` whose failure is ready to show.
enum Calls {
    typealias PropertySummary = Components.Schemas.PropertySummary
    typealias PropertyBrief = Components.Schemas.PropertyBrief
    typealias CustomerHit = Components.Schemas.CustomerHit

    static func run<T>(_ body: () async throws -> Result<T, APIFailure>) async -> Result<T, APIFailure> {
        do { return try await body() } catch { return .failure(APIFailure(error)) }
    }

    static func policy(_ c: Client) async -> Result<LoginPolicyInfo, APIFailure> {
        await run {
            switch try await c.getAuthPolicy() {
            case .ok(let ok):
                let p = try ok.body.json
                if let zone = p.timeZone { LocalTime.use(zoneNamed: zone) }
                return .success(
                    LoginPolicyInfo(
                        policy: LoginPolicy(rawValue: p.policy.rawValue) ?? .matriculaDVDocumento,
                        rule: MatriculaRule(rawValue: p.matriculaRule.rawValue) ?? .mod11,
                        idleSeconds: p.kioskIdleSeconds, warningSeconds: p.kioskWarningSeconds,
                        registrationHelp: p.registrationHelp, emailEnabled: p.emailEnabled,
                        demoHints: (p.demoHints ?? []).map { ($0.matricula, $0.documento, $0.description) },
                        demoStaff: (p.demoStaff ?? []).map { ($0.matricula, $0.documento, $0.description) }))
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func loginCustomer(_ c: Client, matricula: String, documento: String?) async -> Result<Components.Schemas.Session, APIFailure> {
        await run {
            switch try await c.loginCustomer(body: .json(.init(matricula: matricula, documento: documento))) {
            case .created(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func loginStaff(
        _ c: Client, usuario: String, senha: String, mode: Components.Schemas.StaffLogin.ModoPayload
    ) async -> Result<Components.Schemas.Session, APIFailure> {
        await run {
            switch try await c.loginStaff(body: .json(.init(usuario: usuario, senha: senha, modo: mode))) {
            case .created(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func property(_ c: Client, _ m: String) async -> Result<PropertySummary, APIFailure> {
        await run {
            switch try await c.getProperty(path: .init(matricula: m)) {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func linked(_ c: Client, _ m: String) async -> Result<[PropertyBrief], APIFailure> {
        await run {
            switch try await c.getLinkedProperties(path: .init(matricula: m)) {
            case .ok(let ok): return .success(try ok.body.json.items)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func search(_ c: Client, _ q: String) async -> Result<(hits: [CustomerHit], truncated: Bool), APIFailure> {
        await run {
            switch try await c.searchCustomers(query: .init(q: q, limit: 50)) {
            case .ok(let ok):
                let r = try ok.body.json
                return .success((r.items, r.truncated))
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }
}
