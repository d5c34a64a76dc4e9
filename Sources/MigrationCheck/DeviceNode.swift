/// What a directory given to `check` is, judged from its entries the way a
/// management tool tells them apart in `/sys`.
public struct DeviceNode: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case mdevType = "mdev type"
        case mdev
        case virtualFunction = "VF"
        case function = "PCI function"
    }

    public let path: String
    public let kind: Kind
    /// The mdev type directory's name (`i915-GVTg_V5_4`) for a type or an mdev.
    public let typeID: String?

    /// Nil when `path` is none of the four.
    public init?(path: String, access: some SysfsAccess) {
        guard let names = access.list(path) else { return nil }
        let entries = Set(names)
        self.path = path
        if entries.contains("create") && entries.contains("available_instances") {
            kind = .mdevType
            typeID = access.resolve(path).map(baseName)
        } else if entries.contains("mdev_type") {
            kind = .mdev
            typeID = access.resolve(joinPath(path, "mdev_type")).map(baseName)
        } else if entries.contains("physfn") {
            kind = .virtualFunction
            typeID = nil
        } else if entries.contains("vendor") && entries.contains("config") {
            kind = .function
            typeID = nil
        } else {
            return nil
        }
    }

    /// Where this device's type attributes are: the type directory itself, or an mdev's `mdev_type`.
    var typeDirectory: String? {
        switch kind {
        case .mdevType: return path
        case .mdev: return joinPath(path, "mdev_type")
        default: return nil
        }
    }
}
