import Support
import SystemPackage

/// Why a control command failed, in one line, with what the kernel logged about it.
public struct ControlError: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }

    /// `write /x/create: EEXIST (File exists)`, as a failed write(2) on the file would report.
    static func store(_ path: String, _ error: Errno) -> ControlError {
        ControlError("write \(path): \(ErrnoNames.name(of: error.rawValue)) (\(error))")
    }
}
