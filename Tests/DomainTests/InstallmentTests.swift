import Domain
import Foundation
import XCTest

/// Price installment plans against vectors made with numpy-financial
/// (`scripts/vectors/installment_vectors.py`), and the documented example.
final class InstallmentTests: XCTestCase {
    struct Vector: Decodable {
        let totalCents: Int64, downCents: Int64, count: Int, rate: String, installments: [Int64]
    }

    func testMatchesNumpyFinancialVectors() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "Vectors/installments", withExtension: "json"))
        let vectors = try JSONDecoder().decode([Vector].self, from: Data(contentsOf: url))
        XCTAssertGreaterThan(vectors.count, 300)
        for v in vectors {
            let plan = try InstallmentPlan(
                total: Money(cents: v.totalCents), downPayment: Money(cents: v.downCents), count: v.count,
                monthlyRate: try XCTUnwrap(Decimal(string: v.rate)))
            XCTAssertEqual(plan.installments.map(\.cents), v.installments, "\(v.totalCents) − \(v.downCents) in \(v.count) at \(v.rate)")
        }
    }

    func testDocumentedExampleAndRateZero() throws {
        let plan = try InstallmentPlan(total: Money(cents: 100_000), downPayment: .zero, count: 6, monthlyRate: Decimal(string: "0.01")!)
        XCTAssertEqual(plan.installments.map(\.cents), [17255, 17255, 17255, 17255, 17255, 17253])
        // Rate 0: equal parts, the difference on the last one; nothing is added.
        let zero = try InstallmentPlan(total: Money(cents: 100_000), downPayment: .zero, count: 3, monthlyRate: 0)
        XCTAssertEqual(zero.installments.map(\.cents), [33333, 33333, 33334])
        XCTAssertEqual(zero.totalPaid, Money(cents: 100_000))
        // The down payment is paid first and not financed.
        let down = try InstallmentPlan(total: Money(cents: 100_000), downPayment: Money(cents: 10_000), count: 1, monthlyRate: 0)
        XCTAssertEqual(down.installments, [Money(cents: 90_000)])
    }

    func testRefusals() {
        XCTAssertThrowsError(try InstallmentPlan(total: Money(cents: 100), downPayment: Money(cents: 200), count: 2, monthlyRate: 0)) {
            XCTAssertEqual($0 as? InstallmentPlan.Problem, .downPaymentAboveDebt)
        }
        XCTAssertThrowsError(try InstallmentPlan(total: Money(cents: 100), downPayment: Money(cents: 100), count: 2, monthlyRate: 0)) {
            XCTAssertEqual($0 as? InstallmentPlan.Problem, .nothingToFinance)
        }
        XCTAssertThrowsError(try InstallmentPlan(total: Money(cents: 100), downPayment: .zero, count: 0, monthlyRate: 0))
        XCTAssertThrowsError(try InstallmentPlan(total: Money(cents: 100), downPayment: .zero, count: 2, monthlyRate: -1))
    }
}
