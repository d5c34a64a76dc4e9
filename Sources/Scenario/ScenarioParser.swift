import Compatibility
import KernelCore
import Yams

/// Reads a scenario document into a `ScenarioPlan`, refusing anything it
/// cannot build: unknown keys and drivers, bad addresses and names, repeats,
/// and sizes past `ScenarioLimits`.
struct ScenarioParser {
    let reader: YAMLReader
    let drivers: (String) -> (any DriverFactory.Type)?
    let driverNames: [String]
    /// The drivers the scenario's `drivers:` files describe, by name.
    var declaredDrivers: [String: DriverMaker] = [:]

    func parse(yaml: String) throws(ScenarioError) -> ScenarioPlan {
        var parser = self
        return try parser.parseWithDrivers(yaml: yaml)
    }

    private mutating func parseWithDrivers(yaml: String) throws(ScenarioError) -> ScenarioPlan {
        do throws(YAMLShape.Excess) {
            try YAMLShape.check(yaml)
        } catch {
            throw reader.error(line: error.line, error.reason)
        }
        let document: YAMLNode?
        do {
            document = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw syntaxError(error)
        } catch {
            throw reader.error(line: 1, "not YAML: \(error)")
        }
        guard let document else { throw reader.error(line: 1, "the scenario is empty: it needs a `hosts` list") }
        let top = try reader.fields(document, of: "the scenario", allowed: ["drivers", "hosts"])
        if let driversNode = top["drivers"] { declaredDrivers = try loadDrivers(driversNode) }
        guard let hostsNode = top["hosts"] else { throw reader.error(document, "the scenario has no `hosts` list") }
        let entries = try reader.sequence(hostsNode, what: "`hosts`")
        guard !entries.isEmpty else { throw reader.error(hostsNode, "`hosts` is empty: give at least one host") }

        var plan = ScenarioPlan()
        var firstLineOfName: [String: Int] = [:]
        for entry in entries {
            let template = try hostTemplate(entry)
            guard plan.hosts.count + template.count <= ScenarioLimits.hosts else {
                throw reader.error(line: template.countLine, "more than \(ScenarioLimits.hosts) hosts")
            }
            plan.deviceCount += template.count * template.deviceCount
            guard plan.deviceCount <= ScenarioLimits.devices else {
                throw reader.error(entry, "more than \(ScenarioLimits.devices) PCI functions in all (VFs count too)")
            }
            plan.mdevCount += template.count * template.mdevCount
            guard plan.mdevCount <= ScenarioLimits.mdevs else {
                throw reader.error(entry, "more than \(ScenarioLimits.mdevs) mdevs in all")
            }
            for (position, name) in template.names.enumerated() {
                if let problem = HostName.problem(name) {
                    throw reader.error(line: template.nameLine, "bad host name '\(HostName.printable(name))': \(problem)")
                }
                if let first = firstLineOfName[name] {
                    throw reader.error(line: template.nameLine, "duplicate host name '\(name)' (first at line \(first))")
                }
                firstLineOfName[name] = template.nameLine
                plan.hosts.append(HostPlan(name: name, line: template.nameLine, isFirstOfEntry: position == 0,
                                           flavours: template.flavours, topology: template.topology,
                                           devices: template.devices, faults: template.faults))
            }
        }
        return plan
    }

    // MARK: Hosts

    /// One `hosts` entry; with `count: N` it stands for N hosts named NAME0, NAME1, ...
    private struct HostTemplate {
        var names: [String]
        var nameLine: Int
        var count: Int { names.count }
        var countLine: Int
        var flavours: Set<InterfaceFlavour>
        var topology: CPUTopology
        var devices: [DevicePlan]
        var deviceCount: Int
        var mdevCount: Int
        var faults: [FaultEntry]
    }

