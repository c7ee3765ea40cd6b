internal import Glibc

/// Gives back the pages of our own executable that only start-up touched.
///
/// A statically linked Swift program faults in megabytes of its text while it starts
/// (runtime metadata, argument parsing, configuration loading), and the kernel's
/// fault-around maps neighbouring pages too. None of it is needed while the agent waits
/// for calls, yet it counts as resident memory for as long as the agent runs.
///
/// `MADV_DONTNEED` on a private, read-only mapping of the executable drops our page-table
/// entries; the pages stay in the page cache, and whatever runs again is faulted back in
/// from there. Unlike `MADV_PAGEOUT` this works when a second agent (another user) maps
/// the same binary. It would throw away a page that was written to (a copy-on-write page,
/// such as relocated read-only data), so a mapping is advised only when `smaps` shows no
/// private dirty page in it; writable mappings are never touched. Fault-around is turned off
/// for these mappings first, so a page used later comes back alone.
public enum StartupPages {
    /// Releases `delay` from now, on a thread of its own that then ends: the agent's run loop
    /// stays asleep throughout, so no task, executor or logging code runs after the release
    /// to fault its pages back (done from a task, that brought back about a megabyte).
    /// `report` gets the bytes advised, between the two passes over the mappings.
    public static func release(after delay: Duration, report: @escaping @Sendable (Int) -> Void) {
        _ = DetachedThread.start {
            var pause = timespec(tv_sec: Int(delay.components.seconds), tv_nsec: Int(delay.components.attoseconds / 1_000_000_000))
            var left = timespec()
            while nanosleep(&pause, &left) != 0, errno == EINTR { pause = left }
            guard let executable = ExecutablePath.current else { return }
            let mappings = cleanReadOnlyMappings(of: executable)
            report(release(mappings))
            release(mappings)  // what `report` (logging) brought back
        }
    }

    /// Drops the clean, read-only private mappings of the file at `path` (as `/proc/self/maps`
    /// names it) from this process; how many bytes were advised.
    static func release(mappingsOf path: String) -> Int {
        release(cleanReadOnlyMappings(of: path))
    }

    @discardableResult
    private static func release(_ mappings: [(address: UnsafeMutableRawPointer, length: Int)]) -> Int {
        // First turn off fault-around for all of them: the kernel maps 64 KiB around every page
        // fault, so the few code paths that run afterwards (this function included) would
        // bring back megabytes. With random access, a page used later comes back alone.
        for mapping in mappings { _ = madvise(mapping.address, mapping.length, MADV_RANDOM) }
        var advised = 0
        for mapping in mappings where madvise(mapping.address, mapping.length, MADV_DONTNEED) == 0 {
            advised += mapping.length
        }
        // Again: what ran between the first pass over a mapping and the end of the pass
        // (this loop, the system call's return) came back; this second pass touches only itself.
        for mapping in mappings { _ = madvise(mapping.address, mapping.length, MADV_DONTNEED) }
        return advised
    }

    /// The private, read-only mappings of `executable` that hold no private dirty page.
    private static func cleanReadOnlyMappings(of executable: String) -> [(address: UnsafeMutableRawPointer, length: Int)] {
        guard let smaps = fopen("/proc/self/smaps", "r") else { return [] }
        defer { fclose(smaps) }
        var found: [(address: UnsafeMutableRawPointer, length: Int)] = []
        var candidate: (start: UInt, end: UInt)?
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), smaps) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let fields = text.split(separator: " ", omittingEmptySubsequences: true)
            if let range = fields.first, range.contains("-"), fields.count >= 5 {
                // A mapping's header line: keep it as a candidate when it is ours and read-only.
                candidate = nil
                let bounds = range.split(separator: "-")
                guard fields.count >= 6, fields[1].hasPrefix("r"), !fields[1].contains("w"), fields[1].hasSuffix("p"),
                      // The whole path, " (deleted)" included when the binary was replaced while
                      // running (an upgrade), as /proc/self/exe then names it too.
                      fields[5...].joined(separator: " ").trimmingSuffix(while: \.isWhitespace) == executable,
                      bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16)
                else { continue }
                candidate = (start, end)
            } else if let mapping = candidate, fields.first == "Private_Dirty:" {
                candidate = nil
                guard fields.count >= 2, fields[1] == "0", let address = UnsafeMutableRawPointer(bitPattern: mapping.start) else { continue }
                found.append((address, Int(mapping.end - mapping.start)))
            }
        }
        return found
    }
}

extension StringProtocol {
    fileprivate func trimmingSuffix(while predicate: (Character) -> Bool) -> Substring {
        var text = self[...]
        while let last = text.last, predicate(last) { text = text.dropLast() }
        return Substring(text)
    }
}
