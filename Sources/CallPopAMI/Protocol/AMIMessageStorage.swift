#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The bytes of one AMI message in a single allocation: four `UInt32` offsets per
/// field (key start, key end, value start, value end; see `AMIFieldOffsets`), one
/// signature byte per field's key, then the bytes the offsets point into.
///
/// The bytes are the message's lines as received (separators and line ends
/// included) or, for a message built from fields, keys and values back to
/// back; the offsets make both read the same. The buffer is never mutated after
/// `make`, hence `@unchecked Sendable` (`ManagedBuffer` itself cannot be `Sendable`).
struct AMIMessageStorage: @unchecked Sendable {
    private let buffer: AMIMessageBuffer

    /// A storage holding `offsets` (the bytes of four `UInt32`s per field, into `bytes`) and `bytes`.
    static func make(offsets: UnsafeRawBufferPointer, bytes: UnsafeBufferPointer<UInt8>) -> AMIMessageStorage {
        AMIMessageStorage(buffer: AMIMessageBuffer.make(offsets: offsets, bytes: bytes))
    }

    var fieldCount: Int { buffer.fieldCount }

    /// The byte range of the key (`part` 0) or value (`part` 1) of field `index`.
    func range(field index: Int, part: Int) -> Range<Int> { buffer.range(field: index, part: part) }

    /// Calls `body` with the bytes of `range` (from `range(field:part:)`).
    func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        buffer.withBytes(range, body)
    }

    /// The index of the first field whose key is `key`, ignoring ASCII case.
    func firstField(named key: UnsafeBufferPointer<UInt8>) -> Int? { buffer.firstField(named: key) }
}

/// The single allocation behind an `AMIMessageStorage`.
private final class AMIMessageBuffer: ManagedBuffer<AMIMessageBuffer.Header, UInt8> {
    struct Header {
        var fieldCount: Int
        var byteCount: Int
    }

    private static let offsetsPerField = 4
    private static let offsetBytesPerField = offsetsPerField * MemoryLayout<UInt32>.size

    /// Elements: the offsets, then one signature byte per key (see `signature`), then the
    /// bytes. A lookup jumps with `memchr` to the keys with its signature, nearly always
    /// just the one it wants.
    static func make(offsets: UnsafeRawBufferPointer, bytes: UnsafeBufferPointer<UInt8>) -> AMIMessageBuffer {
        let fieldCount = offsets.count / offsetBytesPerField
        let indexBytes = offsets.count + fieldCount
        let buffer = create(minimumCapacity: indexBytes + bytes.count) { _ in
            Header(fieldCount: fieldCount, byteCount: bytes.count)
        }
        buffer.withUnsafeMutablePointerToElements { elements in
            if let source = offsets.baseAddress {
                UnsafeMutableRawPointer(elements).copyMemory(from: source, byteCount: offsets.count)
            }
            if let source = bytes.baseAddress {
                (elements + indexBytes).initialize(from: source, count: bytes.count)
            }
            let raw = UnsafeRawPointer(elements)
            for index in 0..<fieldCount {
                let start = Int(raw.loadUnaligned(fromByteOffset: index * offsetBytesPerField, as: UInt32.self))
                let end = Int(raw.loadUnaligned(fromByteOffset: index * offsetBytesPerField + 4, as: UInt32.self))
                elements[offsets.count + index] = signature(UnsafeBufferPointer(start: elements + indexBytes + start, count: end - start))
            }
        }
        return unsafeDowncast(buffer, to: AMIMessageBuffer.self)
    }

    /// One byte from a key's length and first letter (ignoring case): the keys of one message
    /// rarely share it.
    @inline(__always)
    static func signature(_ key: UnsafeBufferPointer<UInt8>) -> UInt8 {
        UInt8(truncatingIfNeeded: key.count &* 31 &+ Int(key.first.map(AMIBytes.lower) ?? 0))
    }

    /// Read through the pointer: `header` itself is a class property, checked for exclusive access on every read.
    var fieldCount: Int { withUnsafeMutablePointerToHeader { $0.pointee.fieldCount } }

    func range(field index: Int, part: Int) -> Range<Int> {
        withUnsafeMutablePointerToElements { elements in
            let raw = UnsafeRawPointer(elements)
            let at = index * Self.offsetBytesPerField + 2 * part * MemoryLayout<UInt32>.size
            let start = raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)
            let end = raw.loadUnaligned(fromByteOffset: at + MemoryLayout<UInt32>.size, as: UInt32.self)
            return Int(start)..<Int(end)
        }
    }

    /// Lookups run several times per event on the AMI path: `memchr` over the signatures finds
    /// the candidates (nearly always only the key wanted), which are then compared.
    func firstField(named key: UnsafeBufferPointer<UInt8>) -> Int? {
        let wanted = Int32(Self.signature(key))
        return withUnsafeMutablePointers { header, elements -> Int? in
            let count = header.pointee.fieldCount
            let signatures = elements + count * Self.offsetBytesPerField
            let bytes = signatures + count
            let raw = UnsafeRawPointer(elements)
            var index = 0
            while index < count, let found = memchr(signatures + index, wanted, count - index) {
                index = signatures.distance(to: found.assumingMemoryBound(to: UInt8.self))
                let start = Int(raw.loadUnaligned(fromByteOffset: index * Self.offsetBytesPerField, as: UInt32.self))
                let end = Int(raw.loadUnaligned(fromByteOffset: index * Self.offsetBytesPerField + 4, as: UInt32.self))
                if end - start == key.count,
                    AMIBytes.equalsIgnoringCase(UnsafeBufferPointer(start: bytes + start, count: key.count), key)
                {
                    return index
                }
                index += 1
            }
            return nil
        }
    }

    func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        withUnsafeMutablePointers { header, elements in
            let indexBytes = header.pointee.fieldCount * (Self.offsetBytesPerField + 1)
            return body(UnsafeBufferPointer(start: elements + indexBytes + range.lowerBound, count: range.count))
        }
    }
}

/// Where one field of a message lies in its bytes (the framer's record of each field line).
struct AMIFieldOffsets {
    var keyStart: UInt32
    var keyEnd: UInt32
    var valueStart: UInt32
    var valueEnd: UInt32
}

/// The offsets of the message being framed. Emptied for every message, so it keeps its
/// elements and a count: `Array.removeAll(keepingCapacity:)` costs more than the message's fields.
struct AMIFieldOffsetList {
    private var elements: [AMIFieldOffsets] = []
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func append(_ offsets: AMIFieldOffsets) {
        if count < elements.count {
            elements[count] = offsets
        } else {
            elements.append(offsets)
        }
        count += 1
    }

    mutating func removeAll() { count = 0 }

    /// The offsets' bytes, as `AMIMessageStorage.make` takes them.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        elements.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0.prefix(count * MemoryLayout<AMIFieldOffsets>.stride))) }
    }
}