    private func hostTemplate(_ node: YAMLNode) throws(ScenarioError) -> HostTemplate {
        let fields = try reader.fields(node, of: "a host", allowed: ["name", "count", "flavours", "cpus", "topology", "devices", "faults"])
        guard let nameNode = fields["name"] else { throw reader.error(node, "a host needs a `name`") }
        let name = try reader.text(nameNode, what: "`name`")
        var count = 1
        if let countNode = fields["count"] {
            count = try reader.integer(countNode, what: "`count`", in: 1...ScenarioLimits.hosts)
        }
        let names = fields["count"] == nil ? [name] : HostName.numbered(name, count: count)

        var flavours = Set(InterfaceFlavour.allCases)
        if let flavoursNode = fields["flavours"] {
            flavours = []
            for item in try reader.sequence(flavoursNode, what: "`flavours`") {
                let text = try reader.text(item, what: "a flavour")
                guard let flavour = InterfaceFlavour(rawValue: text) else {
                    let known = InterfaceFlavour.allCases.map(\.rawValue).joined(separator: ", ")
                    throw reader.error(item, "unknown flavour '\(text)' (known: \(known))")
                }
                flavours.insert(flavour)
            }
        }
        var topology = CPUTopology.twoSocketServer
        switch (fields["cpus"], fields["topology"]) {
        case (let cpusNode?, nil):
            topology = .singleNode(cpus: try reader.integer(cpusNode, what: "`cpus`", in: 1...ScenarioLimits.cpus))
        case (nil, let topologyNode?):
            topology = try self.topology(topologyNode)
        case (_?, _?):
            throw reader.error(line: fields.line(of: "topology"),
                               "give either `cpus` (one node of that many CPUs) or `topology`, not both")
        case (nil, nil):
            break
        }

        var devices: [DevicePlan] = []
        var deviceCount = 0
        var mdevCount = 0
        var lineOfAddress: [PCIAddress: Int] = [:]
        if let devicesNode = fields["devices"] {
            for entry in try reader.sequence(devicesNode, what: "`devices`") {
                let group = try deviceGroup(entry)
                deviceCount += group.addresses.count * (1 + group.vfs)
                mdevCount += group.addresses.count * group.mdevs.reduce(0) { $0 + $1.count }
                guard deviceCount <= ScenarioLimits.devices else {
                    throw reader.error(entry, "more than \(ScenarioLimits.devices) PCI functions on one host (VFs count too)")
                }
                guard mdevCount <= ScenarioLimits.mdevs else {
                    throw reader.error(entry, "more than \(ScenarioLimits.mdevs) mdevs on one host")
                }
                for address in group.addresses {
                    if let first = lineOfAddress[address] {
                        throw reader.error(line: group.addressLine, "duplicate address \(address) (first at line \(first))")
                    }
                    lineOfAddress[address] = group.addressLine
                    devices.append(DevicePlan(address: address, line: group.addressLine, driver: group.driver,
                                              factory: group.factory, settings: group.settings,
                                              settingLines: group.settingLines, settingsLine: group.settingsLine,
                                              vfs: group.vfs, vfsLine: group.vfsLine, mdevs: group.mdevs))
                }
            }
        }
        return HostTemplate(names: names, nameLine: fields.line(of: "name"), countLine: fields.line(of: "count"),
                            flavours: flavours, topology: topology, devices: devices,
                            deviceCount: deviceCount, mdevCount: mdevCount,
                            faults: try fields["faults"].map { node throws(ScenarioError) in try faults(node) } ?? [])
    }

    /// `topology:` sockets, cores and threads, nodes and their memory; what is left out is the two-socket default's.
    private func topology(_ node: YAMLNode) throws(ScenarioError) -> CPUTopology {
        let fields = try reader.fields(node, of: "`topology`", allowed: [
            "sockets", "cores_per_socket", "threads_per_core", "nodes_per_socket", "memory_mib_per_node",
        ])
        let base = CPUTopology.twoSocketServer
        func value(_ key: String, _ fallback: Int, in range: ClosedRange<Int>) throws(ScenarioError) -> Int {
            guard let valueNode = fields[key] else { return fallback }
            return try reader.integer(valueNode, what: "`\(key)`", in: range)
        }
        let topology = CPUTopology(
            sockets: try value("sockets", base.sockets, in: 1...ScenarioLimits.nodes),
            coresPerSocket: try value("cores_per_socket", base.coresPerSocket, in: 1...ScenarioLimits.cpus),
            threadsPerCore: try value("threads_per_core", base.threadsPerCore, in: 1...8),
            nodesPerSocket: try value("nodes_per_socket", base.nodesPerSocket, in: 1...ScenarioLimits.nodes),
            memoryMiBPerNode: try value("memory_mib_per_node", base.memoryMiBPerNode,
                                        in: 1...ScenarioLimits.memoryMiBPerNode))
        guard topology.cpuCount <= ScenarioLimits.cpus else {
            throw reader.error(node, "\(topology.cpuCount) CPUs in all: at most \(ScenarioLimits.cpus)")
        }
        guard topology.nodeCount <= ScenarioLimits.nodes else {
            throw reader.error(node, "\(topology.nodeCount) NUMA nodes in all: at most \(ScenarioLimits.nodes)")
        }
        guard topology.coresPerSocket % topology.nodesPerSocket == 0 else {
            throw reader.error(line: fields.line(of: "nodes_per_socket"), "`nodes_per_socket` (\(topology.nodesPerSocket)) "
                               + "must divide `cores_per_socket` (\(topology.coresPerSocket))")
        }
        return topology
    }

