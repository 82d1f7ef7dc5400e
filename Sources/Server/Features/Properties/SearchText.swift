import Foundation

/// Normalisation of names and addresses for search: uppercase ASCII words, accents folded,
/// connectives dropped. The same function builds the index and reads the query.
enum SearchText {
    static let connectives: Set<String> = ["DA", "DE", "DO", "DAS", "DOS", "E"]

    static func terms(_ text: String) -> [String] {
        let folded = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: Locale(identifier: "pt_BR"))
            .uppercased()
        let words = folded.split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }.map(String.init)
        var seen = Set<String>()
        return words.filter { !connectives.contains($0) && seen.insert($0).inserted }
    }

    /// The exclusive upper bound of a prefix range (terms are uppercase ASCII letters and digits).
    static func upperBound(ofPrefix p: String) -> String { p + "~" }
}
