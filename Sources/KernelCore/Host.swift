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
    public let cpuCount: Int
    /// Where the core explains refusals, as the kernel's log would.
    public let log: @Sendable (String) -> Void

    private let sink = Locked<(any UEventSink)?>(nil)
    let stateObserver = Locked<(@Sendable (PersistentState) -> Void)?>(nil)
    // Guarded by `lock`.
    private var devicesByAddress: [PCIAddress: PCIDevice] = [:]
    private var iommuGroupsInUse = Set<Int>()
    var mdevsByUUID: [MdevUUID: MdevDevice] = [:]

    public init(name: String, root: Directory = Directory(), cpuCount: Int = 8,
                log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.name = name
        self.root = root
        self.cpuCount = cpuCount
        self.log = log
        buildSkeleton()
    }

    // MARK: Devices

    public var devices: [PCIDevice] {
        lock.withLock { devicesByAddress.values.sorted { $0.address < $1.address } }
    }

    public func device(_ address: PCIAddress) -> PCIDevice? {
        lock.withLock { devicesByAddress[address] }
    }

    /// Adds a PCI function with its directory, bus links, driver binding and IOMMU group.
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
            root.directory("bus/pci/devices".components).symlink(spec.address.description, to: device.directory.path)
            joinIOMMUGroup(group, path: device.directory.path, name: spec.address.description)
            if let physicalFunction { linkVirtualFunction(device, to: physicalFunction) }
            if let driver = spec.kernelDriver { bind(device, to: driver) }
            emit(UEvent(action: .add, devpath: device.directory.path, subsystem: "pci",
                        properties: device.ueventProperties))
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
            if let driver = device.kernelDriver { unbind(device, from: driver) }
            // As iommu_group_remove_device: the device's link first, so it never dangles.
            device.directory.remove("iommu_group")
            leaveIOMMUGroup(device.iommuGroup, name: device.address.description)
            root.directory("bus/pci/devices".components).remove(device.address.description)
            device.directory.parent?.remove(device.directory.name)
            devicesByAddress[device.address] = nil
            emit(UEvent(action: .remove, devpath: device.directory.path, subsystem: "pci",
                        properties: device.ueventProperties))
        }
    }

    private func devicesDirectory(for address: PCIAddress) -> Directory {
        let devices = root.directory("devices")
        if devices.child(address.rootBusName) == nil {
            let bus = devices.directory(address.rootBusName)
            bus.attribute("uevent", mode: 0o644, show: { "" })
        }
        return devices.directory(address.rootBusName)
    }

    // MARK: Drivers

    /// Binds `device` to a PCI driver: the `driver` link and the driver's own link back;
    /// a function whose vendor driver offers mdev types registers as an mdev parent.
    public func bind(_ device: PCIDevice, to driver: String) {
        lock.withLock {
            let driverDirectory = pciDriverDirectory(driver)
            device.kernelDriver = driver
            device.directory.symlink("driver", to: driverDirectory.path)
            driverDirectory.symlink(device.address.description, to: device.directory.path)
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

    /// `bind_store`: ENODEV unless the named device exists and the driver
    /// matches it (its ID table, or `driver_override` when set); EBUSY if bound.
    private func bindStore(_ input: StoreInput, driver: String) throws(Errno) {
        try lock.withLock { () throws(Errno) in
            guard let device = devicesByAddress.values.first(where: { input.streq($0.address.description) }),
                  device.matches(driver: driver) else {
                throw .noDevice
            }
            guard device.kernelDriver == nil else { throw .resourceBusy }
            bind(device, to: driver)
            device.enableCount += 1
            emit(UEvent(action: .bind, devpath: device.directory.path, subsystem: "pci",
                        properties: device.ueventProperties))
        }
    }

    /// `unbind_store`: only a device bound to this driver can be unbound; otherwise ENODEV.
    private func unbindStore(_ input: StoreInput, driver: String) throws(Errno) {
        try lock.withLock { () throws(Errno) in
            guard let device = devicesByAddress.values.first(where: { input.streq($0.address.description) }),
                  device.kernelDriver == driver else { throw .noDevice }
            unbind(device, from: driver)
            device.enableCount = max(0, device.enableCount - 1)
            emit(UEvent(action: .unbind, devpath: device.directory.path, subsystem: "pci",
                        properties: device.ueventProperties))
        }
    }

    func pciDriverDirectory(_ driver: String) -> Directory {
        let drivers = root.directory("bus/pci/drivers".components)
        if let existing = drivers.child(driver) as? Directory { return existing }
        let directory = drivers.directory(driver)
        directory.attribute("uevent", mode: 0o200)
        directory.attribute("new_id", mode: 0o200)
        directory.attribute("remove_id", mode: 0o200)
        directory.attribute("bind", mode: 0o200, store: { [weak self] input throws(Errno) in
            try self?.bindStore(input, driver: driver)
        })
        directory.attribute("unbind", mode: 0o200, store: { [weak self] input throws(Errno) in
            try self?.unbindStore(input, driver: driver)
        })
        return directory
    }

    // MARK: IOMMU groups

    /// The lowest free group number, as `ida_alloc` hands them out.
    public func allocateIOMMUGroup() -> Int {
        lock.withLock {
            var group = 0
            while iommuGroupsInUse.contains(group) { group += 1 }
            iommuGroupsInUse.insert(group)
            let directory = root.directory("kernel/iommu_groups".components).directory(String(group))
            directory.directory("devices")
            directory.attribute("type", mode: 0o644, show: { "DMA\n" })
            directory.attribute("reserved_regions", mode: 0o444, show: {
                "0x00000000fee00000 0x00000000feefffff msi\n"
            })
            return group
        }
    }

    public func joinIOMMUGroup(_ group: Int, path: String, name: String) {
        lock.withLock {
            _ = root.directory("kernel/iommu_groups/\(group)/devices".components).symlink(name, to: path)
        }
    }

    /// Leaves a group; a group left empty goes away and its number is free again.
    public func leaveIOMMUGroup(_ group: Int, name: String) {
        lock.withLock {
            let groups = root.directory("kernel/iommu_groups".components)
            guard let directory = groups.child(String(group)) as? Directory,
                  let members = directory.child("devices") as? Directory else { return }
            members.remove(name)
            if members.list().isEmpty {
                groups.remove(String(group))
                iommuGroupsInUse.remove(group)
            }
        }
    }

    // MARK: uevents

    public func setUEventSink(_ newSink: (any UEventSink)?) {
        sink.withLock { $0 = newSink }
    }

    public func emit(_ event: UEvent) {
        sink.withLock { $0 }?.emit(event)
    }

    // MARK: Skeleton

    private func buildSkeleton() {
        let pci = root.directory("bus").directory("pci")
        pci.directory("devices")
        pci.directory("drivers")
        pci.directory("slots")
        pci.attribute("drivers_autoprobe", mode: 0o644, show: { "1\n" })
        pci.attribute("drivers_probe", mode: 0o200)
        pci.attribute("rescan", mode: 0o200)
        pci.attribute("resource_alignment", mode: 0o644, show: { "\n" })
        pci.attribute("uevent", mode: 0o200)
        buildMdevBus()
        root.directory("devices")
        root.directory("class")
        root.directory("kernel").directory("iommu_groups")
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
