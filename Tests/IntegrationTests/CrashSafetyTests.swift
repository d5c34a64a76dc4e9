import FoundationEssentials
import KernelCore
import Support
import SystemPackage
import SysfsTree
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `mount --state FILE` across a crash: writers change the tree while the
/// server is killed with SIGKILL; the state file must hold every change that
/// was acknowledged (the one in flight may be either way), and a new mount
/// with the same file must serve exactly what the file says.
@Suite(.requiresFUSE) struct CrashSafetyTests {
    static let types = "/class/mdev_bus/0000:00:02.0/mdev_supported_types"
    static let pfs = ["0000:3b:00.0", "0000:f3:00.0"]

    @Test func stateFileSurvivesKill9MidChurn() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeTemporaryDirectory(directory) }
        let stateFile = directory + "/state.json"
        let tree = try MountedTree.mount(options: ["--state", stateFile])
        defer { tree.unmount() }

        let journals = (0..<3).map { _ in Journal() }
        runConcurrently([
            {
                usleep(1_500_000)
                do { try tree.killServer() } catch { Issue.record(error) }
            },
            { CrashSafetyTests.churnMdevs(tree, journals[0]) },
            { CrashSafetyTests.churnVFs(tree, pf: CrashSafetyTests.pfs[0], journals[1]) },
            { CrashSafetyTests.churnVFs(tree, pf: CrashSafetyTests.pfs[1], journals[2]) },
        ])
        #expect(eventually(within: 30) { !tree.isMounted }, "the killed server's mount went away (auto_unmount)")
        #expect(journals.allSatisfy { $0.acknowledged > 0 }, "every writer got work done before the kill: \(journals.map(\.summary))")

        let saved = try load(stateFile)
        let mdevs = Set(saved.mdevs.map(\.uuid))
        #expect(journals[0].mdevOutcomes.contains(mdevs), "saved mdevs \(mdevs.sorted())")
        for (offset, pf) in CrashSafetyTests.pfs.enumerated() {
            let function = saved.physicalFunctions.first { $0.address == pf }
            // The QAT PF enables all 16 of its VFs for any non-zero request (adf_sriov.c).
            let enabled = journals[offset + 1].vfOutcomes.map { pf == "0000:f3:00.0" && $0 > 0 ? 16 : $0 }
            #expect(enabled.contains(function?.numVFs ?? -1), "\(pf) saved \(function?.numVFs ?? -1) VFs")
        }

        let remounted = try tree.mountCommand(options: ["--state", stateFile])
        #expect(remounted.status == 0 && remounted.output.hasPrefix("serving the default host"), "\(remounted)")
        #expect(POSIX.names(tree.path("/bus/mdev/devices")) == .success(mdevs.sorted()))
        for mdev in saved.mdevs {
            let type = POSIX.readlink(tree.path("/bus/mdev/devices/\(mdev.uuid)/mdev_type")).map { $0.split(separator: "/").last.map(String.init) ?? "" }
            #expect(type == .success(mdev.type))
        }
        for function in saved.physicalFunctions {
            #expect(POSIX.readFile(tree.path("/bus/pci/devices/\(function.address)/sriov_numvfs")) == .success("\(function.numVFs)\n"))
            #expect(POSIX.readFile(tree.path("/bus/pci/devices/\(function.address)/sriov_drivers_autoprobe"))
                    == .success(function.driversAutoprobe ? "1\n" : "0\n"))
        }
        #expect(try load(stateFile) == saved, "restoring rewrote the same state")
    }

    @Test func corruptStateFileRefusesTheMount() throws {
        let directory = try makeTemporaryDirectory()
        defer { removeTemporaryDirectory(directory) }
        let stateFile = directory + "/state.json"
        _ = POSIX.writeFile(stateFile, "{\"version\": 1, \"mdevs\": [")
        do {
            let tree = try MountedTree.mount(options: ["--state", stateFile])
            tree.unmount()
            Issue.record("a corrupt state file was accepted")
        } catch {
            #expect("\(error)".contains("is not a fakesysfs state file"), "\(error)")
        }
        #expect(POSIX.readFile(stateFile) == .success("{\"version\": 1, \"mdevs\": ["), "left as it was")
    }

    // MARK: Writers

    /// Creates and removes vGPUs until the server is gone.
    static func churnMdevs(_ tree: MountedTree, _ journal: Journal) {
        var live: [String] = []
        var counter = 0
        while journal.running {
            if live.count >= 2 || (!live.isEmpty && counter % 3 == 0) {
                let uuid = live.removeFirst()
                journal.record(.remove(uuid), POSIX.writeFile(tree.path("/bus/mdev/devices/\(uuid)/remove"), "1"))
            } else {
                let uuid = uuid(counter)
                let type = counter % 2 == 0 ? "i915-GVTg_V5_8" : "i915-GVTg_V5_4"
                if journal.record(.create(uuid), POSIX.writeFile(tree.path("\(types)/\(type)/create"), uuid)) {
                    live.append(uuid)
                }
            }
            counter += 1
        }
    }

    /// Enables and disables VFs on `pf` until the server is gone.
    static func churnVFs(_ tree: MountedTree, pf: String, _ journal: Journal) {
        var count = 0
        while journal.running {
            let wanted = count == 0 ? journal.acknowledged % 4 + 1 : 0
            if journal.record(.numVFs(wanted), POSIX.writeFile(tree.path("/bus/pci/devices/\(pf)/sriov_numvfs"), "\(wanted)")) {
                count = wanted
            }
        }
    }

    static func uuid(_ counter: Int) -> String {
        let hex = String(counter, radix: 16)
        return "5eed0000-0000-4000-8000-" + String(repeating: "0", count: 12 - hex.count) + hex
    }

    // MARK: Files

    private func load(_ path: String) throws -> PersistentState {
        let bytes = try POSIX.readFile(path).get()
        return try JSONDecoder().decode(PersistentState.self, from: Data(bytes.utf8))
    }

    private func makeTemporaryDirectory() throws -> String {
        var template = Array("/tmp/fakesysfs-state.XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { throw TestFailure("mkdtemp: \(lastError())") }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func removeTemporaryDirectory(_ path: String) {
        for name in (try? POSIX.names(path).get()) ?? [] { unlink(path + "/" + name) }
        rmdir(path)
    }
}

