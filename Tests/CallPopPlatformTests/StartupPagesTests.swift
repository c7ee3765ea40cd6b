@testable import CallPopPlatform
import Foundation
import Glibc
import Testing

/// `StartupPages` on mappings of a scratch file made as the loader maps an executable: the
/// clean read-only ones lose their resident pages (and read back the same), a read-only one
/// holding a written page is left alone (dropping it would lose the write).
@Suite struct StartupPagesTests {
    static let size = 64 * 4096

    /// A scratch file of `size` bytes, each page starting with its number.
    static func scratchFile() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("callpop-pages-\(UUID().uuidString)").path
        var bytes = [UInt8](repeating: 0xAB, count: size)
        for page in 0..<(size / 4096) { bytes[page * 4096] = UInt8(page) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Resident kB of the mapping at `address`, from /proc/self/smaps.
    static func residentKB(at address: UnsafeMutableRawPointer) throws -> Int {
        let start = String(UInt(bitPattern: address), radix: 16)
        // Read to the end: /proc files have no size, and a read by size gets nothing.
        let handle = try #require(FileHandle(forReadingAtPath: "/proc/self/smaps"))
        defer { try? handle.close() }
        let smaps = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        var inMapping = false
        for line in smaps.split(separator: "\n") {
            if line.first?.isHexDigit == true, line.contains("-") { inMapping = line.hasPrefix(start + "-") }
            if inMapping, line.hasPrefix("Rss:") { return Int(line.split(separator: " ")[1]) ?? -1 }
        }
        return -1
    }

    static func touch(_ address: UnsafeMutableRawPointer) -> Int {
        var sum = 0
        for page in 0..<(size / 4096) { sum += Int(address.load(fromByteOffset: page * 4096, as: UInt8.self)) }
        return sum
    }

    @Test func cleanReadOnlyPagesAreDroppedAndReadBackTheSame() throws {
        let path = try Self.scratchFile()
        defer { unlink(path) }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let address = try #require(mmap(nil, Self.size, PROT_READ, MAP_PRIVATE, fd, 0))
        defer { munmap(address, Self.size) }
        let sum = Self.touch(address)
        #expect(try Self.residentKB(at: address) == Self.size / 1024)
        #expect(StartupPages.release(mappingsOf: path) == Self.size)
        #expect(try Self.residentKB(at: address) == 0)
        #expect(Self.touch(address) == sum)
    }

    @Test func aReadOnlyMappingWithAWrittenPageIsLeftAlone() throws {
        let path = try Self.scratchFile()
        defer { unlink(path) }
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let address = try #require(mmap(nil, Self.size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0))
        defer { munmap(address, Self.size) }
        address.storeBytes(of: 0xEE, toByteOffset: 4096 * 3 + 1, as: UInt8.self)  // as the loader relocates
        #expect(mprotect(address, Self.size, PROT_READ) == 0)
        _ = Self.touch(address)
        #expect(StartupPages.release(mappingsOf: path) == 0)
        #expect(address.load(fromByteOffset: 4096 * 3 + 1, as: UInt8.self) == 0xEE)
        #expect(try Self.residentKB(at: address) == Self.size / 1024)
    }
}
