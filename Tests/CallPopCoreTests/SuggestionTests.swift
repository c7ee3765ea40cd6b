import CallPopCore
import CallPopTestSupport
import Testing

@Suite("Did you mean")
struct SuggestionTests {
    static let commands = ["run", "check", "simulate", "demo", "init", "autostart", "status", "reload", "open", "doctor", "history"]

    @Test("typos, case, separators, shortened and run-on names", arguments: [
        ("chek", "check"), ("stauts", "status"), ("histroy", "history"), ("docter", "doctor"),
        ("numbr", "number"), ("ring", "ringing"), ("onclick", "on-click"), ("ON_CLICK", "on-click"),
        ("CALLERNUMBER", "CALLERNUM"), ("callernum", "CALLERNUM"), ("e.164", "e164"),
    ])
    func likelyNames(_ typed: String, _ meant: String) {
        let candidates = Self.commands + ["number", "name", "ringing", "on-click", "answer", "CALLERNUM", "CALLERNAME", "e164", "national"]
        #expect(Suggestion.closest(to: typed, among: candidates) == meant)
    }

    @Test func farOffNamesGetNoGuess() {
        #expect(Suggestion.closest(to: "xyzzy", among: Self.commands) == nil)
        #expect(Suggestion.closest(to: "debug", among: ["user", "pbx", "launch", "popup"]) == nil)
        #expect(Suggestion.closest(to: "", among: Self.commands) == nil)
        // A known name is not its own suggestion.
        #expect(Suggestion.closest(to: "check", among: ["check"]) == nil)
    }

    @Test func thePhraseQuotesTheNameOrFallsBack() {
        #expect(Suggestion.phrase(for: "chek", among: Self.commands) == "; did you mean 'check'?")
        #expect(Suggestion.phrase(for: "zzz", among: Self.commands, otherwise: "; see --help") == "; see --help")
        #expect(Suggestion.phrase(for: "users", among: ["user"], quote: { "[\($0)]" }) == "; did you mean [user]?")
    }

    /// Hostile or huge input neither crashes nor takes long: the distance gives up early.
    @Test func longAndOddInputIsCheap() {
        var generator = SplitMix64(seed: 12)
        for _ in 0..<500 {
            let length = Int(generator.next() % 300)
            let text = String((0..<length).map { _ in Character(Unicode.Scalar(UInt8(32 + generator.next() % 95))) })
            _ = Suggestion.closest(to: text, among: Self.commands)
        }
        #expect(Suggestion.closest(to: String(repeating: "check", count: 1000), among: Self.commands) == "check")
    }
}

