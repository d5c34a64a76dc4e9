import KernelCore
import SystemPackage
import SysfsTree
import Testing

/// The example driver behaves as its comment promises.
@Suite struct AcmeFPGATests {
    static let pf = PCIAddress(bus: 0x5e, slot: 0, function: 0)

    func host(_ settings: [String: DriverSettings.Value] = [:]) throws -> Host {
        let host = Host(name: "lab")
        let made = try AcmeFPGA.make(address: Self.pf, settings: DriverSettings(settings), context: HostContext())
        host.addDevice(made.spec, driver: made.driver)
        _ = try write(host, "bus/pci/devices/0000:5e:00.0/sriov_numvfs", "2").get()
        return host
    }

    func read(_ host: Host, _ path: String) -> String? {
        (try? (host.root.resolve(path) as? Attribute)?.read()).map { String(decoding: $0, as: UTF8.self) }
    }

    /// One write(2): the count accepted, or the errno.
    func write(_ host: Host, _ path: String, _ text: String) -> Result<Int, Errno> {
        guard let attribute = host.root.resolve(path) as? Attribute else { return .failure(.noSuchFileOrDirectory) }
        return Result { () throws(Errno) in try attribute.write(Array(text.utf8)) }
    }

    let vf1 = "bus/pci/devices/0000:5e:00.1/migration_version"
    let vf2 = "bus/pci/devices/0000:5e:00.2/migration_version"

    @Test func theStringFormat() throws {
        #expect(read(try host(), vf1) == "acme-0b31-2.0.0-crypto_v7\n")
    }

    @Test func sameCardAcceptsAndNewerMinorAccepts() throws {
        let source = try host(), target = try host(["shell": .string("2.3.0")])
        let version = try #require(read(source, vf1))
        #expect(write(source, vf2, version) == .success(version.utf8.count))
        #expect(write(target, vf2, version) == .success(version.utf8.count))
    }

    @Test func olderShellOrOtherBitstreamIsEINVAL() throws {
        let source = try host(["shell": .string("2.3.0")])
        let version = try #require(read(source, vf1))
        #expect(write(try host(), vf2, version) == .failure(.invalidArgument))
        let other = try host(["shell": .string("2.3.0"), "bitstream": .string("video_v1")])
        #expect(write(other, vf2, version) == .failure(.invalidArgument))
    }

    @Test func shellUpgradeTakesEffectAtOnce() throws {
        let lab = try host()
        let driver = try #require(lab.device(Self.pf)?.driver)
        try driver.update(settings: DriverSettings(["shell": .string("3.0.0")]))
        #expect(read(lab, vf1) == "acme-0b31-3.0.0-crypto_v7\n")
    }
}
