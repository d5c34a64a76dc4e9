import SystemPackage
import SysfsTree

/// A vendor driver, as the kernel core sees it: what its functions add to
/// their directories, whether and how they enable VFs, and which mdev types
/// they offer with what capacity.
///
/// A driver keeps its state behind a lock of its own (`Locked`), as mtty
/// keeps `mdev_avail_ports` in an atomic. The core calls the lifecycle hooks
/// (`enableVFs`, `availableInstances`, `createMdev`, `removeMdev`, `update`)
/// with the host's lock held, so the order is always the host's lock, then
/// the driver's; a driver never calls into the host while holding its own
/// (`DeviceLog.stateChanged()` comes after the change, outside it).
///
/// Attributes are declared against the driver, which the core holds weakly
/// and passes in (`directory.makeAttributes(of: self, [.rw(...), ...])`),
/// with a `DeviceLog` for the lines that name the device. The compatibility
/// interfaces show what the driver last published (`PublishedCompatibility`).
/// The `attributes(...)` builders may run lazily, under a directory's lock:
/// they build nodes and never call into the host.
public protocol VendorDriver: AnyObject, Sendable {
    /// Extra attributes and directories in a PF's (or plain function's) directory.
    func attributes(of device: PCIDevice, in directory: Directory) -> [Node]

    /// How many VFs the driver's `sriov_configure` enables when `requested`
    /// (non-zero) are asked for; some enable all they have whatever the request.
    func numVFs(enabling requested: Int, on pf: PCIDevice) -> Int
    /// Called before `count` VFs are enabled on `pf`; throw the driver's errno to refuse.
    func enableVFs(_ count: Int, on pf: PCIDevice) throws(Errno)
    /// Called after the VFs of `pf` were removed.
    func disabledVFs(on pf: PCIDevice)
    /// Extra attributes in a VF's directory.
    func attributes(ofVF vf: PCIDevice, in directory: Directory) -> [Node]

    /// The mdev types a function offers; none makes it no mdev parent.
    func mdevTypes(of device: PCIDevice) -> [MdevType]
    /// How many more instances of `type` could be created on `parent` now.
    func availableInstances(of type: MdevType, on parent: PCIDevice) -> Int
    /// Reserves what a new mdev needs; throw (ENOSPC, ...) when it cannot be had.
    func createMdev(_ mdev: MdevDevice) throws(Errno)
    /// Releases an mdev's resources; throw (EBUSY) to refuse.
    func removeMdev(_ mdev: MdevDevice) throws(Errno)
    /// Extra attributes of a type directory (e.g. `migration_version`).
    func attributes(ofType type: MdevType, on parent: PCIDevice, in directory: Directory) -> [Node]
    /// Extra attributes of an mdev's directory.
    func attributes(ofMdev mdev: MdevDevice, in directory: Directory) -> [Node]
    /// The name of the `mdev_driver` its mdevs bind to (`/sys/bus/mdev/drivers/<name>`);
    /// nil gives `<PCI driver>_mdev`.
    var mdevDriverName: String? { get }

    /// Settings of `device` changed at run time that a restart must keep
    /// (`mount --state`), by name. A store that changes one calls
    /// `DeviceLog.stateChanged()` once the change is made.
    func persistentSettings(of device: PCIDevice) -> [String: String]
    /// Puts back what `persistentSettings(of:)` gave, before any mdev is
    /// recreated; throw the errno of a value the driver refuses.
    func restoreSettings(_ settings: [String: String], of device: PCIDevice) throws(Errno)

    /// Takes new settings while the device stays, as a driver upgrade or a
    /// reconfiguration would (a new software version, URL, service list...).
    /// `settings` is the complete set, as `DriverFactory.make` got it; throw
    /// for a value that is wrong or cannot change while the device exists.
    /// Called with the host's lock held.
    func update(settings: DriverSettings) throws(SettingsError)
}

extension VendorDriver {
    public func attributes(of device: PCIDevice, in directory: Directory) -> [Node] { [] }
    public func numVFs(enabling requested: Int, on pf: PCIDevice) -> Int { requested }
    public func enableVFs(_ count: Int, on pf: PCIDevice) throws(Errno) {}
    public func disabledVFs(on pf: PCIDevice) {}
    public func attributes(ofVF vf: PCIDevice, in directory: Directory) -> [Node] { [] }
    public func mdevTypes(of device: PCIDevice) -> [MdevType] { [] }
    public func availableInstances(of type: MdevType, on parent: PCIDevice) -> Int { 0 }
    public func createMdev(_ mdev: MdevDevice) throws(Errno) { throw .noSpace }
    public func removeMdev(_ mdev: MdevDevice) throws(Errno) {}
    public func attributes(ofType type: MdevType, on parent: PCIDevice, in directory: Directory) -> [Node] { [] }
    public func attributes(ofMdev mdev: MdevDevice, in directory: Directory) -> [Node] { [] }
    public var mdevDriverName: String? { nil }
    public func persistentSettings(of device: PCIDevice) -> [String: String] { [:] }
    public func restoreSettings(_ settings: [String: String], of device: PCIDevice) throws(Errno) {}
    public func update(settings: DriverSettings) throws(SettingsError) {
        throw SettingsError(key: "settings", reason: "this driver cannot change its settings while the device exists")
    }
}

/// One mdev type a parent offers.
public struct MdevType: Sendable, Hashable {
    /// The vendor's name for it, e.g. `GVTg_V5_4`; the directory is `<driver>-<name>`.
    public let name: String
    /// What `name` shows (newer kernels), if the driver gives one.
    public let prettyName: String?
    /// What `description` shows, if the driver gives one.
    public let description: String?
    public let deviceAPI: String

    public init(name: String, prettyName: String? = nil, description: String? = nil, deviceAPI: String = "vfio-pci") {
        self.name = name
        self.prettyName = prettyName
        self.description = description
        self.deviceAPI = deviceAPI
    }
}
