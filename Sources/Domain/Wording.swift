/// "1 dia", "2 dias", "0 contas": a count and its noun in Portuguese (plural adds `s` unless
/// given: "1 mês", "3 meses").
public func counted(_ n: Int, _ singular: String, plural: String? = nil) -> String {
    "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
}

/// "19 m³", "999.999 m³": a volume with the thousands separated as in Brazil.
public func cubicMeters(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(".") }
        out.append(c)
    }
    return "\(n < 0 ? "-" : "")\(out) m³"
}

/// Word-wraps `text` into lines that `fits` accepts, keeping its paragraphs (`\n`); a word too
/// long for a line is broken between characters. The one wrap of the product: the terminal
/// measures in cells, the PDF in points.
public func wordWrap(_ text: String, fits: (String) -> Bool) -> [String] {
    var lines: [String] = []
    for paragraph in text.split(separator: "\n", omittingEmptySubsequences: false) {
        var line = ""
        for word in keptTogether(paragraph.split(separator: " ").map(String.init)) {
            let candidate = line.isEmpty ? String(word) : line + " " + word
            if fits(candidate) {
                line = candidate
                continue
            }
            if !line.isEmpty { lines.append(line) }
            line = ""
            for ch in word {
                if !line.isEmpty, !fits(line + String(ch)) {
                    lines.append(line)
                    line = ""
                }
                line.append(ch)
            }
        }
        lines.append(line)
    }
    return lines
}

/// Words a line never splits (issue 28.22): "R$" stays with its amount, "%" and "m³" with their
/// number.
func keptTogether(_ words: [String]) -> [String] {
    var out: [String] = []
    for word in words {
        if let last = out.last, last == "R$" || ["%", "m³"].contains(word) {
            out[out.count - 1] = last + " " + word
        } else {
            out.append(word)
        }
    }
    return out
}

/// Text that reaches terminals, PDFs and spreadsheets from imported files (issue 27): why a
/// value cannot be shown as it is, or nil. Refused: control characters (NUL, ESC and the escape
/// sequences they start, line breaks), Unicode's direction and invisible formatting characters
/// (U+202E turns a line around on screen), and a spreadsheet formula's first character.
public enum DisplayText {
    public static func problem(_ value: String) -> String? {
        for s in value.unicodeScalars {
            if s.properties.generalCategory == .control {
                return "caractere de controle (U+\(hex(s))): só texto visível"
            }
            if s.properties.generalCategory == .format || s.properties.isBidiControl {
                return "caractere invisível de formatação ou de direção do texto (U+\(hex(s)))"
            }
        }
        if let first = value.first, "=+@".contains(first) || (first == "-" && Double(value) == nil) {
            return "começa com \"\(first)\", que uma planilha leria como fórmula"
        }
        return nil
    }

    private static func hex(_ s: Unicode.Scalar) -> String {
        let h = String(s.value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }
}

/// What staff screens show for the codes the server keeps (issue 28.12: "debito_automatico",
/// "consultar_imovel" never reach a screen as they are stored).
public enum CodeWording {
    /// Where a contact happened or a payment came from.
    public static func channel(_ code: String) -> String {
        switch code {
        case "kiosk": return "autoatendimento"
        case "counter": return "balcão"
        case "staff": return "retaguarda"
        case "banco": return "banco"
        case "pix": return "PIX"
        case "debito_automatico": return "débito automático"
        case "loterica": return "lotérica"
        default: return code.hasPrefix("cartao:") ? "cartão (\(code.dropFirst(7)))" : readable(code)
        }
    }

    /// An audit trail's action, as a supervisor reads it.
    public static func auditAction(_ code: String) -> String {
        if code.hasPrefix("protocolo_"), let action = ProtocolAction(rawValue: String(code.dropFirst(10))) {
            return "Protocolo: \(action.label.lowercased())"
        }
        return auditActions[code] ?? readable(code)
    }

    static let auditActions: [String: String] = [
        "login": "Entrou", "logout": "Saiu", "buscar_cliente": "Buscou cliente", "consultar_imovel": "Abriu o imóvel",
        "consultar_conta": "Viu uma conta", "consultar_debitos": "Viu os débitos", "consultar_pagamentos": "Viu pagamentos",
        "consultar_consumo": "Viu o consumo", "consultar_historico": "Viu o histórico", "consultar_protocolo": "Viu protocolo",
        "anexo_protocolo": "Abriu anexo", "abrir_protocolo": "Abriu protocolo", "emitir_extrato": "Emitiu extrato",
        "reapresentar_extrato": "Reemitiu extrato", "extrato_pdf": "PDF do extrato", "segunda_via_pdf": "PDF de 2ª via",
        "carne_pdf": "PDF do carnê", "taxa_pdf": "PDF de taxa", "certidao_pdf": "PDF da certidão",
        "declaracao_pdf": "PDF da declaração", "comprovante_cartao": "Comprovante de cartão", "pagamento_cartao": "Pagamento com cartão",
        "emitir_certidao": "Emitiu certidão", "revogar_certidao": "Revogou certidão", "emitir_declaracao_anual": "Emitiu declaração",
        "simular_parcelamento": "Simulou parcelamento", "assinar_acordo": "Assinou acordo", "alterar_vencimento": "Mudou o vencimento",
        "alterar_email_codigo": "Pediu troca de e-mail", "confirmar_email": "Confirmou e-mail",
        "alterar_email_presencial": "Trocou e-mail (balcão)", "alterar_telefone": "Trocou telefone", "enviar_email": "Enviou e-mail",
        "vincular_pessoa": "Vinculou pessoa", "desvincular_pessoa": "Desvinculou pessoa", "aplicar_cpf_cnpj": "Aplicou CPF/CNPJ",
        "solicitar_servico": "Pediu serviço", "registrar_manifestacao": "Registrou manifestação",
        "prorrogar_manifestacao": "Prorrogou manifestação", "desbloquear_acesso": "Desbloqueou acesso",
        "reenviar_evento": "Reenviou evento à concessionária", "descartar_evento": "Descartou evento à concessionária",
    ]

    /// `segunda_via` → "Segunda via": never an underscore on screen.
    static func readable(_ code: String) -> String {
        let words = code.replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }
}
