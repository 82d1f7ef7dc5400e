import API
import Domain
import Foundation
import TUI

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

/// What several protocol screens show or read alike.
enum ProtocolText {
    /// `29/11/2026 14:30` at the terminal's zone: a deadline as forms take and show it.
    static let dateTime: DateFormatter = {
        let f = DateFormatter()
        f.locale = Locale(identifier: "pt_BR")
        f.dateFormat = "dd/MM/yyyy HH:mm"
        return f
    }()

    /// The catalogue's types whose name or description holds `typed` (accents and case aside).
    static func types(_ catalogue: Calls.ProtocolCatalogue?, matching typed: String) -> [Components.Schemas.ProtocolCatalogue
        .TypesPayloadPayload]
    {
        let f = Service.fold(typed)
        return (catalogue?.types ?? []).filter {
            f.isEmpty || Service.fold($0.name).contains(f) || Service.fold($0.description).contains(f)
        }
    }

    /// The protocol's heading facts flowed from row `y` (number and type, situation, unit, the
    /// opening date when `opened`, the deadline); returns the row after them.
    static func facts(_ d: Calls.ProtocolDetail, opened: Bool, into s: inout Surface, x: Int, y: Int, width: Int) -> Int {
        let situation = ProtocolSituation(rawValue: d.situation.rawValue)?.label ?? d.situation.rawValue
        var facts = ["\(d.formatted) · \(d.typeName)", "Situação: \(situation)", "Unidade: \(d.unitName)"]
        if opened { facts.append("Aberto em \(DateFormatter.dayMonth.string(from: d.openedAt))") }
        if let dl = d.deadlineAt { facts.append("Prazo: \(DateFormatter.dayMonth.string(from: dl))") }
        var y = y
        for line in TextLayout.flow(facts, width: width) {
            s.put(line, x: x, y: y, role: .title)
            y += 1
        }
        return y
    }
}
