import Foundation
import KernelCore
import Support
import SysfsTree

/// mdevs, VF counts and attribute writes: each one or two write(2)s through
/// the same stores a client's writes reach, so errno and uevents are the same.
extension LiveSystem {
    func createMdev(_ command: ControlCommands.CreateMdev) throws(ControlError) -> String {
        let live = try host(named: command.choice.host, address: command.parent)
        let parent = try device(command.parent, on: live)
        guard let types = parent.directory.child("mdev_supported_types") as? Directory else {
            throw ControlError("\(parent.address) is no mdev parent (no mdev_supported_types)")
        }
        let candidates = [command.type] + (parent.kernelDriver.map { [$0 + "-" + command.type] } ?? [])
        guard let type = candidates.first(where: { types.child($0) is Directory }) else {
            throw ControlError("\(parent.address) has no mdev type '\(command.type)' (types: \(types.list().map(\.name).joined(separator: ", ")))")
        }
        let uuid = command.uuid ?? UUID().uuidString.lowercased()
        try store(uuid, at: type + "/create", in: types, shownAs: types.path + "/" + type + "/create")
        return uuid
    }

    func removeMdev(_ command: ControlCommands.RemoveMdev) throws(ControlError) -> String {
        let live = try host(named: command.choice.host, mdev: command.uuid)
        guard let uuid = MdevUUID(command.uuid), let directory = live.host.mdev(uuid)?.directory else {
            throw ControlError("no mdev \(command.uuid) on host \(live.name)")
        }
        try store("1", at: "remove", in: directory, shownAs: directory.path + "/remove")
        return ""
    }

    func setVFs(_ command: ControlCommands.SetVFs) throws(ControlError) -> String {
        let live = try host(named: command.choice.host, address: command.address)
        let device = try device(command.address, on: live)
        try setVFs(command.count, on: device)
        if var declaration = live.declarations[device.address] {
            declaration.vfs = command.count
            live.declarations[device.address] = declaration
        }
        return ""
    }

    /// Writes `sriov_numvfs`, through 0 when going from one non-zero count to another.
    func setVFs(_ count: Int, on device: PCIDevice) throws(ControlError) {
        let path = device.directory.path + "/sriov_numvfs"
        guard let attribute = device.directory.child("sriov_numvfs") as? Attribute else {
            throw ControlError("\(device.address) is no SR-IOV physical function (no sriov_numvfs)")
        }
        let current = (try? attribute.read()).flatMap { Int(String(decoding: $0, as: UTF8.self).trimming(" ", "\t", "\n")) } ?? 0
        if current != 0 && count != 0 && current != count {
            try store("0", at: "sriov_numvfs", in: device.directory, shownAs: path)
        }
        try store(String(count), at: "sriov_numvfs", in: device.directory, shownAs: path)
    }

    func write(_ command: ControlCommands.WriteAttribute) throws(ControlError) -> String {
        let live = try host(named: command.choice.host, address: nil)
        var path = command.path
        if path.hasPrefix("/sys/") { path.removeFirst(4) }
        try store(command.value, at: path, in: live.host.root, shownAs: path)
        return ""
    }
}
