import Domain
import XCTest

@testable import Server

/// The package's canonical values onto the agência's model (DECISIONS 92), one table each; the
/// export maps the other way, and both are held to each other here.
final class InterchangeMappingTests: XCTestCase {
    func testConnectionSewerAndCategory() {
        let water: [(String, SituacaoLigacao?)] = [
            ("potencial", .factivel), ("factivel", .factivel), ("ligada", .ativa), ("em_fiscalizacao", .ativa), ("cortada", .cortada),
            ("suprimida", .suprimida), ("suprimida_parcial", .suprimida), ("em_cancelamento", .suprimida), ("outra", nil),
        ]
        for (canonical, expected) in water { XCTAssertEqual(InterchangeMapping.ligacao(canonical), expected, canonical) }
        guard case .choice(let values) = Interchange.files[0].columns.first(where: { $0.name == "situacao_agua" })!.kind else {
            return XCTFail("situacao_agua is an enumeration")
        }
        XCTAssertEqual(Set(values), Set(water.map(\.0)), "every canonical value has its row in the table")
        let sewer = ["potencial": false, "factivel": false, "ligado": true, "em_fiscalizacao": true, "fora_de_uso": false, "tamponado": false, "outra": false]
        for (canonical, expected) in sewer { XCTAssertEqual(InterchangeMapping.esgoto(canonical), expected, canonical) }
        XCTAssertEqual(InterchangeMapping.categoria("residencial", tarifaSocial: true), .residencialSocial)
        XCTAssertEqual(InterchangeMapping.categoria("residencial", tarifaSocial: false), .residencial)
        XCTAssertEqual(InterchangeMapping.categoria("publica", tarifaSocial: false), .publica)
        XCTAssertNil(InterchangeMapping.categoria("outra", tarifaSocial: false))
        // What the export writes maps back to what it read.
        for s in SituacaoLigacao.allCases { XCTAssertEqual(InterchangeMapping.ligacao(InterchangeMapping.canonical(s)), s) }
        for c in Categoria.allCases {
            let (principal, social) = InterchangeMapping.canonical(c)
            XCTAssertEqual(InterchangeMapping.categoria(principal, tarifaSocial: social), c)
        }
    }

    func testTheHolderIsTheNameOnTheBillThenTheUserThenTheOwner() {
        let today = CivilDate(iso: "2026-12-05")!
        func link(_ c: String, _ tipo: String, _ inicio: String, fim: String? = nil, named: Bool = false) -> InterchangeMapping.Link {
            .init(customer: c, tipo: tipo, inicio: CivilDate(iso: inicio)!, fim: fim.flatMap(CivilDate.init(iso:)), nomeNaConta: named)
        }
        let cases: [([InterchangeMapping.Link], String?, String)] = [
            ([link("dono", "proprietario", "2010-01-01"), link("inquilino", "usuario", "2022-05-01", named: true)], "inquilino", "named on the bill"),
            ([link("dono", "proprietario", "2010-01-01", named: true), link("inquilino", "usuario", "2022-05-01")], "dono", "named wins over user"),
            ([link("antigo", "usuario", "2015-01-01"), link("novo", "usuario", "2024-03-01")], "novo", "the newest user"),
            ([link("saiu", "usuario", "2015-01-01", fim: "2026-11-30", named: true), link("dono", "proprietario", "2010-01-01")], "dono", "an ended link is not in force"),
            ([link("futuro", "usuario", "2027-01-01"), link("dono", "proprietario", "2010-01-01")], "dono", "a link not yet begun"),
            ([link("fiador", "responsavel", "2020-01-01")], "fiador", "only a responsible one"),
            ([link("saiu", "usuario", "2015-01-01", fim: "2020-01-01")], nil, "nobody in force"),
            ([link("hoje", "usuario", "2015-01-01", fim: "2026-12-05")], "hoje", "the last day still counts"),
        ]
        for (links, expected, why) in cases { XCTAssertEqual(InterchangeMapping.holder(links, on: today), expected, why) }
    }
}
