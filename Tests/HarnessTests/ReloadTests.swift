import Foundation
import FuseServer
import KernelCore
import Scenario
import Support
import SysfsTree
import Testbed
import Testing
@testable import Harness

/// A scenario file stand-in: reload reads whatever the test put here last.
final class ScenarioSource: Sendable {
    private let current: Locked<[HostDeclaration]>

    init(_ hosts: [HostDeclaration]) { current = Locked(hosts) }

    func set(_ hosts: [HostDeclaration]) { current.withLock { $0 = hosts } }

    var reader: LiveSystem.ScenarioReader { { () throws(ControlError) in self.current.withLock { $0 } } }
}

@Suite struct ReloadTests {
    static let gpu = TestSystem.gpu
    static let ssd = PCIAddress(bus: 0x3b, slot: 0, function: 0)
    let mdevA = DeviceDeclaration.Mdev(type: "versioned-unit", uuid: "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001")
    let mdevB = DeviceDeclaration.Mdev(type: "versioned-unit", uuid: "83b8f4f2-509f-382f-3c1e-e6bfe0fa1002")

    func host(_ devices: [DeviceDeclaration], faults: [FaultRule] = []) -> [HostDeclaration] {
        [HostDeclaration(name: "test", devices: devices, faults: faults)]
    }

    func gpu(version: String = "1.0", vfs: Int = 0, mdevs: [DeviceDeclaration.Mdev] = []) -> DeviceDeclaration {
        DeviceDeclaration(address: ReloadTests.gpu, driver: "versioned", settings: DriverSettings(["version": .string(version)]),
                          vfs: vfs, mdevs: mdevs)
    }

    @Test func withoutAScenarioFileReloadSaysSo() {
        let test = TestSystem()
        #expect(test.ctl("reload").error == "reload: this mount has no scenario file (it was mounted without --scenario)")
    }

    @Test func nothingChangedChangesNothing() {
        let declared = host([gpu()])
        let source = ScenarioSource(declared)
        let test = TestSystem(declarations: declared, readScenario: source.reader)
        #expect(test.ctl("reload").output == "reloaded: 0 scenario faults in force\n")
    }

    @Test func plugUnplugUpdateVFsMdevsAndFaults() throws {
        let declared = host([gpu(mdevs: [mdevA])])
        let source = ScenarioSource(declared)
        let test = TestSystem(declarations: declared, readScenario: source.reader)
        test.ctl("create-mdev", "0000:00:02.0", "unit", mdevA.uuid)
        let fault = try FaultRule(fields: ["path": "*/version", "op": "read", "errno": "EAGAIN"])
        source.set(host([gpu(version: "2.0", vfs: 2, mdevs: [mdevB]),
                         DeviceDeclaration(address: ReloadTests.ssd, driver: "frozen", settings: DriverSettings())],
                        faults: [fault]))
        let reply = test.ctl("reload")
        #expect(reply.status == 0)
        let lines = reply.output.split(separator: "\n").map(String.init)
        #expect(lines.first == "reloaded: updated 0000:00:02.0: version=2.0; 0000:00:02.0: 2 VFs; "
                + "removed mdev \(mdevA.uuid); created mdev \(mdevB.uuid) (versioned-unit); "
                + "plugged 0000:3b:00.0 (frozen); 1 scenario fault in force")
        #expect(lines.contains("~ /devices/pci0000:00/0000:00:02.0/version: 1.0 -> 2.0"))
        #expect(lines.contains("+ /devices/pci0000:00/0000:3b:00.0/"))
        #expect(test.host.mdevs.map(\.uuid.description) == [mdevB.uuid])
        #expect(test.host.devices.count == 4)
        #expect(test.faults.entries.map(\.origin) == [.scenario])

