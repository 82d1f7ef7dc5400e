import Domain
import Foundation

/// A day's work for the embedded demo (`demoProtocols`): without it a newcomer who logs in as
/// staff finds every queue empty and Maria's "Meus protocolos" blank. Placed relative to now, so
/// each keeps its promise whatever the day: in Comercial (diego) one late and unreceived, one due
/// within two days, one in time with public and private dispatches; in the Ouvidoria (bruno) a
/// new manifestation; for Maria (10001-3) one concluded with its answer. The tests' demo data
/// stays without them: they create their own (`DemoDataTests` checks these on pinned dates).
extension DemoData {
    static func seedProtocols(_ store: any Store, now: Int64, timeZone: String) async throws {
        let repo = ProtocolRepository(store: store)
        let day: Int64 = 86_400
        let diego = StaffMember(usuario: "diego", role: .backoffice, unit: "comercial")
        func person(_ documento: String, matricula: Int?) -> Requester {
            let p = people.first { $0.documento == documento }
            return Requester(
                kind: .cliente, documento: documento, nome: p?.nome ?? "", matricula: matricula.flatMap { Matricula(sequence: String($0))?.normalized },
                telefone: p?.telefone, email: nil)  // no e-mail: the demo sends none
        }
        let maria = person("11144477735", matricula: 10001)
        let joao = person("52998224725", matricula: 10005)
        let anaLuiza = person("39053344705", matricula: 10007)

        func localDay(_ at: Int64) -> CivilDate { LocalCalendar.today(Date(timeIntervalSince1970: TimeInterval(at)), timeZone: timeZone) }
        func open(
            _ type: String, unit: String, _ requester: Requester, at: Int64, channel: ProtocolChannel, by: String?, subject: String,
            body: String, deadline: Int64?, ouvidoria: Bool = false
        ) async throws -> ProtocolNumber {
            let year = localDay(at).year
            let draft = ProtocolDraft(
                typeCode: type, subject: subject, body: body, unit: unit, requester: requester, channel: channel, openedBy: by,
                deadlineAt: deadline, ouvidoria: ouvidoria)
            return try await store.write { db in try await ProtocolRepository.insert(draft, year: year, now: at, db: db) }
        }
        func step(_ n: ProtocolNumber, _ action: ProtocolAction, at: Int64, text: String? = nil, isPublic: Bool = true) async throws {
            let claim = IdempotencyClaim(anonymous: "demo", operation: "demoProtocols", key: "\(n.compact)-\(at)", body: action.rawValue)
            _ = try await repo.addStep(
                n, StepDraft(action: action, staff: diego, text: text, isPublic: isPublic, toUnit: nil, timeZone: timeZone), claim: claim,
                now: at)
        }

        // Oldest first, so the numbers grow with the dates.
        let concludedAt = now - 40 * day
        let concluded = try await open(
            "revisao-conta", unit: "comercial", maria, at: concludedAt, channel: .kiosk, by: nil,
            subject: "Consumo acima da média", body: "A conta veio com o dobro do consumo de costume e não houve vazamento no imóvel.",
            deadline: concludedAt + 10 * day)
        try await step(concluded, .receive, at: concludedAt + day)
        try await step(
            concluded, .dispatch, at: concludedAt + 2 * day, text: "Leiturista enviado para conferir o hidrômetro.", isPublic: false)
        try await step(
            concluded, .conclude, at: concludedAt + 5 * day,
            text: "A leitura foi conferida no local e está correta. O hidrômetro registra sem água aberta: há vazamento interno; "
                + "um encanador pode localizá-lo. Se o consumo continuar alto depois do conserto, peça nova revisão.")

        let inTimeAt = now - 20 * day
        let inTime = try await open(
            "ligacao-nova", unit: "comercial", joao, at: inTimeAt, channel: .counter, by: "ana",
            subject: "Ligação de esgoto", body: "Pede a ligação de esgoto do imóvel; a rede passa em frente.", deadline: inTimeAt + 30 * day)
        try await step(inTime, .receive, at: inTimeAt + day)
        try await step(inTime, .dispatch, at: inTimeAt + 5 * day, text: "Vistoria técnica pedida à Operação; aguardando o laudo.", isPublic: false)
        try await step(
            inTime, .dispatch, at: inTimeAt + 6 * day, text: "Vistoria marcada: um técnico visitará o imóvel nos próximos dias úteis.")

        let lateAt = now - 12 * day - 3 * 3_600
        _ = try await open(
            "revisao-conta", unit: "comercial", maria, at: lateAt, channel: .kiosk, by: nil,
            subject: "Leitura estimada por dois meses", body: "As duas últimas contas vieram pela média, mas o hidrômetro fica na frente e é acessível.",
            deadline: lateAt + 10 * day)

        let soonAt = now - 9 * day + 2 * 3_600
        let soon = try await open(
            "revisao-conta", unit: "comercial", anaLuiza, at: soonAt, channel: .counter, by: "ana",
            subject: "Conta com tarifa comercial", body: "O imóvel é residencial, mas a conta veio com a tarifa comercial.",
            deadline: soonAt + 10 * day)
        try await step(soon, .receive, at: soonAt + day)

        let ouvidoriaAt = now - 4 * day
        _ = try await open(
            "reclamacao", unit: "ouvidoria", maria, at: ouvidoriaAt, channel: .kiosk, by: nil, subject: "Revisão de conta sem resposta",
            body: "Pedi a revisão de uma conta há mais de dez dias e ninguém respondeu.",
            deadline: ProtocolHandlers.legalDeadline(from: localDay(ouvidoriaAt), timeZone: timeZone), ouvidoria: true)
    }
}
