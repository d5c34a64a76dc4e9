import SystemPackage
import SysfsTree

/// The mdev core (`drivers/vfio/mdev`): parent registration, the type
/// directories with `create`, and each mdev's directory with `remove`.
extension Host {
    func buildMdevBus() {
        let bus = root.directory("bus").directory("mdev")
        bus.directory("devices")
        bus.directory("drivers")
        autoprobeFile(in: bus, flag: \.mdevAutoprobe)
        bus.attribute("drivers_probe", mode: 0o200, store: { [weak self] input throws(Errno) in
            try self?.mdevDriversProbeStore(input)
        })
        syntheticUEventFile(in: bus, devpath: "/bus/mdev", subsystem: "bus")
    }

    /// `/sys/bus/mdev/drivers/<name>/`, registered with the first parent whose driver offers it.
    private func mdevDriverDirectory(_ name: String) -> Directory {
        let drivers = root.directory("bus/mdev/drivers".components)
        if let existing = drivers.child(name) as? Directory { return existing }
        let directory = drivers.directory(name)
        directory.attribute("bind", mode: 0o200, store: { [weak self] input throws(Errno) in
            try self?.mdevBindStore(input, driver: name)
        })
        directory.attribute("unbind", mode: 0o200, store: { [weak self] input throws(Errno) in
            try self?.mdevUnbindStore(input, driver: name)
        })
        syntheticUEventFile(in: directory, devpath: "/bus/mdev/drivers/" + name, subsystem: "drivers")
        return directory
    }

    private func mdevLocked(named input: StoreInput) -> MdevDevice? {
        mdevsByUUID.values.first { input.streq($0.uuid.description) }
    }

    /// `drivers_probe_store` on the mdev bus: ENODEV for an unknown name; an
    /// unbound mdev goes back to its parent's driver.
    private func mdevDriversProbeStore(_ input: StoreInput) throws(Errno) {
        try lock.withLock { () throws(Errno) in
            guard let mdev = mdevLocked(named: input) else { throw .noDevice }
            if !mdev.isBound { bindMdevLocked(mdev) }
        }
    }

    /// `bind_store`: ENODEV unless the mdev exists and this is its parent's driver; EBUSY when bound.
    private func mdevBindStore(_ input: StoreInput, driver: String) throws(Errno) {
        try lock.withLock { () throws(Errno) in
            guard let mdev = mdevLocked(named: input), mdev.driverName == driver else { throw .noDevice }
            guard !mdev.isBound else { throw .resourceBusy }
            bindMdevLocked(mdev)
        }
    }

    /// `unbind_store`: ENODEV unless the mdev is bound to this driver.
    private func mdevUnbindStore(_ input: StoreInput, driver: String) throws(Errno) {
        try lock.withLock { () throws(Errno) in
            guard let mdev = mdevLocked(named: input), mdev.isBound, mdev.driverName == driver else { throw .noDevice }
            unbindMdevLocked(mdev)
        }
    }

    private func bindMdevLocked(_ mdev: MdevDevice) {
        guard let directory = mdev.directory else { return }
        let uuid = mdev.uuid.description
        mdev.isBound = true
        directory.symlink("driver", to: "/bus/mdev/drivers/" + mdev.driverName)
        mdevDriverDirectory(mdev.driverName).symlink(uuid, to: directory.path)
        emit(UEvent(action: .bind, devpath: directory.path, subsystem: "mdev", properties: mdev.ueventEnvironment))
    }

    private func unbindMdevLocked(_ mdev: MdevDevice) {
        guard mdev.isBound, let directory = mdev.directory else { return }
        (root.descendant("bus/mdev/drivers/" + mdev.driverName) as? Directory)?.remove(mdev.uuid.description)
        directory.remove("driver")
        mdev.isBound = false
        emit(UEvent(action: .unbind, devpath: directory.path, subsystem: "mdev", properties: mdev.ueventEnvironment))
    }

    public func mdev(_ uuid: MdevUUID) -> MdevDevice? {
        lock.withLock { mdevsByUUID[uuid] }
    }

