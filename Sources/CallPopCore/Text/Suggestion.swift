/// "Did you mean …?" for a name a user typed (a configuration key, a table, a value, a
/// `{VARIABLE}`, a number form, a subcommand): the known name it most likely is a typo of.
///
/// A candidate is likely when it differs by a few edits (insertions, deletions,
/// substitutions, swaps of neighbours — about one per three letters), when it is the
/// same up to case, `-` and `_`, or when one starts with the other (`ring` → `ringing`).
/// Far-off names get no suggestion: a wrong guess is worse than none.
public enum Suggestion {
    /// The candidate `typed` is most likely a typo of, or nil when none is close.
    public static func closest(to typed: String, among candidates: some Sequence<String>) -> String? {
        let word = folded(typed)
        guard !word.isEmpty else { return nil }
        var best: (name: String, score: Int)?
        for candidate in candidates where candidate != typed {
            let other = folded(candidate)
            guard !other.isEmpty else { continue }
            let score: Int
            // Scores in half edits: a name cut short or run on (`ring`, `CALLERNUMBER`) is a
            // likelier slip than a typo of the same size.
            if other == word {
                score = 0
            } else if min(word.count, other.count) >= 3, other.starts(with: word) || word.starts(with: other) {
                score = abs(other.count - word.count)
            } else {
                let limit = max(1, max(word.count, other.count) / 3)
                guard let distance = editDistance(word, other, limit: limit) else { continue }
                score = 2 * distance
            }
            if let current = best, current.score <= score { continue }
            best = (candidate, score)
        }
        return best?.name
    }

    /// `; did you mean 'X'?` (with `quote` around the name), or `otherwise` when nothing is close.
    public static func phrase(
        for typed: String, among candidates: some Sequence<String>, otherwise: String = "",
        quote: (String) -> String = { "'\($0)'" }
    ) -> String {
        guard let name = closest(to: typed, among: candidates) else { return otherwise }
        return "; did you mean \(quote(name))?"
    }

    /// Lower case without `-`, `_` and blanks: `On_Click` and `on-click` are the same name.
    private static func folded(_ text: String) -> [Character] {
        text.lowercased().filter { $0 != "-" && $0 != "_" && $0 != " " }.map { $0 }
    }

    /// The optimal-string-alignment distance (Levenshtein plus swaps of neighbours), or nil
    /// when it exceeds `limit`. Names are short: the quadratic table costs nothing here.
    static func editDistance(_ a: [Character], _ b: [Character], limit: Int) -> Int? {
        guard abs(a.count - b.count) <= limit else { return nil }
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) <= limit ? max(a.count, b.count) : nil }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            var rowMinimum = current[0]
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    value = min(value, previous2[j - 2] + 1)
                }
                current[j] = value
                rowMinimum = min(rowMinimum, value)
            }
            if rowMinimum > limit { return nil }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count] <= limit ? previous[b.count] : nil
    }
}
