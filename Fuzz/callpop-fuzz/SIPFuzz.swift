import CallPopSIP

/// SIP messages and dialog-info documents: anyone who can reach the agent's port sends them.
enum SIPFuzz {
    /// A datagram parses or is refused; a parsed request's answer (which copies its Via,
    /// From, To, Call-ID and CSeq) is one well-formed message with exactly those headers, so
    /// a value can never add a header. The stream framer survives the same bytes in pieces.
    static func message(_ raw: UnsafeRawBufferPointer) {
        var input = FuzzInput(raw, controlBytes: 1)
        let seed = input.next()
        if let message = try? SIPMessageParser.parseDatagram(input.payload), message.method != nil,
           let answer = SIPResponder.responseToStray(message) {
            let wire = answer.serialized()
            guard let reparsed = try? SIPMessageParser.parseDatagram(wire) else {
                require(false, "our answer does not parse: \(String(decoding: wire, as: UTF8.self).debugDescription)")
                return
            }
            for name in ["Via", "From", "To", "Call-ID", "CSeq"] {
                require(reparsed.headerValues(name) == message.headerValues(name), "header \(name) changed on its way back")
            }
            // serialized() adds Content-Length; nothing else may appear.
            let grown = reparsed.headers.filter { $0.name.lowercased() != "content-length" }
            require(grown.count == answer.headers.count, "our answer grew headers: \(reparsed.headers.map(\.name))")
        }
        var framer = SIPStreamFramer()
        for chunk in FuzzInput.chunks(input.payload, seed: seed) {
            framer.append(chunk)
            do {
                while try framer.nextMessage() != nil {}
            } catch {
                return  // a stream error ends the connection
            }
        }
    }

    /// A dialog-info body parses or is refused, within its bounds.
    static func dialogInfo(_ raw: UnsafeRawBufferPointer) {
        guard let info = try? DialogInfoParser.parse(Array(raw)) else { return }
        require(info.dialogs.count <= DialogInfoParser.maxDialogs, "more dialogs than the bound: \(info.dialogs.count)")
    }
}
