import Support
import SysfsTree

/// One simulated machine: its `/sys` tree and the kernel core that keeps the
/// tree in step with device lifecycle (PCI, SR-IOV, mdev, IOMMU groups).
///
/// Every change to devices runs under `lock`, as the kernel's device_lock;
/// directory locks nest inside it and never the other way round.
public final class Host: @unchecked Sendable {
    public let name: String
    public let root: Directory
    public let lock = KernelLock()
    /// The CPUs and NUMA nodes under `/devices/system`.
    public let system: SystemDevices
    public var cpuCount: Int { system.topology.cpuCount }
    /// The loaded modules under `/module`, whose drivers are registered.
    public let modules = ModuleRegistry()
    /// Where the core explains refusals, as the kernel's log would.
    public let log: @Sendable (String) -> Void
    /// The rate limit of the refusals any writer can provoke (a `migration_version` string).
    public let refusalLog = LogRateLimit()

    private let sink = Locked<(any UEventSink)?>(nil)
    let stateObserver = Locked<(@Sendable (PersistentState) -> Void)?>(nil)
    private let pciDevices: Directory
    let pciDrivers: Directory
    private let iommuGroups: Directory
    // Guarded by `lock`.
    var devicesByAddress: [PCIAddress: PCIDevice] = [:]
    var pciBus = PCIBusState()
    private var iommuGroupsInUse = Set<Int>()
    /// No group below this number is free.
    private var lowestFreeGroup = 0
    var mdevsByUUID: [MdevUUID: MdevDevice] = [:]

    public init(name: String, root: Directory = Directory(), topology: CPUTopology = .twoSocketServer,
                log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.name = name
        self.root = root
        self.system = SystemDevices(topology: topology)
        self.log = log
        (pciDevices, pciDrivers, iommuGroups) = Host.buildSkeleton(root)
        buildPCIBusFiles(root.directory("bus").directory("pci"))
        buildMdevBus()
        buildCPUDirectories()
        buildNodeDirectories()
        for module in ModuleCatalog.always { loadModule(module) }
    }

    // MARK: Devices

    public var devices: [PCIDevice] {
        lock.withLock { devicesByAddress.values.sorted { $0.address < $1.address } }
    }

    public func device(_ address: PCIAddress) -> PCIDevice? {
        lock.withLock { devicesByAddress[address] }
    }

    /// Adds a PCI function as `pci_device_add` and `pci_bus_add_device` do:
    /// its directory, bus links and IOMMU group, the `add` uevent, for a VF
    /// the `physfn`/`virtfn` links and a `change`, then its driver: the one it
    /// boots with, or whichever the bus's probe finds.
    @discardableResult
    public func addDevice(_ spec: DeviceSpec, driver: (any VendorDriver)? = nil,
                          physicalFunction: PCIDevice? = nil) -> PCIDevice {
        lock.withLock {
            let busDirectory = devicesDirectory(for: spec.address)
            let group = allocateIOMMUGroup()
            let device = PCIDevice(host: self, spec: spec, parentDirectory: busDirectory,
                                   iommuGroup: group, physicalFunction: physicalFunction, driver: driver)
            devicesByAddress[spec.address] = device
            busDirectory.insert(device.directory)
            // The directory's name is the address, formatted once for every link that names it.
            pciDevices.symlink(device.directory.name, to: device.devpath)
            joinIOMMUGroup(group, path: device.devpath, name: device.directory.name)
            emit(UEvent(action: .add, devpath: device.devpath, subsystem: "pci", properties: device.ueventEnvironment))
            if let physicalFunction {
                linkVirtualFunction(device, to: physicalFunction)
                emit(UEvent(action: .change, devpath: device.devpath, subsystem: "pci",
                            properties: device.ueventEnvironment))
            }
            if let driver = spec.kernelDriver {
                if modules.module(registering: driver) == nil, let module = ModuleCatalog.registering(pciDriver: driver) {
                    loadModule(module)
                }
                bind(device, to: driver)
                emit(UEvent(action: .bind, devpath: device.devpath, subsystem: "pci",
                            properties: device.ueventEnvironment))
            } else if pciBus.autoprobe {
                probeLocked(device)
            }
            if spec.sriov != nil && device.sriov?.numVFs == 0 && spec.initialVFs > 0 {
                try? enableVFs(spec.initialVFs, on: device)
            }
            return device
        }
    }

