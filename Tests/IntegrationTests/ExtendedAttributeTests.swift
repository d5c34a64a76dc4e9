import Testing
#if canImport(Glibc)
import Glibc
#endif

/// kernfs keeps no extended attributes for sysfs files: listing them succeeds with an empty list.
@Suite(.requiresFUSE) struct ExtendedAttributeTests {
    @Test func listxattrIsEmpty() throws {
        let tree = try MountedTree.mount()
        defer { tree.unmount() }
        let paths = [DefaultTree.gpu + "/vendor", DefaultTree.gpu + "/config", DefaultTree.gpu, "/bus/pci/devices"]
        // Python's os.listxattr calls listxattr(2) with a size query first, then with a buffer.
        let listed = try Command.run(["/usr/bin/python3", "-c",
                                      "import os, sys\nfor path in sys.argv[1:]: print(os.listxattr(path))"]
                                     + paths.map { tree.path($0) })
        #expect(listed == CommandResult(status: 0, output: String(repeating: "[]\n", count: paths.count)))
    }
}
