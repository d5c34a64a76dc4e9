import DriverCatalog
import FuzzSupport
import KernelCore
import Scenario
import SysfsTree

/// The scenario loader on arbitrary text: it either refuses with a
/// `ScenarioError` naming a line, or builds hosts whose trees agree with
/// themselves (every device listed has its directory and bus link, every
/// symlink resolves). Texts asking for more than 64 of anything (`count`,
/// `cpus`, VFs) are skipped: fleets are `scripts/bench`'s business, and
/// building one per input would starve the search.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let text = String(decoding: Fuzzer.bytes(data, size), as: UTF8.self)
    if asksForMany(text) { return 0 }
    let scenario: Scenario
    do throws(ScenarioError) {
        scenario = try Scenario.load(yaml: text, file: "fuzz.yaml", drivers: { DriverCatalog.factory(named: $0) },
                                     driverNames: DriverCatalog.names)
    } catch {
        if "\(error)".isEmpty { Fuzzer.fail("an empty scenario error") }
        return 0
    }
    for host in scenario.hosts.map(\.host) {
        for device in host.devices {
            let link = "bus/pci/devices/" + device.address.description
            if host.root.resolve(device.directory.path) !== device.directory || host.root.resolve(link) !== device.directory {
                Fuzzer.fail("\(host.name): \(device.address) is not where its links say")
            }
        }
        var visited = 0
        checkLinks(host.root, root: host.root, visited: &visited)
    }
    return 0
}

private func checkLinks(_ directory: Directory, root: Directory, visited: inout Int) {
    for node in directory.list() {
        visited += 1
        if visited > 20_000 { return }
        if let link = node as? Symlink, root.resolve(String(link.path.dropFirst())) == nil {
            Fuzzer.fail("\(link.path) -> \(link.relativeTarget) does not resolve")
        }
        if let child = node as? Directory { checkLinks(child, root: root, visited: &visited) }
    }
}

/// True when a decimal number that is not part of a PCI address (next to a
/// `:` or `.`, as in `0000:3b:00.0`) exceeds 64.
private func asksForMany(_ text: String) -> Bool {
    let characters = Array(text)
    var index = 0
    while index < characters.count {
        guard characters[index].isASCII, characters[index].isNumber else {
            index += 1
            continue
        }
        let start = index
        while index < characters.count, characters[index].isASCII, characters[index].isNumber { index += 1 }
        let before: Character = start > 0 ? characters[start - 1] : " "
        let after: Character = index < characters.count ? characters[index] : " "
        if ":.".contains(before) || ":.".contains(after) { continue }
        guard let value = Int(String(characters[start..<index])), value <= 64 else { return true }
    }
    return false
}
