#if canImport(Glibc)
import Glibc
#endif

/// One fuzz target: a name for the command line and the function every input runs through.
/// A target checks the properties its parser promises with `require`; a crash, a failed check
/// or an AddressSanitizer report is a finding (libFuzzer keeps the input as `crash-…`).
struct FuzzTarget: Sendable {
    let name: String
    let run: @Sendable (UnsafeRawBufferPointer) -> Void

    static let all: [FuzzTarget] = [
        FuzzTarget(name: "ami-framer", run: AMIFuzz.framer),
        FuzzTarget(name: "ami-session", run: AMIFuzz.session),
        FuzzTarget(name: "sip-message", run: SIPFuzz.message),
        FuzzTarget(name: "dialog-info", run: SIPFuzz.dialogInfo),
        FuzzTarget(name: "ndjson", run: EventFuzz.line),
        FuzzTarget(name: "config", run: ConfigFuzz.load),
        FuzzTarget(name: "template", run: TemplateFuzz.expand),
        FuzzTarget(name: "vcard", run: VCardFuzz.contacts),
        FuzzTarget(name: "csv", run: CSVFuzz.contacts),
        FuzzTarget(name: "carddav", run: CardDAVFuzz.multistatus),
        FuzzTarget(name: "json-answer", run: JSONFuzz.answer),
    ]
}

/// A failed check: the message goes to stderr, then the process traps so libFuzzer keeps the input.
func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
    guard !condition() else { return }
    let line = Array("callpop-fuzz: check failed: \(message())\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    abort()
}

/// A file's bytes, or nil.
func readFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = fread(&chunk, 1, chunk.count, file)
        if count <= 0 { break }
        bytes += chunk.prefix(count)
    }
    return bytes
}

/// Reads an input as a few control bytes followed by a payload: inputs then shape how the
/// payload is fed (chunk sizes, clock steps) as well as what it is.
struct FuzzInput {
    private var control: ArraySlice<UInt8>
    let payload: [UInt8]

    init(_ raw: UnsafeRawBufferPointer, controlBytes: Int) {
        let bytes = Array(raw)
        control = bytes.prefix(controlBytes)
        payload = Array(bytes.dropFirst(controlBytes))
    }

    /// The next control byte (0 once they run out).
    mutating func next() -> UInt8 { control.popFirst() ?? 0 }

    /// The payload cut into pieces whose sizes follow `seed` (1 to 256 bytes each, or whole).
    static func chunks(_ payload: [UInt8], seed: UInt8) -> [ArraySlice<UInt8>] {
        guard seed != 0 else { return [payload[...]] }
        var pieces: [ArraySlice<UInt8>] = []
        var state = UInt32(seed)
        var start = 0
        while start < payload.count {
            state = state &* 1_103_515_245 &+ 12345
            let size = Int((state >> 16) % 256) + 1
            let end = min(payload.count, start + size)
            pieces.append(payload[start..<end])
            start = end
        }
        return pieces
    }
}
