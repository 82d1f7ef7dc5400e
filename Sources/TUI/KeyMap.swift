/// One key map for the whole product (issue 28.16, `docs/KEYS.md`). The function keys sit in
/// fixed slots of a two-row bar, mc-style; a verb that several screens share is always on the
/// same key, and that key does nothing else on a screen that has the verb. F2 is the key of the
/// screen's own action (what the screen is for: send, confirm, issue, sign, record) and never
/// prints, saves or sends by e-mail, so a document is issued with F2 and printed with F3 — one
/// key, one action.
public enum KeyMap {
    /// A verb shared by several screens and the one key it always sits on.
    public struct Verb: Sendable, Equatable {
        public var key: Key
        /// The labels that mean this verb in a command table.
        public var labels: [String]
        /// What it does, for `docs/KEYS.md`.
        public var meaning: String
    }

    public static let shared: [Verb] = [
        Verb(key: .function(1), labels: ["Ajuda"], meaning: "as teclas da tela, com o que cada uma faz"),
        Verb(key: .function(3), labels: ["Imprimir"], meaning: "imprime o documento da tela na impressora deste terminal"),
        Verb(key: .function(4), labels: ["E-mail"], meaning: "envia o documento da tela por e-mail"),
        Verb(key: .function(5), labels: ["Atualizar"], meaning: "lê de novo do servidor o que a tela mostra (e tenta de novo o que falhou)"),
        Verb(key: .function(6), labels: ["Salvar"], meaning: "salva o PDF na pasta deste terminal (balcão e retaguarda)"),
        Verb(key: .function(8), labels: ["Anexar", "Anexos"], meaning: "anexa um arquivo da pasta deste terminal, ou lista os anexos"),
        Verb(key: .function(9), labels: ["Serviços", "Clientes"], meaning: "a porta do que se atende: todos os serviços, com filtro (cliente); a busca de clientes (equipe)"),
        Verb(key: .function(10), labels: ["Sair", "Fechar"], meaning: "encerra o atendimento (pergunta antes se há texto não enviado)"),
        Verb(key: .escape, labels: ["Voltar"], meaning: "volta à tela anterior (também no canto esquerdo do título)"),
    ]

    /// The order keys are listed in (help, `docs/KEYS.md`): the bar's F1–F10, then Esc, Enter
    /// and the keys of the screen's body.
    public static func order(_ k: Key) -> Int {
        switch k {
        case .function(let n): return n
        case .escape: return 20
        case .enter: return 21
        default: return 30
        }
    }

    /// The slot of F2: the screen's own action.
    public static let ownAction = Key.function(2)

    /// Columns a slot of the bar has at `width` (five slots a row).
    public static func slotWidth(_ width: Int) -> Int { width / FunctionBar.slotsPerRow }

    /// Whether `label` fits its slot at 80 columns with a space to spare.
    public static func fits(_ c: Command, width: Int = 80) -> Bool {
        CharWidth.of(c.key.label) + 1 + CharWidth.of(c.label) + 1 <= slotWidth(width)
    }

    /// What is wrong with a command table by the rules above (empty when it follows them):
    /// a shared verb on another key, a shared verb's key doing something else, two commands on
    /// one key, a print/save/e-mail on F2, a label that does not fit its slot.
    public static func problems(_ commands: [Command]) -> [String] {
        var found: [String] = []
        let offered = commands.filter(\.enabled)
        for c in commands {
            if let verb = shared.first(where: { $0.labels.contains(c.label) }), verb.key != c.key {
                found.append("\(c.key.label) \(c.label): \"\(c.label)\" fica sempre em \(verb.key.label)")
            }
            if case .function(let n) = c.key, (1...10).contains(n) {
                if let verb = shared.first(where: { $0.key == c.key }),
                    commands.contains(where: { verb.labels.contains($0.label) }), !verb.labels.contains(c.label)
                {
                    found.append("\(c.key.label) \(c.label): a tecla de \(verb.labels[0]) não faz outra coisa na mesma tela")
                }
                if !fits(c) { found.append("\(c.key.label) \(c.label): o rótulo não cabe na barra a 80 colunas") }
            } else if case .function = c.key {
                found.append("\(c.key.label) \(c.label): só F1 a F10 têm lugar na barra")
            }
        }
        var seen: Set<Key> = []
        for c in offered where !seen.insert(c.key).inserted {
            found.append("\(c.key.label): duas ações na mesma tecla")
        }
        return found
    }
}
