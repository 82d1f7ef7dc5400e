import Domain
import Foundation
import SQLKit

/// The people linked to a property and their role, the changes to those links, and the
/// property's contact history (issue 12, the counter's customer record). Served by the primary
/// keys and the `*_matricula` indexes of each table the history reads.
struct PeopleRepository: Sendable {
    let store: any Store

    /// A person's role on a property.
    enum Role: String, Sendable, CaseIterable {
        case titular, usuario
        case responsavelFinanceiro = "responsavel_financeiro"
    }

    struct Person: Sendable {
        var documento: String
        var nome: String
        var role: Role
        var since: Int64?
        var email: String?
        var telefone: String?
    }

    /// The holder first, then the others by name.
    func people(_ matricula: String) async throws -> [Person] {
        try await store.read { db in
            let holder = try await db.raw(
                """
                SELECT c.documento, c.nome, c.email, c.telefone, l.linked_at FROM properties p JOIN customers c ON c.documento = p.titular
                LEFT JOIN property_links l ON l.matricula = p.matricula AND l.documento = p.titular
                WHERE p.matricula = \(bind: matricula)
                """
            ).all().map { try Self.person($0, role: .titular) }
            let others = try await db.raw(
                """
                SELECT c.documento, c.nome, c.email, c.telefone, l.linked_at, l.papel FROM property_links l
                JOIN customers c ON c.documento = l.documento JOIN properties p ON p.matricula = l.matricula
                WHERE l.matricula = \(bind: matricula) AND l.documento <> p.titular ORDER BY c.nome
                """
            ).all().map { try Self.person($0, role: Role(rawValue: try $0.decode(column: "papel", as: String.self)) ?? .usuario) }
            return holder + others
        }
    }

    private static func person(_ r: any SQLRow, role: Role) throws -> Person {
        Person(
            documento: try r.decode(column: "documento", as: String.self), nome: try r.decode(column: "nome", as: String.self), role: role,
            since: try r.decode(column: "linked_at", as: Int64?.self), email: try r.decode(column: "email", as: String?.self),
            telefone: try r.decode(column: "telefone", as: String?.self))
    }

    /// Links a person (a new customer is registered with `nome`) and keeps the record of it — a
    /// protocol concluded at once, carrying the document shown — in one transaction.
    func link(
        matricula: String, person: Person, record: ProtocolDraft, conclusion: String, year: Int, claim: IdempotencyClaim, now: Int64
    ) async throws -> (ProtocolNumber, replayed: Bool) {
        try await store.write { db in
            if case .replay(let compact) = try await Idempotency.claim(claim, db: db, now: now) {
                guard let n = ProtocolNumber(parsing: String(compact)) else { throw StorageError.corrupt("protocol key \(compact)") }
                return (n, true)
            }
            if try await db.raw(
                "SELECT 1 AS x FROM property_links WHERE matricula = \(bind: matricula) AND documento = \(bind: person.documento)"
            ).first() != nil {
                throw APIError.conflict("Esta pessoa já está vinculada a este imóvel.")
            }
            try await db.raw(
                """
                INSERT INTO customers (documento, nome, email, telefone)
                VALUES (\(bind: person.documento), \(bind: person.nome), \(bind: person.email), \(bind: person.telefone))
                ON CONFLICT (documento) DO NOTHING
                """
            ).run()
            try await db.raw(
                """
                INSERT INTO property_links (matricula, documento, papel, linked_at)
                VALUES (\(bind: matricula), \(bind: person.documento), \(bind: person.role.rawValue), \(bind: now))
                """
            ).run()
            let number = try await ProtocolRepository.record(record, conclusion: conclusion, year: year, now: now, db: db)
            try await Self.complete(claim, number, db: db)
            return (number, false)
        }
    }

    /// Unlinks a person (never the holder: that is a change of ownership) with its record.
    func unlink(
        matricula: String, documento: String, record: ProtocolDraft, conclusion: String, year: Int, claim: IdempotencyClaim, now: Int64
    ) async throws -> (ProtocolNumber, replayed: Bool) {
        try await store.write { db in
            if case .replay(let compact) = try await Idempotency.claim(claim, db: db, now: now) {
                guard let n = ProtocolNumber(parsing: String(compact)) else { throw StorageError.corrupt("protocol key \(compact)") }
                return (n, true)
            }
            let holder = try await db.raw("SELECT titular FROM properties WHERE matricula = \(bind: matricula)").first()?
                .decode(column: "titular", as: String.self)
            if holder == documento {
                throw APIError.conflict(
                    "O titular só deixa o imóvel por um pedido de alteração de titularidade (Solicitar serviço), com o novo titular.")
            }
            guard
                try await db.raw(
                    """
                    DELETE FROM property_links WHERE matricula = \(bind: matricula) AND documento = \(bind: documento) RETURNING documento
                    """
                ).first() != nil
            else { throw APIError(status: .notFound, code: "person_not_linked", message: "Esta pessoa não está vinculada a este imóvel.") }
            let number = try await ProtocolRepository.record(record, conclusion: conclusion, year: year, now: now, db: db)
            try await Self.complete(claim, number, db: db)
            return (number, false)
        }
    }

