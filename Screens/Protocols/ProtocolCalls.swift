import API
import Domain
import Foundation
import OpenAPIRuntime
import TUI

/// The protocol operations as the screens call them.
extension Calls {
    typealias ProtocolDetail = Components.Schemas.ProtocolDetail
    typealias Queue = Components.Schemas.Queue
    typealias QueueItem = Components.Schemas.QueueItem
    typealias ProtocolCatalogue = Components.Schemas.ProtocolCatalogue
    typealias Attachment = Components.Schemas.Attachment

    /// Uploads a file for the next step (the server checks its type and size again).
    static func uploadAttachment(_ c: Client, name: String, content: Data, key: String) async -> Result<Attachment, APIFailure> {
        await run {
            switch try await c.uploadAttachment(
                query: .init(name: name), headers: .init(idempotencyKey: key), body: .binary(HTTPBody(content)))
            {
            case .created(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }

    /// An attachment's bytes.
    /// A protocol's receipt as PDF (issue 28.15): with the session that reads it, or the
    /// requester's CPF/CNPJ, or an anonymous manifestation's secret.
    static func protocolReceipt(_ c: Client, number: String, documento: String? = nil, secret: String? = nil) async -> Result<
        Data, APIFailure
    > {
        await run {
            let body: HTTPBody
            switch try await c.getProtocolReceipt(body: .json(.init(number: number, documento: documento, secret: secret))) {
            case .ok(let ok):
                switch ok.body {
                case .pdf(let b), .binary(let b): body = b
                }
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
            return .success(try await Data(collecting: body, upTo: 4 << 20))
        }
    }

    static func attachmentFile(_ c: Client, number: String, id: Int64, maxBytes: Int = 256 << 20) async -> Result<Data, APIFailure> {
        await run {
            let body: HTTPBody
            switch try await c.getProtocolAttachment(path: .init(number: number, id: id)) {
            case .ok(let ok):
                switch ok.body {
                case .pdf(let b), .png(let b), .jpeg(let b), .binary(let b): body = b
                }
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
            return .success(try await Data(collecting: body, upTo: maxBytes))
        }
    }

    static func queue(_ c: Client, unit: String? = nil, q: String? = nil, offset: Int = 0, limit: Int = 30) async -> Result<
        Queue, APIFailure
    > {
        await run {
            switch try await c.getQueue(query: .init(unit: unit, q: q, offset: offset, limit: limit)) {
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

    /// By the requester's CPF/CNPJ, or by an anonymous manifestation's secret.
    static func lookupProtocol(_ c: Client, number: String, documento: String?, secret: String? = nil) async -> Result<
        ProtocolDetail, APIFailure
    > {
        await run {
            switch try await c.lookupProtocol(body: .json(.init(number: number, documento: documento, secret: secret))) {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }
}

/// What several protocol screens show or read alike.
enum ProtocolText {
    /// `laudo.pdf (PDF, 2,4 MiB)`.
    static func describe(_ a: Calls.Attachment) -> String {
        let kind = AttachmentKind(rawValue: a.mediaType.rawValue)?.label ?? a.mediaType.rawValue
        return "\(a.name) (\(kind), \(AttachmentLimits.size(Int(a.size))))"
    }

    /// The files a form is about to send, or how to add one.
    static func attachedLine(_ files: [Calls.Attachment], canAttach: Bool) -> String {
        if files.isEmpty { return canAttach ? "Sem anexos (F8 anexa um arquivo)." : "Sem anexos." }
        return "Anexos: " + files.map(describe).joined(separator: " · ") + (canAttach ? "  (F8 anexa outro, F7 retira o último)" : "")
    }

    /// `29/11/2026 14:30` at the utility's zone: a deadline as forms take and show it.
    static var dateTime: DateFormatter { LocalTime.formatter("dd/MM/yyyy HH:mm") }

    /// The catalogue's types whose name or description holds `typed` (accents and case aside).
    static func types(_ catalogue: Calls.ProtocolCatalogue?, matching typed: String) -> [Components.Schemas.ProtocolCatalogue
        .TypesPayloadPayload]
    {
        // Names that match before descriptions that do (issue 28.18: "outros" is the type
        // "Outros", not the first type whose description says "outros").
        let f = ListFilter.fold(typed)
        let all = catalogue?.types ?? []
        let byName = all.filter { f.isEmpty || ListFilter.fold($0.name).contains(f) }
        let byNameStart = byName.filter { f.isEmpty || ListFilter.fold($0.name).hasPrefix(f) }
        return byNameStart + byName.filter { !byNameStart.contains($0) }
            + all.filter { !byName.contains($0) && ListFilter.fold($0.description).contains(f) }
    }

    /// The protocol's heading facts flowed from row `y` (number and type, situation, unit, the
    /// opening date when `opened`, the deadline); returns the row after them.
    /// Where the request stands in the utility's service-management system (issue 31).
    static func sourceFact(_ src: Components.Schemas.ProtocolSource) -> String {
        var out = "Enviada à concessionária em \(DateFormatter.dayMonth.string(from: src.sentAt))"
        if let n = src.number { out += " · nº na concessionária: \(n)" }
        if let on = src.expectedOn.flatMap(CivilDate.init(iso:)) { out += " · previsão: \(on.formatted)" }
        return out
    }

    static func facts(_ d: Calls.ProtocolDetail, opened: Bool, into s: inout Surface, x: Int, y: Int, width: Int) -> Int {
        let situation = ProtocolSituation(rawValue: d.situation.rawValue)?.label ?? d.situation.rawValue
        var facts = ["\(d.formatted) · \(d.typeName)", "Situação: \(situation)", "Unidade: \(d.unitName)"]
        if opened { facts.append("Aberto em \(DateFormatter.dayMonth.string(from: d.openedAt))") }
        if let o = d.ouvidoria, let due = CivilDate(iso: o.deadlineOn) {
            facts.append("Ouvidoria: resposta até \(due.formatted)\(o.extended ? " (prorrogado)" : "")\(o.anonymous ? " · anônima" : "")")
        } else if let dl = d.deadlineAt {
            facts.append("Prazo: \(DateFormatter.dayMonth.string(from: dl))")
        }
        if let src = d.source { facts.append(sourceFact(src)) }
        var y = y
        for line in TextLayout.flow(facts, width: width) {
            s.put(line, x: x, y: y, role: .title)
            y += 1
        }
        return y
    }
}