    /// `faults:` entries: mappings of text values (a list, as for `op`, joined with commas).
    private func faults(_ node: YAMLNode) throws(ScenarioError) -> [FaultEntry] {
        var entries: [FaultEntry] = []
        for item in try reader.sequence(node, what: "`faults`") {
            guard let mapping = item.mapping else { throw reader.error(item, "a fault must be a mapping of keys to values") }
            var fields: [String: String] = [:]
            for (key, value) in mapping {
                guard let name = key.scalar?.string else { throw reader.error(key, "a fault has a key that is not text") }
                if let list = value.sequence {
                    var words: [String] = []
                    for word in list { words.append(try reader.text(word, what: "`\(name)`")) }
                    fields[name] = words.joined(separator: ",")
                } else {
                    fields[name] = try reader.text(value, what: "`\(name)`")
                }
            }
            entries.append(FaultEntry(fields: fields, line: item.mark?.line ?? 1))
        }
        return entries
    }

    // MARK: Devices

    /// One `devices` entry: one function at `address`, or `count` alike from `first`.
    private struct DeviceGroup {
        var addresses: [PCIAddress]
        var addressLine: Int
        var driver: String
        var factory: DriverMaker
        var settings: DriverSettings
        var settingLines: [String: Int]
        var settingsLine: Int
        var vfs: Int
        var vfsLine: Int
        var mdevs: [MdevPlan]
    }

    private func deviceGroup(_ node: YAMLNode) throws(ScenarioError) -> DeviceGroup {
        let fields = try reader.fields(node, of: "a device",
                                       allowed: ["address", "first", "count", "stride", "driver", "settings", "vfs", "mdevs"])
        guard let driverNode = fields["driver"] else { throw reader.error(node, "a device needs a `driver`") }
        let driver = try reader.text(driverNode, what: "`driver`")
        guard let factory = declaredDrivers[driver] ?? drivers(driver).map(DriverMaker.init) else {
            let names = driverNames + declaredDrivers.keys.sorted()
            let known = names.isEmpty ? "" : " (known: \(names.joined(separator: ", ")))"
            throw reader.error(driverNode, "unknown driver '\(driver)'\(known)")
        }
        let (addresses, addressLine) = try deviceAddresses(fields, node: node)

        var settings = DriverSettings()
        var settingLines: [String: Int] = [:]
        if let settingsNode = fields["settings"] {
            guard let mapping = settingsNode.mapping else {
                throw reader.error(settingsNode, "`settings` must be a mapping of keys to values")
            }
            for (key, value) in mapping {
                guard let name = key.scalar?.string else { throw reader.error(key, "a setting's key must be text") }
                let line = key.mark?.line ?? fields.line(of: "settings")
                if let first = settingLines[name] {
                    throw reader.error(line: line, "setting '\(name)' is given twice (first at line \(first))")
                }
                settingLines[name] = line
                settings.values[name] = try reader.setting(value, key: name)
            }
        }
        var vfs = 0
        if let vfsNode = fields["vfs"] {
            vfs = try reader.integer(vfsNode, what: "`vfs`", in: 0...Int(UInt16.max))
        }
        var mdevs: [MdevPlan] = []
        if let mdevsNode = fields["mdevs"] {
            var total = 0
            for item in try reader.sequence(mdevsNode, what: "`mdevs`") {
                let plan = try mdev(item, sharedByDevices: addresses.count)
                total += plan.count
                guard total <= ScenarioLimits.mdevs else {
                    throw reader.error(item, "more than \(ScenarioLimits.mdevs) mdevs on one device")
                }
                mdevs.append(plan)
            }
        }
        return DeviceGroup(addresses: addresses, addressLine: addressLine, driver: driver, factory: factory,
                           settings: settings, settingLines: settingLines, settingsLine: fields.line(of: "settings"),
                           vfs: vfs, vfsLine: fields.line(of: "vfs"), mdevs: mdevs)
    }

