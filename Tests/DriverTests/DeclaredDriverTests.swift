import Compatibility
import KernelCore
import Scenario
import SystemPackage
import Testbed
import Testing

@Suite("Declarative drivers")
struct DeclaredDriverTests {
    static let acme = """
        driver: acme
        identity: {vendor: 0x1af4, device: 0x10f0, class: 0x120000, kernel_driver: acme}
        bars: [0x1000]
        settings:
          fw: {kind: version, default: 2.1.0}
          queues: {kind: integer, min: 1, max: 64, default: 8}
          turbo: {kind: boolean, default: false}
          features: {kind: mask, values: [crc, zip, aes], default: [crc]}
          region: {kind: enum, values: [eu, us], default: eu}
        attributes:
          - {name: queues, mode: 0644, show: "{queues}", store: {setting: queues, parser: kstrtoul, errno: ERANGE}}
          - {name: turbo, mode: 0644, show: "{turbo}", store: {setting: turbo, parser: kstrtobool}}
          - {name: features, mode: 0644, show: "{features}", store: {setting: features, parser: tokens, errno: EOPNOTSUPP}}
          - {name: info, show: "acme {fw} q={queues} {region}"}
        compatibility:
          fields:
            - {name: device, rule: equal, placement: device_id, from: device}
            - {name: software_version, rule: semantic_version, from: fw}
            - {name: queues, rule: at_least, from: queues}
            - {name: features, rule: superset, from: features}
          migration_version:
            - literal: acme
            - {field: device, format: hex, digits: 4}
            - {field: software_version, format: version}
            - {field: queues, format: decimal}
            - {field: features, format: mask, digits: 2}

        """
    static let path = "/bus/pci/devices/0000:3b:00.0"

    func bed(_ settings: [String: DriverSettings.Value] = [:]) throws -> Testbed {
        let driver = try DeclaredDriver.parse(yaml: Self.acme, file: "acme.yaml")
        let bed = Testbed()
        let made = try driver.make(address: try #require(PCIAddress("0000:3b:00.0")), settings: DriverSettings(settings),
                                   context: HostContext())
        bed.add(made.spec, driver: made.driver)
        return bed
    }

    @Test("identity, templates and the string come from the file and the scenario's settings")
    func strings() throws {
        let bed = try bed(["queues": .integer(16), "region": .string("us")])
        #expect(bed.read(Self.path + "/vendor") == .success("0x1af4\n"))
        #expect(bed.read(Self.path + "/class") == .success("0x120000\n"))
        #expect(bed.read(Self.path + "/info") == .success("acme 2.1.0 q=16 us\n"))
        #expect(bed.read(Self.path + "/migration_version") == .success("acme-10f0-2.1.0-16-01\n"))
    }

    @Test("stores parse as the kernel does and refuse with the declared errno")
    func stores() throws {
        let bed = try bed()
        #expect(bed.write(Self.path + "/queues", "0x20\n") == .success(5))
        #expect(bed.read(Self.path + "/migration_version") == .success("acme-10f0-2.1.0-32-01\n"))
        #expect(bed.write(Self.path + "/queues", "65").error == .outOfRange)
        #expect(bed.write(Self.path + "/queues", "ten").error == .outOfRange)
        #expect(bed.write(Self.path + "/turbo", "on\n") == .success(3))
        #expect(bed.read(Self.path + "/turbo") == .success("1\n"))
        #expect(bed.write(Self.path + "/turbo", "maybe").error == .invalidArgument)
        #expect(bed.write(Self.path + "/features", "zip,aes,crc\n") == .success(12))
        #expect(bed.read(Self.path + "/migration_version") == .success("acme-10f0-2.1.0-32-07\n"))
        #expect(bed.write(Self.path + "/features", "rle").error == Errno(rawValue: 95))
        #expect(bed.read(Self.path + "/features") == .success("aes,crc,zip\n"))
    }

    @Test("a target with fewer queues or features refuses the source's string")
    func verdicts() throws {
        let bed = try bed()
        let string = try bed.read(Self.path + "/migration_version").get()
        #expect(bed.write(Self.path + "/migration_version", string) == .success(string.utf8.count))
        #expect(bed.write(Self.path + "/migration_version", "acme-10f0-2.1.0-9-01").error == .invalidArgument)
        #expect(bed.write(Self.path + "/migration_version", "acme-10f0-2.1.0-4-01") == .success(20))
        #expect(bed.write(Self.path + "/migration_version", "acme-10f0-2.1.0-4-02").error == .invalidArgument)
        #expect(bed.write(Self.path + "/migration_version", "acme-10f0-2.2.0-4-01").error == .invalidArgument)
    }

    @Test("mistakes are refused at their line", arguments: [
        ("kind: version, default: 2.1.0", "kind: version, default: 2.1", "acme.yaml:5: the default of 'fw': expected major.minor.bugfix, e.g. 1.0.0"),
        ("parser: kstrtobool}", "parser: kstrtoul}", "acme.yaml:12: kstrtoul cannot set 'turbo', a setting of another kind"),
        ("q={queues}", "q={queue}", "acme.yaml:14: `show` names no setting 'queue'"),
        ("from: fw}", "from: firmware}", "acme.yaml:18: `from` names an identity key (vendor, device, subsystem_vendor, subsystem_device, class, revision) or a setting; 'firmware' is neither"),
        ("format: decimal}", "format: rest}", "acme.yaml:25: format rest takes everything left: it must be the last part"),
        ("errno: ERANGE", "errno: EWHAT", "acme.yaml:11: unknown errno 'EWHAT'"),
        ("rule: superset", "rule: equal", "acme.yaml:20: features: equal sets would read as a superset in a compatible_ list"),
        ("    - {field: features, format: mask, digits: 2}\n", "", "acme.yaml:20: field 'features' is not in `migration_version`: the string could not carry it"),
    ])
    func refusals(original: String, replacement: String, expected: String) {
        let yaml = Self.acme.replacingOccurrences(of: original, with: replacement)
        #expect(yaml != Self.acme)
        #expect(throws: ScenarioError.self) { try DeclaredDriver.parse(yaml: yaml, file: "acme.yaml") }
        do {
            _ = try DeclaredDriver.parse(yaml: yaml, file: "acme.yaml")
        } catch {
            #expect("\(error)" == expected)
        }
    }

    @Test("a document nested too deep is refused by the scenario loader's bound")
    func depth() {
        let yaml = "driver: x\nidentity: " + String(repeating: "[", count: 200) + String(repeating: "]", count: 200) + "\n"
        #expect(throws: ScenarioError.self) { try DeclaredDriver.parse(yaml: yaml, file: "deep.yaml") }
    }
}
