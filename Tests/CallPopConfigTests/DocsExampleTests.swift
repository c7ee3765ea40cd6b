import CallPopConfig
import CallPopTestSupport
import Foundation
import Testing

/// The configuration examples of docs/lookup.md load: each is a working configuration (its
/// secret files made in a scratch home with mode 600, a `[user]` added where it has none).
@Suite struct DocsExampleTests {
    static func blocks(in document: String) throws -> [String] {
        let text = try String(contentsOf: Fixtures.repositoryRoot.appendingPathComponent(document), encoding: .utf8)
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```toml" {
                current = []
            } else if let block = current, line == "```" {
                blocks.append(block.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test func everyExampleInTheLookupGuideLoads() throws {
        let examples = try Self.blocks(in: "docs/lookup.md")
        #expect(examples.count == 5, "the overview and one per directory type")
        let home = try TemporaryDirectory()
        let secret = try #require(try? Regex("~/\\.config/callpop/[A-Za-z0-9._-]+"))
        for example in examples {
            for match in example.matches(of: secret) {
                try home.write(String(example[match.range].dropFirst(2)), "s3cret\n", mode: 0o600)
            }
            let text = example.contains("[user]") ? example : "[user]\nnumber = \"201\"\ncountry_code = \"49\"\n\n" + example
            let found = diagnostics(text, environment: ["PATH": "/usr/bin:/bin", "HOME": home.path])
            #expect(found.isEmpty, "\(example)\n→ \(found)")
        }
    }
}
