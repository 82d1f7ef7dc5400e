import API
import Domain
import Foundation
import TUI

extension Calls {
    static func applyDocumentChange(_ c: Client, _ number: String, key: String) async -> Result<ProtocolDetail, APIFailure> {
        await run {
            switch try await c.applyDocumentChange(path: .init(number: number), headers: .init(idempotencyKey: key)) {
            case .ok(let ok): return .success(try ok.body.json)
            case .default(let status, let e): return .failure(APIFailure(status: status, e))
            }
        }
    }
}

/// Aplicar CPF/CNPJ (back office): a request to correct the holder's CPF/CNPJ, with what it asks
/// and its documents (F9 on the protocol); F2 applies it to the record and concludes it, F3
/// concludes it without applying, with the explanation. Never automatic: only here, after the
/// documents are checked.
public final class ApplyDocumentScreen: Screen {
    enum Message: CallResultMessage {
        case applied(Result<Calls.ProtocolDetail, APIFailure>)
        var failure: APIFailure? { if case .applied(let r) = self { return r.failure } else { return nil } }
    }

    let detail: Calls.ProtocolDetail
    var busy = false
    var failure: APIFailure?
    let key = UUID().uuidString

    init(_ detail: Calls.ProtocolDetail) { self.detail = detail }

    public var title: String { "Aplicar CPF/CNPJ — protocolo \(detail.formatted)" }
    public var isBusy: Bool { busy }
    var actions: [Action] {
        [
            Action(Command(.function(2), "Aplicar", help: "Troca o CPF/CNPJ do titular no cadastro e conclui o pedido")) {
                self.busy = true
                let (n, key) = (self.detail.number, self.key)
                return [.call { Message.applied(await Calls.applyDocumentChange($0, n, key: key)) as Any }]
            },
            Action(Command(.function(3), "Recusar", help: "Conclui sem aplicar, com a explicação ao cliente (documentos insuficientes)")) {
                [.pop, .push(StepScreen(number: self.detail.number, action: .conclude))]
            },
        ]
    }
    public var commands: [Command] { actions.commands }

    public func handle(_ event: Event, app: AppState) -> [Effect] {
        guard case .key(let k) = event, !busy else { return [] }
        return actions.perform(k, app: app) ?? []
    }

    public func receive(_ message: Any, app: AppState) -> [Effect] {
        guard case .applied(let r) = message as? Message else { return [] }
        busy = false
        switch r {
        case .success: return [.pop]
        case .failure(let f): failure = f
        }
        return []
    }

    public func render(_ s: inout Surface, area: Rect, app: AppState) {
        let x = area.x + 2
        let w = area.width - 4
        var y = area.y + 1
        if let r = detail.requester { y = s.paragraph("Titular: \(r.nome) · \(r.documento)", x: x, y: y, width: w, role: .header) }
        y = s.paragraph(detail.text ?? "", x: x, y: y, width: w) + 1
        y = s.paragraph(
            "Confira os documentos anexados (F8 no protocolo) antes. F2 troca o CPF/CNPJ do titular em todos os seus imóveis, vínculos e "
                + "protocolos, conclui o pedido com um despacho público e fica na auditoria.", x: x, y: y, width: w, role: .warning)
        if let f = failure { s.footer(f.message, x: x, bottom: area.y + area.height - 1, width: w, role: .error) }
    }
}
