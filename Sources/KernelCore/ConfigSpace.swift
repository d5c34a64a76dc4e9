import Support
import SysfsTree

/// A function's configuration space as `config` serves it: a type-0 header
/// carrying the same IDs as the text attributes, a PCI Express capability,
/// and on a PF the SR-IOV extended capability whose NumVFs follows `sriov_numvfs`.
///
/// The bytes are built on first use: a fleet of devices nobody reads costs no 4 KiB each.
public final class ConfigSpace: Sendable {
    private let spec: DeviceSpec
    private let virtualFunction: Bool
    private let bytes = Locked<[UInt8]?>(nil)
    public let size: Int

    static let sriovCapability = 0x100

    init(spec: DeviceSpec, extended: Bool, virtualFunction: Bool = false) {
        self.spec = spec
        self.virtualFunction = virtualFunction
        size = extended ? 4096 : 256
    }

    private func withBytes<T>(_ body: (inout [UInt8]) -> T) -> T {
        bytes.withLock { cached in
            var data = cached.take() ?? ConfigSpace.initialBytes(spec: spec, size: size, virtualFunction: virtualFunction)
            defer { cached = data }
            return body(&data)
        }
    }

    private static func initialBytes(spec: DeviceSpec, size: Int, virtualFunction: Bool) -> [UInt8] {
        let extended = size > 256
        var data = [UInt8](repeating: 0, count: size)
        func put16(_ offset: Int, _ value: UInt16) {
            data[offset] = UInt8(value & 0xff)
            data[offset + 1] = UInt8(value >> 8)
        }
        func put32(_ offset: Int, _ value: UInt32) {
            put16(offset, UInt16(value & 0xffff))
            put16(offset + 2, UInt16(value >> 16))
        }
        let id = spec.identity
        put16(0x00, id.vendor)
        put16(0x02, id.device)
        put16(0x04, spec.bars.contains(where: \.isIO) ? 0x0407 : 0x0406)
        put16(0x06, 0x0010)
        data[0x08] = id.revision
        data[0x09] = UInt8(id.classCode & 0xff)
        data[0x0a] = UInt8((id.classCode >> 8) & 0xff)
        data[0x0b] = UInt8((id.classCode >> 16) & 0xff)
        var barOffset = 0x10
        for (bar, start) in BAR.layout(spec.bars, at: spec.address) where barOffset < 0x28 {
            if bar.isIO {
                put32(barOffset, UInt32(truncatingIfNeeded: start) | 0x1)
                barOffset += 4
                continue
            }
            var low = UInt32(truncatingIfNeeded: start) & 0xffff_fff0
            if bar.is64Bit { low |= 0x4 }
            if bar.prefetchable { low |= 0x8 }
            put32(barOffset, low)
            if bar.is64Bit && barOffset + 4 < 0x28 {
                put32(barOffset + 4, UInt32(truncatingIfNeeded: start >> 32))
                barOffset += 4
            }
            barOffset += 4
        }
        put16(0x2c, id.subsystemVendor)
        put16(0x2e, id.subsystemDevice)
        data[0x34] = 0x40
        // VFs have no INTx: Interrupt Pin and Line read 0.
        if !virtualFunction {
            data[0x3c] = UInt8(truncatingIfNeeded: 16 + spec.address.devfn % 16)
            data[0x3d] = 0x01
        }
        // PCI Express capability, version 2, endpoint.
        data[0x40] = 0x10
        data[0x41] = 0x00
        // Version 2; an Endpoint, or a Root Complex Integrated Endpoint (type 9) without link registers.
        put16(0x42, spec.link == nil ? 0x0092 : 0x0002)
        if let link = spec.link {
            let speed = UInt32(link.generation), width = UInt32(link.width)
            put32(0x4c, speed | width << 4)
            put32(0x6c, ((UInt32(1) << speed) - 1) << 1)
            if !virtualFunction { put16(0x52, UInt16(speed | width << 4)) }
        }
        // Device Capabilities: Function Level Reset.
        put32(0x44, 0x1000_0000)
        if extended, let sriov = spec.sriov {
            let cap = ConfigSpace.sriovCapability
            put32(cap, 0x0001_0010)
            put32(cap + 0x04, 0x0000_0002)
            put16(cap + 0x0c, sriov.totalVFs)
            put16(cap + 0x0e, sriov.totalVFs)
            put16(cap + 0x14, sriov.offset)
            put16(cap + 0x16, sriov.stride)
            put16(cap + 0x1a, sriov.vfDevice)
            put32(cap + 0x1c, 0x0000_0553)
            put32(cap + 0x20, 0x0000_0001)
        }
        return data
    }

    func read(offset: Int, count: Int) -> [UInt8] {
        withBytes { data in
            guard offset < data.count else { return [] }
            return Array(data[offset..<min(data.count, offset + count)])
        }
    }

    /// Registers a driver may change: command, cache line size, latency timer, interrupt line.
    /// Everything else is read-only, as in hardware; the write still counts as done.
    func write(offset: Int, bytes incoming: [UInt8]) -> Int {
        let writable: Set<Int> = [0x04, 0x05, 0x0c, 0x0d, 0x3c]
        withBytes { data in
            for (index, byte) in incoming.enumerated() where writable.contains(offset + index) {
                data[offset + index] = byte
            }
        }
        return incoming.count
    }

    /// Mirrors `sriov_numvfs` into NumVFs and the VF Enable / VF MSE control bits.
    func setNumVFs(_ count: UInt16) {
        withBytes { data in
            let cap = ConfigSpace.sriovCapability
            guard data.count > cap + 0x12 else { return }
            data[cap + 0x10] = UInt8(count & 0xff)
            data[cap + 0x11] = UInt8(count >> 8)
            data[cap + 0x08] = count > 0 ? 0x09 : 0x00
        }
    }
}
