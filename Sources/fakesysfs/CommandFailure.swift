/// A command that could not do its job: printed as one line, `Error: <description>`,
/// without the usage text, and the exit status from `ExitStatus` (1 unless the
/// input was unusable). `ValidationError` is for malformed arguments only.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    let status: Int32

    init(_ description: String, status: Int32 = ExitStatus.refused) {
        self.description = description
        self.status = status
    }

    /// Input the command cannot use: a missing or malformed file, a path that is not what was asked for.
    static func unusable(_ description: String) -> CommandFailure {
        CommandFailure(description, status: ExitStatus.usage)
    }
}
