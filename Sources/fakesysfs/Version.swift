import CBuildInfo

/// What `fakesysfs --version` prints. The number is the release's; the commit
/// is the one the release scripts build from (a plain `swift build` has none).
enum Version {
    /// scripts/package and scripts/install read this line.
    static let number = "0.1.0"

    static var commit: String? {
        let commit = String(cString: fakesysfs_build_commit())
        return commit.isEmpty ? nil : commit
    }

    static var text: String {
        "fakesysfs \(number) (" + (commit.map { "commit \($0)" } ?? "commit unknown: a plain swift build") + ")"
    }
}