/// What one writer saw: the changes acknowledged, in order, and the one that
/// was in flight when the server died (it may or may not have happened).
final class Journal: @unchecked Sendable {
    enum Change: Equatable {
        case create(String), remove(String), numVFs(Int)
    }

    private let lock = Locked<(done: [Change], inFlight: Change?, stopped: Bool, failure: String?)>(([], nil, false, nil))

    var running: Bool { lock.withLock { !$0.stopped } }
    var acknowledged: Int { lock.withLock { $0.done.count } }
    var summary: String { lock.withLock { "\($0.done.count) done, then \($0.failure ?? "nothing")" } }

    /// Records a write's outcome; true when it was acknowledged. A refusal the
    /// kernel can give changes nothing; any other failure means the server is gone.
    @discardableResult
    func record(_ change: Change, _ result: Result<Int, Errno>) -> Bool {
        lock.withLock { state in
            switch result {
            case .success:
                state.done.append(change)
                return true
            case .failure(let error) where [.noSpace, .resourceBusy, .fileExists].contains(error):
                return false
            case .failure:
                state.inFlight = state.inFlight ?? change
                state.failure = state.failure ?? "\(change): \(result)"
                state.stopped = true
                return false
            }
        }
    }

    /// The mdev sets the server may have saved: after every acknowledged change, with or without the one in flight.
    var mdevOutcomes: [Set<String>] {
        lock.withLock { state in
            var live = Set<String>()
            for change in state.done { Journal.apply(change, to: &live) }
            var withInFlight = live
            if let inFlight = state.inFlight { Journal.apply(inFlight, to: &withInFlight) }
            return [live, withInFlight]
        }
    }

    /// The VF counts the server may have saved.
    var vfOutcomes: [Int] {
        lock.withLock { state in
            var counts: [Int] = []
            if case .numVFs(let last)? = state.done.last { counts.append(last) } else { counts.append(0) }
            if case .numVFs(let pending)? = state.inFlight { counts.append(pending) }
            return counts
        }
    }

    private static func apply(_ change: Change, to live: inout Set<String>) {
        switch change {
        case .create(let uuid): live.insert(uuid)
        case .remove(let uuid): live.remove(uuid)
        case .numVFs: break
        }
    }
}
