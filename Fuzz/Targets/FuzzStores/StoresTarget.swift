import FuzzSupport
import KernelCore
import SysfsTree
import SystemPackage

/// Sequences of writes to the lifecycle stores of a model host (mdev create
/// and remove, sriov_numvfs, autoprobe, driver binding and the PCI stores),
/// each through `Attribute.write` as a FUSE write would call it. After every
/// write the tree must agree with itself and with the driver's accounting,
/// and a refusal must use one of the errnos the kernel can give.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var script = FuzzScript(Fuzzer.bytes(data, size))
    let world = FuzzWorld()
    var steps = 0
    while let operation = script.next(), steps < 64 {
        world.perform(operation, &script)
        world.checkInvariants(after: operation)
        steps += 1
    }
    world.checkLinks()
    return 0
}
