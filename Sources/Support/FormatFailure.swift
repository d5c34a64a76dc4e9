/// Why a text could not be read in its format.
public struct FormatFailure: Error {
    public let reason: String

    public init(reason: String) { self.reason = reason }
}
