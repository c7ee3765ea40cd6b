/// Splits vCard bytes into unfolded content lines (RFC 6350 3.2): a line beginning with a space
/// or tab continues the previous one; vCard 2.1 quoted-printable values continue after a
/// trailing `=`. Lines longer than `maximumLineBytes` (embedded photos, sounds) are reported
/// cut short and marked, so memory stays bounded whatever the input.
struct VCardLines: Sequence, IteratorProtocol {
    /// One logical line.
    struct Line {
        var bytes: [UInt8]
        /// Whether the line was longer than the limit and was cut.
        var truncated: Bool
    }

    private let input: [UInt8]
    private let maximumLineBytes: Int
    private var position: Int

    init(_ input: [UInt8], maximumLineBytes: Int) {
        self.input = input
        self.maximumLineBytes = maximumLineBytes
        position = 0
    }

    mutating func next() -> Line? {
        var line = Line(bytes: [], truncated: false)
        var physical = readPhysicalLine()
        guard var current = physical else { return nil }
        while true {
            append(current, to: &line)
            let quotedPrintableSoftBreak = current.last == UInt8(ascii: "=") && isQuotedPrintable(line.bytes)
            guard position < input.count else { break }
            let continues = input[position] == 0x20 || input[position] == 0x09
            guard continues || quotedPrintableSoftBreak else { break }
            physical = readPhysicalLine()
            guard var next = physical else { break }
            if continues {
                next = next.dropFirst()
            } else if !line.truncated {
                line.bytes.removeLast()  // the soft break's `=`
            }
            current = next
        }
        return line
    }

    private func append(_ bytes: ArraySlice<UInt8>, to line: inout Line) {
        guard !line.truncated else { return }
        let room = maximumLineBytes - line.bytes.count
        if bytes.count > room {
            line.bytes.append(contentsOf: bytes.prefix(room))
            line.truncated = true
        } else {
            line.bytes.append(contentsOf: bytes)
        }
    }

    /// Whether the property's parameters (before the first `:`) say quoted-printable.
    private func isQuotedPrintable(_ line: [UInt8]) -> Bool {
        let head = line.prefix { $0 != UInt8(ascii: ":") }
        return String(decoding: head, as: UTF8.self).uppercased().contains("QUOTED-PRINTABLE")
    }

    /// The next line without its CR LF, LF or CR.
    private mutating func readPhysicalLine() -> ArraySlice<UInt8>? {
        guard position < input.count else { return nil }
        let start = position
        while position < input.count, input[position] != 0x0A, input[position] != 0x0D { position += 1 }
        let line = input[start..<position]
        if position < input.count, input[position] == 0x0D { position += 1 }
        if position < input.count, input[position] == 0x0A { position += 1 }
        return line
    }
}
