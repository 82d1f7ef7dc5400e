import API
import Documents
import Domain
import Foundation
import NIOPosix
import OpenAPIRuntime
import SQLKit

/// Certidões de débitos (PRODUCT.md C4, C5; issue 13): issued to a property when nothing blocks
/// them, refused naming what does; anyone verifies one by its code. Served by the primary key,
/// the unique `code` and `certidoes_matricula`.
struct CertidaoHandlers: Sendable {
    let config: ServerConfiguration
    let store: any Store
    let properties: PropertyRepository
    let bills: BillRepository
    let agreements: AgreementRepository
    let authorization: Authorization
    let limiter: AttemptLimiter
    let clock: AppClock
    let documents: DocumentService
    var certidoes: CertidaoRepository { CertidaoRepository(store: store) }

    func issueCertidao(_ input: Operations.IssueCertidao.Input) async throws -> Operations.IssueCertidao.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        guard let property = try await properties.property(grant.matricula) else { throw APIError.notFound }
        let today = grant.today
        let active = try await agreements.agreements(grant.matricula).filter { $0.status == .ativo }.map { a in
            let standing = AgreementStanding.evaluate(
                a.installments.map { .init(due: $0.due, paid: $0.paidOn != nil) }, today: today, calendar: grant.calendar,
                maxOverdueInstallments: config.agreements.maxOverdueInstallments, maxOverdueDays: config.agreements.maxOverdueDays)
            var lateSince: CivilDate?
            if case .atrasado(_, let days) = standing { lateSince = today.adding(days: -days) }
            return CertidaoDecision.ActiveAgreement(id: a.id, standing: standing, lateSince: lateSince)
        }
        let kind: CertidaoKind
        switch CertidaoDecision.decide(
            bills: try await bills.owed(grant.matricula), agreements: active, today: today, calendar: grant.calendar)
        {
        case .issue(let k): kind = k
        case .refuse(let reasons, let advice):
            throw APIError(
                status: .conflict, code: "certidao_refused",
                message: "A certidão não pode ser emitida:\n" + reasons.map { "• \($0)" }.joined(separator: "\n") + "\n\(advice)")
        }
        let validUntil = today.adding(days: config.certidaoValidDays)
        let claim = IdempotencyClaim(
            grant.principal, operation: "certidao", key: input.headers.idempotencyKey, path: [grant.matricula])
        var rng = SystemRandomNumberGenerator()
        let code = VerificationCode.generate(using: &rng)
        let (id, replayed) = try await store.write { db -> (Int64, Bool) in
            if case .replay(let id) = try await Idempotency.claim(claim, db: db, now: grant.now) { return (id, true) }
            guard
                let row = try await db.raw(
                    """
                    INSERT INTO certidoes (code, matricula, kind, issued_on, valid_until, holder_name, holder_document, address, issued_at, staff)
                    VALUES (\(bind: code), \(bind: grant.matricula), \(bind: kind.rawValue), \(bind: today.iso), \(bind: validUntil.iso),
                      \(bind: property.titular.nome), \(bind: property.titular.documento), \(bind: property.address.oneLine),
                      \(bind: grant.now), \(bind: grant.staff?.usuario))
                    RETURNING id
                    """
                ).first()
            else { throw StorageError.corrupt("certidoes: no id returned") }
            let id = try row.decode(column: "id", as: Int64.self)
            try await Idempotency.complete(claim, resource: id, db: db)
            return (id, false)
        }
        if !replayed { try await grant.record("emitir_certidao", detail: "certidão \(id)") }
        guard let c = try await certidoes.certidao(id: id) else { throw StorageError.corrupt("certidao \(id)") }
        return .created(
            .init(
                headers: .init(idempotencyReplayed: replayed ? "true" : nil),
                body: .json(
                    .init(
                        id: id, code: c.code, kind: .init(rawValue: c.kind.rawValue) ?? .negativa, title: c.kind.title,
                        issuedOn: c.issuedOn.iso, validUntil: c.validUntil.iso))))
    }

    /// Anyone: valid (with what it certifies, the holder masked), expired, revoked (when and
    /// why), or unknown — the same answer for a code that does not exist and one that cannot
    /// exist, under the attempt limits.
    func verifyCertidao(_ input: Operations.VerifyCertidao.Input) async throws -> Operations.VerifyCertidao.Output {
        guard case .json(let body) = input.body else { throw APIError.badRequest }
        let attempt = try await limiter.reserve(["certidao:\(Principal.origin.limitKey)"])
        guard let code = VerificationCode.normalized(body.code), let c = try await certidoes.certidao(code: code) else {
            return .ok(.init(body: .json(.init(status: .desconhecida))))
        }
        try await attempt.release()
        return .ok(.init(body: .json(verification(c))))
    }

    /// A supervisor revokes a certidão by its code, with the reason the public verification
    /// shows; audited. The first revocation stands.
    func revokeCertidao(_ input: Operations.RevokeCertidao.Input) async throws -> Operations.RevokeCertidao.Output {
        let grant = try await authorization.check(.staff())
        guard case .json(let body) = input.body, let staff = grant.staff else { throw APIError.badRequest }
        let reason = body.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard reason.count >= 10 else { throw APIError.invalid("Escreva o motivo da revogação (ao menos 10 caracteres).") }
        guard let code = VerificationCode.normalized(body.code),
            let c = try await certidoes.revoke(code: code, by: staff.usuario, reason: reason, now: grant.now)
        else { throw APIError(status: .notFound, code: "certidao_not_found", message: "Não há certidão com este código.") }
        try await grant.audit.record(
            grant.principal, "revogar_certidao", matricula: c.matricula,
            detail: c.revocation?.by == staff.usuario && c.revocation?.reason == reason
                ? "certidão \(c.id)" : "certidão \(c.id) (já estava revogada)")
        return .ok(.init(body: .json(verification(c))))
    }

    /// What the public verification says of `c` today.
    private func verification(_ c: CertidaoRepository.Issued) -> S.CertidaoVerification {
        let status: S.CertidaoVerification.StatusPayload =
            c.revocation != nil ? .revogada : clock.today > c.validUntil ? .expirada : .valida
        return .init(
            status: status, title: c.kind.title, matricula: Matricula.display(c.matricula), holder: Masking.name(c.holderName),
            holderDocument: TaxID(c.holderDocument)?.masked, issuedOn: c.issuedOn.iso, validUntil: c.validUntil.iso,
            revokedOn: c.revocation.map {
                LocalCalendar.today(Date(timeIntervalSince1970: TimeInterval($0.at)), timeZone: clock.timeZone).iso
            },
            revocationReason: c.revocation?.reason)
    }

    /// The certidão as PDF.
    func getCertidaoPDF(_ input: Operations.GetCertidaoPDF.Input) async throws -> Operations.GetCertidaoPDF.Output {
        let grant = try await authorization.check(.property(input.path.matricula))
        let pdf = try await documents.certidaoPDF(id: input.path.certidaoId, matricula: grant.matricula)
        try await grant.record("certidao_pdf", detail: "certidão \(input.path.certidaoId)")
        return .ok(.init(body: .pdf(HTTPBody(pdf))))
    }

    /// The public key that checks the certidões' QR seal.
    func getCertidaoPublicKey(_ input: Operations.GetCertidaoPublicKey.Input) async throws -> Operations.GetCertidaoPublicKey.Output {
        let key = try await CertidaoSeal.key(configured: config.certidaoSigningKey, store: store)
        return .ok(.init(body: .json(.init(algorithm: .ed25519, publicKey: key.publicKey.rawRepresentation.base64EncodedString()))))
    }
}
