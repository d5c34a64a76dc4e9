import Support
import SystemPackage
import SysfsTree

/// One PCI function on a host: its identity, its state, and its directory
/// under `/devices/pci<domain>:00/`.
///
/// Mutable state is guarded by the host's lock.
public final class PCIDevice: @unchecked Sendable {
    public private(set) weak var host: Host?
    public let spec: DeviceSpec
    public let directory: Directory
    /// The directory's path below `/sys` (the uevent DEVPATH), shared by every link to it.
    public let devpath: String
    public let iommuGroup: Int
    public private(set) weak var physicalFunction: PCIDevice?
    public let isVirtualFunction: Bool

    public internal(set) var kernelDriver: String?
    public let driver: (any VendorDriver)?
    var enableCount: Int
    /// What `reset_method` lists; guarded by the host's lock.
    var resetMethods = PCIDevice.supportedResetMethods
    var numaNode: Int
    /// Kept as written, so it need not be UTF-8.
    var driverOverride: [UInt8]?
    let config: ConfigSpace

    public var address: PCIAddress { spec.address }
    public var identity: PCIIdentity { spec.identity }

    // Guarded by the host's lock.
    var sriov: SRIOVState?
    var mdevTypeIDs: [String: MdevType] = [:]

    init(host: Host, spec: DeviceSpec, parentDirectory: Directory, iommuGroup: Int,
         physicalFunction: PCIDevice?, driver: (any VendorDriver)?) {
        self.host = host
        self.driver = driver
        self.spec = spec
        self.iommuGroup = iommuGroup
        self.physicalFunction = physicalFunction
        self.isVirtualFunction = physicalFunction != nil
        self.enableCount = spec.kernelDriver == nil ? 0 : 1
        // `pci_device_add`: the node of the bus's host bridge (its ACPI _PXM).
        self.numaNode = host.system.topology.node(ofBus: spec.address.bus) ?? -1
        self.config = ConfigSpace(spec: spec, extended: true, virtualFunction: physicalFunction != nil)
        self.sriov = spec.sriov.map { SRIOVState(capability: $0) }
        let reference = WeakReference<PCIDevice>()
        let directory = parentDirectory.makeDirectory(spec.address.description) { directory in
            guard let device = reference.value else { return [] }
            return device.standardAttributes(in: directory) + device.resetAttributes(in: directory)
                + device.sriovAttributes(in: directory)
                + device.driverAttributes(in: directory)
        }
        self.directory = directory
        self.devpath = directory.path
        reference.value = self
    }

    private func driverAttributes(in directory: Directory) -> [Node] {
        guard let driver else { return [] }
        return isVirtualFunction ? driver.attributes(ofVF: self, in: directory)
                                 : driver.attributes(of: self, in: directory)
    }

    /// What every uevent of the function carries: `DRIVER=` while it is bound
    /// (`dev_uevent`), then `pci_uevent`'s keys. Read under the host's lock.
    public var ueventEnvironment: [(String, String)] {
        (kernelDriver.map { [("DRIVER", $0)] } ?? []) + ueventProperties
    }

    /// `uevent`'s keys after `DRIVER=`, as `pci_uevent` adds them.
    public var ueventProperties: [(String, String)] {
        [("PCI_CLASS", upperHex(identity.classCode, 1)),
         ("PCI_ID", upperHex(identity.vendor, 4) + ":" + upperHex(identity.device, 4)),
         ("PCI_SUBSYS_ID", upperHex(identity.subsystemVendor, 4) + ":" + upperHex(identity.subsystemDevice, 4)),
         ("PCI_SLOT_NAME", address.description),
         ("MODALIAS", identity.modalias)]
    }

    /// Runs `body` under the host's lock; ENODEV once the device has left its host.
    func locked<T>(_ body: (Host) throws(Errno) -> T) throws(Errno) -> T {
        guard let host else { throw .noDevice }
        return try host.lock.withLock { () throws(Errno) -> T in try body(host) }
    }

    func willBeRemoved() {}
}

/// A weak reference a `@Sendable` closure can capture before its target exists.
final class WeakReference<T: AnyObject>: @unchecked Sendable {
    weak var value: T?
    init(_ value: T? = nil) { self.value = value }
}