    public var mdevs: [MdevDevice] {
        lock.withLock { mdevsByUUID.values.sorted { $0.uuid.description < $1.uuid.description } }
    }

    /// `mdev_register_parent`: the type directories and the `mdev_bus` class link.
    func registerMdevParent(_ parent: PCIDevice) {
        guard let driver = parent.driver, let kernelDriver = parent.kernelDriver else { return }
        let types = driver.mdevTypes(of: parent)
        guard !types.isEmpty else { return }
        _ = mdevDriverDirectory(driver.mdevDriverName ?? kernelDriver + "_mdev")
        let supported = parent.directory.directory("mdev_supported_types")
        for type in types {
            let typeID = kernelDriver + "-" + type.name
            parent.mdevTypeIDs[typeID] = type
            let directory = supported.directory(typeID)
            buildTypeDirectory(directory, type: type, typeID: typeID, parent: parent, driver: driver)
        }
        root.directory("class").directory("mdev_bus").symlink(parent.address.description, to: parent.directory.path)
        emit(UEvent(action: .change, devpath: parent.directory.path, subsystem: "pci",
                    properties: [("MDEV_STATE", "registered")]))
    }

    func unregisterMdevParent(_ parent: PCIDevice) {
        guard !parent.mdevTypeIDs.isEmpty else { return }
        for mdev in mdevsByUUID.values where mdev.parent === parent { forceRemove(mdev) }
        parent.directory.remove("mdev_supported_types")
        parent.mdevTypeIDs = [:]
        (root.descendant("class/mdev_bus") as? Directory)?.remove(parent.address.description)
        emit(UEvent(action: .change, devpath: parent.directory.path, subsystem: "pci",
                    properties: [("MDEV_STATE", "unregistered")]))
    }

    private func buildTypeDirectory(_ directory: Directory, type: MdevType, typeID: String,
                                    parent: PCIDevice, driver: any VendorDriver) {
        directory.attribute("create", mode: 0o200, store: { [weak self, weak parent] input throws(Errno) in
            guard let self, let parent else { throw .noDevice }
            try self.createMdev(input, typeID: typeID, parent: parent)
        })
        directory.attribute("available_instances", mode: 0o444) { [weak self, weak parent] () throws(Errno) in
            guard let self, let parent else { throw .noDevice }
            return self.lock.withLock { "\(max(0, driver.availableInstances(of: type, on: parent)))\n" }
        }
        directory.attribute("device_api", mode: 0o444) { type.deviceAPI + "\n" }
        directory.attribute("name", mode: 0o444) { (type.prettyName ?? type.name) + "\n" }
        if let description = type.description {
            directory.attribute("description", mode: 0o444) { description + "\n" }
        }
        directory.directory("devices")
        for node in driver.attributes(ofType: type, on: parent, in: directory) { directory.insert(node) }
    }

    /// `create_store`: the UUID's length and form (EINVAL), a duplicate
    /// anywhere on the host (EEXIST), then the vendor driver's capacity.
    /// On success every path of the new device exists before the write returns.
    func createMdev(_ input: StoreInput, typeID: String, parent: PCIDevice) throws(Errno) {
        let uuid = try MdevUUID(parsing: input)
        try lock.withLock { () throws(Errno) in
            guard mdevsByUUID[uuid] == nil else {
                log("mdev \(uuid) already exists")
                throw .fileExists
            }
            guard let driver = parent.driver, let type = parent.mdevTypeIDs[typeID] else { throw .noDevice }
            let group = allocateIOMMUGroup()
            let mdev = MdevDevice(uuid: uuid, type: type, typeID: typeID, parent: parent, iommuGroup: group,
                                  driverName: driver.mdevDriverName ?? (parent.kernelDriver ?? "") + "_mdev")
            do throws(Errno) {
                try driver.createMdev(mdev)
            } catch {
                leaveIOMMUGroup(group, name: uuid.description)
                log("\(parent.address) \(typeID): cannot create \(uuid): \(error)")
                throw error
            }
            mdevsByUUID[uuid] = mdev
            attach(mdev, driver: driver)
            noteStateChange()
        }
    }

