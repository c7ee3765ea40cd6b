import CallPopLaunch
import Testing

/// Running a helper program to its end and reading what it prints (for set-up commands).
@Suite struct ProgramOutputTests {
    @Test func capturesStdoutAndTheExitStatus() throws {
        let result = try ProgramOutput.run(
            ["sh", "-c", "printf 'one\\ntwo\\n'; echo hidden >&2; exit 3"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.text == "one\ntwo")
        #expect(result.outcome.exitStatus == 3)
    }

    /// The argument is one word: nothing in it is interpreted by a shell.
    @Test func argumentsAreNotInterpreted() throws {
        let result = try ProgramOutput.run(["printf", "%s", "$(id) `id`; x"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(result.text == "$(id) `id`; x")
        #expect(result.outcome.succeeded)
    }

    /// A program that prints more than the limit is read to its end (it never blocks on a
    /// full pipe) and only the limit is kept.
    @Test func longOutputIsCut() throws {
        let result = try ProgramOutput.run(["head", "-c", "300000", "/dev/zero"], environment: ["PATH": "/usr/bin:/bin"], maxBytes: 1000)
        #expect(result.output.count == 1000)
        #expect(result.outcome.succeeded)
    }

    @Test func missingProgramIsAnError() {
        #expect(throws: LaunchError.self) {
            try ProgramOutput.run(["callpop-no-such-program"], environment: ["PATH": "/usr/bin:/bin"])
        }
    }
}
