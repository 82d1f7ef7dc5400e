import API
import Foundation
import TUI
import XCTest

@testable import Screens

/// Surface snapshots as text and as role maps (ratatui): login and home at 80×24 and 132×43,
/// Unicode and ASCII. `AGENCIA_RECORD=1 swift test --filter SnapshotTests` rewrites them;
/// review the diff before committing.
final class SnapshotTests: XCTestCase {
    func assertSnapshot(_ s: Surface, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let dir = URL(fileURLWithPath: "\(#filePath)").deletingLastPathComponent().appendingPathComponent("Snapshots")
        let url = dir.appendingPathComponent("\(name).txt")
        let actual = s.text + "\n---\n" + s.roleMap + "\n"
        if ProcessInfo.processInfo.environment["AGENCIA_RECORD"] == "1" {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        XCTAssertEqual(actual, expected, "snapshot \(name) changed", file: file, line: line)
    }

    func journey() async -> (AppModel, AppRuntime, FakeTransport) {
        let t = FakeTransport()
        let token = TokenBox()
        let client = Client(serverURL: URL(string: "http://fake/v1")!, transport: t, middlewares: [BearerMiddleware(box: token)])
        let model = AppModel(state: AppState(mode: .kiosk, token: token, now: 0)) { LoginScreen() }
        let runtime = AppRuntime(model: model, client: client)
        t.on("getAuthPolicy", Fixtures.policy)
        runtime.start()
        await runtime.settle()
        return (model, runtime, t)
    }

    /// Maria's kiosk login, typed as a customer would.
    func loginAsMaria(_ runtime: AppRuntime) async {
        for c in "10001-3" { runtime.send(.key(.char(c))) }
        runtime.send(.key(.tab))
        for c in "111.444.777-35" { runtime.send(.key(.char(c))) }
        runtime.send(.key(.enter))
        await runtime.settle()
    }

    func render(_ model: AppModel, _ w: Int, _ h: Int, _ g: Glyphs = .unicode) -> Surface {
        var s = Surface(width: w, height: h, glyphs: g)
        model.render(&s)
        return s
    }

    func testLoginSnapshots() async throws {
        let (model, runtime, _) = await journey()
        for c in "10001-3" { runtime.send(.key(.char(c))) }
        runtime.send(.key(.tab))
        for c in "111.444" { runtime.send(.key(.char(c))) }
        try assertSnapshot(render(model, 80, 24), "login-80x24")
        try assertSnapshot(render(model, 132, 43), "login-132x43")
        try assertSnapshot(render(model, 80, 24, .ascii), "login-80x24-ascii")
    }

    func testHomeSnapshots() async throws {
        let (model, runtime, t) = await journey()
        t.on("loginCustomer", status: 201, Fixtures.session)
        t.on("getProperty", Fixtures.property)
        t.on("getLinkedProperties", Fixtures.linked)
        await loginAsMaria(runtime)
        try assertSnapshot(render(model, 80, 24), "home-80x24")
        try assertSnapshot(render(model, 132, 43), "home-132x43")
        try assertSnapshot(render(model, 80, 24, .ascii), "home-80x24-ascii")
    }

    /// Débitos with every situation, a bill's second copy (QR beside the text at 132×43, F7
    /// hint at 80×24), and the QR full screen.
    func testPaymentSnapshots() async throws {
        let (model, runtime, t) = await journey()
        t.on("loginCustomer", status: 201, Fixtures.session)
        t.on("getProperty", Fixtures.property)
        t.on("getLinkedProperties", Fixtures.linked)
        t.on("listBills", Fixtures.bills)
        t.on("getBill", Fixtures.billDetail)
        await loginAsMaria(runtime)
        runtime.send(.key(.function(2)))
        await runtime.settle()
        runtime.send(.key(.function(2)))  // select the overdue bills
        // What speech says of the list (issue 32): the title, then the row under the cursor in words.
        let debts = render(model, 80, 24)
        XCTAssertEqual(debts.spoken.first, model.top.title)
        XCTAssertEqual(debts.spoken.dropFirst().first, Service.with(.debts).summary, "then what the screen is for")
        let row = debts.spoken.first { $0.hasPrefix("Conta de ") } ?? ""
        XCTAssertTrue(row.contains(" de dois mil e vinte e ") && row.contains(" reais"), "\(debts.spoken)")
        XCTAssertNotNil(debts.cursor, "the terminal's cursor on the selected bill")
        try assertSnapshot(render(model, 80, 24), "debts-80x24")
        try assertSnapshot(render(model, 132, 43), "debts-132x43")
        try assertSnapshot(render(model, 80, 24, .ascii), "debts-80x24-ascii")
        runtime.send(.key(.enter))  // the bill under the cursor (10/2026, open)
        await runtime.settle()
        try assertSnapshot(render(model, 80, 24), "second-copy-80x24")
        try assertSnapshot(render(model, 132, 43), "second-copy-132x43")
        runtime.send(.key(.function(7)))
        try assertSnapshot(render(model, 132, 43), "qr-132x43")
    }
}
