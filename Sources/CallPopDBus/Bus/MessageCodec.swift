private import CDBus

/// Converts between libdbus messages and `DBusMessage` values.
///
/// Used only on the connection's thread. libdbus aborts the process on an
/// invalid name or path, so everything is validated here first and refused
/// with a `DBusError` instead.
enum MessageCodec {
    /// libdbus' type codes, which are C macros with casts Swift does not import.
    private enum TypeCode {
        static let invalid: Int32 = 0
        static let dictEntry = Int32(UInt8(ascii: "e"))
        static let string = Int32(UInt8(ascii: "s"))
        static let objectPath = Int32(UInt8(ascii: "o"))
        static let signature = Int32(UInt8(ascii: "g"))
        static let array = Int32(UInt8(ascii: "a"))
        static let variant = Int32(UInt8(ascii: "v"))
        static let structure = Int32(UInt8(ascii: "r"))
    }

    // MARK: Decoding

    /// Copies a received message into a value.
    static func decode(_ message: OpaquePointer) -> DBusMessage {
        let kind: DBusMessage.Kind
        switch dbus_message_get_type(message) {
        case DBUS_MESSAGE_TYPE_METHOD_CALL: kind = .methodCall
        case DBUS_MESSAGE_TYPE_METHOD_RETURN: kind = .methodReturn
        case DBUS_MESSAGE_TYPE_ERROR: kind = .error
        default: kind = .signal
        }
        var iter = DBusMessageIter()
        var arguments: [DBusValue] = []
        if dbus_message_iter_init(message, &iter) != 0 {
            arguments = decodeSequence(&iter)
        }
        return DBusMessage(
            kind: kind,
            path: string(dbus_message_get_path(message)),
            interface: string(dbus_message_get_interface(message)),
            member: string(dbus_message_get_member(message)),
            errorName: string(dbus_message_get_error_name(message)),
            destination: string(dbus_message_get_destination(message)),
            sender: string(dbus_message_get_sender(message)),
            serial: dbus_message_get_serial(message),
            replySerial: dbus_message_get_reply_serial(message),
            arguments: arguments)
    }

    private static func string(_ pointer: UnsafePointer<CChar>?) -> String? {
        pointer.map { String(cString: $0) }
    }

    /// Decodes every value from the iterator's position to the end of its container.
    private static func decodeSequence(_ iter: inout DBusMessageIter) -> [DBusValue] {
        var values: [DBusValue] = []
        while true {
            let type = dbus_message_iter_get_arg_type(&iter)
            if type == TypeCode.invalid { break }
            if let value = decodeValue(&iter, type: type) {
                values.append(value)
            }
            if dbus_message_iter_next(&iter) == 0 { break }
        }
        return values
    }

    private static func decodeValue(_ iter: inout DBusMessageIter, type: Int32) -> DBusValue? {
        switch UInt8(truncatingIfNeeded: type) {
        case UInt8(ascii: "y"): return .byte(UInt8(truncatingIfNeeded: callpop_iter_get_fixed(&iter)))
        case UInt8(ascii: "b"): return .bool(callpop_iter_get_fixed(&iter) != 0)
        case UInt8(ascii: "n"): return .int16(Int16(truncatingIfNeeded: callpop_iter_get_fixed(&iter)))
        case UInt8(ascii: "q"): return .uint16(UInt16(truncatingIfNeeded: callpop_iter_get_fixed(&iter)))
        case UInt8(ascii: "i"): return .int32(Int32(truncatingIfNeeded: callpop_iter_get_fixed(&iter)))
        case UInt8(ascii: "u"): return .uint32(UInt32(truncatingIfNeeded: callpop_iter_get_fixed(&iter)))
        case UInt8(ascii: "x"): return .int64(Int64(bitPattern: callpop_iter_get_fixed(&iter)))
        case UInt8(ascii: "t"): return .uint64(callpop_iter_get_fixed(&iter))
        case UInt8(ascii: "d"): return .double(callpop_iter_get_double(&iter))
        case UInt8(ascii: "s"): return .string(string(callpop_iter_get_string(&iter)) ?? "")
        case UInt8(ascii: "o"): return .objectPath(string(callpop_iter_get_string(&iter)) ?? "")
        case UInt8(ascii: "g"): return .signature(string(callpop_iter_get_string(&iter)) ?? "")
        case UInt8(ascii: "v"):
            var sub = DBusMessageIter()
            dbus_message_iter_recurse(&iter, &sub)
            return decodeSequence(&sub).first.map(DBusValue.variant)
        case UInt8(ascii: "r"), UInt8(ascii: "("):
            var sub = DBusMessageIter()
            dbus_message_iter_recurse(&iter, &sub)
            return .structure(decodeSequence(&sub))
        case UInt8(ascii: "a"):
            return decodeArray(&iter)
        default:
            // Unix file descriptors and future types are not used by callpop.
            return nil
        }
    }

