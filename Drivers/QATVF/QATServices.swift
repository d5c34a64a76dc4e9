/// `qat/cfg_services`: the values the driver accepts (`adf_cfg_services`),
/// the ring-pair layout each gives a bundle, and the capabilities it enables.
enum QATServices {
    static let accepted = ["sym;asym", "asym;sym", "sym", "asym", "dc", "dcc", "sym;dc", "dc;sym", "asym;dc", "dc;asym"]

    /// `ring_to_svc_map`: 3 bits per ring pair of a bundle, ring pair 0 lowest
    /// (COMP 2, SYM 3, ASYM 4); order within a value does not matter.
    static func ringToServiceMap(_ services: String) -> UInt16 {
        switch Set(services.split(separator: ";").map(String.init)) {
        case ["sym", "asym"]: return 0x71c
        case ["sym"]: return 0x6db
        case ["asym"]: return 0x924
        case ["sym", "dc"]: return 0x49b
        case ["asym", "dc"]: return 0x4a4
        default: return 0x492
        }
    }

    /// What a ring pair serves, as `rp2srv` shows it.
    static func service(ofRingPair ringPair: Int, in map: UInt16) -> String? {
        switch (map >> UInt16(3 * (ringPair % QATModel.ringPairsPerBundle))) & 0x7 {
        case 2: return "dc"
        case 3: return "sym"
        case 4: return "asym"
        default: return nil
        }
    }

    /// `enum icp_qat_capabilities_mask`: bit → name.
    static let capabilityBits: [Int: String] = [
        0: "crypto_symmetric", 1: "crypto_asymmetric", 2: "cipher", 3: "authentication", 5: "compression",
        6: "lzs_compression", 7: "rand", 8: "zuc", 9: "sha3", 12: "hkdf", 13: "ecedmont", 15: "sha3_ext",
        16: "aesgcm_spc", 17: "chacha_poly", 22: "cnv_integrity", 23: "cnv_integrity64", 24: "lz4_compression",
        25: "lz4s_compression", 26: "aes_v2",
    ]

    static let symmetric: Set<String> = ["crypto_symmetric", "cipher", "authentication", "sha3", "sha3_ext", "hkdf",
                                         "aesgcm_spc", "chacha_poly", "aes_v2"]
    static let asymmetric: Set<String> = ["crypto_asymmetric", "ecedmont"]
    static let compression: Set<String> = ["compression", "cnv_integrity", "cnv_integrity64", "lz4_compression",
                                           "lz4s_compression"]

    /// The accelerator capabilities a configuration enables (`get_accel_cap`
    /// recomputed after `cfg_services` changes); `dcc` chains hashing to compression.
    static func capabilities(_ services: String) -> Set<String> {
        var enabled = Set<String>()
        for service in services.split(separator: ";") {
            switch service {
            case "sym": enabled.formUnion(symmetric)
            case "asym": enabled.formUnion(asymmetric)
            case "dc": enabled.formUnion(compression)
            case "dcc": enabled.formUnion(compression.union(["crypto_symmetric", "cipher", "authentication"]))
            default: break
            }
        }
        return enabled
    }
}
