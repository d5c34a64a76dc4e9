import Synchronization
import Testing
@testable import SysfsTree

@Suite struct LazyDirectoryTests {
    private final class Counter: Sendable {
        let value = Atomic<Int>(0)
        var count: Int { value.load(ordering: .relaxed) }
    }

    /// A lazy directory and a counter of how often its children were built.
    private func lazyDirectory() -> (Directory, Counter) {
        let builds = Counter()
        let directory = Directory().directory("device") { directory in
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