    private func deviceAddresses(_ fields: Fields, node: YAMLNode) throws(ScenarioError) -> ([PCIAddress], Int) {
        switch (fields["address"], fields["first"], fields["count"]) {
        case (let addressNode?, nil, nil):
            if let strideNode = fields["stride"] { throw reader.error(strideNode, "`stride` goes with `first` and `count`") }
            return ([try address(addressNode)], fields.line(of: "address"))
        case (nil, let firstNode?, let countNode?):
            let first = try address(firstNode)
            let count = try reader.integer(countNode, what: "`count`", in: 1...ScenarioLimits.devices)
            var stride = 1
            if let strideNode = fields["stride"] {
                stride = try reader.integer(strideNode, what: "`stride`", in: 1...0xffff)
            }
            var addresses: [PCIAddress] = []
            addresses.reserveCapacity(count)
            for index in 0..<count {
                guard let next = first.advanced(by: index * stride) else {
                    throw reader.error(countNode, "\(count) devices from \(first) with stride \(stride) run past bus ff")
                }
                addresses.append(next)
            }
            return (addresses, fields.line(of: "first"))
        case (_?, _, _):
            throw reader.error(line: fields.line(of: "address"),
                               "give either `address` (one device) or `first` and `count` (several), not both")
        case (nil, nil, _?):
            throw reader.error(line: fields.line(of: "count"), "`count` needs `first`, the first device's address")
        case (nil, _?, nil):
            throw reader.error(line: fields.line(of: "first"), "`first` needs `count`; for one device write `address`")
        case (nil, nil, nil):
            throw reader.error(node, "a device needs an `address` (or `first` and `count`)")
        }
    }

    private func address(_ node: YAMLNode) throws(ScenarioError) -> PCIAddress {
        let text = try reader.text(node, what: "a PCI address")
        guard let address = PCIAddress(text) else {
            throw reader.error(node, "bad PCI address '\(HostName.printable(text))' (expected DDDD:BB:DD.F, e.g. 0000:3b:00.0)")
        }
        return address
    }

    private func mdev(_ node: YAMLNode, sharedByDevices devices: Int) throws(ScenarioError) -> MdevPlan {
        let fields = try reader.fields(node, of: "an mdev", allowed: ["type", "uuid", "count"])
        guard let typeNode = fields["type"] else { throw reader.error(node, "an mdev needs a `type`, e.g. i915-GVTg_V5_4") }
        let type = try reader.text(typeNode, what: "`type`")
        var uuid: MdevUUID?
        if let uuidNode = fields["uuid"] {
            let text = try reader.text(uuidNode, what: "`uuid`")
            guard let parsed = MdevUUID(text) else {
                throw reader.error(uuidNode, "bad mdev UUID '\(HostName.printable(text))' (expected 8-4-4-4-12 hex digits)")
            }
            if fields["count"] != nil {
                throw reader.error(uuidNode, "`uuid` names one mdev: leave it out with `count`, UUIDs are then derived")
            }
            if devices > 1 {
                throw reader.error(uuidNode, "`uuid` would repeat on each of the \(devices) devices: leave it out, UUIDs are then derived")
            }
            uuid = parsed
        }
        var count = 1
        if let countNode = fields["count"] {
            count = try reader.integer(countNode, what: "`count`", in: 1...ScenarioLimits.mdevs)
        }
        return MdevPlan(type: type, uuid: uuid, count: count, line: fields.line)
    }

    // MARK: Syntax

    func syntaxError(_ error: YamlError) -> ScenarioError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let prefix = context.map { $0.text + " " } ?? ""
            return reader.error(line: mark.line, "not valid YAML: \(prefix)\(problem)")
        case .reader(let problem, _, _, _):
            return reader.error(line: 1, "not valid YAML: \(problem)")
        default:
            return reader.error(line: 1, "not valid YAML: \(error)")
        }
    }
}
