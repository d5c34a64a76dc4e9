/// The GPUs GVT-g runs on (`is_supported_device`) and the vGPU type prefix
/// their render generation gives: gen8 `GVTg_V4_`, gen9 `GVTg_V5_`.
struct GVTPlatform: Sendable {
    let deviceID: UInt16
    let generation: Int

    var typePrefix: String { generation == 8 ? "GVTg_V4_" : "GVTg_V5_" }

    init?(deviceID: UInt16) {
        if Self.broadwell.contains(deviceID) {
            generation = 8
        } else if Self.gen9.contains(deviceID) {
            generation = 9
        } else {
            return nil
        }
        self.deviceID = deviceID
    }

    static let broadwell: [UInt16] = [0x1616, 0x1626, 0x161a, 0x162a]
    /// Skylake, Kaby Lake, Coffee/Whiskey Lake, Comet Lake, Apollo Lake.
    static let gen9: [UInt16] = [0x1912, 0x191b, 0x191d, 0x193d, 0x5912, 0x5916, 0x5917, 0x591d,
                                 0x3e92, 0x3e96, 0x3e9b, 0x3ea0, 0x9bc5, 0x9bc8, 0x5a84, 0x5a85]
    static var known: [UInt16] { broadwell + gen9 }
}
