import Compatibility
import KernelCore
/// A scenario's hosts as its file declares them: what a live mount compares
/// against when the file is read again (reload), and what `update` starts
/// from. UUIDs the file leaves out are the derived ones the build uses.
public struct DeclaredHost: Sendable {
    public let name: String
    public let flavours: Set<InterfaceFlavour>
    public let devices: [DeclaredDevice]
    /// The host's `faults:` entries, each as `key: value` text with its line, for the FUSE layer to check and apply.
    public let faults: [DeclaredFault]
}

public struct DeclaredDevice: Sendable {
    public struct Mdev: Sendable, Equatable {
        /// The type directory's name, e.g. `i915-GVTg_V5_4`.
        public let type: String
        public let uuid: MdevUUID
    }

    public let address: PCIAddress
    public let driver: String
    /// What builds it: a built-in factory or the scenario's driver file.
    public let maker: DriverMaker
    public let settings: DriverSettings
    /// VFs the file asks for; 0 leaves it to the driver's `initial_vfs`.
    public let vfs: Int
    public let mdevs: [Mdev]
}

public struct DeclaredFault: Sendable, Equatable {
    /// Each key with its value as text; a list (for `op`) is joined with commas.
    public let fields: [String: String]
    public let file: String
    public let line: Int
}

extension Scenario {
    /// Reads, checks and builds the scenario at `path`, with its declarations.
    public static func loadDeclared(contentsOf path: String, drivers: @escaping DriverLookup, driverNames: [String] = [],
                                    log: @escaping @Sendable (String) -> Void = { _ in })
        throws(ScenarioError) -> (scenario: Scenario, hosts: [DeclaredHost]) {
        try loadDeclared(yaml: try ScenarioFile.read(path), file: path, drivers: drivers, driverNames: driverNames, log: log)
    }

    /// The same for a scenario given as text; `file` names it in errors.
    public static func loadDeclared(yaml: String, file: String, drivers: @escaping DriverLookup, driverNames: [String] = [],
                                    log: @escaping @Sendable (String) -> Void = { _ in })
        throws(ScenarioError) -> (scenario: Scenario, hosts: [DeclaredHost]) {
        let reader = YAMLReader(file: file)
        let plan = try ScenarioParser(reader: reader, drivers: drivers, driverNames: driverNames).parse(yaml: yaml)
        let scenario = try ScenarioBuilder(reader: reader, log: log).build(plan)
        return (scenario, plan.declaredHosts(file: file))
    }

    /// Reads and checks the scenario at `path` without building it.
    public static func declarations(contentsOf path: String, drivers: @escaping DriverLookup,
                                    driverNames: [String] = []) throws(ScenarioError) -> [DeclaredHost] {
        let reader = YAMLReader(file: path)
        let plan = try ScenarioParser(reader: reader, drivers: drivers, driverNames: driverNames)
            .parse(yaml: try ScenarioFile.read(path))
        return plan.declaredHosts(file: path)
    }
}

extension ScenarioPlan {
    /// Hosts of one entry share their devices' declarations unless UUIDs derived
    /// from the host's name tell them apart: a fleet declares a million functions.
    func declaredHosts(file: String) -> [DeclaredHost] {
        var shared: [DeclaredDevice] = []
        return hosts.map { host in
            let derivesUUIDs = host.devices.contains { device in device.mdevs.contains { $0.uuid == nil } }
            if host.isFirstOfEntry || derivesUUIDs {
                shared = host.devices.map { device in
                    DeclaredDevice(address: device.address, driver: device.driver, maker: device.factory, settings: device.settings,
                                   vfs: device.vfs, mdevs: device.mdevs.flatMap { mdev in
                        (0..<mdev.count).map { index in
                            DeclaredDevice.Mdev(type: mdev.type, uuid: mdev.uuid ?? MdevUUID.derived(
                                from: [host.name, device.address.description, mdev.type, String(index)]))
                        }
                    })
                }
            }
            return DeclaredHost(name: host.name, flavours: host.flavours, devices: shared,
                                faults: host.faults.map { DeclaredFault(fields: $0.fields, file: file, line: $0.line) })
        }
    }
}
