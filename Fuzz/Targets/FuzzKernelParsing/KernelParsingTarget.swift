import FuzzSupport
import SysfsTree
import SystemPackage

/// Differential fuzzing of `KernelParsing` against `ReferenceKstrtox`: every
/// input, parsed by both as each store would, must give the same value or errno.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    compareWithKernel(Fuzzer.bytes(data, size))
    return 0
}

func compareWithKernel(_ bytes: [UInt8]) {
    let input = StoreInput(bytes.prefix(4096))
    let terminated = Array(input.bytes) + [0, 0, 0]

    func ours<T>(_ parse: () throws(Errno) -> T, _ wrap: (T) -> ReferenceKstrtox.Outcome) -> ReferenceKstrtox.Outcome {
        do throws(Errno) {
            return wrap(try parse())
        } catch {
            return error == .outOfRange ? .range : error == .invalidArgument ? .invalid : .value(UInt64.max)
        }
    }
    func check(_ name: String, _ mine: ReferenceKstrtox.Outcome, _ reference: ReferenceKstrtox.Outcome) {
        if mine != reference {
            Fuzzer.fail("\(name) of \(bytes): ours \(mine), kernel \(reference)")
        }
    }

    for base in [0, 8, 10, 16] {
        check("kstrtoull base \(base)", ours({ () throws(Errno) in try input.unsignedInteger(base: base) }, { .value($0) }),
              ReferenceKstrtox.unsigned(terminated, base: base))
    }
    check("kstrtou16", ours({ () throws(Errno) in try input.unsignedInteger(max: UInt64(UInt16.max)) }, { .value($0) }),
          ReferenceKstrtox.unsigned16(terminated))
    check("kstrtoint", ours({ () throws(Errno) in try KernelParsing.signedInteger(input.cString) }, { .signed(Int64($0)) }),
          ReferenceKstrtox.int(terminated))
    check("kstrtobool", ours({ () throws(Errno) in try input.boolean() }, { .flag($0) }),
          ReferenceKstrtox.bool(terminated))

    let split = bytes.firstIndex(of: 0xff) ?? bytes.count / 2
    let left = StoreInput(bytes[..<split]), right = StoreInput(bytes[min(split + 1, bytes.count)...])
    let equal = KernelParsing.streq(left.cString, right.cString)
    if equal != ReferenceKstrtox.streq(Array(left.cString) + [0, 0], Array(right.cString) + [0, 0]) {
        Fuzzer.fail("sysfs_streq of \(Array(left.cString)) and \(Array(right.cString)): ours \(equal)")
    }
}
