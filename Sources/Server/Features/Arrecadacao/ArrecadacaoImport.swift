import Domain
import Foundation
import SQLKit

/// Payments from the banks' return files (`agencia-server arrecadacao importar ARQUIVO`): each
/// payment's barcode names what it pays — a bill, a statement's bills, a service fee, an
/// agreement's installment (kind digit and number in the free field) — which becomes paid on the
/// bank's payment date. The whole file in one transaction, once (its bank, agreement and NSA are
/// unique); each payment's outcome is kept. Paying an agreement's last installment makes it
/// `quitado` and its bills `paga`.
public enum ArrecadacaoImport {
    public enum Outcome: String, Sendable, CaseIterable {
        case aplicado
        /// Already paid (the same payment in two files, or paid twice).
        case duplicado
        /// Not what the barcode says, or what it pays can no longer take it (a bill in an
        /// agreement, a broken agreement): for the utility's back office to settle.
        case divergente
        case desconhecido
        /// A barcode of another company (the bank's mistake).
        case outraEmpresa = "outra_empresa"

        var label: String {
            switch self {
            case .aplicado: return "aplicados"
            case .duplicado: return "já pagos antes (duplicados)"
            case .divergente: return "divergentes (para a retaguarda)"
            case .desconhecido: return "documento desconhecido"
            case .outraEmpresa: return "de outra empresa"
            }
        }
    }

    public struct AlreadyImported: Error, CustomStringConvertible {
        let nsa: Int
        let bank: String
        public var description: String { "O arquivo NSA \(nsa) do banco \(bank) já foi importado: nada mudou." }
    }

    public struct Summary: Sendable, CustomStringConvertible {
        public var nsa = 0
        public var bank = ""
        public var payments = 0
        public var total = Money.zero
        public var outcomes: [Outcome: Int] = [:]
        public var settledAgreements: [Int64] = []
        public var details: [String] = []

        public var description: String {
            var s = "Arquivo de retorno NSA \(nsa), banco \(bank): \(payments) pagamentos, \(total.formatted)"
            for o in Outcome.allCases { s += "\n  \(o.label): \(outcomes[o] ?? 0)" }
            if !settledAgreements.isEmpty {
                s += "\n  acordos quitados: \(settledAgreements.map { "nº \($0)" }.joined(separator: ", "))"
            }
            for d in details { s += "\n  \(d)" }
            return s
        }
    }