    private static func decodeArray(_ iter: inout DBusMessageIter) -> DBusValue {
        let signature = signatureOfCurrent(&iter)
        let elementSignature = String(signature.dropFirst())
        var sub = DBusMessageIter()
        dbus_message_iter_recurse(&iter, &sub)
        if dbus_message_iter_get_element_type(&iter) == TypeCode.dictEntry {
            // "{kv}": the key is one basic type character.
            let inner = elementSignature.dropFirst().dropLast()
            let keySignature = String(inner.prefix(1))
            let valueSignature = String(inner.dropFirst())
            var entries: [DBusDictionaryEntry] = []
            while dbus_message_iter_get_arg_type(&sub) == TypeCode.dictEntry {
                var entry = DBusMessageIter()
                dbus_message_iter_recurse(&sub, &entry)
                let pair = decodeSequence(&entry)
                if pair.count == 2 {
                    entries.append(DBusDictionaryEntry(key: pair[0], value: pair[1]))
                }
                if dbus_message_iter_next(&sub) == 0 { break }
            }
            return .dictionary(keySignature: keySignature, valueSignature: valueSignature, entries)
        }
        return .array(elementSignature: elementSignature, decodeSequence(&sub))
    }

    private static func signatureOfCurrent(_ iter: inout DBusMessageIter) -> String {
        guard let raw = dbus_message_iter_get_signature(&iter) else { return "" }
        defer { dbus_free(raw) }
        return String(cString: raw)
    }

    // MARK: Encoding

    /// Builds a libdbus message; the caller owns the returned reference.
    static func encode(_ value: DBusMessage) throws(DBusError) -> OpaquePointer {
        let message = try makeHeader(value)
        do {
            var iter = DBusMessageIter()
            dbus_message_iter_init_append(message, &iter)
            for argument in value.arguments {
                try append(argument, to: &iter)
            }
            return message
        } catch {
            dbus_message_unref(message)
            throw error
        }
    }

    private static func makeHeader(_ value: DBusMessage) throws(DBusError) -> OpaquePointer {
        let message: OpaquePointer?
        switch value.kind {
        case .methodCall:
            let path = try validated(value.path, dbus_validate_path, "object path")
            let interface = try validated(value.interface, dbus_validate_interface, "interface")
            let member = try validated(value.member, dbus_validate_member, "method name")
            message = dbus_message_new_method_call(nil, path, interface, member)
        case .signal:
            let path = try validated(value.path, dbus_validate_path, "object path")
            let interface = try validated(value.interface, dbus_validate_interface, "interface")
            let member = try validated(value.member, dbus_validate_member, "signal name")
            message = dbus_message_new_signal(path, interface, member)
        case .methodReturn:
            message = dbus_message_new(DBUS_MESSAGE_TYPE_METHOD_RETURN)
        case .error:
            let name = try validated(value.errorName, dbus_validate_error_name, "error name")
            message = dbus_message_new(DBUS_MESSAGE_TYPE_ERROR)
            if let message, dbus_message_set_error_name(message, name) == 0 {
                dbus_message_unref(message)
                throw DBusError(.outOfMemory, "libdbus ran out of memory building a D-Bus message")
            }
        }
        guard let message else {
            throw DBusError(.outOfMemory, "libdbus ran out of memory building a D-Bus message")
        }
        var ok = true
        if let destination = value.destination {
            do {
                let name = try validated(destination, dbus_validate_bus_name, "bus name")
                ok = dbus_message_set_destination(message, name) != 0
            } catch {
                dbus_message_unref(message)
                throw error
            }
        }
        if value.kind == .methodReturn || value.kind == .error {
            ok = ok && dbus_message_set_reply_serial(message, value.replySerial) != 0
            dbus_message_set_no_reply(message, 1)
        }
        if value.kind == .signal { dbus_message_set_no_reply(message, 1) }
        guard ok else {
            dbus_message_unref(message)
            throw DBusError(.outOfMemory, "libdbus ran out of memory building a D-Bus message")
        }
        return message
    }

    private typealias Validator = (UnsafePointer<CChar>?, UnsafeMutablePointer<CDBus.DBusError>?) -> dbus_bool_t

    /// Checks a name with libdbus' own validator and returns it.
    private static func validated(_ text: String?, _ validate: Validator, _ what: String) throws(DBusError) -> String {
        guard let text, !text.isEmpty else {
            throw DBusError(.invalidArgument, "a D-Bus message needs a \(what)")
        }
        let valid = text.withCString { validate($0, nil) != 0 }
        guard valid, !text.utf8.contains(0) else {
            throw DBusError(.invalidArgument, "“\(text)” is not a valid D-Bus \(what)")
        }
        return text
    }

