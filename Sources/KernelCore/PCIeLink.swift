/// A PCI Express link as Link Capabilities and Link Status describe it.
public struct PCIeLink: Sendable, Equatable {
    /// 1 for 2.5 GT/s up to 6 for 64 GT/s, as the registers encode it.
    public var generation: Int
    public var width: Int

    public init(generation: Int, width: Int) {
        self.generation = min(6, max(1, generation))
        self.width = min(32, max(1, width))
    }

    /// `pci_speed_string` of the link's speed.
    public var speedText: String {
        ["2.5", "5.0", "8.0", "16.0", "32.0", "64.0"][generation - 1] + " GT/s PCIe"
    }

    /// `pci_speed_string(PCI_SPEED_UNKNOWN)`: what a function without link registers reports.
    static let unknownSpeed = "Unknown"
}