    /// Reads and applies a file (`dryRun`: checks it and reports, changes nothing).
    public static func importFile(
        configuration: ServerConfiguration, path: String, dryRun: Bool, clock: @escaping @Sendable () -> Date = ServerClock.system
    ) async throws -> Summary {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImportFileError(problems: [(0, "não foi possível ler \(path)")])
        }
        let today = LocalCalendar.today(clock(), timeZone: configuration.timeZone)
        let file = try ArrecadacaoRetorno.parse(String(decoding: data, as: UTF8.self), today: today)
        return try await AdminStore.run(configuration, clock: clock) { store in
            try await apply(
                file, store: store, companies: DocumentFactory(utility: configuration.utility).companies, dryRun: dryRun,
                now: Int64(clock().timeIntervalSince1970))
        }
    }

    static func apply(_ file: ArrecadacaoRetorno, store: any Store, companies: Set<String>, dryRun: Bool = false, now: Int64) async throws
        -> Summary
    {
        struct Rollback: Error { let summary: Summary }
        do {
            return try await store.write { db in
                var summary = Summary()
                summary.nsa = file.nsa
                summary.bank = file.bank
                summary.payments = file.payments.count
                summary.total = file.total
                guard
                    let row = try await db.raw(
                        """
                        INSERT INTO arrecadacao_files (bank, convenio, nsa, generated_on, imported_at, records, total_cents)
                        VALUES (\(bind: file.bank), \(bind: file.convenio), \(bind: file.nsa), \(bind: file.generatedOn.iso), \(bind: now),
                          \(bind: file.payments.count), \(bind: file.total.cents))
                        ON CONFLICT (bank, convenio, nsa) DO NOTHING RETURNING id
                        """
                    ).first()
                else { throw AlreadyImported(nsa: file.nsa, bank: file.bank) }
                let fileId = try row.decode(column: "id", as: Int64.self)
                var touched: Set<Int64> = []
                for p in file.payments {
                    let (outcome, detail, agreement) = try await applyOne(p, companies: companies, db: db)
                    summary.outcomes[outcome, default: 0] += 1
                    if let agreement { touched.insert(agreement) }
                    if let detail { summary.details.append("NSR \(p.nsr): \(detail)") }
                    try await db.raw(
                        """
                        INSERT INTO arrecadacao_records (file_id, nsr, barcode, paid_on, credited_on, amount_cents, outcome, detail)
                        VALUES (\(bind: fileId), \(bind: p.nsr), \(bind: p.barcode.digits), \(bind: p.paidOn.iso),
                          \(bind: p.creditedOn.iso), \(bind: p.amount.cents), \(bind: outcome.rawValue), \(bind: detail))
                        """
                    ).run()
                }
                for id in touched.sorted() {
                    if try await settleIfPaid(id, now: now, db: db) { summary.settledAgreements.append(id) }
                }
                if dryRun { throw Rollback(summary: summary) }
                return summary
            }
        } catch let r as Rollback {
            return r.summary
        }
    }

    /// One payment: its outcome, a line for the operator when it needs one, and the agreement
    /// it paid an installment of.
    static func applyOne(_ p: ArrecadacaoRetorno.Payment, companies: Set<String>, db: any SQLDatabase) async throws -> (
        Outcome, String?, Int64?
    ) {
        guard companies.contains(p.barcode.company) else {
            return (
                .outraEmpresa,
                "empresa \(p.barcode.company) no código de barras (as nossas: \(companies.sorted().joined(separator: ", ")))", nil
            )
        }
        guard p.amount == p.barcode.amount else {
            return (.divergente, "recebido \(p.amount.formatted), o documento vale \(p.barcode.amount.formatted)", nil)
        }
        let channel = p.channel == "7" || p.channel == "g" ? "loterica" : "banco"
        switch ArrecadacaoRetorno.target(of: p.barcode) {
        case .bill(let id):
            return try await payBills([id], p, channel: channel, reference: "conta \(id)", db: db)
        case .statement(let id):
            if let reason = try await db.raw("SELECT voided_reason FROM statements WHERE id = \(bind: id)").first()?
                .decode(column: "voided_reason", as: String?.self)
            {
                return (.divergente, "extrato \(id) cancelado antes do pagamento (\(reason)): devolver ou abater", nil)
            }
            let ids = try await db.raw("SELECT bill_id FROM statement_lines WHERE statement_id = \(bind: id)").all().map {
                try $0.decode(column: "bill_id", as: Int64.self)
            }
            guard !ids.isEmpty else { return (.desconhecido, "extrato \(id) não existe", nil) }
            return try await payBills(ids, p, channel: channel, reference: "extrato \(id)", db: db)
        case .serviceFee(let id):
            if try await db.raw(
                "UPDATE service_fees SET paid_on = \(bind: p.paidOn.iso) WHERE id = \(bind: id) AND paid_on IS NULL RETURNING id"
            ).first() != nil {
                return (.aplicado, nil, nil)
            }
            let exists = try await db.raw("SELECT id FROM service_fees WHERE id = \(bind: id)").first() != nil
            return exists ? (.duplicado, "taxa \(id) já estava paga", nil) : (.desconhecido, "taxa \(id) não existe", nil)
        case .installment(let agreement, let seq):
            guard
                let a = try await db.raw("SELECT status FROM agreements WHERE id = \(bind: agreement)").first()?.decode(
                    column: "status", as: String.self)
            else { return (.desconhecido, "acordo \(agreement) não existe", nil) }
            guard a == Agreement.Status.ativo.rawValue else {
                return (.divergente, "parcela \(seq) do acordo \(agreement), que está \(a): devolver ou abater", nil)
            }
            if try await db.raw(
                """
                UPDATE agreement_installments SET paid_on = \(bind: p.paidOn.iso)
                WHERE agreement_id = \(bind: agreement) AND seq = \(bind: seq) AND paid_on IS NULL RETURNING seq
                """
            ).first() != nil {
                return (.aplicado, nil, agreement)
            }
            let exists =
                try await db.raw("SELECT seq FROM agreement_installments WHERE agreement_id = \(bind: agreement) AND seq = \(bind: seq)")
                .first() != nil
            return exists
                ? (.duplicado, "parcela \(seq) do acordo \(agreement) já estava paga", nil)
                : (.desconhecido, "parcela \(seq) do acordo \(agreement) não existe", nil)
        case .unknown:
            return (.desconhecido, "código de barras sem documento desta Agência Virtual", nil)
        }
    }

    /// Open bills become paid on the payment's date, each with its payment row.
    static func payBills(_ ids: [Int64], _ p: ArrecadacaoRetorno.Payment, channel: String, reference: String, db: any SQLDatabase)
        async throws -> (Outcome, String?, Int64?)
    {
        var paid = 0
        for id in ids {
            guard
                let bill = try await db.raw(
                    """
                    UPDATE bills SET situacao = 'paga', pago_em = \(bind: p.paidOn.iso)
                    WHERE id = \(bind: id) AND situacao = 'aberta' RETURNING matricula, valor_centavos - abatido_centavos AS valor_centavos
                    """
                ).first()
            else { continue }
            paid += 1
            try await db.raw(
                """
                INSERT INTO payments (matricula, bill_id, paid_on, amount_cents, channel, reference)
                VALUES (\(bind: try bill.decode(column: "matricula", as: String.self)), \(bind: id), \(bind: p.paidOn.iso),
                  \(bind: try bill.decode(column: "valor_centavos", as: Int64.self)), \(bind: channel), \(bind: reference))
                ON CONFLICT (bill_id) DO NOTHING
                """
            ).run()
        }
        if paid == ids.count { return (.aplicado, nil, nil) }
        let states = try await db.raw("SELECT situacao FROM bills WHERE id IN (\(unsafeRaw: ids.map(String.init).joined(separator: ",")))")
            .all().map { try $0.decode(column: "situacao", as: String.self) }
        if states.isEmpty { return (.desconhecido, "\(reference) não existe", nil) }
        if paid == 0, states.allSatisfy({ $0 == SituacaoConta.paga.rawValue }) { return (.duplicado, "\(reference) já estava paga", nil) }
        return (
            .divergente,
            "\(reference): \(paid) de \(ids.count) contas pagas agora; as outras estão \(Set(states).sorted().joined(separator: ", "))", nil
        )
    }

    /// An active agreement whose installments are all paid becomes `quitado`, and its bills
    /// `paga` on the last payment's date (payments of channel `acordo`).
    static func settleIfPaid(_ id: Int64, now: Int64, db: any SQLDatabase) async throws -> Bool {
        guard
            let row = try await db.raw(
                """
                SELECT COUNT(*) AS n, COUNT(paid_on) AS paid, MAX(paid_on) AS last FROM agreement_installments
                WHERE agreement_id = \(bind: id)
                """
            ).first(),
            try row.decode(column: "n", as: Int.self) == row.decode(column: "paid", as: Int.self),
            let last = try row.decode(column: "last", as: String?.self)
        else { return false }
        guard
            let a = try await db.raw(
                """
                UPDATE agreements SET status = 'quitado', ended_at = \(bind: now), end_reason = 'Todas as parcelas pagas.'
                WHERE id = \(bind: id) AND status = 'ativo' RETURNING matricula
                """
            ).first()
        else { return false }
        let matricula = try a.decode(column: "matricula", as: String.self)
        for b in try await db.raw("SELECT bill_id, amount_cents FROM agreement_bills WHERE agreement_id = \(bind: id)").all() {
            let bill = try b.decode(column: "bill_id", as: Int64.self)
            guard try await BillRepository.move(bill, from: .parcelada, to: .paga, paidOn: CivilDate(iso: last), db: db) else { continue }
            try await db.raw(
                """
                INSERT INTO payments (matricula, bill_id, paid_on, amount_cents, channel, reference)
                VALUES (\(bind: matricula), \(bind: bill), \(bind: last), \(bind: try b.decode(column: "amount_cents", as: Int64.self)),
                  'acordo', \(bind: "acordo \(id)"))
                ON CONFLICT (bill_id) DO NOTHING
                """
            ).run()
        }
        return true
    }
}
