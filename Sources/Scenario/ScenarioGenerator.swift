import KernelCore
import Support
import SysfsTree

/// Writes fleet scenarios: `hosts` machines alike, each with `devicesPerHost`
/// functions of one driver at consecutive addresses from `first`.
public struct FleetScenario: Sendable {
    public var hosts: Int
    public var devicesPerHost: Int
    public var driver: String
    public var first: PCIAddress
    /// Host names are this followed by a zero-padded number (a lone host takes it as is).
    public var namePrefix: String

    public init(hosts: Int, devicesPerHost: Int, driver: String,
                first: PCIAddress = PCIAddress(bus: 0x01, slot: 0, function: 0), namePrefix: String = "host") {
        self.hosts = hosts
        self.devicesPerHost = devicesPerHost
        self.driver = driver
        self.first = first
        self.namePrefix = namePrefix
    }

    /// Why these numbers make no valid scenario, or nil.
    public var problem: String? {
        if !(1...ScenarioLimits.hosts).contains(hosts) { return "--hosts must be from 1 to \(ScenarioLimits.hosts)" }
        if devicesPerHost < 0 { return "--devices-per-host may not be negative" }
        if hosts * devicesPerHost > ScenarioLimits.devices {
            return "\(hosts) x \(devicesPerHost) is more than \(ScenarioLimits.devices) devices"
        }
        if devicesPerHost > 0, first.advanced(by: devicesPerHost - 1) == nil {
            return "\(devicesPerHost) devices from \(first) run past bus ff"
        }
        if let problem = HostName.problem(hosts == 1 ? namePrefix : HostName.numbered(namePrefix, count: hosts)[hosts - 1]) {
            return "bad host name prefix '\(HostName.printable(namePrefix))': \(problem)"
        }
        return nil
    }

    /// The scenario with `count` for hosts and devices: a few lines whatever the size.
    public var compactYAML: String {
        var lines = ["# \(hosts) host\(hosts == 1 ? "" : "s") x \(devicesPerHost) \(driver) devices", "hosts:",
                     "  - name: \(quoted(namePrefix))"]
        if hosts > 1 { lines.append("    count: \(hosts)") }
        if devicesPerHost > 0 {
            lines += ["    devices:", "      - driver: \(quoted(driver))", "        first: \(first)",
                      "        count: \(devicesPerHost)"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The same scenario with every host and device written out, to edit one by one.
    public var explicitYAML: String {
        let names = hosts == 1 ? [namePrefix] : HostName.numbered(namePrefix, count: hosts)
        var lines = ["# \(hosts) host\(hosts == 1 ? "" : "s") x \(devicesPerHost) \(driver) devices", "hosts:"]
        for name in names {
            lines.append("  - name: \(quoted(name))")
            guard devicesPerHost > 0 else { continue }
            lines.append("    devices:")
            for index in 0..<devicesPerHost {
                guard let address = first.advanced(by: index) else { break }
                lines.append("      - {address: \(address), driver: \(quoted(driver))}")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Plain names stay plain; anything YAML might read otherwise is double-quoted.
    private func quoted(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy { scalar in
            (scalar.properties.isAlphabetic && scalar.isASCII) || ("0"..."9").contains(scalar) || "-_.".unicodeScalars.contains(scalar)
        }
        if plain, let first = text.unicodeScalars.first, first.properties.isAlphabetic,
           !["true", "false", "yes", "no", "on", "off", "null"].contains(text.lowercased()) {
            return text
        }
        return JSONQuoting.quoted(text)
    }
}
