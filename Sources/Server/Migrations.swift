import Foundation
import SQLKit

/// Versioned schema migrations, applied in order at start, each in its own transaction and
/// recorded in `schema_migrations`. Never edit a released migration: add a new one.
enum Migrations {
    /// A migration's statements; `{{ID}}` becomes an auto-increment key and `{{C}}` a byte-wise
    /// collation (so prefix ranges on search columns use the index on both engines), `{{BLOB}}` bytes;
    /// a statement starting `{{PG}}` runs on PostgreSQL only.
    static let all: [(version: Int, name: String, statements: [String])] = [
        (
            1, "foundation",
            [
                """
                CREATE TABLE customers (
                    documento TEXT PRIMARY KEY,
                    nome TEXT NOT NULL,
                    email TEXT,
                    telefone TEXT)
                """,
                """
                CREATE TABLE properties (
                    matricula TEXT PRIMARY KEY,
                    logradouro TEXT NOT NULL,
                    numero TEXT NOT NULL,
                    complemento TEXT,
                    bairro TEXT NOT NULL,
                    cidade TEXT NOT NULL,
                    uf TEXT NOT NULL,
                    cep TEXT NOT NULL,
                    categoria TEXT NOT NULL,
                    economias INTEGER NOT NULL,
                    situacao_ligacao TEXT NOT NULL,
                    esgoto INTEGER NOT NULL,
                    titular TEXT NOT NULL REFERENCES customers(documento))
                """,
                "CREATE INDEX properties_titular ON properties(titular)",
                """
                CREATE TABLE property_links (
                    matricula TEXT NOT NULL REFERENCES properties(matricula),
                    documento TEXT NOT NULL REFERENCES customers(documento),
                    papel TEXT NOT NULL,
                    PRIMARY KEY (matricula, documento))
                """,
                "CREATE INDEX property_links_documento ON property_links(documento)",
                """
                CREATE TABLE search_terms (
                    kind TEXT NOT NULL,
                    term TEXT {{C}} NOT NULL,
                    matricula TEXT NOT NULL,
                    PRIMARY KEY (kind, term, matricula))
                """,
                """
                CREATE TABLE bills (
                    id BIGINT PRIMARY KEY,
                    matricula TEXT NOT NULL REFERENCES properties(matricula),
                    competencia TEXT NOT NULL,
                    vencimento TEXT NOT NULL,
                    valor_centavos BIGINT NOT NULL,
                    situacao TEXT NOT NULL,
                    consumo_m3 INTEGER NOT NULL,
                    leitura_estimada INTEGER NOT NULL,
                    pago_em TEXT)
                """,
                "CREATE UNIQUE INDEX bills_matricula_competencia ON bills(matricula, competencia)",
                "CREATE INDEX bills_open ON bills(matricula, situacao, vencimento)",
                """
                CREATE TABLE staff (
                    usuario TEXT PRIMARY KEY,
                    nome TEXT NOT NULL,
                    senha_hash TEXT NOT NULL,
                    papel TEXT NOT NULL,
                    unidade TEXT NOT NULL,
                    ativo INTEGER NOT NULL)
                """,
                """
                CREATE TABLE sessions (
                    token_hash TEXT PRIMARY KEY,
                    kind TEXT NOT NULL,
                    matricula TEXT,
                    documento TEXT,
                    staff_usuario TEXT,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    revoked_at BIGINT)
                """,
                "CREATE INDEX sessions_expires ON sessions(expires_at)",
                """
                CREATE TABLE login_attempts (
                    scope TEXT PRIMARY KEY,
                    window_start BIGINT NOT NULL,
                    failures INTEGER NOT NULL)
                """,
                """
                CREATE TABLE audit_log (
                    id {{ID}},
                    at BIGINT NOT NULL,
                    staff_usuario TEXT NOT NULL,
                    action TEXT NOT NULL,
                    matricula TEXT,
                    detail TEXT)
                """,
                "CREATE INDEX audit_log_staff ON audit_log(staff_usuario, at)",
                "CREATE INDEX audit_log_matricula ON audit_log(matricula, at)",
            ]
        ),
        (
            2, "payments",
            [
                """
                CREATE TABLE payments (
                    id {{ID}},
                    matricula TEXT NOT NULL,
                    bill_id BIGINT NOT NULL,
                    paid_on TEXT NOT NULL,
                    amount_cents BIGINT NOT NULL,
                    channel TEXT NOT NULL,
                    reference TEXT)
                """,
                "CREATE UNIQUE INDEX payments_bill ON payments(bill_id)",
                "CREATE INDEX payments_matricula ON payments(matricula, paid_on)",
                """
                CREATE TABLE statements (
                    id {{ID}},
                    matricula TEXT NOT NULL,
                    created_at BIGINT NOT NULL,
                    issued_on TEXT NOT NULL,
                    due_on TEXT NOT NULL,
                    total_cents BIGINT NOT NULL,
                    barcode TEXT NOT NULL,
                    pix TEXT NOT NULL,
                    created_by TEXT)
                """,
                "CREATE INDEX statements_matricula ON statements(matricula, created_at)",
                """
                CREATE TABLE statement_lines (
                    statement_id BIGINT NOT NULL,
                    bill_id BIGINT NOT NULL,
                    original_cents BIGINT NOT NULL,
                    fine_cents BIGINT NOT NULL,
                    interest_cents BIGINT NOT NULL,
                    correction_cents BIGINT NOT NULL,
                    days_late INTEGER NOT NULL,
                    PRIMARY KEY (statement_id, bill_id))
                """,
                """
                CREATE TABLE idempotency_keys (
                    scope TEXT NOT NULL,
                    idem_key TEXT NOT NULL,
                    request_hash TEXT NOT NULL,
                    resource_id BIGINT,
                    created_at BIGINT NOT NULL,
                    PRIMARY KEY (scope, idem_key))
                """,
                "CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at)",
                """
                CREATE TABLE card_payments (
                    id {{ID}},
                    matricula TEXT NOT NULL,
                    company TEXT NOT NULL,
                    status TEXT NOT NULL,
                    amount_cents BIGINT NOT NULL,
                    fee_cents BIGINT NOT NULL,
                    created_at BIGINT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    decided_at BIGINT,
                    company_reference TEXT,
                    instructions TEXT,
                    created_by TEXT)
                """,
                "CREATE INDEX card_payments_matricula ON card_payments(matricula, created_at)",
                "CREATE INDEX card_payments_pending ON card_payments(status, expires_at)",
                """
                CREATE TABLE card_payment_bills (
                    card_payment_id BIGINT NOT NULL,
                    bill_id BIGINT NOT NULL,
                    amount_cents BIGINT NOT NULL,
                    PRIMARY KEY (card_payment_id, bill_id))
                """,
                "CREATE INDEX card_payment_bills_bill ON card_payment_bills(bill_id)",
                """
                CREATE TABLE correction_index (
                    competencia TEXT PRIMARY KEY,
                    ppm BIGINT NOT NULL,
                    source TEXT NOT NULL)
                """,
                """
                CREATE TABLE email_outbox (
                    id {{ID}},
                    dedupe_key TEXT NOT NULL,
                    matricula TEXT NOT NULL,
                    recipient TEXT NOT NULL,
                    document_kind TEXT NOT NULL,
                    document_id BIGINT NOT NULL,
                    status TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    next_attempt_at BIGINT NOT NULL,
                    claimed_until BIGINT,
                    sent_at BIGINT,
                    last_error TEXT,
                    created_at BIGINT NOT NULL,
                    requested_by TEXT)
                """,
                "CREATE UNIQUE INDEX email_outbox_dedupe ON email_outbox(dedupe_key)",
                "CREATE INDEX email_outbox_due ON email_outbox(status, next_attempt_at)",
                "CREATE INDEX email_outbox_matricula ON email_outbox(matricula, created_at)",
            ]
        ),
        (
            3, "services",
            [
                """
                CREATE TABLE tariff_tables (
                    id {{ID}},
                    categoria TEXT NOT NULL,
                    valid_from TEXT NOT NULL,
                    minimum_m3 INTEGER NOT NULL,
                    minimum_cents BIGINT NOT NULL,
                    minimum_discount_percent INTEGER NOT NULL,
                    sewage_percent INTEGER NOT NULL,
                    source TEXT NOT NULL,
                    imported_at BIGINT NOT NULL)
                """,
                "CREATE UNIQUE INDEX tariff_tables_version ON tariff_tables(categoria, valid_from)",
                """
                CREATE TABLE tariff_bands (
                    table_id BIGINT NOT NULL,
                    seq INTEGER NOT NULL,
                    up_to_m3 INTEGER,
                    price_per_m3 TEXT NOT NULL,
                    discount_percent INTEGER NOT NULL,
                    PRIMARY KEY (table_id, seq))
                """,
                "ALTER TABLE properties ADD COLUMN dia_vencimento INTEGER NOT NULL DEFAULT 10",
                """
                UPDATE properties SET dia_vencimento = COALESCE(
                    (SELECT CAST(SUBSTR(b.vencimento, 9, 2) AS INTEGER) FROM bills b
                     WHERE b.matricula = properties.matricula ORDER BY b.competencia DESC LIMIT 1), 10)
                """,
                """
                CREATE TABLE due_date_changes (
                    id {{ID}},
                    matricula TEXT NOT NULL,
                    from_day INTEGER NOT NULL,
                    to_day INTEGER NOT NULL,
                    changed_on TEXT NOT NULL,
                    changed_at BIGINT NOT NULL,
                    channel TEXT NOT NULL,
                    staff_usuario TEXT)
                """,
                "CREATE INDEX due_date_changes_matricula ON due_date_changes(matricula, changed_at)",
            ]
        ),
        (
            4, "connection_since",
            [
                // Since when a connection is cut, removed…: null when unknown (and for active ones).
                "ALTER TABLE properties ADD COLUMN situacao_desde TEXT"
            ]
        ),
        (
            5, "protocols",
            [
                // The utility's units (where protocols go) and the protocol types: data, imported.
                "CREATE TABLE units (code TEXT PRIMARY KEY, name TEXT NOT NULL, active INTEGER NOT NULL DEFAULT 1)",
                """
                CREATE TABLE protocol_types (
                    code TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    description TEXT NOT NULL,
                    default_unit TEXT NOT NULL,
                    deadline_days INTEGER,
                    public INTEGER NOT NULL,
                    active INTEGER NOT NULL DEFAULT 1,
                    imported_at BIGINT NOT NULL)
                """,
                // The year's last number, taken in the creating transaction: gap-free.
                "CREATE TABLE protocol_counters (year INTEGER PRIMARY KEY, last INTEGER NOT NULL)",
                """
                CREATE TABLE protocols (
                    number TEXT PRIMARY KEY,
                    year INTEGER NOT NULL,
                    seq INTEGER NOT NULL,
                    type_code TEXT NOT NULL,
                    subject TEXT NOT NULL,
                    body TEXT NOT NULL,
                    situation TEXT NOT NULL,
                    unit TEXT NOT NULL,
                    requester_kind TEXT NOT NULL,
                    requester_document TEXT NOT NULL,
                    requester_name TEXT NOT NULL,
                    matricula TEXT,
                    phone TEXT,
                    email TEXT,
                    channel TEXT NOT NULL,
                    opened_at BIGINT NOT NULL,
                    opened_by TEXT,
                    deadline_at BIGINT,
                    updated_at BIGINT NOT NULL,
                    UNIQUE (year, seq))
                """,
                "CREATE INDEX protocols_queue ON protocols(unit, situation, opened_at)",
                "CREATE INDEX protocols_requester ON protocols(requester_document, opened_at)",
                "CREATE INDEX protocols_matricula ON protocols(matricula, opened_at)",
                """
                CREATE TABLE protocol_steps (
                    id {{ID}},
                    number TEXT NOT NULL,
                    at BIGINT NOT NULL,
                    action TEXT NOT NULL,
                    situation TEXT NOT NULL,
                    from_unit TEXT,
                    to_unit TEXT,
                    text TEXT,
                    public INTEGER NOT NULL,
                    staff_usuario TEXT,
                    detail TEXT)
                """,
                "CREATE INDEX protocol_steps_number ON protocol_steps(number, id)",
            ]
        ),
        (
            6, "protocol_attachments",
            [
                // A file uploaded by staff is bound to a protocol's step by the step that carries it
                // (number and step_id stay null until then); its bytes live here, so every
                // instance serves it.
                """
                CREATE TABLE protocol_attachments (
                    id {{ID}},
                    number TEXT,
                    step_id BIGINT,
                    name TEXT NOT NULL,
                    media_type TEXT NOT NULL,
                    size BIGINT NOT NULL,
                    sha256 TEXT NOT NULL,
                    content {{BLOB}} NOT NULL,
                    uploaded_by TEXT NOT NULL,
                    uploaded_at BIGINT NOT NULL)
                """,
                "CREATE INDEX protocol_attachments_number ON protocol_attachments(number, step_id)",
                // The queue: a unit's open protocols in order, without the concluded ones that pile
                // up behind them; `search` holds the words a filter matches (SearchText terms).
                "CREATE INDEX protocols_open_queue ON protocols(unit, opened_at, number) WHERE situation <> 'concluido'",
                "ALTER TABLE protocols ADD COLUMN search TEXT",
                "UPDATE protocols SET search = ' ' || UPPER(number || ' ' || subject || ' ' || requester_name) || ' '",
                // How many open protocols each unit holds by situation, kept by the transactions
                // that create and move protocols (the queue's counts, without counting the queue).
                "CREATE TABLE protocol_queue_counts (unit TEXT NOT NULL, situation TEXT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (unit, situation))",
                """
                INSERT INTO protocol_queue_counts (unit, situation, n)
                SELECT unit, situation, COUNT(*) FROM protocols WHERE situation <> 'concluido' GROUP BY unit, situation
                """,
                "CREATE INDEX protocol_attachments_unbound ON protocol_attachments(step_id, uploaded_at)",
            ]
        ),
        (
            7, "service_requests",
            [
                // What a protocol type that is a service adds (name, description and unit stay in
                // protocol_types): deadline, fee, form, who may ask.
                """
                CREATE TABLE service_types (
                    code TEXT PRIMARY KEY,
                    deadline_days INTEGER,
                    deadline_hours INTEGER,
                    fee_cents BIGINT,
                    fee_on TEXT NOT NULL,
                    fields TEXT NOT NULL,
                    situations TEXT NOT NULL,
                    situation_reason TEXT NOT NULL,
                    no_overdue INTEGER NOT NULL,
                    needs_property INTEGER NOT NULL,
                    active INTEGER NOT NULL DEFAULT 1)
                """,
                // A service request is a protocol with these: when it is expected, the form's
                // answers (JSON) and the fee charged.
                "ALTER TABLE protocols ADD COLUMN service INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE protocols ADD COLUMN expected_at BIGINT",
                "ALTER TABLE protocols ADD COLUMN answers TEXT",
                "ALTER TABLE protocols ADD COLUMN fee_cents BIGINT",
                // The duplicate guard: a property's pending request of a type.
                "CREATE INDEX protocols_pending ON protocols(matricula, type_code) WHERE situation <> 'concluido'",
            ]
        ),
        (
            8, "service_fees",
            [
                // A service request's fee: a payable document issued with the request (codes and
                // due date stored, so a reprint is the same document), or a charge waiting for
                // the property's next bill (`proxima_conta`, billed_on set by the billing run).
                """
                CREATE TABLE service_fees (
                    id {{ID}},
                    protocol_number TEXT NOT NULL UNIQUE,
                    matricula TEXT NOT NULL,
                    type_code TEXT NOT NULL,
                    description TEXT NOT NULL,
                    amount_cents BIGINT NOT NULL,
                    collection TEXT NOT NULL,
                    issued_on TEXT NOT NULL,
                    due_on TEXT,
                    barcode TEXT,
                    pix TEXT,
                    billed_on TEXT,
                    payer_name TEXT,
                    payer_document TEXT,
                    payer_address TEXT,
                    created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX service_fees_matricula ON service_fees(matricula, id)",
            ]
        ),
        (
            9, "ouvidoria",
            [
                // A manifestation is a protocol marked `ouvidoria`, with how many times its legal
                // deadline was extended (once at most), the hash of an anonymous one's secret,
                // and the last local day its unit was alerted while it waited to be received.
                "ALTER TABLE protocols ADD COLUMN ouvidoria INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE protocols ADD COLUMN extensions INTEGER NOT NULL DEFAULT 0",
                "ALTER TABLE protocols ADD COLUMN secret_hash TEXT",
                "ALTER TABLE protocols ADD COLUMN alerted_on TEXT",
                // The header's counters and the supervisor's overdue list.
                "CREATE INDEX protocols_ouvidoria ON protocols(situation, deadline_at) WHERE ouvidoria = 1",
            ]
        ),
        (
            10, "email_changes",
            [
                // A person's new e-mail address waiting for the code sent to it: the code is kept
                // until its message leaves (the outbox renders the message when it sends it, then
                // forgets it, issue 27) and compared with its hash; `by_staff` for a change recorded at a counter without code.
                """
                CREATE TABLE email_changes (
                    id {{ID}},
                    documento TEXT NOT NULL,
                    matricula TEXT NOT NULL,
                    new_email TEXT NOT NULL,
                    old_email TEXT,
                    code TEXT,
                    code_hash TEXT NOT NULL,
                    expires_at BIGINT NOT NULL,
                    attempts INTEGER NOT NULL DEFAULT 0,
                    status TEXT NOT NULL,
                    by_staff TEXT,
                    created_at BIGINT NOT NULL,
                    ended_at BIGINT)
                """,
                "CREATE INDEX email_changes_documento ON email_changes(documento, status)",
                "CREATE INDEX email_changes_matricula ON email_changes(matricula, created_at)",
                // Since when each person is linked to a property (the counter's customer record).
                "ALTER TABLE property_links ADD COLUMN linked_at BIGINT",
            ]
        ),
        (
            11, "service_documents",
            [
                // What a service asks to be shown or handed in, and where (the kiosk says it).
                "ALTER TABLE service_types ADD COLUMN documents TEXT"
            ]
        ),
        (
            12, "agreements",
            [
                // An installment agreement as signed: its terms, its bills (moved to `parcelada`)
                // and its installments — seq 0 the down payment — each with its stored codes.
                """
                CREATE TABLE agreements (
                    id {{ID}},
                    matricula TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    status TEXT NOT NULL,
                    debt_cents BIGINT NOT NULL,
                    down_payment_cents BIGINT NOT NULL,
                    installment_count INTEGER NOT NULL,
                    rate_bp INTEGER NOT NULL,
                    signed_on TEXT NOT NULL,
                    signed_at BIGINT NOT NULL,
                    signer_document TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    staff TEXT,
                    ended_at BIGINT,
                    end_reason TEXT)
                """,
                "CREATE INDEX agreements_matricula ON agreements(matricula, id)",
                """
                CREATE TABLE agreement_bills (
                    agreement_id BIGINT NOT NULL,
                    bill_id BIGINT NOT NULL,
                    amount_cents BIGINT NOT NULL,
                    PRIMARY KEY (agreement_id, bill_id))
                """,
                """
                CREATE TABLE agreement_installments (
                    agreement_id BIGINT NOT NULL,
                    seq INTEGER NOT NULL,
                    due_on TEXT NOT NULL,
                    amount_cents BIGINT NOT NULL,
                    barcode TEXT NOT NULL,
                    pix TEXT NOT NULL,
                    paid_on TEXT,
                    PRIMARY KEY (agreement_id, seq))
                """,
            ]
        ),
        (
            13, "certidoes",
            [
                // A certidão as issued: what it certifies, for whom (as printed), until when, and
                // its verification code (unique; anyone checks it without logging in).
                """
                CREATE TABLE certidoes (
                    id {{ID}},
                    code TEXT NOT NULL UNIQUE,
                    matricula TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    issued_on TEXT NOT NULL,
                    valid_until TEXT NOT NULL,
                    holder_name TEXT NOT NULL,
                    holder_document TEXT NOT NULL,
                    address TEXT NOT NULL,
                    issued_at BIGINT NOT NULL,
                    staff TEXT)
                """,
                "CREATE INDEX certidoes_matricula ON certidoes(matricula, id)",
                // Keys the server generates once for all its instances (the certidão seal's).
                "CREATE TABLE signing_keys (name TEXT PRIMARY KEY, private_key TEXT NOT NULL)",
            ]
        ),
        (
            14, "declaracoes",
            [
                // The declaração anual de quitação as issued, once per property and year (the
                // batch and a request at the same time still make one); `lines` the bills it lists.
                """
                CREATE TABLE declaracoes (
                    id {{ID}},
                    matricula TEXT NOT NULL,
                    ano INTEGER NOT NULL,
                    issued_on TEXT NOT NULL,
                    issued_at BIGINT NOT NULL,
                    holder_name TEXT NOT NULL,
                    holder_document TEXT NOT NULL,
                    address TEXT NOT NULL,
                    lines TEXT NOT NULL,
                    channel TEXT NOT NULL,
                    staff TEXT,
                    UNIQUE (matricula, ano))
                """,
                // Which agreement holds a bill (the declaração and the certidão ask).
                "CREATE INDEX agreement_bills_bill ON agreement_bills(bill_id)",
                // A batch's lease (one instance runs it) and how far it got (a rerun continues).
                """
                CREATE TABLE batch_runs (
                    name TEXT PRIMARY KEY,
                    holder TEXT NOT NULL,
                    lease_until BIGINT NOT NULL,
                    cursor TEXT,
                    finished_at BIGINT)
                """,
            ]
        ),
        (
            15, "arrecadacao",
            [
                // The banks' return files (FEBRABAN arrecadação), each imported once, and what
                // each payment did: applied, a duplicate, a divergent amount, unknown, another company's.
                """
                CREATE TABLE arrecadacao_files (
                    id {{ID}},
                    bank TEXT NOT NULL,
                    convenio TEXT NOT NULL,
                    nsa INTEGER NOT NULL,
                    generated_on TEXT NOT NULL,
                    imported_at BIGINT NOT NULL,
                    records INTEGER NOT NULL,
                    total_cents BIGINT NOT NULL,
                    UNIQUE (bank, convenio, nsa))
                """,
                """
                CREATE TABLE arrecadacao_records (
                    file_id BIGINT NOT NULL,
                    nsr INTEGER NOT NULL,
                    barcode TEXT NOT NULL,
                    paid_on TEXT NOT NULL,
                    credited_on TEXT NOT NULL,
                    amount_cents BIGINT NOT NULL,
                    outcome TEXT NOT NULL,
                    detail TEXT,
                    PRIMARY KEY (file_id, nsr))
                """,
                "CREATE INDEX arrecadacao_records_barcode ON arrecadacao_records(barcode)",
                "ALTER TABLE service_fees ADD COLUMN paid_on TEXT",
                // What a broken agreement already paid of a bill it gives back open (the bill's
                // value less this is what remains to pay).
                "ALTER TABLE bills ADD COLUMN abatido_centavos BIGINT NOT NULL DEFAULT 0",
                // The hourly check of active agreements for late installments.
                "CREATE INDEX agreements_status ON agreements(status, id)",
            ]
        ),
        (
            16, "divida_ativa",
            [
                // When an overdue bill was inscribed in dívida ativa (null: it was not): such
                // debts are negotiated in their own kind of agreement.
                "ALTER TABLE bills ADD COLUMN divida_ativa_em TEXT"
            ]
        ),
        (
            17, "session_hardening",
            [
                // Sessions end on the server after a time without requests (`idle_seconds`,
                // fixed at login) as well as at `expires_at`; `last_seen_at` is refreshed at
                // most every `SessionRepository.touchSeconds`.
                "ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0",
                "ALTER TABLE sessions ADD COLUMN idle_seconds BIGINT NOT NULL DEFAULT 0",
                // The terminal that logged in (its credential, DECISIONS 62) and the client's
                // address: the audit trail says where an action came from.
                "ALTER TABLE sessions ADD COLUMN terminal TEXT",
                "ALTER TABLE sessions ADD COLUMN client_address TEXT",
                // Staff: the mode of the terminal logged in from (counter or staff).
                "ALTER TABLE sessions ADD COLUMN mode TEXT",
                "ALTER TABLE audit_log ADD COLUMN terminal TEXT",
                "ALTER TABLE audit_log ADD COLUMN client_address TEXT",
                // The supervisor's audit screen: newest first (by id), filtered by staff member,
                // property, action or dates.
                "CREATE INDEX audit_log_staff_id ON audit_log(staff_usuario, id)",
                "CREATE INDEX audit_log_matricula_id ON audit_log(matricula, id)",
                "CREATE INDEX audit_log_action_id ON audit_log(action, id)",
                "CREATE INDEX audit_log_at ON audit_log(at)",
            ]
        ),
        (
            18, "change_feed",
            [
                // PostgreSQL only ({{PG}}): what an instance keeps in memory is announced on
                // `agencia_changes` when anyone changes it (ChangeFeed, DECISIONS 68). A
                // session's end or revocation; not its `last_seen_at`, written every 15 s.
                """
                {{PG}}CREATE FUNCTION agencia_session_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM pg_notify('agencia_changes', 's:' || OLD.token_hash); RETURN NULL; END $$
                """,
                """
                {{PG}}CREATE TRIGGER sessions_changed AFTER DELETE OR UPDATE OF revoked_at, expires_at, idle_seconds, kind,
                  matricula, documento, staff_usuario ON sessions FOR EACH ROW EXECUTE FUNCTION agencia_session_changed()
                """,
                // A staff account's role, unit or activity is part of every one of its sessions.
                """
                {{PG}}CREATE FUNCTION agencia_table_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN PERFORM pg_notify('agencia_changes', TG_ARGV[0]); RETURN NULL; END $$
                """,
                """
                {{PG}}CREATE TRIGGER staff_changed AFTER UPDATE OR DELETE ON staff
                  FOR EACH STATEMENT EXECUTE FUNCTION agencia_table_changed('staff')
                """,
                """
                {{PG}}CREATE TRIGGER correction_index_changed AFTER INSERT OR UPDATE OR DELETE ON correction_index
                  FOR EACH STATEMENT EXECUTE FUNCTION agencia_table_changed('correction_index')
                """,
            ]
        ),
        (
            19, "certidao_revocation",
            [
                // A certidão revoked (issue 27): by a supervisor, or by the rule that finds the ones
                // issued on facts since found false (`revoked_by` = 'regra'); the public
                // verification reports it with the reason.
                "ALTER TABLE certidoes ADD COLUMN revoked_at BIGINT",
                "ALTER TABLE certidoes ADD COLUMN revoked_by TEXT",
                "ALTER TABLE certidoes ADD COLUMN revoked_reason TEXT",
                // The rule walks the certidões still in force, by id.
                "CREATE INDEX certidoes_in_force ON certidoes(valid_until, id) WHERE revoked_at IS NULL",
            ]
        ),
        (
            20, "idempotency_first_status",
            [
                // The first answer's status when it was not the operation's usual one (a statement
                // already issued: 200), so that a replay answers the same (issue 27).
                "ALTER TABLE idempotency_keys ADD COLUMN first_status INTEGER"
            ]
        ),
        (
            21, "protocol_privacy",
            [
                // A requester typed without a session or an attendant to prove it (issue 27): the
                // protocol is attached to no person's and no property's records.
                "ALTER TABLE protocols ADD COLUMN identity_declared INTEGER NOT NULL DEFAULT 0",
                // Whether an attendant has the protocol's customer at the counter: the property
                // they opened on screen during the shift.
                "CREATE INDEX audit_log_staff_matricula ON audit_log(staff_usuario, matricula, at)",
                // A staff member's uploads of the last day (their attachment quotas).
                "CREATE INDEX protocol_attachments_uploader ON protocol_attachments(uploaded_by, uploaded_at)",
            ]
        ),
        (
            22, "backups",
            [
                // Each good backup (`agencia-server backup`, issue 29): the server reports the
                // newest one's age (`agencia_backup_age_seconds`).
                """
                CREATE TABLE backups (id {{ID}}, taken_at BIGINT NOT NULL, folder TEXT NOT NULL, engine TEXT NOT NULL,
                  schema_version INTEGER NOT NULL, bytes BIGINT NOT NULL, sha256 TEXT NOT NULL, row_count BIGINT NOT NULL)
                """,
                "CREATE INDEX backups_taken_at ON backups(taken_at)",
            ]
        ),
        (
            23, "interchange",
            [
                // Issue 30, DECISIONS 93: what the utility's commercial system loads (`carga`).
                // A customer of the source by its code (one without CPF/CNPJ is kept under
                // `origem<code>`, `CustomerKey`); inactive when the source excluded it or a complete package
                // left it out — never deleted, statements, protocols and payments point at it.
                "ALTER TABLE customers ADD COLUMN codigo_origem TEXT",
                "ALTER TABLE customers ADD COLUMN ativo INTEGER NOT NULL DEFAULT 1",
                "CREATE UNIQUE INDEX customers_codigo_origem ON customers(codigo_origem) WHERE codigo_origem IS NOT NULL",
                "ALTER TABLE properties ADD COLUMN ativo INTEGER NOT NULL DEFAULT 1",
                "ALTER TABLE properties ADD COLUMN hidrometro TEXT",
                // The source's own words for the water connection's situation, shown beside ours.
                "ALTER TABLE properties ADD COLUMN situacao_origem TEXT",
                // A bill of the source by its id; the barcode it printed (else the agência makes
                // its own); its situation there when the agência has no such situation
                // (cancelada, substituida, prescrita…: not owed, `SituacaoConta.baixada`).
                "ALTER TABLE bills ADD COLUMN origem_id TEXT",
                "ALTER TABLE bills ADD COLUMN codigo_barras_origem TEXT",
                "ALTER TABLE bills ADD COLUMN situacao_origem TEXT",
                "CREATE UNIQUE INDEX bills_origem_id ON bills(origem_id) WHERE origem_id IS NOT NULL",
                // A month has one bill in force; a cancelled or replaced one may sit beside it
                // (GSAN.md §3.3: a retified month has two rows).
                "DROP INDEX bills_matricula_competencia",
                "CREATE INDEX bills_matricula_competencia ON bills(matricula, competencia)",
                "CREATE UNIQUE INDEX bills_month_in_force ON bills(matricula, competencia) WHERE situacao <> 'baixada'",
                "ALTER TABLE payments ADD COLUMN origem_id TEXT",
                "CREATE UNIQUE INDEX payments_origem_id ON payments(origem_id) WHERE origem_id IS NOT NULL",
                // The source's links, their whole history: the holder and the people the
                // agência shows (`property_links`) are derived from the ones in force.
                """
                CREATE TABLE source_links (
                    matricula TEXT NOT NULL,
                    codigo_cliente TEXT NOT NULL,
                    tipo TEXT NOT NULL,
                    inicio TEXT NOT NULL,
                    fim TEXT,
                    nome_na_conta INTEGER NOT NULL,
                    load_id BIGINT NOT NULL,
                    PRIMARY KEY (matricula, codigo_cliente, tipo, inicio))
                """,
                "CREATE INDEX source_links_cliente ON source_links(codigo_cliente)",
                // A load writes a property's search terms again and ends the sessions of a holder
                // who left: each by property, not by a scan of the table.
                "CREATE INDEX search_terms_matricula ON search_terms(matricula, kind)",
                "CREATE INDEX sessions_matricula ON sessions(matricula) WHERE revoked_at IS NULL",
                // A statement whose bill the source changed (rectified, cancelled, paid) is void:
                // not shown as payable, its payment at a bank goes to the back office.
                "ALTER TABLE statements ADD COLUMN voided_at BIGINT",
                "ALTER TABLE statements ADD COLUMN voided_reason TEXT",
                // The readings of the source, month by month.
                """
                CREATE TABLE readings (
                    matricula TEXT NOT NULL,
                    referencia TEXT NOT NULL,
                    ponto TEXT NOT NULL,
                    hidrometro TEXT,
                    data_leitura TEXT,
                    leitura BIGINT,
                    consumo_medido BIGINT,
                    consumo_faturado BIGINT NOT NULL,
                    consumo_medio BIGINT,
                    tipo_consumo TEXT NOT NULL,
                    anormalidade TEXT,
                    PRIMARY KEY (matricula, referencia, ponto))
                """,
                // Each package loaded (its files' SHA-256: a package is applied once), and what
                // the running one has seen: its keys (references and `completo`'s "missing") and
                // the rows it set aside.
                """
                CREATE TABLE interchange_loads (
                    id {{ID}}, fingerprint TEXT NOT NULL, modo TEXT NOT NULL, started_at BIGINT NOT NULL,
                    finished_at BIGINT, report TEXT)
                """,
                "CREATE UNIQUE INDEX interchange_loads_applied ON interchange_loads(fingerprint) WHERE finished_at IS NOT NULL",
                "CREATE TABLE interchange_keys (arquivo TEXT NOT NULL, chave TEXT {{C}} NOT NULL, PRIMARY KEY (arquivo, chave))",
                """
                CREATE TABLE interchange_set_aside (arquivo TEXT NOT NULL, linha BIGINT NOT NULL, chave TEXT, motivos TEXT NOT NULL,
                  PRIMARY KEY (arquivo, linha))
                """,
            ]
        ),
        (
            24, "integration_events",
            [
                // Issue 31, DECISIONS 94: what the utility's service-management system hears of the
                // protocols, written in the change's own transaction (`IntegrationEvents`). `seq` is
                // the order of writing; `id`, the public one, is given by the one publisher to the
                // rows already committed, so the feed's ids only grow.
                """
                CREATE TABLE integration_events (
                    seq {{ID}},
                    id BIGINT,
                    protocol TEXT NOT NULL,
                    protocol_seq INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    body TEXT NOT NULL,
                    created_at BIGINT NOT NULL)
                """,
                "CREATE UNIQUE INDEX integration_events_id ON integration_events(id) WHERE id IS NOT NULL",
                "CREATE INDEX integration_events_pending ON integration_events(seq) WHERE id IS NULL",
                "CREATE UNIQUE INDEX integration_events_protocol ON integration_events(protocol, protocol_seq)",
            ]
        ),
        (
            25, "integration_answers",
            [
                // Issue 31: the source systems' keys (only their SHA-256; one live key per name,
                // revoked ones kept for the audit), what a source said of a request, and the
                // webhooks' deliveries (a row per event and webhook: its lease, tries and fate).
                """
                CREATE TABLE integration_keys (
                    id {{ID}},
                    name TEXT NOT NULL,
                    key_hash TEXT NOT NULL UNIQUE,
                    created_at BIGINT NOT NULL,
                    revoked_at BIGINT)
                """,
                "CREATE UNIQUE INDEX integration_keys_live ON integration_keys(name) WHERE revoked_at IS NULL",
                "ALTER TABLE protocols ADD COLUMN source_name TEXT",
                "ALTER TABLE protocols ADD COLUMN source_id TEXT",
                "ALTER TABLE protocols ADD COLUMN source_number TEXT",
                "ALTER TABLE protocols ADD COLUMN source_confirmed_at BIGINT",
                "ALTER TABLE protocols ADD COLUMN source_expected_on TEXT",
                "ALTER TABLE protocol_steps ADD COLUMN source TEXT",
                "ALTER TABLE integration_events ADD COLUMN sent_at BIGINT",
                // A source's answer is applied once: its key is the protocol and the moment the
                // source says it happened, by the API or by file; `digest` tells a replay from a
                // different answer given the same key.
                """
                CREATE TABLE integration_answers (
                    protocol TEXT NOT NULL,
                    source_at BIGINT NOT NULL,
                    source TEXT NOT NULL,
                    digest TEXT NOT NULL,
                    step_id BIGINT,
                    applied_at BIGINT NOT NULL,
                    PRIMARY KEY (protocol, source_at))
                """,
                """
                CREATE TABLE integration_answer_files (
                    sha256 TEXT PRIMARY KEY,
                    name TEXT NOT NULL,
                    lines INTEGER NOT NULL,
                    applied_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE integration_deliveries (
                    webhook TEXT NOT NULL,
                    event_id BIGINT NOT NULL,
                    protocol TEXT NOT NULL,
                    state TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    next_at BIGINT NOT NULL,
                    lease_owner TEXT,
                    lease_until BIGINT,
                    last_status INTEGER,
                    last_error TEXT,
                    delivered_at BIGINT,
                    updated_at BIGINT NOT NULL,
                    PRIMARY KEY (webhook, event_id))
                """,
                "CREATE INDEX integration_deliveries_due ON integration_deliveries(webhook, state, next_at)",
                "CREATE INDEX integration_deliveries_protocol ON integration_deliveries(webhook, protocol, event_id)",
                "CREATE INDEX integration_deliveries_state ON integration_deliveries(state, updated_at)",
                "CREATE TABLE integration_webhook_cursors (webhook TEXT PRIMARY KEY, last_event_id BIGINT NOT NULL)",
            ]
        ),
    ]

    /// The newest schema this program knows.
    static var latest: Int { all.last?.version ?? 0 }

    /// Applies the migrations not yet recorded. On PostgreSQL an advisory lock makes several
    /// instances starting together apply each migration once; SQLite's `BEGIN IMMEDIATE` does
    /// the same.
    /// `upTo`: stop after that version (tests make a database of an older release).
    static func run(on store: any Store, now: Int64, upTo: Int = .max) async throws {
        let postgres = store.engine == .postgres
        try await store.write { db in
            if postgres { try await db.raw("SELECT pg_advisory_xact_lock(424242)").run() }
            try await db.raw(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
            ).run()
        }
        for m in all where m.version <= upTo {
            try await store.write { db in
                if postgres { try await db.raw("SELECT pg_advisory_xact_lock(424242)").run() }
                let done = try await db.raw("SELECT version FROM schema_migrations WHERE version = \(bind: m.version)").first()
                guard done == nil else { return }
                for var s in m.statements {
                    if s.hasPrefix("{{PG}}") {
                        guard postgres else { continue }
                        s.removeFirst("{{PG}}".count)
                    }
                    let sql =
                        s
                        .replacingOccurrences(of: "{{ID}}", with: postgres ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT")
                        .replacingOccurrences(of: "{{C}}", with: postgres ? "COLLATE \"C\"" : "")
                        .replacingOccurrences(of: "{{BLOB}}", with: postgres ? "BYTEA" : "BLOB")
                    try await db.raw(SQLQueryString(sql)).run()
                }
                try await db.raw(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(bind: m.version), \(bind: m.name), \(bind: now))"
                ).run()
            }
        }
    }
}
