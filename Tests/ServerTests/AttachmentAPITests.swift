import Documents
import Domain
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PDFReading
import XCTest

@testable import Server

/// Protocol attachments through the API (issue 11): what is accepted (by content, within the
/// configured size and count), who reads what (a private step's files never reach a customer or
/// the public lookup), idempotent uploads, and the bytes served back as stored — on both engines.
final class AttachmentAPITests: XCTestCase {
    func testAttachmentsByContentSizeCountAndAudience() async throws {
        try await forEachEngine { engine in
            try await Harness.withServer(
                engine,
                configure: {
                    $0.attachmentMaxBytes = 256 * 1024
                    $0.attachmentsPerStep = 2
                }
            ) { client in
                let ana = try await client.staffToken()  // atendente, centro
                let diego = try await client.staffToken("diego", "comercial123")  // backoffice, comercial
                let maria = try await client.customerToken(Demo.maria.m, Demo.maria.doc)
                let company = try await client.customerToken(Demo.company.m, Demo.company.doc)

                // Real files: a bill's PDF from the server, and that PDF rendered to PNG and JPEG by poppler.
                let bills = try await client.get("/v1/properties/\(Demo.mariaNorm)/bills", token: maria)
                let billId = try XCTUnwrap((bills.json["items"] as? [[String: Any]])?.first?["id"] as? Int)
                let pdf = Data(buffer: try await client.get("/v1/properties/\(Demo.mariaNorm)/bills/\(billId)/pdf", token: maria).body)
                let png = try render(pdf, as: "png")
                let jpeg = try render(pdf, as: "jpeg")
                XCTAssertEqual(AttachmentKind(sniffing: pdf), .pdf)

                var key = 0
                func upload(_ data: Data, _ name: String, token: String?, reuse: String? = nil) async throws -> TestResponse {
                    key += 1
                    var headers: HTTPFields = [.contentType: "application/octet-stream"]
                    headers[HTTPField.Name("Idempotency-Key")!] = reuse ?? "upload-\(10_000 + key)"
                    if let token { headers[.authorization] = "Bearer \(token)" }
                    let query = name.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed)!
                    return try await client.execute(
                        uri: "/v1/attachments?name=\(query)", method: .post, headers: headers, body: ByteBuffer(data: data))
                }

                // Who may upload: counter and staff only.
                AEq(try await upload(pdf, "conta.pdf", token: nil).status, .unauthorized, "\(engine)")
                AEq(try await upload(pdf, "conta.pdf", token: maria).status, .forbidden, "\(engine)")
                // By content, not by name: a text file called .pdf is refused; a PNG called .pdf is a PNG.
                var r = try await upload(Data("não sou um PDF".utf8), "laudo.pdf", token: ana)
                AEq(r.status, .badRequest, "\(engine)")
                AEq(r.errorMessage, "O arquivo laudo.pdf não é PDF, PNG nem JPEG: só esses tipos podem ser anexados.")
                // Read by poppler, libpng, libjpeg: a script that only starts like a PDF is refused.
                r = try await upload(Data("%PDF-1.4\n#!/bin/sh\nrm -rf ~\n".utf8), "script.pdf", token: ana)
                AEq(r.status, .badRequest, "\(engine)")
                AEq(r.errorMessage, "O arquivo script.pdf não é um PDF válido (danificado ou incompleto): digitalize-o de novo.")
                r = try await upload(Data(), "vazio.pdf", token: ana)
                AEq(r.errorMessage, "O arquivo vazio.pdf está vazio.", "\(engine)")
                // Larger than the configured limit: refused from its Content-Length, before the body is read.
                r = try await upload(png + Data(count: 300 * 1024), "grande.png", token: ana)
                AEq(r.status, .contentTooLarge, "\(engine)")
                AEq(r.errorMessage, "O arquivo passa do limite de 256 KiB por anexo.")
                let conta = try await upload(pdf, "../../etc/conta maria.pdf", token: ana)
                AEq(conta.status, .created, "\(engine): \(conta.json)")
                AEq(conta.json["name"] as? String, "conta maria.pdf", "folders dropped from the name")
                AEq(conta.json["mediaType"] as? String, "application/pdf")
                let replay = try await upload(pdf, "../../etc/conta maria.pdf", token: ana, reuse: "upload-\(10_000 + key)")
                AEq(replay.json["id"] as? Int, conta.json["id"] as? Int, "\(engine): a retried upload is the same file")

                // The opening carries the PDF (the requester's own document: public with the opening).
                var request = ProtocolAPITests.request(1)
                request["attachments"] = [conta.json["id"] as? Int ?? 0]
                let opened = try await client.post("/v1/protocols", request, token: ana, headers: ["Idempotency-Key": "att-open-1"])
                AEq(opened.status, .created, "\(engine): \(opened.json)")
                let number = try XCTUnwrap(opened.json["number"] as? String)
                let openStep = (opened.json["steps"] as? [[String: Any]])?.first
                AEq((openStep?["attachments"] as? [[String: Any]])?.first?["name"] as? String, "conta maria.pdf")

                func step(_ token: String, _ body: [String: Any]) async throws -> TestResponse {
                    key += 1
                    return try await client.post(
                        "/v1/protocols/\(number)/steps", body, token: token, headers: ["Idempotency-Key": "att-step-\(key)"])
                }
                AEq(try await step(diego, ["action": "receive"]).status, .ok, "\(engine)")
                let foto = try await upload(png, "foto.pdf", token: diego)
                AEq(foto.json["mediaType"] as? String, "image/png", "\(engine): a PNG named .pdf is a PNG")
                let laudo = try await upload(jpeg, "laudo-vistoria.jpg", token: diego)
                let extra = try await upload(jpeg, "outra.jpg", token: diego)
                let ids = [foto, laudo, extra].map { $0.json["id"] as? Int ?? 0 }
                // More than the configured count per step.
                r = try await step(diego, ["action": "dispatch", "text": "Fotos.", "public": false, "attachments": ids])
                AEq(r.errorMessage, "No máximo 2 anexos por trâmite.", "\(engine)")
                // A receipt carries no files; someone else's upload or one already used is refused, and nothing changes.
                r = try await step(diego, ["action": "edit", "subject": "Outro assunto", "attachments": [ids[2]]])
                AEq(r.status, .badRequest, "\(engine)")
                r = try await step(
                    diego,
                    ["action": "dispatch", "text": "Com o arquivo da Ana.", "public": true, "attachments": [conta.json["id"] as? Int ?? 0]])
                AEq(r.status, .badRequest, "\(engine): \(r.json)")
                ATrue(r.errorMessage?.contains("não está mais disponível") == true, r.errorMessage ?? "")
                // A private dispatch with the photo, a public one with the inspection report.
                r = try await step(
                    diego, ["action": "dispatch", "text": "Foto do hidrômetro (interno).", "public": false, "attachments": [ids[0]]])
                AEq(r.status, .ok, "\(engine): \(r.json)")
                r = try await step(diego, ["action": "dispatch", "text": "Laudo da vistoria.", "public": true, "attachments": [ids[1]]])
                AEq(r.status, .ok, "\(engine): \(r.json)")
                r = try await step(diego, ["action": "dispatch", "text": "De novo.", "public": true, "attachments": [ids[1]]])
                ATrue(r.errorMessage?.contains("não está mais disponível") == true, "\(engine): an attachment belongs to one step")
                let staffView = try await client.get("/v1/protocols/\(number)", token: diego)
                let steps = try XCTUnwrap(staffView.json["steps"] as? [[String: Any]])
                AEq(steps.count, 4, "\(engine): the refused steps left nothing")

                // What the customer and the public lookup see: the public files, never the private one (raw JSON).
                let hers = try await client.get("/v1/protocols/\(number)", token: maria)
                let lookup = try await client.post("/v1/protocol-lookup", ["number": number, "documento": "111.444.777-35"])
                for (what, answer) in [("cliente", hers), ("consulta pública", lookup)] {
                    let raw = String(buffer: answer.body)
                    ATrue(!raw.contains("foto.pdf") && !raw.contains("interno"), "\(engine) \(what): \(raw)")
                    let shown = (answer.json["steps"] as? [[String: Any]] ?? []).flatMap { $0["attachments"] as? [[String: Any]] ?? [] }
                    // The documents brought with the opening stay with staff (issue 28.3): the answers only.
                    AEq(shown.compactMap { $0["name"] as? String }, ["laudo-vistoria.jpg"], "\(engine) \(what)")
                }
                // The files themselves: staff any; Maria the public ones; another customer none.
                func file(_ id: Int, _ token: String) async throws -> TestResponse {
                    try await client.get("/v1/protocols/\(number)/attachments/\(id)", token: token)
                }
                let privateForStaff = try await file(ids[0], diego)
                AEq(privateForStaff.status, .ok, "\(engine)")
                AEq(Data(buffer: privateForStaff.body), try AttachmentCleaner.clean(png, as: .png, name: "foto.pdf"), "\(engine): as libpng wrote it again")
                AEq(privateForStaff.headers[.contentType], "image/png")
                AEq(try await file(ids[0], maria).status, .notFound, "\(engine): a private step's file")
                let publicForMaria = try await file(ids[1], maria)
                AEq(publicForMaria.status, .ok, "\(engine)")
                AEq(Data(buffer: publicForMaria.body), try AttachmentCleaner.clean(jpeg, as: .jpeg, name: "laudo.jpg"))
                AEq(publicForMaria.headers[.contentType], "image/jpeg")
                AEq(try await file(conta.json["id"] as? Int ?? 0, maria).status, .notFound, "\(engine): the opening's document")
                // The bill as poppler drew it again: the same text, and the size the listing said.
                let redrawn = Data(buffer: try await file(conta.json["id"] as? Int ?? 0, diego).body)
                AEq(try PDFReading.text(redrawn), try PDFReading.text(pdf), "\(engine)")
                AEq(conta.json["size"] as? Int, redrawn.count)
                let foreign = try await file(ids[1], company)
                let missing = try await file(999_999, company)
                AEq(foreign.status, .notFound, "\(engine): BOLA")
                AEq(String(buffer: foreign.body), String(buffer: missing.body))
                AEq(try await client.get("/v1/protocols/2026000099/attachments/\(ids[1])", token: diego).status, .notFound)
            }
        }
    }

    /// `pdftoppm` (poppler) renders the first page at low resolution: a real PNG or JPEG.
    private func render(_ pdf: Data, as format: String) throws -> Data {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("agencia-att-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in.pdf")
        try pdf.write(to: input)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/pdftoppm")
        p.arguments = ["-\(format)", "-r", "20", "-singlefile", input.path, dir.appendingPathComponent("out").path]
        try p.run()
        p.waitUntilExit()
        return try Data(contentsOf: dir.appendingPathComponent(format == "png" ? "out.png" : "out.jpg"))
    }
}
