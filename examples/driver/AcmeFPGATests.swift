import KernelCore
import Testbed
import Testing

/// The example driver behaves as its comment promises.
@Suite struct AcmeFPGATests {
    static let pf = "0000:5e:00.0"

    /// A lab host with the card, its two VFs enabled.
    func lab(_ settings: [String: DriverSettings.Value] = [:]) throws -> Testbed {
        let lab = try Testbed(.factory(AcmeFPGA.self, at: Self.pf, settings), name: "lab")
        _ = try lab.write("/bus/pci/devices/\(Self.pf)/sriov_numvfs", "2").get()
        return lab
    }

    let vf1 = "/bus/pci/devices/0000:5e:00.1/migration_version"
    let vf2 = "/bus/pci/devices/0000:5e:00.2/migration_version"

    @Test func theStringFormat() throws {
        #expect(try lab().read(vf1) == .success("acme-0b31-2.0.0-crypto_v7\n"))
    }

    @Test func sameCardAcceptsAndNewerMinorAccepts() throws {
        let source = try lab(), target = try lab(["shell": .string("2.3.0")])
        let version = try source.read(vf1).get()
        #expect(source.write(vf2, version) == .success(version.utf8.count))
        #expect(target.write(vf2, version) == .success(version.utf8.count))
    }

    @Test func olderShellOrOtherBitstreamIsEINVAL() throws {
        let source = try lab(["shell": .string("2.3.0")])
        let version = try source.read(vf1).get()
        #expect(try lab().write(vf2, version) == .failure(.invalidArgument))
        let other = try lab(["shell": .string("2.3.0"), "bitstream": .string("video_v1")])
        #expect(other.write(vf2, version) == .failure(.invalidArgument))
    }

    @Test func shellUpgradeTakesEffectAtOnce() throws {
        let lab = try lab()
        let driver = try #require(PCIAddress(Self.pf).flatMap { lab.host.device($0)?.driver })
        try driver.update(settings: DriverSettings(["shell": .string("3.0.0")]))
        #expect(lab.read(vf1) == .success("acme-0b31-3.0.0-crypto_v7\n"))
    }
}
