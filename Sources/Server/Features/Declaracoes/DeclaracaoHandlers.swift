import API
import Documents
import Domain
import Foundation
import OpenAPIRuntime

/// Declaração anual de quitação de débitos (PRODUCT.md C6, Lei 12.007/2009; issue 13): any
/// ended year on request, in every mode; the same declaration when asked again.
struct DeclaracaoHandlers: Sendable {
    let declaracoes: DeclaracaoRepository
    let properties: PropertyRepository
    let documents: DocumentService
    let authorization: Authorization

    func listDeclaracaoYears(_ input: Operations.ListDeclaracaoYears.Input) async throws -> Operations.ListDeclaracaoYears.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        let (billed, declared) = try await declaracoes.years(grant.matricula)
        return .ok(
            .init(body: .json(.init(items: billed.filter { $0 < grant.today.year }.map { .init(ano: $0, issued: declared.contains($0)) }))))
    }

    func issueDeclaracao(_ input: Operations.IssueDeclaracao.Input) async throws -> Operations.IssueDeclaracao.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        let year = body.ano
        if let issued = try await declaracoes.declaracao(grant.matricula, year: year) {
            return .created(.init(body: .json(view(issued))))
        }
        guard let property = try await properties.property(grant.matricula) else { throw APIError.notFound }
        let bills = try await declaracoes.yearBills([grant.matricula], year: year)[grant.matricula] ?? []
        switch DeclaracaoAnual.decide(year: year, today: grant.today, bills: bills) {
        case .failure(let r):
            throw APIError(
                status: .conflict, code: "declaracao_refused",
                message: "A declaração de quitação de \(year) não pode ser emitida:\n" + r.reasons.map { "• \($0)" }.joined(separator: "\n")
                    + "\n\(r.advice)")
        case .success(let lines):
            let (id, created) = try await declaracoes.issue(
                property, year: year, lines: lines, issuedOn: grant.today, channel: grant.staff == nil ? "autoatendimento" : "atendimento",
                staff: grant.staff?.usuario, email: nil, now: grant.now)
            if created { try await grant.record("emitir_declaracao_anual", detail: "declaração \(id), ano \(year)") }
            guard let d = try await declaracoes.declaracao(id: id) else { throw StorageError.corrupt("declaracao \(id)") }
            return .created(.init(body: .json(view(d))))
        }
    }

    func getDeclaracaoPDF(_ input: Operations.GetDeclaracaoPDF.Input) async throws -> Operations.GetDeclaracaoPDF.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        guard let d = try await declaracoes.declaracao(grant.matricula, year: input.path.ano) else {
            throw APIError.declaracaoNotFound
        }
        let pdf = try await documents.pdf(documents.declaracaoDocument(d))
        try await grant.record("declaracao_pdf", detail: "declaração \(d.id)")
        return .ok(.init(body: .pdf(HTTPBody(pdf))))
    }

    private func view(_ d: Declaracao) -> S.Declaracao {
        S.Declaracao(
            id: d.id, ano: d.year, issuedOn: d.issuedOn.iso, totalCents: d.lines.reduce(Money.zero) { $0 + $1.amount }.cents,
            lines: d.lines.map {
                .init(competencia: $0.competencia.iso, situacao: $0.situacao, paidOn: $0.paidOn.iso, amountCents: $0.amount.cents)
            })
    }
}

extension APIError {
    static let declaracaoNotFound = APIError(
        status: .notFound, code: "declaracao_not_found", message: "Declaração anual não emitida para este ano: peça a emissão primeiro.")
}
