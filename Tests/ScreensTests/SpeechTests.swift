import API
import Domain
import Foundation
import TUI
import XCTest

@testable import Screens

/// Issue 32, first pieces: what a frame says (its title, then its messages), the kiosk's keys
/// for audio and contrast (off again at logout), and the synthesiser writing real WAVs.
final class SpeechTests: JourneyBase {
    func testTheKioskSaysItsTitleAndMessagesAndForgetsAtLogout() async {
        start(mode: .kiosk)
        model.state.speechAvailable = true
        transport.on("getAuthPolicy", Fixtures.policy)
        runtime.start()
        await runtime.settle()
        XCTAssertEqual(screen().spoken.first, "Entrar", "the title first")
        XCTAssertTrue(screen().spoken.contains("Matrícula, vazio"), "then the focused field: \(screen().spoken)")
        XCTAssertNotNil(screen().cursor, "the terminal's cursor on the field")
        runtime.send(.key(.function(12)))
        await runtime.settle()
        XCTAssertTrue(model.state.speechOn)
        XCTAssertTrue(screen().spoken.contains { $0.hasPrefix("Áudio ligado") }, "\(screen().spoken)")
        runtime.send(.key(.function(11)))
        await runtime.settle()
        XCTAssertTrue(model.state.highContrast)
        XCTAssertTrue(screen().spoken.contains { $0.hasPrefix("Alto contraste ligado") }, "\(screen().spoken)")
        runtime.send(.key(.function(1)))
        await runtime.settle()
        XCTAssertTrue(screen().spoken.contains("Ajuda — Entrar"), "\(screen().spoken)")
        XCTAssertTrue(screen().spoken.contains { $0.hasPrefix("Enter, Entrar") }, "F1 reads the keys: \(screen().spoken)")
        runtime.send(.key(.escape))
        await runtime.settle()
        model.resetToLogin(message: nil)
        XCTAssertFalse(model.state.speechOn, "the next customer starts silent")
        XCTAssertFalse(model.state.highContrast)
    }

    func testNoAudioKeyWhereTheKioskHasNoJack() async {
        start(mode: .kiosk)
        runtime.start()
        await runtime.settle()
        runtime.send(.key(.function(12)))
        await runtime.settle()
        XCTAssertFalse(model.state.speechOn)
    }

    func testTheSynthesiserWritesEveryUtteranceAndNeverAWholeCPF() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fala-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let speaker = Speaker(command: SpeechSettings().command, fileDirectory: dir)
        speaker.say("Entrar")
        speaker.wait()
        speaker.say("Titular: CPF 111.444.777-35")
        speaker.wait()
        let log = try String(contentsOfFile: (dir as NSString).appendingPathComponent("utterances.log"), encoding: .utf8)
        XCTAssertEqual(log.split(separator: "\n").count, 2, log)
        XCTAssertFalse(log.contains("111.444.777-35") || log.contains("11144477735"), log)
        XCTAssertTrue(log.contains("***.444.777-**"), "the CPF as the kiosk shows it: \(log)")
        for n in 1...2 {
            let wav = (dir as NSString).appendingPathComponent(String(format: "%04d.wav", n))
            let data = try Data(contentsOf: URL(fileURLWithPath: wav))
            XCTAssertEqual(String(decoding: data.prefix(4), as: UTF8.self), "RIFF", wav)
            // sox: a real sound, not silence.
            let sox = Process()
            sox.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            sox.arguments = ["sox", wav, "-n", "stat"]
            let pipe = Pipe()
            sox.standardError = pipe
            try sox.run()
            sox.waitUntilExit()
            let stat = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let rms = stat.split(separator: "\n").first { $0.hasPrefix("RMS     amplitude") }?.split(separator: " ").last.flatMap { Double($0) }
            XCTAssertGreaterThan(rms ?? 0, 0.01, stat)
        }
    }

    /// What a synthesiser would read wrong is put in words first.
    func testMoneyDatesCodesAreSaidAsAListenerExpects() {
        XCTAssertEqual(
            Speaker.utterance("Imóvel 10001-3: R$ 118,42 até 10/11/2026, protocolo 2026/000123"),
            "Imóvel um, zero, zero, zero, um, traço, três: cento e dezoito reais e quarenta e dois centavos até "
                + "dez de novembro de dois mil e vinte e seis, protocolo dois mil e vinte e seis barra cento e vinte e três")
        XCTAssertEqual(Speaker.utterance("Total: R$ 1.000.000,01"), "Total: um milhão de reais e um centavo")
        XCTAssertEqual(Speaker.utterance("Titular: 111.444.777-35"), "Titular: ***.444.777-**")
        XCTAssertEqual(
            Speaker.utterance("Conta de 10/2026 · consumo 13 m³; 12/2026"),
            "Conta de outubro de dois mil e vinte e seis · consumo 13 metros cúbicos; dezembro de dois mil e vinte e seis")
        XCTAssertEqual(Speaker.sentences(["Entrar", "Vencida: use o extrato.", "Valor: R$ 1,00"]), "Entrar. Vencida: use o extrato. Valor: R$ 1,00.")
        // A linha digitável block by block (a pause between them), not as four matrículas.
        let z = Array(repeating: "zero", count: 10).joined(separator: ", ")
        XCTAssertEqual(
            Speaker.utterance("Linha digitável: 80000000000-1 10000000000-2 20000000000-3 30000000000-4"),
            "Linha digitável: oito, \(z), traço, um; um, \(z), traço, dois; dois, \(z), traço, três; três, \(z), traço, quatro")
        XCTAssertEqual(
            Speaker.utterance("00190.00009 01234.567890 12345.678901 2 99990000011842").components(separatedBy: "; ").count, 5,
            "a bank's five groups")
    }

    /// Ctrl-L: the focused field read back, a CPF only masked.
    func testWhatWasTypedIsReadBackOnRequest() {
        XCTAssertEqual(Speaker.readBack(("Matrícula", "10001-3")), "Matrícula: um, zero, zero, zero, um, traço, três.")
        XCTAssertEqual(
            Speaker.readBack(("CPF/CNPJ", "111.444.777-35")),
            "CPF/CNPJ: oculto, oculto, oculto, ponto, quatro, quatro, quatro, ponto, sete, sete, sete, traço, oculto, oculto.")
        XCTAssertEqual(Speaker.readBack(("CPF/CNPJ", "")), "CPF/CNPJ, vazio.")
        XCTAssertEqual(Speaker.readBack(nil), "Nenhum campo em edição.")
    }
}
