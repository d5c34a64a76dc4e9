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

    init(uuid: MdevUUID, type: MdevType, typeID: String, parent: PCIDevice, iommuGroup: Int) {
        self.uuid = uuid
        self.type = type
        self.typeID = typeID
        self.parent = parent
        self.iommuGroup = iommuGroup
    }

    /// `uevent`: the driver, then the type, as the mdev bus adds it.
    public var ueventProperties: [(String, String)] {
        [("DRIVER", "vfio_mdev"), ("MDEV_TYPE", typeID)]
    }
}
