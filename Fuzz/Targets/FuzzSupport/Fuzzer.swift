import CFuzzer
#if canImport(Glibc)
import Glibc
#endif

/// Runs libFuzzer with the process's arguments (`-max_total_time=N CORPUS...`).
public enum Fuzzer {
    public typealias Callback = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32

    public static func run(_ callback: Callback) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, callback))
    }

    /// The input as bytes.
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// Stops the run with a finding libFuzzer records as a crash, and says why.
    public static func fail(_ message: String) -> Never {
        let line = "finding: " + message + "\n"
        _ = line.withCString { write(STDERR_FILENO, $0, strlen($0)) }
        abort()
    }
}
