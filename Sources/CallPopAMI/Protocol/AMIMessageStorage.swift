/// The bytes of one AMI message in a single allocation: four `UInt32` offsets per
/// field (key start, key end, value start, value end; see `AMIFieldOffsets`),
/// then the bytes they point into.
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
}

/// The single allocation behind an `AMIMessageStorage`.
private final class AMIMessageBuffer: ManagedBuffer<AMIMessageBuffer.Header, UInt8> {
    struct Header {
        var fieldCount: Int
        var byteCount: Int
    }

    private static let offsetsPerField = 4

    static func make(offsets: UnsafeRawBufferPointer, bytes: UnsafeBufferPointer<UInt8>) -> AMIMessageBuffer {
        let offsetBytes = offsets.count
        let buffer = create(minimumCapacity: offsetBytes + bytes.count) { _ in
            Header(fieldCount: offsetBytes / (offsetsPerField * MemoryLayout<UInt32>.size), byteCount: bytes.count)
        }
        buffer.withUnsafeMutablePointerToElements { elements in
            if let source = offsets.baseAddress {
                UnsafeMutableRawPointer(elements).copyMemory(from: source, byteCount: offsetBytes)
            }
            if let source = bytes.baseAddress {
                (elements + offsetBytes).initialize(from: source, count: bytes.count)
            }
        }
        return unsafeDowncast(buffer, to: AMIMessageBuffer.self)
    }

    /// Read through the pointer: `header` itself is a class property, checked for exclusive access on every read.
    var fieldCount: Int { withUnsafeMutablePointerToHeader { $0.pointee.fieldCount } }

    func range(field index: Int, part: Int) -> Range<Int> {
        withUnsafeMutablePointerToElements { elements in
            let raw = UnsafeRawPointer(elements)
            let at = (index * Self.offsetsPerField + 2 * part) * MemoryLayout<UInt32>.size
            let start = raw.loadUnaligned(fromByteOffset: at, as: UInt32.self)
            let end = raw.loadUnaligned(fromByteOffset: at + MemoryLayout<UInt32>.size, as: UInt32.self)
            return Int(start)..<Int(end)
        }
    }

    func withBytes<R>(_ range: Range<Int>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let offsetBytes = fieldCount * Self.offsetsPerField * MemoryLayout<UInt32>.size
        return withUnsafeMutablePointerToElements { elements in
            body(UnsafeBufferPointer(start: elements + offsetBytes + range.lowerBound, count: range.count))
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
