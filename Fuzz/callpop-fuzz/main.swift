// callpop-fuzz: the libFuzzer targets of issue #10, one executable for all of them.
//
// Built two ways from the same sources:
// - `make fuzz` builds it with libFuzzer and AddressSanitizer (`-sanitize=fuzzer,address`,
//   `-D CALLPOP_FUZZING`, scratch path `.build-fuzz`): `callpop-fuzz TARGET [libFuzzer
//   options and corpus directories]` fuzzes TARGET (see Fuzz/README.md);
// - every ordinary `swift build` builds it without: `callpop-fuzz TARGET FILE...` runs each
//   file once through TARGET, to replay a crash or a corpus, and keeps the targets compiling.
#if canImport(Glibc)
import Glibc
#endif

/// The target the callback runs: set once, before the fuzzing starts.
nonisolated(unsafe) var selected: FuzzTarget?

var arguments = CommandLine.arguments
let names = FuzzTarget.all.map(\.name).joined(separator: ", ")
guard arguments.count >= 2, let target = FuzzTarget.all.first(where: { $0.name == arguments[1] }) else {
    print("usage: callpop-fuzz TARGET [FILE...]   (targets: \(names))")
    exit(2)
}
selected = target
arguments.remove(at: 1)

#if CALLPOP_FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

var argc = CInt(arguments.count)
var argvStorage: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
let status = argvStorage.withUnsafeMutableBufferPointer { buffer -> CInt in
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = buffer.baseAddress
    return LLVMFuzzerRunDriver(&argc, &argv) { data, size in
        selected?.run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }
}
exit(status)
#else
var replayed = 0
for path in arguments.dropFirst() {
    guard let bytes = readFile(path) else {
        print("callpop-fuzz: cannot read \(path)")
        exit(1)
    }
    bytes.withUnsafeBytes { target.run($0) }
    replayed += 1
}
print("callpop-fuzz: \(target.name): \(replayed) input(s) ran without a failed check")
#endif
