import DriverCatalog
import Foundation
import KernelCore
import Scenario
import Testbed
import Testing

@Suite("Scenarios with driver files")
struct DeclaredScenarioTests {
    func directory(_ files: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("declared-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return directory
    }

    @Test("`drivers:` names a file relative to the scenario, and devices use its driver with their settings")
    func scenario() throws {
        let directory = try directory([
            "acme.yaml": DeclaredDriverTests.acme,
            "s.yaml": """
                drivers: [acme.yaml]
                hosts:
                  - name: a
                    devices:
                      - {address: 0000:3b:00.0, driver: acme, settings: {fw: 2.3.1, queues: 12}}

                """,
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let scenario = try DriverCatalog.loadScenario(directory.appendingPathComponent("s.yaml").path)
        let bed = Testbed(host: try #require(scenario.hosts.first).host)
        #expect(bed.read(DeclaredDriverTests.path + "/migration_version") == .success("acme-10f0-2.3.1-12-01\n"))
    }

    @Test("a setting the file refuses is refused at the scenario's line, and unknown drivers list the file's")
    func refusals() throws {
        let directory = try directory([
            "acme.yaml": DeclaredDriverTests.acme,
            "s.yaml": """
                drivers: [acme.yaml]
                hosts:
                  - name: a
                    devices:
                      - address: 0000:3b:00.0
                        driver: acme
                        settings:
                          queues: 65

                """,
            "t.yaml": """
                drivers: [acme.yaml]
                hosts:
                  - name: a
                    devices:
                      - {address: 0000:3b:00.0, driver: acne}

                """,
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let s = directory.appendingPathComponent("s.yaml").path, t = directory.appendingPathComponent("t.yaml").path
        #expect(throws: ScenarioError(file: s, line: 8, reason: "acme at 0000:3b:00.0: setting queues: expected 1 to 64, got 65")) {
            try DriverCatalog.loadScenario(s)
        }
        #expect(throws: ScenarioError(file: t, line: 5, reason: "unknown driver 'acne' (known: i915-gvt, nvme-vf, qat-vf, acme)")) {
            try DriverCatalog.loadScenario(t)
        }
    }
}
