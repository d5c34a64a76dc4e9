import Support
/// A PCI function address, `DDDD:BB:DD.F`.
public struct PCIAddress: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let domain: UInt16
    public let bus: UInt8
    public let slot: UInt8
    public let function: UInt8

    public init(domain: UInt16 = 0, bus: UInt8, slot: UInt8, function: UInt8) {
        self.domain = domain
        self.bus = bus
        self.slot = slot & 0x1f
        self.function = function & 0x7
    }

    /// Parses `0000:3b:00.0` (the domain may be omitted).
    public init?(_ text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3 else { return nil }
        let domainText = parts.count == 3 ? parts[0] : "0000"
        let slotFunction = parts[parts.count - 1].split(separator: ".", omittingEmptySubsequences: false)
        guard slotFunction.count == 2,
              domainText.count == 4, parts[parts.count - 2].count == 2, slotFunction[0].count == 2,
              slotFunction[1].count == 1,
              let domain = UInt16(domainText, radix: 16),
              let bus = UInt8(parts[parts.count - 2], radix: 16),
              let slot = UInt8(slotFunction[0], radix: 16), slot < 32,
              let function = UInt8(slotFunction[1], radix: 16), function < 8 else { return nil }
        self.init(domain: domain, bus: bus, slot: slot, function: function)
    }

    /// `devfn` as the kernel packs it.
    public var devfn: Int { Int(slot) << 3 | Int(function) }

    /// The address `steps` functions after this one, carrying into the bus number
    /// as SR-IOV routing IDs do; nil past the last bus.
    public func advanced(by steps: Int) -> PCIAddress? {
        let routing = Int(bus) << 8 | devfn
        let next = routing + steps
        guard next >= 0, next <= 0xffff else { return nil }
        return PCIAddress(domain: domain, bus: UInt8(next >> 8), slot: UInt8((next >> 3) & 0x1f),
                          function: UInt8(next & 0x7))
    }

    public var description: String {
        hex(domain, 4) + ":" + hex(bus, 2) + ":" + hex(slot, 2) + "." + String(function)
    }

    /// The root bus directory name under `/devices`, e.g. `pci0000:00`.
    public var rootBusName: String { "pci" + hex(domain, 4) + ":00" }

    public static func < (lhs: PCIAddress, rhs: PCIAddress) -> Bool {
        (lhs.domain, lhs.bus, lhs.slot, lhs.function) < (rhs.domain, rhs.bus, rhs.slot, rhs.function)
    }
}
