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

    /// A storage holding `offsets` (the bytes of four `UInt32`s per field, into `bytes`), the
    /// keys' `signatures` (one per field, computed here when nil) and `bytes`.
    static func make(
        offsets: UnsafeRawBufferPointer, signatures: UnsafeBufferPointer<UInt8>? = nil, bytes: UnsafeBufferPointer<UInt8>
    ) -> AMIMessageStorage {
        AMIMessageStorage(buffer: AMIMessageBuffer.make(offsets: offsets, signatures: signatures, bytes: bytes))
    }

    /// One byte from a key's length and first letter (ignoring case): the keys of one message
    /// rarely share it. The framer computes it as it reads each key.
    @inline(__always)
    static func signature(keyLength: Int, first: UInt8) -> UInt8 {
        UInt8(truncatingIfNeeded: keyLength &* 31 &+ Int(AMIBytes.lower(first)))
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
    static func make(
        offsets: UnsafeRawBufferPointer, signatures: UnsafeBufferPointer<UInt8>?, bytes: UnsafeBufferPointer<UInt8>
    ) -> AMIMessageBuffer {
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
            if let signatures, let source = signatures.baseAddress, signatures.count == fieldCount {
                (elements + offsets.count).initialize(from: source, count: fieldCount)
                return
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

    /// `AMIMessageStorage.signature` of `key`.
    @inline(__always)
    static func signature(_ key: UnsafeBufferPointer<UInt8>) -> UInt8 {
        AMIMessageStorage.signature(keyLength: key.count, first: key.first ?? 0)
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

/// The offsets and key signatures of the message being framed. Emptied for every message, so
/// it keeps its elements and a count: `Array.removeAll(keepingCapacity:)` costs more than the
/// message's fields.
struct AMIFieldOffsetList {
    private var elements: [AMIFieldOffsets] = []
    private var signatures: [UInt8] = []
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func append(_ offsets: AMIFieldOffsets, signature: UInt8) {
        if count == elements.count { grow() }
        elements[count] = offsets
        signatures[count] = signature
        count += 1
    }

    mutating func removeAll() { count = 0 }

    /// Calls `body` with room for fields that it fills without a check per field (the field
    /// lines of a read are the framer's hot loop); the list keeps what `body` appended.
    mutating func withRoom<R>(_ body: (inout AMIFieldAppender) -> R) -> R {
        if count == elements.count { grow() }
        return elements.withUnsafeMutableBufferPointer { offsets in
            signatures.withUnsafeMutableBufferPointer { signatures in
                guard let offsetBase = offsets.baseAddress, let signatureBase = signatures.baseAddress else {
                    var none = AMIFieldAppender(offsets: nil, signatures: nil, capacity: 0, count: count)
                    return body(&none)
                }
                var appender = AMIFieldAppender(
                    offsets: offsetBase, signatures: signatureBase, capacity: min(offsets.count, signatures.count), count: count)
                defer { count = appender.count }
                return body(&appender)
            }
        }
    }

    private mutating func grow() {
        let more = max(32, elements.count)
        elements.append(contentsOf: repeatElement(AMIFieldOffsets(keyStart: 0, keyEnd: 0, valueStart: 0, valueEnd: 0), count: more))
        signatures.append(contentsOf: repeatElement(0, count: more))
    }

    /// The offsets' bytes and the signatures, as `AMIMessageStorage.make` takes them.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer, UnsafeBufferPointer<UInt8>) -> R) -> R {
        elements.withUnsafeBytes { offsets in
            signatures.withUnsafeBufferPointer { signatures in
                body(UnsafeRawBufferPointer(rebasing: offsets.prefix(count * MemoryLayout<AMIFieldOffsets>.stride)),
                     UnsafeBufferPointer(rebasing: signatures.prefix(count)))
            }
        }
    }
}

/// Appends fields to an `AMIFieldOffsetList` inside `withRoom`, while `hasRoom`.
struct AMIFieldAppender {
    fileprivate let offsets: UnsafeMutablePointer<AMIFieldOffsets>?
    fileprivate let signatures: UnsafeMutablePointer<UInt8>?
    fileprivate let capacity: Int
    fileprivate(set) var count: Int

    var hasRoom: Bool { count < capacity }

    /// Appends a field; only while `hasRoom`.
    @inline(__always)
    mutating func append(_ field: AMIFieldOffsets, signature: UInt8) {
        guard count < capacity, let offsets, let signatures else { return }
        offsets[count] = field
        signatures[count] = signature
        count &+= 1
    }
}
