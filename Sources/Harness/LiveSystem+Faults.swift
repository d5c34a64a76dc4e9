import FuseServer

/// `fault add | list | clear` and `status`.
extension LiveSystem {
    func addFault(_ command: ControlCommands.Fault.Add) throws(ControlError) -> String {
        var fields: [String: String] = [:]
        for word in command.fields {
            guard let equals = word.firstIndex(of: "="), equals != word.startIndex else {
                throw ControlError("'\(word)' is not KEY=VALUE")
            }
            fields[String(word[..<equals])] = String(word[word.index(after: equals)...])
        }
        var rule: FaultRule
        do {
            rule = try FaultRule(fields: fields)
        } catch {
            throw ControlError("fault: \(error)")
        }
        if let name = rule.host {
            guard hosts.contains(where: { $0.name == name }) else {
                throw ControlError("fault: no host '\(name)' (hosts: \(hosts.map(\.name).joined(separator: ", ")))")
            }
            rule = scoped(rule, to: name)
        }
        let id = faults.add(rule)
        return "fault \(id): \(rule)"
    }

    func listFaults() -> String {
        faults.entries.map { entry in
            "\(entry.id)\t\(entry.origin.rawValue)\tmatched \(entry.matched)\tfired \(entry.fired)\t\(entry.rule)"
        }.joined(separator: "\n")
    }

    func clearFaults(_ command: ControlCommands.Fault.Clear) throws(ControlError) -> String {
        if command.ids.isEmpty {
            let count = faults.clear()
            return "cleared \(count) fault\(count == 1 ? "" : "s")"
        }
        let missing = command.ids.filter { !faults.remove(id: $0) }
        guard missing.isEmpty else {
            throw ControlError("no fault \(missing.map(String.init).joined(separator: ", "))")
        }
        return "cleared \(command.ids.count) fault\(command.ids.count == 1 ? "" : "s")"
    }

    func status() -> String {
        var lines: [String] = []
        for live in hosts {
            guard let host = live.handle.builtHost else {
                let functions = live.declared.devices.count
                let mdevs = live.declared.devices.reduce(0) { $0 + $1.mdevs.count }
                lines.append("host \(live.name): not built yet (built on first use); declares \(functions) "
                             + "PCI functions, \(mdevs) mdevs")
                continue
            }
            let devices = host.devices
            lines.append("host \(host.name): \(devices.count) PCI functions, \(host.mdevs.count) mdevs")
            for device in devices {
                var line = "  \(device.address) \(device.kernelDriver ?? "(unbound)")"
                if let declaration = live.declarations[device.address] {
                    line += " [\(declaration.driver)] " + describe(declaration.settings)
                }
                if let pf = device.physicalFunction { line += " (VF of \(pf.address))" }
                lines.append(line)
            }
            for mdev in host.mdevs {
                lines.append("  mdev \(mdev.uuid) \(mdev.typeID) on \(mdev.parent.address)")
            }
        }
        let count = faults.entries.count
        lines.append("\(count) fault\(count == 1 ? "" : "s") in force")
        return lines.joined(separator: "\n")
    }
}
