import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Whether this machine can mount FUSE filesystems at all.
enum FUSEAvailability {
    static let fusermount = (["/usr/bin/fusermount3", "/bin/fusermount3"] as [String]).first { access($0, X_OK) == 0 }

    static var isUsable: Bool { access("/dev/fuse", R_OK | W_OK) == 0 && fusermount != nil }

    /// Under CI a machine without FUSE is a broken machine, not a reason to skip.
    static var isCI: Bool { getenv("CI").map { String(cString: $0) } == "true" }

    /// Why a mount cannot be attempted, or nil when it can.
    static var problem: String? {
        if access("/dev/fuse", R_OK | W_OK) != 0 { return "/dev/fuse is missing or not accessible" }
        if fusermount == nil { return "fusermount3 is not installed (Debian package fuse3)" }
        return nil
    }
}

extension Trait where Self == ConditionTrait {
    /// Runs the test where FUSE works, and always under `CI=true`, where a
    /// missing FUSE then fails the test (`MountedTree.mount` throws) instead of skipping it.
    static var requiresFUSE: Self {
        .enabled(if: FUSEAvailability.isUsable || FUSEAvailability.isCI,
                 "needs /dev/fuse and fusermount3; under CI=true the test fails instead")
    }
}
