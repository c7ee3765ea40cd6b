/// Escaping for text placed in XML we write.
public enum XMLEscaping {
    /// `text` with `&`, `<`, `>`, quotes escaped and control characters XML cannot hold removed.
    public static func text(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"": output += "&quot;"
            case "'": output += "&apos;"
            default:
                if scalar.value >= 0x20 || scalar == "\t" || scalar == "\n" || scalar == "\r" { output.unicodeScalars.append(scalar) }
            }
        }
        return output
    }
}
