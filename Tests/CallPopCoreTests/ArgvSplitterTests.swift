import CallPopCore
import CallPopTestSupport
import Testing

@Suite("Argv splitting")
struct ArgvSplitterTests {
    func words(_ line: String) throws -> [String] { try ArgvSplitter.split(line).map(\.text) }

    @Test func blanksSeparateWords() throws {
        #expect(try words("prog a  b\tc\nd\r e") == ["prog", "a", "b", "c", "d", "e"])
        #expect(try ArgvSplitter.split("  prog  arg ").map(\.offset) == [2, 8])
        // "\r\n" is a single Character in Swift; it separates words like "\n" does.
        #expect(try words("a\r\nb\r\n") == ["a", "b"])
        #expect(try words("") == [])
        #expect(try words(" \t ") == [])
    }

    @Test func doubleQuotesKeepBlanksAndWindowsPaths() throws {
        #expect(try words(#""C:\Program Files\Internet Explorer\iexplore.exe" http://host/"#)
            == [#"C:\Program Files\Internet Explorer\iexplore.exe"#, "http://host/"])
        #expect(try words(#""say \"hi\"" "a\\b" "a\b""#) == [#"say "hi""#, #"a\b"#, #"a\b"#])
        #expect(try words(#"ab"cd ef"gh"#) == ["abcd efgh"])
        #expect(try words(#"a "" b"#) == ["a", "", "b"])
        #expect(try words(#""it's""#) == ["it's"])
    }

    @Test func singleQuotesKeepEverything() throws {
        #expect(try words(#"'a "b" \c ^& $x'"#) == [#"a "b" \c ^& $x"#])
        #expect(try words("'' x") == ["", "x"])
        #expect(try words(#"'don'\''t'"#) == ["don't"])
    }

    @Test func unquotedBackslashEscapesTheNextCharacter() throws {
        #expect(try words(#"a\ b c\"d \'e \\f"#) == ["a b", #"c"d"#, "'e", #"\f"#])
    }

    @Test func caretAmpersandIsALiteralAmpersand() throws {
        #expect(try words("http://host/page?Subaction=StoreNew^&To={CALLERNAME}^&From={CALLERNUM}")
            == ["http://host/page?Subaction=StoreNew&To={CALLERNAME}&From={CALLERNUM}"])
        #expect(try words(#""x^&y" ^ a^b ^^& &"#) == ["x&y", "^", "a^b", "^&", "&"])
        #expect(try words("^&") == ["&"])
    }

    @Test func shellMetacharactersAreOrdinaryText() throws {
        #expect(try words("a;b | c > d $(e) `f` &") == ["a;b", "|", "c", ">", "d", "$(e)", "`f`", "&"])
    }

    @Test func offsetsPointAtWordStarts() throws {
        #expect(try ArgvSplitter.split(#"prog "two words" 'x'"#).map(\.offset) == [0, 5, 17])
    }

    @Test func unterminatedQuotesAndLoneBackslashAreErrors() {
        #expect(splitFailure(#"prog "abc"#) == "5: unterminated double quote")
        #expect(splitFailure("a 'b c") == "2: unterminated single quote")
        #expect(splitFailure(#""abc\""#) == "0: unterminated double quote")
        #expect(splitFailure(#"prog\"#) == "4: command line ends with a lone backslash")
    }

    @Test func randomInputNeverCrashesAndWordsHaveNoUnquotedBlanks() {
        var rng = SplitMix64(seed: 0x5EED)
        let alphabet: [Character] = ["a", " ", "\t", "\"", "'", "\\", "^", "&", "{", "}", "é", "\n"]
        for _ in 0..<2000 {
            let length = Int(rng.next() % 24)
            let line = String((0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] })
            // Either it splits or it throws a SplitError with an offset inside the line.
            do {
                let ws = try ArgvSplitter.split(line)
                #expect(ws.allSatisfy { $0.offset >= 0 && $0.offset < line.count })
            } catch {
                #expect(error.offset >= 0 && error.offset < line.count)
            }
        }
    }
}

