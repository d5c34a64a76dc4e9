import KernelCore
import Scenario

/// The host of a scenario whose tree `fakesysfs run` makes the command's /sys.
enum RunHost {
    /// The host named `name`, or the only one; with several and no name, the refusal lists them.
    static func choose(_ name: String?, among hosts: [ScenarioHost]) throws(RunFailure) -> Host {
        let names = hosts.map(\.name).joined(separator: ", ")
        if let name {
            guard let host = hosts.first(where: { $0.name == name }) else {
                throw RunFailure("no host '\(name)' in the scenario (hosts: \(names))")
            }
            return host.host
        }
        guard hosts.count == 1, let only = hosts.first else {
            throw RunFailure("the scenario has several hosts: say which becomes /sys with --host (hosts: \(names))")
        }
        return only.host
    }
}
