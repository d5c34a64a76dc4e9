import Foundation
import KernelCore

extension ScenarioParser {
    /// A scenario's `drivers:` list: driver files, relative to the scenario's
    /// directory, whose drivers its devices may name.
    func loadDrivers(_ node: YAMLNode) throws(ScenarioError) -> [String: DriverMaker] {
        var makers: [String: DriverMaker] = [:]
        let directory = (reader.file as NSString).deletingLastPathComponent
        for entry in try reader.sequence(node, what: "`drivers`") {
            let name = try reader.text(entry, what: "a driver file")
            let path = name.hasPrefix("/") || directory.isEmpty ? name : directory + "/" + name
            let declared = try DeclaredDriver.load(contentsOf: path)
            guard drivers(declared.name) == nil else {
                throw reader.error(entry, "\(path) describes '\(declared.name)', the name of a built-in driver")
            }
            guard makers[declared.name] == nil else {
                throw reader.error(entry, "two driver files describe '\(declared.name)'")
            }
            makers[declared.name] = declared.maker
        }
        return makers
    }
}

extension DeclaredDriver {
    /// What a scenario builds this driver's devices with.
    public var maker: DriverMaker {
        DriverMaker(name: name, settingsHelp: settingsHelp, source: source) { address, settings, context throws(SettingsError) in
            try make(address: address, settings: settings, context: context)
        }
    }
}
