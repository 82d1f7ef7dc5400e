/// The ouvidoria's legal deadline (Lei 13.460/2017, art. 16): the final answer within 30 days
/// of the manifestation, extendable once, with a stated reason, by as many days.
public enum OuvidoriaDeadline {
    public static let answerDays = 30
    public static let extensionDays = 30

    /// The last day to answer a manifestation received on `day` (calendar days).
    public static func due(receivedOn day: CivilDate) -> CivilDate { day.adding(days: answerDays) }

    /// The last day after the one extension, or why not: a second extension, or a reason too short.
    public static func extended(_ due: CivilDate, extensions: Int, reason: String) -> Result<CivilDate, Refusal> {
        guard extensions == 0 else {
            return .failure(.init(message: "O prazo desta manifestação já foi prorrogado uma vez; a lei não permite outra prorrogação."))
        }
        guard reason.trimmingCharacters(in: .whitespacesAndNewlines).count >= 10 else {
            return .failure(.init(message: "Informe o motivo da prorrogação: ele é mostrado ao manifestante."))
        }
        return .success(due.adding(days: extensionDays))
    }

    /// Days from `today` to `due` (negative when overdue).
    public static func daysLeft(due: CivilDate, today: CivilDate) -> Int { due.daysSinceEpoch - today.daysSinceEpoch }

    public struct Refusal: Error, Equatable, Sendable {
        public let message: String
    }
}

/// The secret an anonymous manifestation is consulted with (there is no CPF/CNPJ to ask for):
/// 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L), in three groups, typed
/// by a person; 59 bits of entropy, and consultations are under attempt limits.
public enum AnonymousSecret {
    public static let alphabet = Array("ABCDEFGHJKMNPQRSTUVWXYZ23456789")

    /// `K7QF-M2XD-9PRA`.
    public static func generate<R: RandomNumberGenerator>(using rng: inout R) -> String {
        let chars = (0..<12).map { _ in alphabet[Int(rng.next(upperBound: UInt64(alphabet.count)))] }
        return stride(from: 0, to: 12, by: 4).map { String(chars[$0..<$0 + 4]) }.joined(separator: "-")
    }

    /// What a person typed, as stored before hashing: upper case, separators and spaces dropped;
    /// nil when it cannot be a secret.
    public static func normalized(_ typed: String) -> String? {
        let kept = typed.uppercased().filter { $0 != "-" && $0 != " " && $0 != "." }
        guard kept.count == 12, kept.allSatisfy({ alphabet.contains($0) }) else { return nil }
        return kept
    }

    /// `K7QF-M2XD-9PRA`, as it was shown: what a person typed, in its groups of four; nil when it
    /// cannot be a secret.
    public static func formatted(_ typed: String) -> String? {
        guard let kept = normalized(typed).map(Array.init) else { return nil }
        return stride(from: 0, to: 12, by: 4).map { String(kept[$0..<$0 + 4]) }.joined(separator: "-")
    }
}
