import SystemPackage

extension Errno {
    /// The message with the symbolic name kernel developers look for, e.g. `No space left on device (ENOSPC)`.
    var explained: String {
        let names: [Errno: String] = [
            .invalidArgument: "EINVAL", .noSpace: "ENOSPC", .fileExists: "EEXIST", .resourceBusy: "EBUSY",
            .noDevice: "ENODEV", .outOfRange: "ERANGE", .noSuchFileOrDirectory: "ENOENT", .ioError: "EIO",
            .noMemory: "ENOMEM", .notPermitted: "EPERM", .permissionDenied: "EACCES",
        ]
        return names[self].map { "\(description) (\($0))" } ?? description
    }
}