    private static func complete(_ claim: IdempotencyClaim, _ number: ProtocolNumber, db: any SQLDatabase) async throws {
        guard let key = Int64(number.compact) else { throw StorageError.corrupt("protocol number") }
        try await Idempotency.complete(claim, resource: key, db: db)
    }

    /// A linked person's phone.
    func setPhone(matricula: String, documento: String, telefone: String?) async throws -> Bool {
        try await store.write { db in
            let linked = try await db.raw(
                """
                SELECT 1 AS x FROM properties WHERE matricula = \(bind: matricula) AND titular = \(bind: documento)
                UNION SELECT 1 AS x FROM property_links WHERE matricula = \(bind: matricula) AND documento = \(bind: documento)
                """
            ).first()
            guard linked != nil else { return false }
            try await db.raw("UPDATE customers SET telefone = \(bind: telefone) WHERE documento = \(bind: documento)").run()
            return true
        }
    }

    // MARK: CPF/CNPJ of the holder

    /// The service type whose conclusion changes the holder's CPF/CNPJ.
    static let documentChangeType = "atualizacao-documento"

    /// Applies a CPF/CNPJ update request (received, not concluded) in one transaction: the
    /// person's record moves to the new number — holder of their properties, their links, their
    /// protocols — and the request is concluded with a public step saying so.
    func applyDocumentChange(_ number: ProtocolNumber, staff: StaffMember, claim: IdempotencyClaim, now: Int64) async throws -> Bool {
        let postgres = store.engine == .postgres
        return try await store.write { db in
            if case .replay = try await Idempotency.claim(claim, db: db, now: now) { return true }
            guard
                let row = try await db.raw(
                    """
                    SELECT type_code, situation, unit, matricula, answers, email FROM protocols
                    WHERE number = \(bind: number.compact)\(unsafeRaw: postgres ? " FOR UPDATE" : "")
                    """
                ).first()
            else { throw APIError.protocolNotFound }
            guard try row.decode(column: "type_code", as: String.self) == Self.documentChangeType else {
                throw APIError.conflict("Este protocolo não é um pedido de atualização do CPF/CNPJ do titular.")
            }
            let situation = try ProtocolRepository.situation(row)
            let unit = try row.decode(column: "unit", as: String.self)
            if let refusal = ProtocolAction.conclude.refusal(
                role: staff.role, staffUnit: staff.unit, situation: situation, protocolUnit: unit)
            {
                throw APIError(status: .conflict, code: "protocol_step_refused", message: refusal)
            }
            let answers = try row.decode(column: "answers", as: String?.self).flatMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: String]
            }
            guard let typed = answers?["documento_novo"], case .success(let id) = TaxID.parse(typed),
                let matricula = try row.decode(column: "matricula", as: String?.self),
                let old = try await db.raw("SELECT titular FROM properties WHERE matricula = \(bind: matricula)").first()?
                    .decode(column: "titular", as: String.self)
            else { throw APIError.conflict("O pedido não traz um CPF/CNPJ novo válido: conclua-o com a explicação ao cliente.") }
            let new = id.normalized
            guard new != old else { throw APIError.conflict("O CPF/CNPJ informado já é o do titular.") }
            if try await db.raw("SELECT 1 AS x FROM customers WHERE documento = \(bind: new)").first() != nil {
                throw APIError.conflict(
                    "O CPF/CNPJ novo já tem cadastro próprio: os dois cadastros precisam ser unificados pelo Comercial antes.")
            }
            try await db.raw(
                """
                INSERT INTO customers (documento, nome, email, telefone)
                SELECT \(bind: new), nome, email, telefone FROM customers WHERE documento = \(bind: old)
                """
            ).run()
            try await db.raw("UPDATE properties SET titular = \(bind: new) WHERE titular = \(bind: old)").run()
            try await db.raw("UPDATE property_links SET documento = \(bind: new) WHERE documento = \(bind: old)").run()
            try await db.raw("UPDATE protocols SET requester_document = \(bind: new) WHERE requester_document = \(bind: old)").run()
            try await db.raw("DELETE FROM customers WHERE documento = \(bind: old)").run()
            try await db.raw(
                "UPDATE protocols SET situation = 'concluido', updated_at = \(bind: now) WHERE number = \(bind: number.compact)"
            ).run()
            try await ProtocolRepository.recount(from: (unit, situation), to: (unit, .concluido), db: db)
            let text =
                "CPF/CNPJ do titular atualizado de \(TaxID(old)?.masked ?? "—") para \(id.masked), conferidos os documentos apresentados."
            let stepId = try await ProtocolRepository.insertStep(
                number, at: now, action: "conclude", situation: .concluido, fromUnit: nil, toUnit: nil, text: text, isPublic: true,
                staff: staff.usuario, detail: "titular: \(TaxID(old)?.formatted ?? old) → \(id.formatted)", db: db)
            try await ProtocolRepository.tell(
                email: try row.decode(column: "email", as: String?.self), matricula: matricula, stepId: stepId, now: now, db: db)
            guard let key = Int64(number.compact) else { throw StorageError.corrupt("protocol number") }
            try await Idempotency.complete(claim, resource: key, db: db)
            return false
        }
    }

    // MARK: Contact history

    struct Contact: Sendable {
        enum Kind: String, Sendable { case protocolo, documento, pagamento, email, cartao, cadastro }
        var at: Int64
        var kind: Kind
        var title: String
        var detail: String?
        /// `kiosk`, `counter`, `staff`, a payment channel…
        var channel: String?
        var unit: String?
        /// The staff member who acted, when one did.
        var staff: String?
    }

    /// Everything that happened with the property, newest first (at most `limit` of each kind).
    func history(_ matricula: String, typeNames: [String: String], timeZone: String, limit: Int = 200) async throws -> [Contact] {
        try await store.read { db in
            var out: [Contact] = []
            for r in try await db.raw(
                """
                SELECT number, type_code, subject, channel, unit, opened_at, opened_by, situation, service FROM protocols
                WHERE matricula = \(bind: matricula) AND ouvidoria = 0 AND identity_declared = 0
                ORDER BY opened_at DESC LIMIT \(literal: limit)
                """
            ).all() {
                let n = ProtocolNumber(parsing: try r.decode(column: "number", as: String.self))?.formatted ?? ""
                let type = try r.decode(column: "type_code", as: String.self)
                let situation = ProtocolSituation(rawValue: try r.decode(column: "situation", as: String.self))?.label ?? ""
                let service = try r.decode(column: "service", as: Int.self) != 0
                out.append(
                    Contact(
                        at: try r.decode(column: "opened_at", as: Int64.self), kind: .protocolo,
                        title: "\(service ? "Pedido de serviço" : "Protocolo") \(n) — \(typeNames[type] ?? type)",
                        detail: "\(try r.decode(column: "subject", as: String.self)) · \(situation)",
                        channel: try r.decode(column: "channel", as: String.self), unit: try r.decode(column: "unit", as: String.self),
                        staff: try r.decode(column: "opened_by", as: String?.self)))
            }
            for r in try await db.raw(
                """
                SELECT id, created_at, total_cents, due_on, created_by FROM statements WHERE matricula = \(bind: matricula)
                ORDER BY created_at DESC LIMIT \(literal: limit)
                """
            ).all() {
                let due = CivilDate(iso: try r.decode(column: "due_on", as: String.self))?.formatted ?? ""
                let by = try r.decode(column: "created_by", as: String?.self)
                out.append(
                    Contact(
                        at: try r.decode(column: "created_at", as: Int64.self), kind: .documento,
                        title: "Extrato de débitos nº \(try r.decode(column: "id", as: Int64.self))",
                        detail: "\(Money(cents: try r.decode(column: "total_cents", as: Int64.self)).formatted), vencimento \(due)",
                        channel: by == nil ? "kiosk" : "counter", staff: by))
            }
            for r in try await db.raw(
                """
                SELECT id, created_at, amount_cents, description, collection FROM service_fees WHERE matricula = \(bind: matricula)
                ORDER BY id DESC LIMIT \(literal: limit)
                """
            ).all() {
                let documento = try r.decode(column: "collection", as: String.self) == "documento"
                out.append(
                    Contact(
                        at: try r.decode(column: "created_at", as: Int64.self), kind: .documento,
                        title: documento
                            ? "Taxa de serviço nº \(try r.decode(column: "id", as: Int64.self))" : "Taxa para a próxima conta",
                        detail: "\(try r.decode(column: "description", as: String.self)): "
                            + Money(cents: try r.decode(column: "amount_cents", as: Int64.self)).formatted))
            }
            for r in try await db.raw(
                """
                SELECT p.paid_on, p.amount_cents, p.channel, b.competencia FROM payments p JOIN bills b ON b.id = p.bill_id
                WHERE p.matricula = \(bind: matricula) ORDER BY p.paid_on DESC LIMIT \(literal: limit)
                """
            ).all() {
                guard let day = CivilDate(iso: try r.decode(column: "paid_on", as: String.self)) else { continue }
                let comp = Competencia(iso: try r.decode(column: "competencia", as: String.self))?.formatted ?? ""
                out.append(
                    Contact(
                        at: Int64(LocalCalendar.instant(day, minute: 12 * 60, timeZone: timeZone).timeIntervalSince1970), kind: .pagamento,
                        title: "Pagamento da conta \(comp)",
                        detail: Money(cents: try r.decode(column: "amount_cents", as: Int64.self)).formatted,
                        channel: try r.decode(column: "channel", as: String.self)))
            }
            for r in try await db.raw(
                """
                SELECT created_at, recipient, document_kind, status, requested_by FROM email_outbox WHERE matricula = \(bind: matricula)
                ORDER BY created_at DESC LIMIT \(literal: limit)
                """
            ).all() {
                let kind = try r.decode(column: "document_kind", as: String.self)
                out.append(
                    Contact(
                        at: try r.decode(column: "created_at", as: Int64.self), kind: .email,
                        title: "E-mail: \(Self.emailTitles[kind] ?? kind)",
                        detail: "para \(Masking.email(try r.decode(column: "recipient", as: String.self))) · "
                            + (try r.decode(column: "status", as: String.self)),
                        staff: try r.decode(column: "requested_by", as: String?.self)))
            }
            for r in try await db.raw(
                """
                SELECT id, created_at, amount_cents, status, company, created_by FROM card_payments WHERE matricula = \(bind: matricula)
                ORDER BY created_at DESC LIMIT \(literal: limit)
                """
            ).all() {
                out.append(
                    Contact(
                        at: try r.decode(column: "created_at", as: Int64.self), kind: .cartao,
                        title: "Pagamento com cartão AV-CP-\(try r.decode(column: "id", as: Int64.self))",
                        detail: "\(Money(cents: try r.decode(column: "amount_cents", as: Int64.self)).formatted) · "
                            + (try r.decode(column: "status", as: String.self)),
                        channel: try r.decode(column: "company", as: String.self),
                        staff: try r.decode(column: "created_by", as: String?.self)))
            }
            for r in try await db.raw(
                """
                SELECT changed_at, from_day, to_day, channel, staff_usuario FROM due_date_changes WHERE matricula = \(bind: matricula)
                ORDER BY changed_at DESC LIMIT \(literal: limit)
                """
            ).all() {
                out.append(
                    Contact(
                        at: try r.decode(column: "changed_at", as: Int64.self), kind: .cadastro,
                        title:
                            "Vencimento: dia \(try r.decode(column: "from_day", as: Int.self)) → dia \(try r.decode(column: "to_day", as: Int.self))",
                        channel: try r.decode(column: "channel", as: String.self),
                        staff: try r.decode(column: "staff_usuario", as: String?.self)))
            }
            for r in try await db.raw(
                """
                SELECT created_at, new_email, status, by_staff FROM email_changes WHERE matricula = \(bind: matricula)
                ORDER BY created_at DESC LIMIT \(literal: limit)
                """
            ).all() {
                let by = try r.decode(column: "by_staff", as: String?.self)
                out.append(
                    Contact(
                        at: try r.decode(column: "created_at", as: Int64.self), kind: .cadastro,
                        title: "Alteração de e-mail para \(Masking.email(try r.decode(column: "new_email", as: String.self)))",
                        detail: by == nil ? "por código · \(try r.decode(column: "status", as: String.self))" : "presencial",
                        channel: by == nil ? nil : "counter", staff: by))
            }
            return out.sorted { $0.at > $1.at }
        }
    }

    static let emailTitles = [
        "bill": "segunda via", "statement": "extrato de débitos", "receipt": "comprovante de cartão",
        "protocol_step": "andamento de protocolo",
        "service_fee": "taxa de serviço", "email_code": "código de confirmação", "email_changed": "aviso de troca de e-mail",
    ]
}

extension ProtocolRepository {
    /// A protocol opened and concluded at once, inside the caller's transaction: the record of
    /// something done at a counter (a link, an unlink) with its documents, in the history.
    static func record(_ d: ProtocolDraft, conclusion: String, year: Int, now: Int64, db: any SQLDatabase) async throws -> ProtocolNumber {
        let number = try await insert(d, year: year, now: now, db: db)
        try await db.raw(
            "UPDATE protocols SET situation = 'concluido', updated_at = \(bind: now) WHERE number = \(bind: number.compact)"
        ).run()
        try await recount(from: (d.unit, .aberto), to: (d.unit, .concluido), db: db)
        _ = try await insertStep(
            number, at: now, action: "conclude", situation: .concluido, fromUnit: nil, toUnit: nil, text: conclusion, isPublic: true,
            staff: d.openedBy, detail: nil, db: db)
        return number
    }
}
