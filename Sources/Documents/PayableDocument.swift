import Domain

/// A document the customer pays (bill second copy, payment statement): what the PDF shows.
/// Built by the server from its records; rendered by `PDFRenderer`.
public struct PayableDocument: Sendable {
    public enum Kind: Sendable {
        /// Segunda via of one bill.
        case bill
        /// Extrato de débitos: several bills, one barcode for the sum.
        case statement
        /// The fee of a service request (religação urgente, ligação nova…).
        case serviceFee
        public var title: String {
            switch self {
            case .bill: return "Segunda via da conta"
            case .statement: return "Extrato de débitos"
            case .serviceFee: return "Taxa de serviço"
            }
        }
    }

    /// The utility, as printed in the header.
    public struct Issuer: Sendable {
        public var name: String
        public var cnpj: String
        public var address: String
        public var contact: String
        public init(name: String, cnpj: String, address: String, contact: String) {
            self.name = name
            self.cnpj = cnpj
            self.address = address
            self.contact = contact
        }
    }

    /// One bill on the document, with its charges when paid late; or a service's fee.
    public struct Line: Sendable {
        /// What the "Referência" column shows: the bill's month, or the fee's protocol.
        public var reference: String
        /// The bill's month; nil for a fee.
        public var competencia: Competencia?
        public var due: CivilDate
        public var consumptionM3: Int?
        public var charges: LateCharges
        public init(competencia: Competencia, due: CivilDate, consumptionM3: Int?, charges: LateCharges) {
            reference = competencia.formatted
            self.competencia = competencia
            self.due = due
            self.consumptionM3 = consumptionM3
            self.charges = charges
        }

        /// A service's fee: no month, no consumption, no late charges.
        public init(fee amount: Money, reference: String, due: CivilDate) {
            self.reference = reference
            competencia = nil
            self.due = due
            consumptionM3 = nil
            charges = LateCharges(stored: amount, days: 0, fine: 0, interest: 0, correction: 0)
        }
    }

    public var kind: Kind
    public var number: String
    public var issuer: Issuer
    public var issuedOn: CivilDate
    public var customerName: String
    /// Masked for persons (LGPD: documents get printed at kiosks and left behind).
    public var customerDocument: String
    public var matricula: String
    public var address: String
    public var categoria: String
    public var lines: [Line]
    public var due: CivilDate
    public var barcode: ArrecadacaoBarcode
    public var pix: PixBRCode
    public var notes: [String]

    public var total: Money { lines.reduce(.zero) { $0 + $1.charges.total } }

    public init(
        kind: Kind, number: String, issuer: Issuer, issuedOn: CivilDate, customerName: String, customerDocument: String,
        matricula: String, address: String, categoria: String, lines: [Line], due: CivilDate, barcode: ArrecadacaoBarcode,
        pix: PixBRCode, notes: [String]
    ) {
        self.kind = kind
        self.number = number
        self.issuer = issuer
        self.issuedOn = issuedOn
        self.customerName = customerName
        self.customerDocument = customerDocument
        self.matricula = matricula
        self.address = address
        self.categoria = categoria
        self.lines = lines
        self.due = due
        self.barcode = barcode
        self.pix = pix
        self.notes = notes
    }
}
