import DriverCatalog
import KernelCore

/// The scenario a command serves or checks: a file, or the embedded default.
enum ScenarioSource {
    static func load(_ path: String?, log: @escaping @Sendable (String) -> Void = { _ in }) throws(ScenarioError) -> Scenario {
        let drivers: Scenario.DriverLookup = { DriverCatalog.factory(named: $0) }
        if let path {
            return try Scenario.load(contentsOf: path, drivers: drivers, driverNames: DriverCatalog.names, log: log)
        }
        return try Scenario.load(yaml: Scenario.defaultYAML, file: "default scenario", drivers: drivers,
                                 driverNames: DriverCatalog.names, log: log)
    }
}
