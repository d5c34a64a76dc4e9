import Scenario
import Testing
@testable import KernelCore

/// Every bad scenario is refused before anything is served, with `file:line: reason`.
@Suite struct ScenarioRefusalTests {
    private func refusal(_ yaml: String) -> String? {
        do {
            _ = try loadScenario(yaml)
            return nil
        } catch {
            return error.description
        }
    }

    /// One host named `h` whose `devices` list follows from line 4.
    private func host(_ devices: String) -> String {
        "hosts:\n  - name: h\n    devices:\n" + devices
    }

    @Test func structure() {
        #expect(refusal("") == "s.yaml:1: the scenario is empty: it needs a `hosts` list")
        #expect(refusal("hosts: []") == "s.yaml:1: `hosts` is empty: give at least one host")
        #expect(refusal("hosts: {a: 1}") == "s.yaml:1: `hosts` must be a list")
        #expect(refusal("- a\n- b") == "s.yaml:1: the scenario must be a mapping of keys to values")
        #expect(refusal("hosts:\n  - name: h\nhost: 1")
                == "s.yaml:3: unknown key 'host' in the scenario (known: drivers, hosts)")
        #expect(refusal("hosts:\n  - name: h\n    cpu: 4")
                == "s.yaml:3: unknown key 'cpu' in a host (known: name, count, flavours, cpus, topology, devices, faults)")
        #expect(refusal("hosts:\n  - name: h\n    name: g")
                == "s.yaml:3: 'name' is given twice in a host (first at line 2)")
        #expect(refusal("hosts:\n  - cpus: 2") == "s.yaml:2: a host needs a `name`")
        #expect(refusal("hosts:\n  - name: h\n    cpus: 0")
                == "s.yaml:3: `cpus` must be a whole number from 1 to 4096")
        #expect(refusal("hosts:\n  - name: h\n    cpus: \"4\"")
                == "s.yaml:3: `cpus` must be a whole number from 1 to 4096")
        #expect(refusal("hosts:\n  - name: h\n    flavours: [json, xml]")
                == "s.yaml:3: unknown flavour 'xml' (known: migration_version, json, compatible)")
    }

    @Test func syntax() {
        #expect(refusal("hosts:\n  - name: h\n    devices: [\n") == "s.yaml:4: not valid YAML: while parsing a flow node did not find expected node content")
        #expect(refusal("hosts:\n  - name: *nowhere") == "s.yaml:2: not valid YAML: found undefined alias")
    }

    @Test(arguments: [
        ("", "it is empty"),
        ("a/b", "it may not contain /"),
        ("..", "it may not be . or contain .."),
        (".", "it may not be . or contain .."),
        ("a\\0b", "it may not contain NUL or control characters"),
        ("a\\tb", "it may not contain NUL or control characters"),
        (String(repeating: "x", count: 65), "it is longer than 64 bytes"),
    ])
    func badHostNames(name: String, problem: String) {
        let shown = name.replacingOccurrences(of: "\\0", with: "\\u{0}").replacingOccurrences(of: "\\t", with: "\\u{9}")
        #expect(refusal("hosts:\n  - name: \"\(name)\"") == "s.yaml:2: bad host name '\(shown)': \(problem)")
    }

    @Test func hostNamesAreUnique() {
        #expect(refusal("hosts:\n  - name: a\n  - name: b\n  - name: a")
                == "s.yaml:4: duplicate host name 'a' (first at line 2)")
        #expect(refusal("hosts:\n  - name: a1\n  - name: a\n    count: 3")
                == "s.yaml:3: duplicate host name 'a1' (first at line 2)")
        #expect(refusal("hosts:\n  - name: \(String(repeating: "x", count: 63))\n    count: 10") == nil)
        #expect(refusal("hosts:\n  - name: \(String(repeating: "x", count: 63))\n    count: 11")
                == "s.yaml:2: bad host name '\(String(repeating: "x", count: 63))00': it is longer than 64 bytes")
    }

    @Test func devices() {
        #expect(refusal(host("      - address: 0000:00:02.0\n        driver: radeon"))
                == "s.yaml:5: unknown driver 'radeon' (known: test-gpu, test-pf)")
        #expect(refusal(host("      - address: 0000:00:02.0"))
                == "s.yaml:4: a device needs a `driver`")
        #expect(refusal(host("      - driver: test-gpu"))
                == "s.yaml:4: a device needs an `address` (or `first` and `count`)")
        #expect(refusal(host("      - address: 0000:00:20.0\n        driver: test-gpu"))
                == "s.yaml:4: bad PCI address '0000:00:20.0' (expected DDDD:BB:DD.F, e.g. 0000:3b:00.0)")
        #expect(refusal(host("      - address: 0000:00:02.8\n        driver: test-gpu"))
                == "s.yaml:4: bad PCI address '0000:00:02.8' (expected DDDD:BB:DD.F, e.g. 0000:3b:00.0)")
        #expect(refusal(host("      - address: [1]\n        driver: test-gpu"))
                == "s.yaml:4: a PCI address must be text, not a list or mapping")
        #expect(refusal(host("      - address: 0000:00:02.0\n        driver: test-gpu\n        vf: 2"))
                == "s.yaml:6: unknown key 'vf' in a device (known: address, first, count, stride, driver, settings, vfs, mdevs)")
        #expect(refusal(host("      - {address: 0000:00:02.0, driver: test-gpu}\n      - {address: 00:02.0, driver: test-pf}"))
                == "s.yaml:5: duplicate address 0000:00:02.0 (first at line 4)")
        #expect(refusal(host("      - {first: 0000:00:00.0, count: 8, driver: test-gpu}\n      - {address: 0000:00:00.7, driver: test-pf}"))
                == "s.yaml:5: duplicate address 0000:00:00.7 (first at line 4)")
        #expect(refusal(host("      - {address: 0000:00:02.0, count: 2, driver: test-gpu}"))
                == "s.yaml:4: give either `address` (one device) or `first` and `count` (several), not both")
        #expect(refusal(host("      - {count: 2, driver: test-gpu}"))
                == "s.yaml:4: `count` needs `first`, the first device's address")
        #expect(refusal(host("      - {first: 0000:ff:1f.0, count: 9, driver: test-gpu}"))
                == "s.yaml:4: 9 devices from 0000:ff:1f.0 with stride 1 run past bus ff")
    }

    @Test func settings() {
        #expect(refusal(host("      - address: 0000:00:02.0\n        driver: test-gpu\n        settings:\n          capacty: 3"))
                == "s.yaml:7: test-gpu at 0000:00:02.0: setting capacty: unknown setting (known: capacity)")
        #expect(refusal(host("      - address: 0000:00:02.0\n        driver: test-gpu\n        settings:\n          capacity: lots"))
                == "s.yaml:7: test-gpu at 0000:00:02.0: setting capacity: expected a whole number")
        #expect(refusal(host("      - address: 0000:3b:00.0\n        driver: test-pf\n        settings: {total_vfs: 70000}"))
                == "s.yaml:6: test-pf at 0000:3b:00.0: setting total_vfs: must be from 0 to 65535")
        #expect(refusal(host("      - address: 0000:00:02.0\n        driver: test-gpu\n        settings: {capacity: {a: 1}}"))
                == "s.yaml:6: setting 'capacity' must be a value or a list of values, not a mapping")
        #expect(refusal(host("      - address: 0000:00:02.0\n        driver: test-gpu\n        settings: [capacity]"))
                == "s.yaml:6: `settings` must be a mapping of keys to values")
    }

    @Test func virtualFunctions() {
        #expect(refusal(host("      - address: 0000:00:02.0\n        driver: test-gpu\n        vfs: 2"))
                == "s.yaml:6: `vfs`: test-gpu at 0000:00:02.0 is no SR-IOV physical function")
        #expect(refusal(host("      - address: 0000:3b:00.0\n        driver: test-pf\n        vfs: 9"))
                == "s.yaml:6: `vfs`: 0000:3b:00.0 has at most 8 VFs (sriov_totalvfs), not 9")
        #expect(refusal(host("      - address: 0000:3b:00.0\n        driver: test-pf\n        vfs: 4\n      - {address: 0000:3b:00.3, driver: test-gpu}"))
                == "s.yaml:6: VF 2 of 0000:3b:00.0 would take 0000:3b:00.3, but line 7 declares it")
        #expect(refusal(host("      - {first: 0000:3b:00.0, count: 2, stride: 2, driver: test-pf, vfs: 2}"))
                == "s.yaml:4: VF 1 of 0000:3b:00.0 would take 0000:3b:00.2, but line 4 declares it")
        #expect(refusal(host("      - {address: 0000:3b:00.0, driver: test-pf, vfs: -1}"))
                == "s.yaml:4: `vfs` must be a whole number from 0 to 65535")
    }

    @Test func mdevs() {
        let gpu = "      - address: 0000:00:02.0\n        driver: test-gpu\n        mdevs:\n"
        #expect(refusal(host(gpu + "          - type: pool-huge"))
                == "s.yaml:7: unknown mdev type 'pool-huge' on 0000:00:02.0 (types: pool-small, pool-large)")
        #expect(refusal(host("      - address: 0000:3b:00.0\n        driver: test-pf\n        mdevs: [{type: pool-small}]"))
                == "s.yaml:6: test-pf at 0000:3b:00.0 offers no mdev types")
        #expect(refusal(host(gpu + "          - {type: pool-large, count: 3}"))
                == "s.yaml:7: cannot create mdev 41014dbd-6815-42f0-9378-97fab0fa0c43 of type pool-large on 0000:00:02.0: No space left on device (ENOSPC)")
        #expect(refusal(host(gpu + "          - {type: pool-small, uuid: 00000000-0000-4000-8000-000000000001}\n          - {type: pool-large, uuid: 00000000-0000-4000-8000-000000000001}"))
                == "s.yaml:8: cannot create mdev 00000000-0000-4000-8000-000000000001 of type pool-large on 0000:00:02.0: File exists (EEXIST)")
        #expect(refusal(host(gpu + "          - {type: pool-small, uuid: 1234}"))
                == "s.yaml:7: bad mdev UUID '1234' (expected 8-4-4-4-12 hex digits)")
        #expect(refusal(host(gpu + "          - {type: pool-small, uuid: 00000000-0000-4000-8000-000000000001, count: 2}"))
                == "s.yaml:7: `uuid` names one mdev: leave it out with `count`, UUIDs are then derived")
        #expect(refusal(host(gpu + "          - {uuid: 00000000-0000-4000-8000-000000000001}"))
                == "s.yaml:7: an mdev needs a `type`, e.g. i915-GVTg_V5_4")
        #expect(refusal(host(gpu + "          - {type: pool-small, name: x}"))
                == "s.yaml:7: unknown key 'name' in an mdev (known: type, uuid, count)")
    }

    @Test func sizes() {
        #expect(refusal("hosts:\n  - name: a\n    count: 100001") == "s.yaml:3: `count` must be a whole number from 1 to 100000")
        #expect(refusal("hosts:\n  - name: a\n    count: 99999\n  - name: b\n    count: 2")
                == "s.yaml:5: more than 100000 hosts")
        #expect(refusal("hosts:\n  - name: a\n    count: 20\n    devices: [{driver: test-gpu, first: 0000:00:00.0, count: 60000}]")
                == "s.yaml:2: more than 1000000 PCI functions in all (VFs count too)")
        #expect(refusal("hosts:\n  - name: a\n    count: 16\n    devices: [{driver: test-pf, first: 0000:00:00.0, count: 8192, stride: 8, vfs: 7}]")
                == "s.yaml:2: more than 1000000 PCI functions in all (VFs count too)")
    }

    /// The YAML composer recurses once per level: a deep document is refused before it sees it.
    @Test func deepNestingIsRefusedBeforeComposing() {
        #expect(refusal("hosts: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000))
                == "s.yaml:1: nested deeper than 64 levels")
        #expect(refusal("hosts:\n  - " + String(repeating: "{a: ", count: 100_000) + String(repeating: "}", count: 100_000))
                == "s.yaml:2: nested deeper than 64 levels")
        let blocks = (0..<70).map { String(repeating: " ", count: $0) + "a:" }.joined(separator: "\n") + " 1"
        #expect(refusal(blocks) == "s.yaml:65: nested deeper than 64 levels")
        // 64 levels is allowed: the scenario is then refused for what it says, not for its shape.
        #expect(refusal("hosts: " + String(repeating: "[", count: 63) + String(repeating: "]", count: 63))
                == "s.yaml:1: a host must be a mapping of keys to values")
    }

    @Test func documentsOfTooManyNodesAreRefusedBeforeComposing() {
        let flat = "hosts: [" + String(repeating: "1,", count: YAMLShape.maximumNodes) + "]"
        #expect(refusal(flat) == "s.yaml:1: more than 1000000 YAML nodes")
    }

    @Test(arguments: [("a\\u202Eb", "U+202E"), ("a\\u200Bb", "U+200B"), ("a\\u2066b", "U+2066"),
                      ("a\\uFEFFb", "U+FEFF"), ("a\\u2028b", "U+2028")])
    func invisibleAndBidiCharactersAreRefusedInHostNames(name: String, codePoint: String) throws {
        let message = try #require(refusal("hosts:\n  - name: \"\(name)\""))
        #expect(message.hasPrefix("s.yaml:2: bad host name 'a\\u{"))
        #expect(message.hasSuffix("': it may not contain invisible or direction-changing characters (\(codePoint))"))
    }
}