    /// Takes a function away as hot-unplug does; its open files then fail with ENODEV.
    public func removeDevice(_ device: PCIDevice) {
        lock.withLock {
            guard devicesByAddress[device.address] === device else { return }
            if device.sriov?.numVFs ?? 0 > 0 { try? disableVFs(on: device) }
            for mdev in mdevsByUUID.values where mdev.parent === device { forceRemove(mdev) }
            detachLocked(device)
            // As iommu_group_remove_device: the device's link first, so it never dangles.
            device.directory.remove("iommu_group")
            leaveIOMMUGroup(device.iommuGroup, name: device.address.description)
            pciDevices.remove(device.address.description)
            device.directory.parent?.remove(device.directory.name)
            devicesByAddress[device.address] = nil
            emit(UEvent(action: .remove, devpath: device.directory.path, subsystem: "pci",
                        properties: device.ueventEnvironment))
        }
    }

    private func devicesDirectory(for address: PCIAddress) -> Directory {
        let devices = root.directory("devices")
        let name = address.rootBusName
        if let bus = devices.child(name) as? Directory { return bus }
        let bus = devices.directory(name)
        bus.attribute("uevent", mode: 0o644, show: { "" })
        return bus
    }

    // MARK: Drivers

    /// Binds `device` to a PCI driver: the `driver` link and the driver's own link back;
    /// a function whose vendor driver offers mdev types registers as an mdev parent.
    public func bind(_ device: PCIDevice, to driver: String) {
        lock.withLock {
            let driverDirectory = pciDriverDirectory(driver)
            device.kernelDriver = driver
            device.directory.symlink("driver", to: "/bus/pci/drivers/" + driver)
            driverDirectory.symlink(device.directory.name, to: device.devpath)
            registerMdevParent(device)
        }
    }

    public func unbind(_ device: PCIDevice, from driver: String) {
        lock.withLock {
            unregisterMdevParent(device)
            device.directory.remove("driver")
            pciDriverDirectory(driver).remove(device.address.description)
            device.kernelDriver = nil
        }
    }

    // MARK: IOMMU groups

    /// The lowest free group number, as `ida_alloc` hands them out.
    public func allocateIOMMUGroup() -> Int {
        lock.withLock {
            var group = lowestFreeGroup
            while iommuGroupsInUse.contains(group) { group += 1 }
            iommuGroupsInUse.insert(group)
            lowestFreeGroup = group + 1
            let directory = iommuGroups.directory(String(group)) { directory in
                [directory.makeAttribute("type", mode: 0o644, show: { "DMA\n" }),
                 directory.makeAttribute("reserved_regions", mode: 0o444, show: {
                     "0x00000000fee00000 0x00000000feefffff msi\n"
                 })]
            }
            directory.insert(directory.makeDirectory("devices"))
            return group
        }
    }

    public func joinIOMMUGroup(_ group: Int, path: String, name: String) {
        lock.withLock {
            _ = iommuGroups.directory(String(group)).directory("devices").symlink(name, to: path)
        }
    }

    /// Leaves a group; a group left empty goes away and its number is free again.
    public func leaveIOMMUGroup(_ group: Int, name: String) {
        lock.withLock {
            guard let directory = iommuGroups.child(String(group)) as? Directory,
                  let members = directory.child("devices") as? Directory else { return }
            members.remove(name)
            if members.list().isEmpty {
                iommuGroups.remove(String(group))
                iommuGroupsInUse.remove(group)
                lowestFreeGroup = min(lowestFreeGroup, group)
            }
        }
    }

    // MARK: uevents

    public func setUEventSink(_ newSink: (any UEventSink)?) {
        sink.withLock { $0 = newSink }
    }

    /// Sends an event to the sink; without one, the event is not even built.
    public func emit(_ event: @autoclosure () -> UEvent) {
        sink.withLock { $0 }?.emit(event())
    }

    // MARK: Skeleton

    /// The fixed directories; returns the ones the core adds to all the time.
    private static func buildSkeleton(_ root: Directory)
        -> (pciDevices: Directory, pciDrivers: Directory, iommuGroups: Directory) {
        let pci = root.directory("bus").directory("pci")
        let devices = pci.directory("devices")
        let drivers = pci.directory("drivers")
        pci.directory("slots")
        root.directory("devices")
        root.directory("class")
        // What the simulation leaves to the kernel it runs on: empty here, the
        // host's own under `fakesysfs run`.
        for path in ["block", "dev", "firmware", "fs", "hypervisor", "power", "kernel/mm", "kernel/security",
                     "class/net", "devices/virtual/net"] {
            _ = root.directory(path.components)
        }
        root.directory("module")
        return (devices, drivers, root.directory("kernel").directory("iommu_groups"))
    }
}

extension String {
    /// Path components of a relative path like `bus/pci/devices`.
    var components: [String] { split(separator: "/").map(String.init) }
}

extension Directory {
    /// Walks (and creates) a chain of subdirectories.
    func directory(_ components: [String]) -> Directory {
        components.reduce(self) { $0.directory($1) }
    }
}

import SystemPackage