    private static func append(_ value: DBusValue, to iter: inout DBusMessageIter) throws(DBusError) {
        let ok: Bool
        switch value {
        case .byte(let v): ok = appendFixed(&iter, "y", UInt64(v))
        case .bool(let v): ok = appendFixed(&iter, "b", v ? 1 : 0)
        case .int16(let v): ok = appendFixed(&iter, "n", UInt64(UInt16(bitPattern: v)))
        case .uint16(let v): ok = appendFixed(&iter, "q", UInt64(v))
        case .int32(let v): ok = appendFixed(&iter, "i", UInt64(UInt32(bitPattern: v)))
        case .uint32(let v): ok = appendFixed(&iter, "u", UInt64(v))
        case .int64(let v): ok = appendFixed(&iter, "x", UInt64(bitPattern: v))
        case .uint64(let v): ok = appendFixed(&iter, "t", v)
        case .double(let v): ok = callpop_iter_append_double(&iter, v) != 0
        case .string(let text): ok = try appendString(&iter, TypeCode.string, text, dbus_validate_utf8, "string")
        case .objectPath(let text): ok = try appendString(&iter, TypeCode.objectPath, text, dbus_validate_path, "object path")
        case .signature(let text):
            guard text.withCString({ dbus_signature_validate($0, nil) != 0 }) else {
                throw DBusError(.invalidArgument, "“\(text)” is not a valid D-Bus signature")
            }
            ok = text.withCString { callpop_iter_append_string(&iter, TypeCode.signature, $0) != 0 }
        case .array(let elementSignature, let elements):
            try checkElements(elements, elementSignature)
            ok = try appendContainer(&iter, TypeCode.array, elementSignature, elements)
        case .dictionary(let keySignature, let valueSignature, let entries):
            let element = "{" + keySignature + valueSignature + "}"
            let pairs = entries.map { DBusValue.structure([$0.key, $0.value]) }
            for entry in entries where entry.key.signature != keySignature || entry.value.signature != valueSignature {
                throw DBusError(.invalidArgument, "a dictionary entry does not match the dictionary type \(element)")
            }
            ok = try appendContainer(&iter, TypeCode.array, element, pairs, entryType: TypeCode.dictEntry)
        case .variant(let inner):
            ok = try appendContainer(&iter, TypeCode.variant, inner.signature, [inner])
        case .structure(let fields):
            ok = try appendContainer(&iter, TypeCode.structure, nil, fields)
        }
        guard ok else { throw DBusError(.outOfMemory, "libdbus ran out of memory building a D-Bus message") }
    }

    private static func appendFixed(_ iter: inout DBusMessageIter, _ type: Character, _ value: UInt64) -> Bool {
        callpop_iter_append_u64(&iter, Int32(type.asciiValue ?? 0), value) != 0
    }

    private static func appendString(
        _ iter: inout DBusMessageIter, _ type: Int32, _ text: String, _ validate: Validator, _ what: String
    ) throws(DBusError) -> Bool {
        // An embedded NUL would silently cut the string short in C.
        guard !text.utf8.contains(0), text.withCString({ validate($0, nil) != 0 }) else {
            throw DBusError(.invalidArgument, "a value is not a valid D-Bus \(what)")
        }
        return text.withCString { callpop_iter_append_string(&iter, type, $0) != 0 }
    }

    private static func checkElements(_ elements: [DBusValue], _ signature: String) throws(DBusError) {
        for element in elements where element.signature != signature {
            throw DBusError(
                .invalidArgument, "an array element of type \(element.signature) does not match the array type a\(signature)")
        }
    }

    /// Opens a container, appends the children, closes it. Dictionary entries
    /// arrive as two-field structures and are written as `{…}` entries.
    private static func appendContainer(
        _ iter: inout DBusMessageIter, _ type: Int32, _ signature: String?, _ children: [DBusValue],
        entryType: Int32? = nil
    ) throws(DBusError) -> Bool {
        var sub = DBusMessageIter()
        let opened: Bool
        if let signature {
            opened = signature.withCString { dbus_message_iter_open_container(&iter, type, $0, &sub) != 0 }
        } else {
            opened = dbus_message_iter_open_container(&iter, type, nil, &sub) != 0
        }
        guard opened else { return false }
        do {
            for child in children {
                if let entryType, case .structure(let pair) = child {
                    var entry = DBusMessageIter()
                    guard dbus_message_iter_open_container(&sub, entryType, nil, &entry) != 0 else {
                        throw DBusError(.outOfMemory, "libdbus ran out of memory building a D-Bus message")
                    }
                    for field in pair { try append(field, to: &entry) }
                    guard dbus_message_iter_close_container(&sub, &entry) != 0 else {
                        throw DBusError(.outOfMemory, "libdbus ran out of memory building a D-Bus message")
                    }
                } else {
                    try append(child, to: &sub)
                }
            }
        } catch let error as DBusError {
            dbus_message_iter_abandon_container(&iter, &sub)
            throw error
        } catch {
            dbus_message_iter_abandon_container(&iter, &sub)
            throw DBusError(.invalidArgument, "\(error)")
        }
        return dbus_message_iter_close_container(&iter, &sub) != 0
    }
}
