/// A command that could not do its job. ArgumentParser prints it as one line,
/// `Error: <description>`, without the usage text, and exits with status 1;
/// `ValidationError` is for malformed arguments only.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) { self.description = description }
}
