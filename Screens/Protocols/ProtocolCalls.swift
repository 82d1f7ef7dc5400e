import API
import Foundation

/// The protocol operations as the screens call them.
extension Calls {
    typealias ProtocolDetail = Components.Schemas.ProtocolDetail
    typealias Queue = Components.Schemas.Queue
    typealias QueueItem = Components.Schemas.QueueItem
    typealias ProtocolCatalogue = Components.Schemas.ProtocolCatalogue

    static func queue(_ c: Client, unit: String? = nil) async -> Result<Queue, APIFailure> {
        await run {
            switch try await c.getQueue(query: .init(unit: unit)) {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func protocolDetail(_ c: Client, _ number: String) async -> Result<ProtocolDetail, APIFailure> {
        await run {
            switch try await c.getProtocol(path: .init(number: number)) {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func protocolCatalogue(_ c: Client) async -> Result<ProtocolCatalogue, APIFailure> {
        await run {
            switch try await c.getProtocolCatalogue() {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func addStep(_ c: Client, _ number: String, _ step: Components.Schemas.ProtocolStepRequest, key: String) async -> Result<
        ProtocolDetail, APIFailure
    > {
        await run {
            switch try await c.addProtocolStep(path: .init(number: number), headers: .init(idempotencyKey: key), body: .json(step)) {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func propertyProtocols(_ c: Client, _ m: String) async -> Result<[Components.Schemas.ProtocolSummary], APIFailure> {
        await run {
            switch try await c.listPropertyProtocols(path: .init(matricula: m)) {
            case .ok(let ok): return .success(try ok.body.json.items)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func createProtocol(_ c: Client, _ request: Components.Schemas.ProtocolRequest, key: String) async -> Result<
        ProtocolDetail, APIFailure
    > {
        await run {
            switch try await c.createProtocol(headers: .init(idempotencyKey: key), body: .json(request)) {
            case .created(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    static func lookupProtocol(_ c: Client, number: String, documento: String) async -> Result<ProtocolDetail, APIFailure> {
        await run {
            switch try await c.lookupProtocol(body: .json(.init(number: number, documento: documento))) {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }
}
