import TUI

/// `docs/KEYS.md`: the product's key map written from the code — the shared verbs from
/// `KeyMap.shared`, each screen's keys from its command table as the screen tests meet it
/// (`NothingCutTests.testKeysDocumentIsTheCode` holds the file equal to this).
public enum KeysDocument {
    public static func render(_ screens: [(name: String, commands: [Command])]) -> String {
        var out = """
            # Teclas da Agência Virtual

            <!-- Gerado pelos testes a partir das tabelas de comandos das telas: não edite à mão.
                 AGENCIA_RECORD=1 swift test --filter testKeysDocumentIsTheCode -->

            Um só mapa de teclas para o produto inteiro (issue 28.16). A barra de baixo tem duas
            linhas: F1 a F5 na primeira, F6 a F10 na segunda, cada tecla sempre no mesmo lugar, em
            qualquer tela, como no mc; uma tecla que a tela não usa deixa o seu lugar vazio, e uma
            que não pode agir agora aparece apagada (teclada, diz por quê). Nenhuma tecla fica
            escondida a 80 colunas. Um toque numa tecla da barra é a própria tecla.

            - **Esc Voltar** fica no canto esquerdo do título em toda tela abaixo da primeira
              (também se toca ali).
            - **Enter** faz o que o campo ou a linha sob o cursor pede (entrar, buscar, abrir);
              cada tela diz o que é.
            - **F2 é a ação da própria tela** — o que ela existe para fazer: enviar, confirmar,
              emitir, assinar, gravar, receber. F2 nunca imprime, salva nem envia por e-mail: um
              documento se emite com F2 e se imprime com F3 (uma tecla, uma ação).
            - Num terminal sem teclas F (vt100 tem só F1–F4): Esc e o número — Esc 5 = F5,
              Esc 0 = F10.
            - Dentro da ajuda (F1), **R** relata um problema da tela à equipe de tecnologia.

            ## Verbos compartilhados

            Onde existe, um destes verbos está sempre na sua tecla, e nessa tela a tecla não faz
            outra coisa (os testes das telas falham se não for assim).

            | Tecla | Verbo | O que faz |
            |---|---|---|

            """
        for v in KeyMap.shared {
            out += "| \(v.key.label) | \(v.labels.joined(separator: " / ")) | \(v.meaning) |\n"
        }
        out += """

            ## Tela por tela

            As teclas que cada tela oferece em algum dos seus estados, na ordem da barra.

            """
        for (name, commands) in screens {
            out += "\n### \(name)\n\n| Tecla | Rótulo | O que faz |\n|---|---|---|\n"
            // A key that means one thing in one state of the screen and another in the next
            // (a form's F2 before and after sending) is one row with both.
            var keys: [Key] = []
            for c in commands where !keys.contains(c.key) { keys.append(c.key) }
            let ordered = keys.enumerated().sorted { (KeyMap.order($0.element), $0.offset) < (KeyMap.order($1.element), $1.offset) }
            for key in ordered.map(\.element) {
                let same = commands.filter { $0.key == key }
                let labels = same.map(\.label).joined(separator: " / ")
                let helps = same.map(\.help).joined(separator: " / ")
                out += "| \(key.label) | \(labels) | \(helps) |\n"
            }
        }
        return out
    }

    /// A screen's name for the document: its title without what changes per customer
    /// ("Débitos — imóvel 10001-3" → "Débitos").
    public static func name(ofTitle title: String) -> String {
        let kept = title.components(separatedBy: " — ").filter { !$0.contains(where: \.isNumber) }
        let head = kept.isEmpty ? title : kept.joined(separator: " — ")
        let words = head.split(separator: " ").filter { !$0.contains(where: \.isNumber) }
        return words.isEmpty ? title : words.joined(separator: " ")
    }
}