    private func attach(_ mdev: MdevDevice, driver: any VendorDriver) {
        let uuid = mdev.uuid.description
        let directory = mdev.parent.directory.makeDirectory(uuid)
        mdev.directory = directory
        directory.insert(directory.makeSymlink("mdev_type", to: typeDirectoryPath(mdev)))
        directory.insert(directory.makeAttribute("remove", mode: 0o200, store: { [weak self, weak mdev] input throws(Errno) in
            guard let self, let mdev else { throw .noDevice }
            try self.removeStore(input, mdev: mdev)
        }))
        directory.insert(directory.makeSymlink("iommu_group", to: "/kernel/iommu_groups/\(mdev.iommuGroup)"))
        directory.insert(directory.makeSymlink("subsystem", to: "/bus/mdev"))
        directory.insert(directory.makeAttribute("uevent", mode: 0o644, show: { [weak self, weak mdev] () throws(Errno) in
            guard let self, let mdev else { throw .noDevice }
            return lock.withLock { mdev.ueventEnvironment.map { $0.0 + "=" + $0.1 + "\n" }.joined() }
        }, store: { [weak self, weak mdev] input throws(Errno) in
            let request = try SyntheticUEvent(parsing: input)
            guard let self, let mdev else { throw .noDevice }
            lock.withLock {
                emit(UEvent(action: request.action, devpath: mdev.directory?.path ?? "", subsystem: "mdev",
                            properties: request.properties + mdev.ueventEnvironment))
            }
        }))
        for node in driver.attributes(ofMdev: mdev, in: directory) { directory.insert(node) }
        mdev.parent.directory.insert(directory)
        let path = directory.path
        joinIOMMUGroup(mdev.iommuGroup, path: path, name: uuid)
        root.directory("bus/mdev/devices".components).symlink(uuid, to: path)
        // `mdev_device_create`: device_add (the `add` uevent), the driver
        // (`bind`), then the type's `devices/` link.
        emit(UEvent(action: .add, devpath: path, subsystem: "mdev", properties: mdev.ueventEnvironment))
        bindMdevLocked(mdev)
        (root.descendant(String(typeDirectoryPath(mdev).dropFirst()) + "/devices") as? Directory)?
            .symlink(uuid, to: path)
    }

    private func typeDirectoryPath(_ mdev: MdevDevice) -> String {
        mdev.parent.directory.path + "/mdev_supported_types/" + mdev.typeID
    }

    /// `remove_store`: anything kstrtoul refuses (overflow included) is EINVAL;
    /// 0 does nothing; otherwise the vendor driver may refuse (EBUSY).
    private func removeStore(_ input: StoreInput, mdev: MdevDevice) throws(Errno) {
        guard let value = try? input.unsignedInteger() else { throw .invalidArgument }
        guard value != 0 else { return }
        try lock.withLock { () throws(Errno) in
            guard mdevsByUUID[mdev.uuid] === mdev else { throw .noDevice }
            try mdev.parent.driver?.removeMdev(mdev)
            detach(mdev)
            noteStateChange()
        }
    }

    /// Takes an mdev away whatever its driver says, as parent removal does.
    func forceRemove(_ mdev: MdevDevice) {
        try? mdev.parent.driver?.removeMdev(mdev)
        detach(mdev)
    }

    private func detach(_ mdev: MdevDevice) {
        let uuid = mdev.uuid.description
        let path = mdev.directory?.path ?? ""
        (root.descendant(String(typeDirectoryPath(mdev).dropFirst()) + "/devices") as? Directory)?.remove(uuid)
        unbindMdevLocked(mdev)
        (root.descendant("bus/mdev/devices") as? Directory)?.remove(uuid)
        mdev.directory?.remove("iommu_group")
        leaveIOMMUGroup(mdev.iommuGroup, name: uuid)
        mdev.parent.directory.remove(uuid)
        mdevsByUUID[mdev.uuid] = nil
        emit(UEvent(action: .remove, devpath: path, subsystem: "mdev", properties: mdev.ueventEnvironment))
    }
}
