import Domain

/// An agreement's carnê (PRODUCT.md C1): a first page with the terms, then one payment slip per
/// installment — each with its FEBRABAN barcode, linha digitável and PIX — three to a page.
public struct Carne: Sendable {
    public struct Slip: Sendable {
        /// `Entrada`, `Parcela 3 de 12`.
        public var label: String
        public var due: CivilDate
        public var amount: Money
        public var barcode: ArrecadacaoBarcode
        public var pix: PixBRCode
        public init(label: String, due: CivilDate, amount: Money, barcode: ArrecadacaoBarcode, pix: PixBRCode) {
            self.label = label
            self.due = due
            self.amount = amount
            self.barcode = barcode
            self.pix = pix
        }
    }

    public var issuer: PayableDocument.Issuer
    /// `Acordo de parcelamento nº 12` (or of dívida ativa).
    public var title: String
    public var customerName: String
    public var customerDocument: String
    public var matricula: String
    public var address: String
    /// The terms, one paragraph per line, as signed.
    public var terms: [String]
    public var slips: [Slip]

    public init(
        issuer: PayableDocument.Issuer, title: String, customerName: String, customerDocument: String, matricula: String, address: String,
        terms: [String], slips: [Slip]
    ) {
        self.issuer = issuer
        self.title = title
        self.customerName = customerName
        self.customerDocument = customerDocument
        self.matricula = matricula
        self.address = address
        self.terms = terms
        self.slips = slips
    }

    public static let slipsPerPage = 3
}