        source.set(host([gpu(version: "2.0")]))
        let second = test.ctl("reload")
        #expect(second.output.hasPrefix("reloaded: unplugged 0000:3b:00.0; 0000:00:02.0: 0 VFs; removed mdev \(mdevB.uuid); "
                                        + "0 scenario faults in force\n"))
        #expect(test.faults.isEmpty)
    }

    @Test func aDriverThatCannotUpdateIsReplugged() {
        let frozen = DeviceDeclaration(address: ReloadTests.ssd, driver: "frozen", settings: DriverSettings())
        let declared = host([frozen])
        let source = ScenarioSource(declared)
        let test = TestSystem(declarations: declared, readScenario: source.reader)
        var changed = frozen
        changed.settings = DriverSettings(["firmware": .string("2")])
        source.set(host([changed]))
        let reply = test.ctl("reload")
        #expect(reply.output.hasPrefix("reloaded: replugged 0000:3b:00.0 (0000:3b:00.0: cannot update: settings: "
                                       + "this driver cannot change its settings while the device exists)"))
        #expect(reply.output.contains("uevent remove /devices/pci0000:00/0000:3b:00.0 (pci)\n"
                                      + "uevent add /devices/pci0000:00/0000:3b:00.0 (pci)\n"))
    }

    @Test func aNewPCIIdentityIsReplugged() {
        let declared = host([gpu()])
        let source = ScenarioSource(declared)
        let test = TestSystem(declarations: declared, readScenario: source.reader)
        var changed = gpu()
        changed.settings.values["device"] = .integer(0x4660)
        source.set(host([changed]))
        #expect(test.ctl("reload").output.hasPrefix("reloaded: replugged 0000:00:02.0 (0000:00:02.0: cannot update: "
                                                    + "the PCI identity would change; unplug and plug it instead)"))
        #expect(test.bed.read("/devices/pci0000:00/0000:00:02.0/device") == .success("0x4660\n"))
    }

    @Test func controlChangesTheFileDoesNotMentionStay() {
        let declared = host([gpu()])
        let source = ScenarioSource(declared)
        let test = TestSystem(declarations: declared, readScenario: source.reader)
        test.ctl("plug", "0000:5e:00.0", "versioned")
        test.ctl("fault", "add", "path=/x", "errno=EIO")
        source.set(host([gpu(version: "3")]))
        #expect(test.ctl("reload").status == 0)
        #expect(test.host.device(PCIAddress(bus: 0x5e, slot: 0, function: 0)) != nil)
        #expect(test.faults.entries.map(\.origin) == [.control])
    }

    @Test func hostsCannotComeOrGo() {
        let declared = host([gpu()])
        let source = ScenarioSource(declared)
        let test = TestSystem(declarations: declared, readScenario: source.reader)
        source.set(declared + [HostDeclaration(name: "other")])
        #expect(test.ctl("reload").error == "reload: the file's hosts (test, other) differ from the mounted ones (test); "
                + "hosts cannot come or go while mounted")
    }

    @Test func aFailedStepSaysWhatWasDoneBeforeIt() {
        let declared = host([gpu()])
        let source = ScenarioSource(declared)
        let test = TestSystem(declarations: declared, readScenario: source.reader)
        source.set(host([gpu(version: "2"), DeviceDeclaration(address: ReloadTests.ssd, driver: "missing", settings: DriverSettings())]))
        #expect(test.ctl("reload").error == "reload: unknown driver 'missing' (drivers: frozen, versioned) "
                + "(after: updated 0000:00:02.0: version=2)")
    }
}

@Suite struct ScenarioFaultTests {
    @Test func scenarioFaultsBecomeRulesAndBadOnesNameTheirLine() throws {
        let yaml = """
            hosts:
              - name: h
                devices:
                  - {address: 0000:00:02.0, driver: versioned}
                faults:
                  - {path: "*/version", op: read, errno: EAGAIN, every: 2}
                  - {path: "*/x", errno: ENOPE}
            """
        let (_, hosts) = try Scenario.loadDeclared(yaml: yaml, file: "s.yaml", drivers: { TestSystem.lookup($0) })
        #expect(throws: ControlError.self) { _ = try HostDeclaration(hosts[0]) }
        do {
            _ = try HostDeclaration(hosts[0])
        } catch {
            #expect(error.description == "s.yaml:7: fault: errno: 'ENOPE' is not an errno name or number 1...4095")
        }
        let (_, good) = try Scenario.loadDeclared(yaml: yaml.replacingOccurrences(of: "ENOPE", with: "EIO"), file: "s.yaml",
                                                  drivers: { TestSystem.lookup($0) })
        let declaration = try HostDeclaration(good[0])
        #expect(declaration.faults.map(\.description) == ["read */version EAGAIN every=2", "read,write */x EIO"])
        #expect(declaration.devices.map(\.driver) == ["versioned"])
    }
}
