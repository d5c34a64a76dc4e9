#if canImport(Glibc)
import Glibc
#endif

/// Small file and stream helpers for the commands.
enum TextFile {
    /// Writes `text` to `path`, replacing it; the error text on failure.
    static func write(_ text: String, to path: String) -> String? {
        guard let file = fopen(path, "w") else { return String(cString: strerror(errno)) }
        let bytes = Array(text.utf8)
        let written = fwrite(bytes, 1, bytes.count, file)
        let closed = fclose(file)
        return written == bytes.count && closed == 0 ? nil : String(cString: strerror(errno))
    }
}

/// One line on standard error with the prefix every command's errors carry.
func printError(_ message: String) {
    let line = (message.hasPrefix("Error: ") ? message : "Error: \(message)") + (message.hasSuffix("\n") ? "" : "\n")
    _ = line.withCString { Glibc.write(STDERR_FILENO, $0, strlen($0)) }
}
