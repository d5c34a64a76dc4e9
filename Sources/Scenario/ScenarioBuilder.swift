import KernelCore
import Support
import SystemPackage
import SysfsTree

/// Builds the hosts of a checked plan. VFs and mdevs are made by writing
/// `sriov_numvfs` and `create`, as a user would, so the drivers' capacity
/// and the core's errno apply; any refusal stops the build with its line.
struct ScenarioBuilder: Sendable {
    let reader: YAMLReader
    let log: @Sendable (String) -> Void

    /// A single host is built at once. A fleet's hosts are built on first use
    /// (see `ScenarioHost`), except the first host of each `hosts` entry, which
    /// is built now: the others of its entry are built alike, so any refusal
    /// shows here, with its line, before anything is served.
    func build(_ plan: ScenarioPlan) throws(ScenarioError) -> Scenario {
        let root = Directory()
        if plan.hosts.count == 1, let only = plan.hosts.first {
            let host = Host(name: only.name, root: root, topology: only.topology, log: log)
            try populate(host, from: only)
            return Scenario(root: root, hosts: [ScenarioHost(built: host)])
        }
        var hosts: [ScenarioHost] = []
        hosts.reserveCapacity(plan.hosts.count)
        var expected = (functions: 0, mdevs: 0)
        for hostPlan in plan.hosts {
            let handle = lazyHost(hostPlan, in: root, expected: expected)
            if hostPlan.isFirstOfEntry {
                if let failure = handle.buildNow() { throw failure }
                expected = handle.counts
            }
            hosts.append(handle)
        }
        return Scenario(root: root, hosts: hosts)
    }

    private func lazyHost(_ plan: HostPlan, in root: Directory, expected: (functions: Int, mdevs: Int)) -> ScenarioHost {
        let reference = LazyHostReference()
        let builder = self
        let log = prefixedLog(plan.name)
        let directory = root.sysfsRoot(plan.name) { _ in
            reference.handle?.build { directory in
                let host = Host(name: plan.name, root: directory, topology: plan.topology, log: log)
                do throws(ScenarioError) {
                    try builder.populate(host, from: plan)
                } catch {
                    reference.failure = error
                    log("cannot build the host: \(error)")
                }
                return host
            }
        }
        let handle = ScenarioHost(name: plan.name, root: directory, built: nil, expected: expected, reference: reference)
        reference.handle = handle
        return handle
    }

    private func prefixedLog(_ name: String) -> @Sendable (String) -> Void {
        let log = self.log
        return { message in log(name + ": " + message) }
    }

    private func populate(_ host: Host, from plan: HostPlan) throws(ScenarioError) {
        let context = HostContext(flavours: plan.flavours)
        var takenBy: [PCIAddress: String] = [:]
        for device in plan.devices { takenBy[device.address] = "line \(device.line) declares it" }

        for device in plan.devices {
            var made: (spec: DeviceSpec, driver: any VendorDriver)
            do {
                made = try device.factory.make(address: device.address, settings: device.settings, context: context)
            } catch {
                let line = device.settingLines[error.key] ?? device.settingsLine
                throw reader.error(line: line, "\(device.driver) at \(device.address): setting \(error)")
            }
            guard made.spec.address == device.address else {
                throw reader.error(line: device.line,
                                   "driver \(device.driver) built \(made.spec.address) when asked for \(device.address)")
            }
            let vfs = device.vfs > 0 ? device.vfs : made.spec.initialVFs
            made.spec.initialVFs = 0
            if vfs > 0 {
                try reserveVFAddresses(vfs, of: made.spec, device: device, host: plan.name, takenBy: &takenBy)
            }
            let pci = host.addDevice(made.spec, driver: made.driver)
            if vfs > 0 {
                do {
                    try store(String(vfs), at: "sriov_numvfs", in: pci.directory)
                } catch {
                    throw reader.error(line: device.vfsLine, "cannot enable \(vfs) VFs on \(device.address): \(error.explained)")
                }
            }
            for mdev in device.mdevs {
                try create(mdev, on: pci, device: device, host: plan.name)
            }
        }
    }

    /// VFs take the addresses after their PF (offset, stride); none may be declared or taken already.
    private func reserveVFAddresses(_ count: Int, of spec: DeviceSpec, device: DevicePlan, host: String,
                                    takenBy: inout [PCIAddress: String]) throws(ScenarioError) {
        guard let sriov = spec.sriov else {
            throw reader.error(line: device.vfsLine,
                               "`vfs`: \(device.driver) at \(device.address) is no SR-IOV physical function")
        }
        guard count <= Int(sriov.totalVFs) else {
            throw reader.error(line: device.vfsLine,
                               "`vfs`: \(device.address) has at most \(sriov.totalVFs) VFs (sriov_totalvfs), not \(count)")
        }
        for index in 0..<count {
            let steps = Int(sriov.offset) + Int(sriov.stride) * index
            guard let address = device.address.advanced(by: steps) else {
                throw reader.error(line: device.vfsLine, "VF \(index) of \(device.address) would lie past bus ff")
            }
            if let owner = takenBy[address] {
                throw reader.error(line: device.vfsLine,
                                   "VF \(index) of \(device.address) would take \(address), but \(owner)")
            }
            takenBy[address] = "it is VF \(index) of \(device.address)"
        }
    }

    private func create(_ mdev: MdevPlan, on parent: PCIDevice, device: DevicePlan, host: String) throws(ScenarioError) {
        guard let types = parent.directory.child("mdev_supported_types") as? Directory else {
            throw reader.error(line: mdev.line, "\(device.driver) at \(device.address) offers no mdev types")
        }
        guard types.child(mdev.type) is Directory else {
            let known = types.list().map(\.name).joined(separator: ", ")
            throw reader.error(line: mdev.line,
                               "unknown mdev type '\(HostName.printable(mdev.type))' on \(device.address) (types: \(known))")
        }
        for index in 0..<mdev.count {
            let uuid = mdev.uuid ?? MdevUUID.derived(from: [host, device.address.description, mdev.type, String(index)])
            do {
                try store(uuid.description, at: "\(mdev.type)/create", in: types)
            } catch {
                throw reader.error(line: mdev.line,
                                   "cannot create mdev \(uuid) of type \(mdev.type) on \(device.address): \(error.explained)")
            }
        }
    }

    private func store(_ text: String, at path: String, in directory: Directory) throws(Errno) {
        guard let attribute = directory.descendant(path) as? Attribute else { throw .noSuchFileOrDirectory }
        _ = try attribute.write(Array(text.utf8))
    }
}
