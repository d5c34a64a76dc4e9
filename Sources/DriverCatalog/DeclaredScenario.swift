import KernelCore
import Scenario

/// Scenarios with their declarations, for a mount that can be changed live and reloaded.
extension DriverCatalog {
    /// Reads, checks and builds the scenario at `path` (the default one when nil), with what it declares.
    public static func loadDeclaredScenario(_ path: String?, log: @escaping @Sendable (String) -> Void = { _ in })
        throws(ScenarioError) -> (scenario: Scenario, hosts: [DeclaredHost]) {
        let drivers: Scenario.DriverLookup = { factory(named: $0) }
        guard let path else {
            return try Scenario.loadDeclared(yaml: defaultScenarioYAML, file: "default scenario", drivers: drivers,
                                             driverNames: names, log: log)
        }
        return try Scenario.loadDeclared(contentsOf: path, drivers: drivers, driverNames: names, log: log)
    }

    /// Reads and checks the scenario at `path` again, without building it.
    public static func scenarioDeclarations(contentsOf path: String) throws(ScenarioError) -> [DeclaredHost] {
        try Scenario.declarations(contentsOf: path, drivers: { factory(named: $0) }, driverNames: names)
    }
}
