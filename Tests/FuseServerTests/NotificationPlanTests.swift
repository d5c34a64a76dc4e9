import Testing
@testable import FuseServer
import SysfsTree

/// The notices the bridge sends after tree changes, worked out without a mount.
@Suite struct NotificationPlanTests {
    /// `/devices/dev/{vendor, sub/leaf}`, every node known to the kernel.
    struct Known {
        let root = Directory()
        let devices: Directory
        let device: Directory
        let vendor: Attribute
        let sub: Directory
        let leaf: Attribute
        let inodes: InodeTable

        init() {
            devices = root.directory("devices")
            device = devices.directory("dev")
            vendor = device.attribute("vendor", mode: 0o444) { "0x8086\n" }
            sub = device.directory("sub")
            leaf = sub.attribute("leaf", mode: 0o644) { "1\n" }
            inodes = InodeTable(root: root)
            for node in [devices, device, vendor, sub, leaf] as [Node] { inodes.remember(node) }
        }

        func drained() -> [TreeEvents.Change] {
            var changes: [TreeEvents.Change] = []
            root.changes.drain { changes.append($0) }
            return changes
        }
    }

    func name(_ node: Node, _ inodes: InodeTable) -> InodeTable.Name {
        InodeTable.Name(parent: inodes.inode(of: node.parent ?? node), child: inodes.inode(of: node), name: node.name)
    }

    @Test func removalIsReportedDeepestFirstThenTheDirectory() {
        let tree = Known()
        tree.root.changes.startObserving()
        tree.devices.remove("dev")
        let inodes = tree.inodes
        let plan = NotificationPlan(tree.drained(), inodes: inodes)
        let deletes = [tree.leaf, tree.sub, tree.vendor, tree.device].map { NotificationPlan.Notice.delete(name($0, inodes)) }
        #expect(plan.beforeReply.count == 5)
        #expect(Set(plan.beforeReply.prefix(3).map { "\($0)" }) == Set(deletes.prefix(3).map { "\($0)" }))
        #expect((plan.beforeReply.firstIndex(of: deletes[0]) ?? 9) < (plan.beforeReply.firstIndex(of: deletes[1]) ?? 0))
        #expect(plan.beforeReply[3] == deletes[3])
        #expect(plan.beforeReply[4] == .invalidateDirectory(inodes.inode(of: tree.devices)))
        #expect(plan.afterReply.isEmpty)
    }

    @Test func removalHoldingTheWrittenFileWaitsForTheReply() {
        let tree = Known()
        tree.root.changes.startObserving()
        tree.devices.remove("dev")
        let inodes = tree.inodes
        let plan = NotificationPlan(tree.drained(), inodes: inodes, writing: tree.leaf)
        #expect(plan.beforeReply == [.invalidateName(parent: inodes.inode(of: tree.devices), name: "dev"),
                                     .invalidateDirectory(inodes.inode(of: tree.devices))])
        let leaf = plan.afterReply.firstIndex(of: .delete(name(tree.leaf, inodes)))
        let sub = plan.afterReply.firstIndex(of: .delete(name(tree.sub, inodes)))
        #expect(leaf != nil && sub != nil && (leaf ?? 0) < (sub ?? 0))
        #expect(plan.afterReply.contains(.delete(name(tree.vendor, inodes))))
        #expect(plan.afterReply.last == .delete(name(tree.device, inodes)))
        #expect(plan.afterReply.count == 4)
    }

    @Test func addedNameIsInvalidatedAndUnknownDirectoriesAreSkipped() {
        let tree = Known()
        tree.root.changes.startObserving()
        _ = tree.device.attribute("new", mode: 0o444) { "\n" }
        let unknown = tree.sub.directory("unknown")
        tree.root.changes.drain { _ in }
        _ = unknown.attribute("x", mode: 0o444) { "\n" }
        _ = tree.device.attribute("other", mode: 0o444) { "\n" }
        let inodes = tree.inodes
        let plan = NotificationPlan(tree.drained(), inodes: inodes)
        let device = inodes.inode(of: tree.device)
        #expect(plan.beforeReply == [.invalidateName(parent: device, name: "other"), .invalidateDirectory(device)])
    }

    @Test func theServedRootIsInodeOneWhateverItsID() {
        let top = Directory()
        let served = top.directory("host")
        let inodes = InodeTable(root: served)
        #expect(inodes.inode(of: served) == 1)
        #expect(inodes.inode(of: top) == served.id)
        #expect(inodes.node(1) === served)
        let child = served.directory("bus")
        inodes.remember(child)
        #expect(inodes.node(inodes.inode(of: child)) === child)
        #expect(inodes.namesToDelete(inodes.inode(of: child), name: "bus", in: 1)
                == [InodeTable.Name(parent: 1, child: child.id, name: "bus")])
    }
}
