/// Edits of `mimeapps.list` (XDG MIME Applications Associations) that `xdg-mime` cannot
/// make: it sets defaults but never removes one.
enum MimeAppsList {
    /// `text` without `desktopID` as default handler of `mimeType` in `[Default Applications]`
    /// (the line goes when nothing else is left in it); `nil` when it was not there.
    static func removingDefault(_ text: String, mimeType: String, desktopID: String) -> String? {
        var output: [Substring] = []
        var inDefaults = false
        var changed = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("[") {
                inDefaults = line.trimmed == "[Default Applications]"
            } else if inDefaults, let equals = line.firstIndex(of: "="), line[..<equals].trimmed == mimeType {
                let ids = line[line.index(after: equals)...].split(separator: ";").map(\.trimmed).filter { !$0.isEmpty }
                let kept = ids.filter { $0 != desktopID }
                if kept.count != ids.count {
                    changed = true
                    if !kept.isEmpty { output.append(Substring(mimeType + "=" + kept.map { $0 + ";" }.joined())) }
                    continue
                }
            }
            output.append(line)
        }
        return changed ? output.joined(separator: "\n") : nil
    }
}

extension MimeAppsList {
    /// The desktop ids `[Default Applications]` of `text` lists for `mimeType`, in order.
    static func defaults(_ text: String, mimeType: String) -> [String] {
        var inDefaults = false
        for line in text.split(separator: "\n") {
            if line.hasPrefix("[") {
                inDefaults = line.trimmed == "[Default Applications]"
            } else if inDefaults, let equals = line.firstIndex(of: "="), line[..<equals].trimmed == mimeType {
                return line[line.index(after: equals)...].split(separator: ";").map(\.trimmed).filter { !$0.isEmpty }
            }
        }
        return []
    }
}

extension StringProtocol {
    /// Without spaces and tabs at either end.
    var trimmed: String {
        guard let first = firstIndex(where: { $0 != " " && $0 != "\t" }),
            let last = lastIndex(where: { $0 != " " && $0 != "\t" })
        else { return "" }
        return String(self[first...last])
    }
}
