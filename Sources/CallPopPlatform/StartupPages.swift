internal import Glibc

/// Gives back the pages of our own executable that only start-up touched.
///
/// A statically linked Swift program faults in megabytes of its text while it starts
/// (runtime metadata, argument parsing, configuration loading), and the kernel's
/// fault-around maps neighbouring pages too. None of it is needed while the agent waits
/// for calls, yet it counts as resident memory for as long as the agent runs. These
/// pages are clean and backed by the executable, so asking the kernel to reclaim them
/// (`MADV_PAGEOUT`, Linux 5.4+) is free of risk: whatever is used again is faulted back in.
public enum StartupPages {
    /// Reclaims the clean, file-backed pages of the running executable. Returns how many
    /// bytes were advised, or 0 when the kernel does not support it.
    @discardableResult
    public static func release() -> Int {
        guard let executable = ExecutablePath.current else { return 0 }
        guard let maps = fopen("/proc/self/maps", "r") else { return 0 }
        defer { fclose(maps) }
        var advised = 0
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), maps) != nil {
            let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let fields = text.split(separator: " ", omittingEmptySubsequences: true)
            // Only read-only mappings of our own file: writable ones hold live data.
            guard fields.count >= 6, fields[1].hasPrefix("r"), !fields[1].contains("w"),
                  fields[5].hasPrefix(executable), fields[5].dropFirst(executable.count).allSatisfy(\.isWhitespace)
            else { continue }
            let bounds = fields[0].split(separator: "-")
            guard bounds.count == 2, let start = UInt(bounds[0], radix: 16), let end = UInt(bounds[1], radix: 16),
                  let address = UnsafeMutableRawPointer(bitPattern: start)
            else { continue }
            if madvise(address, Int(end - start), 21 /* MADV_PAGEOUT */) == 0 { advised += Int(end - start) }
        }
        return advised
    }
}
