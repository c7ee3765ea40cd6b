/// The one policy for text that comes from outside: caller ID, PBX traffic, files, bus peers.
///
/// Caller ID is typed by whoever calls. It may carry control characters that end a log
/// line or a header, bidirectional controls that make `+44 20…` read backwards, zero-width
/// characters that make two different numbers look the same, or megabytes of garbage.
/// Every source and every sink cleans text here, with the variant for where it goes, so
/// there is one rule set to reason about and to test.
///
/// Every variant removes C0 and C1 controls and DEL, bidirectional controls (U+061C,
/// U+200E/F, U+202A–E, U+2066–9), zero-width characters (U+200B–D, U+2060, U+FEFF) and
/// line/paragraph separators (U+2028/9), and bounds the length. Bytes are decoded as
/// UTF-8 with invalid sequences repaired to U+FFFD.
public enum UntrustedText {
    /// Where the text goes.
    public enum Destination: Sendable, Hashable, CaseIterable {
        /// Shown to the user in a notification: controls become spaces, runs of white space
        /// fold into one, the ends are trimmed, and long text is cut with an ellipsis.
        case display
        /// A value expanded into a URL; percent-encoding follows.
        case urlComponent
        /// A value expanded into one argument of a program.
        case argvWord
        /// A `CALLPOP_*` variable in a launched program's environment.
        case environment
        /// A value inside one line of the log or of the decision output.
        case logLine
    }

    /// The longest value kept for template values (URL components, argv words, the
    /// environment) and log lines, in Unicode scalars; caller ID longer than this is
    /// hostile or broken.
    public static let valueLimit = 256
    /// The longest text shown in a notification, in characters (with the ellipsis).
    public static let displayLimit = 120

    /// `text` cleaned for `destination`.
    public static func clean(_ text: some StringProtocol, for destination: Destination) -> String {
        switch destination {
        case .display:
            return display(text)
        case .urlComponent, .argvWord, .environment, .logLine:
            return value(text)
        }
    }

    /// `bytes` decoded as UTF-8 (invalid sequences become U+FFFD) and cleaned for `destination`.
    public static func clean(bytes: some Collection<UInt8>, for destination: Destination) -> String {
        clean(String(decoding: bytes, as: UTF8.self), for: destination)
    }

    /// The rule URL components, argv words and the environment share: a call's variables
    /// are cleaned once with it and then used for all three.
    public static func templateValue(_ text: some StringProtocol) -> String {
        value(text)
    }

    /// `templateValue` of a `String`, compiled for it: every caller ID field of every AMI event
    /// comes here from another module, where the generic one runs unspecialised.
    public static func templateValue(_ text: String) -> String {
        value(text)
    }

    /// Whether every byte is printable ASCII (0x20...0x7E), checked eight at a time (SWAR: a
    /// byte below 0x20 borrows, one of 0x7F or more carries into its high bit). Every caller
    /// ID value of every event is checked, and nearly all are.
    public static func isPrintableASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return true }
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high = 0x80 &* ones
        var index = 0
        while index + 8 <= bytes.count {
            let word = UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)
            guard ((word &- 0x20 &* ones) | (word &+ ones) | word) & high == 0 else { return false }
            index += 8
        }
        while index < bytes.count {
            guard (0x20...0x7E).contains(bytes[index]) else { return false }
            index += 1
        }
        return true
    }

    /// Whether `scalar` is removed by every variant.
    public static func isRemoved(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true  // C0, DEL, C1
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true  // bidirectional controls
        case 0x200B...0x200D, 0x2060, 0xFEFF: true  // zero-width characters
        case 0x2028, 0x2029: true  // line and paragraph separators
        default: false
        }
    }

    private static func value(_ text: some StringProtocol) -> String {
        // Most caller ID is short printable ASCII: keep it as it is, without a copy.
        if text.utf8.count <= valueLimit,
            text.utf8.withContiguousStorageIfAvailable(isPrintableASCII) ?? text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F })
        {
            return String(text)
        }
        var out = String.UnicodeScalarView()
        var count = 0
        for scalar in text.unicodeScalars where !isRemoved(scalar) {
            out.append(scalar)
            count += 1
            if count == valueLimit { break }
        }
        return String(out)
    }

    private static func display(_ text: some StringProtocol) -> String {
        var result = String.UnicodeScalarView()
        var pendingSpace = false
        var count = 0
        for scalar in text.unicodeScalars {
            // Controls separated words (a newline between names): keep them apart with a space.
            let isControl = scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
            if scalar.properties.isWhitespace || isControl || scalar.value == 0x2028 || scalar.value == 0x2029 {
                pendingSpace = !result.isEmpty
                continue
            }
            if isRemoved(scalar) { continue }
            if pendingSpace {
                result.append(" ")
                pendingSpace = false
            }
            result.append(scalar)
            count += 1
            // Stop early on megabytes of garbage; the final cut below is by characters.
            if count > 4 * displayLimit { break }
        }
        var shown = String(result)
        if shown.count > displayLimit {
            shown = String(shown.prefix(displayLimit - 1)) + "…"
        }
        return shown
    }
}
