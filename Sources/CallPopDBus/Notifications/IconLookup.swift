private import Glibc

/// Which icon names the icon themes installed here have, so a notification names an icon
/// the server can find: themes differ (Adwaita has `call-start-symbolic` and
/// `call-missed-symbolic`, others only the Icon Naming Specification's `call-start`,
/// `phone`, `dialog-warning`), and a name no theme has shows no icon at all.
///
/// Reads directories, so it blocks briefly: run it off the cooperative pool, once at start.
enum IconLookup {
    /// The base directories of the icon theme specification for `environment`.
    static func directories(environment: [String: String]) -> [String] {
        let home = environment["HOME"] ?? ""
        let dataHome = environment["XDG_DATA_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil } ?? home + "/.local/share"
        let dataDirs = (environment["XDG_DATA_DIRS"] ?? "").split(separator: ":").map(String.init).filter { $0.hasPrefix("/") }
        return [dataHome + "/icons", home + "/.icons"] + (dataDirs.isEmpty ? ["/usr/local/share", "/usr/share"] : dataDirs).map { $0 + "/icons" }
            + ["/usr/share/pixmaps"]
    }

    /// Those of `names` that a theme (or the pixmaps directory) under `directories` has.
    static func installed(_ names: Set<String>, in directories: [String]) -> Set<String> {
        var found: Set<String> = []
        var budget = 100_000  // entries read at most: a huge theme collection must not stall the start
        for directory in directories {
            walk(directory, depth: 0, names: names, found: &found, budget: &budget)
            if found == names || budget <= 0 { break }
        }
        return found
    }

    /// The first candidate that is installed; else the last, a standard name any theme
    /// following the Icon Naming Specification should have.
    static func choose(_ candidates: [String], installed: Set<String>) -> String {
        candidates.first(where: installed.contains) ?? candidates.last ?? ""
    }

    /// Themes are `BASE/THEME/SIZE/CONTEXT/NAME.EXT` (or `CONTEXT/SIZE`): four levels at most.
    private static func walk(_ path: String, depth: Int, names: Set<String>, found: inout Set<String>, budget: inout Int) {
        guard depth <= 3, budget > 0, let directory = opendir(path) else { return }
        defer { closedir(directory) }
        while budget > 0, let entry = readdir(directory) {
            budget -= 1
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            // Adwaita's `legacy` folders are fallbacks some servers (dunst) never search.
            guard !name.hasPrefix("."), name != "legacy" else { continue }
            let full = path + "/" + name
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_DIR):
                walk(full, depth: depth + 1, names: names, found: &found, budget: &budget)
            case Int32(DT_LNK), Int32(DT_UNKNOWN):
                // Themes link whole directories (and some file systems do not say what an entry is).
                var st = stat()
                if stat(full, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
                    walk(full, depth: depth + 1, names: names, found: &found, budget: &budget)
                } else {
                    note(name, names: names, found: &found)
                }
            default:
                note(name, names: names, found: &found)
            }
        }
    }

    private static func note(_ file: String, names: Set<String>, found: inout Set<String>) {
        for suffix in [".symbolic.png", ".svg", ".png", ".xpm"] where file.hasSuffix(suffix) {
            let stem = String(file.dropLast(suffix.count))
            if names.contains(stem) { found.insert(stem) }
            return
        }
    }
}
