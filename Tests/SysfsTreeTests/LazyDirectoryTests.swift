import Synchronization
import Testing
@testable import SysfsTree

@Suite struct LazyDirectoryTests {
    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
        var count: Int { value.load(ordering: .relaxed) }
    }

    /// Holds the tree for the length of a test: a node whose root is gone counts as removed.
    private let root = Directory()

    /// A lazy directory and a counter of how often its children were built.
    private func lazyDirectory() -> (Directory, Counter) {
        let builds = Counter()
        let directory = root.directory("device") { directory in
            builds.value.add(1, ordering: .relaxed)
            return [directory.makeAttribute("vendor", mode: 0o444) { "0x8086\n" },
                    directory.makeAttribute("driver", mode: 0o444) { "built\n" }]
        }
        return (directory, builds)
    }

    @Test func insertingDoesNotBuildTheChildren() {
        let (directory, builds) = lazyDirectory()
        directory.symlink("iommu_group", to: "/kernel/iommu_groups/0")
        #expect(builds.count == 0)
        #expect(directory.list().map(\.name) == ["vendor", "driver", "iommu_group"])
        #expect(builds.count == 1)
    }

    @Test func aNodeInsertedBeforeFirstUseReplacesTheBuiltOneOfItsName() {
        let (directory, _) = lazyDirectory()
        directory.symlink("driver", to: "/bus/pci/drivers/nvme")
        #expect(directory.list().map(\.name) == ["vendor", "driver"])
        #expect(directory.child("driver") is Symlink)
    }

    @Test func removingBuildsFirstSoTheNameStaysGone() {
        let (directory, builds) = lazyDirectory()
        #expect(directory.remove("vendor") != nil)
        #expect(builds.count == 1)
        #expect(directory.list().map(\.name) == ["driver"])
    }
}

@Suite struct ChildListTests {
    @Test(arguments: [3, 20])
    func keepsOrderFindsByNameAndReplacesInPlace(count: Int) {
        let directory = Directory()
        for index in 0..<count { directory.attribute("a\(index)", mode: 0o444) }
        directory.symlink("a1", to: "/x")
        #expect(directory.list().map(\.name) == (0..<count).map { "a\($0)" })
        #expect(directory.child("a1") is Symlink)
        #expect(directory.child("a2") is Attribute)
        #expect(directory.remove("a0") != nil)
        #expect(directory.child("a0") == nil)
        #expect(directory.list().count == count - 1)
        directory.attribute("a0", mode: 0o444)
        #expect(directory.list().last?.name == "a0")
    }

    @Test func anInsertedChildIsFoundWithoutBuildingTheRest() {
        let builds = Atomic<Int>(0)
        let root = Directory()
        defer { withExtendedLifetime(root) {} }
        let directory = root.directory("group") { directory in
            builds.add(1, ordering: .relaxed)
            return [directory.makeAttribute("type", mode: 0o444) { "DMA\n" }]
        }
        directory.insert(directory.makeDirectory("devices"))
        #expect(directory.child("devices") is Directory)
        #expect(directory.directory("devices") === directory.child("devices"))
        #expect(builds.load(ordering: .relaxed) == 0)
        #expect(directory.child("type") is Attribute)
        #expect(builds.load(ordering: .relaxed) == 1)
    }
}
