import KernelCore
import Scenario

/// Scenarios built with the catalog's drivers, and the one served when none is given.
extension DriverCatalog {
    /// One host with one device of each driver, at its default settings.
    public static let defaultScenarioYAML = """
        # One host with an Intel GPU offering GVT-g mdevs, an NVMe SSD
        # with SR-IOV and a QAT accelerator with SR-IOV.
        hosts:
          - name: default
            devices:
              - address: 0000:00:02.0
                driver: i915-gvt
              - address: 0000:3b:00.0
                driver: nvme-vf
              - address: 0000:f3:00.0
                driver: qat-vf

        """

    /// Reads, checks and builds the scenario at `path`, or the default one when `path` is nil.
    public static func loadScenario(_ path: String?,
                                    log: @escaping @Sendable (String) -> Void = { _ in }) throws(ScenarioError) -> Scenario {
        let drivers: Scenario.DriverLookup = { factory(named: $0) }
        guard let path else {
            return try Scenario.load(yaml: defaultScenarioYAML, file: "default scenario", drivers: drivers,
                                     driverNames: names, log: log)
        }
        return try Scenario.load(contentsOf: path, drivers: drivers, driverNames: names, log: log)
    }

    /// The default scenario's one host, for commands that serve a single `/sys`.
    public static func defaultHost(log: @escaping @Sendable (String) -> Void = { _ in }) throws(ScenarioError) -> Host {
        let scenario = try loadScenario(nil, log: log)
        guard scenario.hosts.count == 1, let only = scenario.hosts.first else {
            throw ScenarioError(file: "default scenario", line: 0, reason: "must describe exactly one host")
        }
        return only.host
    }
}
