import SysfsTree

/// A mediated device: `<parent>/<uuid>/`, on the mdev bus.
public final class MdevDevice: @unchecked Sendable {
    public let uuid: MdevUUID
    public let type: MdevType
    public let parent: PCIDevice
    public let iommuGroup: Int
    /// `<driver>-<type>`, the type directory's name.
    public let typeID: String
    /// Set once the directory is built, before the device is visible.
    public internal(set) var directory: Directory?
    /// The `mdev_driver` the parent's vendor driver registers.
    public let driverName: String
    /// Whether the device is bound to it (guarded by the host's lock).
    public internal(set) var isBound = false

    init(uuid: MdevUUID, type: MdevType, typeID: String, parent: PCIDevice, iommuGroup: Int, driverName: String) {
        self.driverName = driverName
        self.uuid = uuid
        self.type = type
        self.typeID = typeID
        self.parent = parent
        self.iommuGroup = iommuGroup
    }

    /// What its uevents carry: `DRIVER=` while bound (`dev_uevent`); the mdev
    /// bus adds nothing of its own (no `.uevent` in `mdev_bus_type`).
    public var ueventEnvironment: [(String, String)] {
        isBound ? [("DRIVER", driverName)] : []
    }
}
