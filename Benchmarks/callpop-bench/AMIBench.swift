// The AMI section: framing + call mapping of the recorded Asterisk streams, from memory, with
// the session's event filter (events the mapper ignores are skipped from their first line).
//
// Every pass feeds the four recordings of `Tests/Fixtures/asterisk-22` (concatenated, in
// 4 KiB reads as a socket would deliver them) through one `AMIFramer` and a fresh
// `AMICallMapper` for extension 201, so each pass maps the same calls again and must
// emit the same call events; a different count stops the benchmark.
import CallPopAMI
import Glibc

/// Reads a whole file with libc (the bench links no Foundation).
func readFile(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    while true {
        let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
        if count == 0 { break }
        bytes += chunk[..<count]
    }
    return bytes
}

/// The recorded streams, concatenated; `nil` with a message when a file is missing.
func recordedAMIStreams() -> [UInt8]? {
    let root = String(#filePath.dropLast("Benchmarks/callpop-bench/AMIBench.swift".count))
    let directory = getenv("CALLPOP_FIXTURES").map { String(cString: $0) } ?? root + "Tests/Fixtures"
    var all: [UInt8] = []
    for scenario in ["inbound-answered", "inbound-missed", "internal-colleague", "outbound-answered"] {
        let path = "\(directory)/asterisk-22/\(scenario)/ami.txt"
        guard let bytes = readFile(path) else {
            print("ami: cannot read \(path) (set CALLPOP_FIXTURES to the Tests/Fixtures directory)")
            return nil
        }
        all += bytes
    }
    return all
}

/// What one pass over the streams produced.
struct AMIPassCounts: Equatable {
    var messages = 0
    var events = 0
    var callEvents = 0
}

/// Frames and maps `stream` once, in reads of `readSize` bytes, skipping events as the session does.
func amiPass(_ stream: [UInt8], readSize: Int) -> AMIPassCounts {
    var framer = AMIFramer(events: AMISession.eventFilter)
    var mapper = AMICallMapper(matcher: AMIDeviceMatcher(devices: AMIDeviceMatcher.defaultDevices(forNumber: "201")))
    var counts = AMIPassCounts()
    var start = 0
    while start < stream.count {
        let end = min(stream.count, start + readSize)
        for case .message(let message) in framer.feed(stream[start..<end]) {
            counts.messages += 1
            if message.event != nil { counts.events += 1 }
            counts.callEvents += mapper.handle(message).count
        }
        start = end
    }
    counts.messages += framer.skippedEvents  // every event of the stream counts, skipped or not
    counts.events += framer.skippedEvents
    return counts
}

/// Seconds of CPU time this thread has used: unlike the wall clock, it does not count time
/// spent waiting for a core, so the rate it gives is per core even on a busy machine.
func threadCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
}

/// Runs the AMI section: prints events/s, messages/s and bytes/s for each round and the median,
/// by wall clock and by this thread's CPU time.
func benchAMI(rounds: Int = 5, passesPerRound: Int = 2000) {
    guard let stream = recordedAMIStreams() else { return }
    let expected = amiPass(stream, readSize: 4096)
    for _ in 0..<20 { _ = amiPass(stream, readSize: 4096) }  // warm up
    let clock = ContinuousClock()
    var wallRates: [Double] = []
    var cpuRates: [Double] = []
    for round in 1...rounds {
        var mismatch = false
        let cpuStart = threadCPUSeconds()
        let elapsed = clock.measure {
            for _ in 0..<passesPerRound where amiPass(stream, readSize: 4096) != expected { mismatch = true }
        }
        let cpuSeconds = threadCPUSeconds() - cpuStart
        guard !mismatch else {
            print("ami: a pass produced different counts than \(expected); stopping")
            return
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let events = Double(expected.events * passesPerRound)
        wallRates.append(events / seconds)
        cpuRates.append(events / cpuSeconds)
        print("ami round \(round): \(passesPerRound) passes in \(elapsed) (CPU \(Int((cpuSeconds * 1000).rounded())) ms) → "
            + "\(format(events / seconds)) events/s wall, \(format(events / cpuSeconds)) events/s CPU")
    }
    let eventsPerMessage = Double(expected.events) / Double(expected.messages)
    let bytesPerEvent = Double(stream.count) / Double(expected.events)
    print("ami: frame + map of \(stream.count) recorded bytes per pass (\(expected.messages) messages, "
        + "\(expected.events) events, \(expected.callEvents) call events), 4 KiB reads, \(rounds) rounds, median:")
    for (label, rates) in [("wall", wallRates), ("CPU", cpuRates)] {
        let rate = rates.sorted()[rates.count / 2]
        print("  \(label): \(format(rate)) events/s, \(format(rate / eventsPerMessage)) messages/s, "
            + "\(format(rate * bytesPerEvent / 1e6)) MB/s")
    }
}

/// `1234567.8` → `"1 234 568"`: rates readable at a glance.
func format(_ value: Double) -> String {
    let digits = String(Int(value.rounded()))
    var grouped = ""
    for (index, digit) in digits.enumerated() {
        if index > 0, (digits.count - index) % 3 == 0 { grouped += " " }
        grouped.append(digit)
    }
    return grouped
}
