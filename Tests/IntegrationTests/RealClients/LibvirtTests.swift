import Testing
#if canImport(Glibc)
import Glibc
#endif

/// An unmodified libvirtd (node-device driver, udev backend) in the namespace
/// of `fakesysfs run`, started by `scripts/with-libvirtd` and driven with virsh.
/// Devices that appear later (VFs, mdevs) reach libvirt only as uevents.
@Suite(.requiresClients("libvirtd", "virsh", "mdevctl")) struct LibvirtTests {
    static let withLibvirtd: String = {
        let components = "\(#filePath)".split(separator: "/").dropLast(4)
        return "/" + components.joined(separator: "/") + "/scripts/with-libvirtd"
    }()

    private func runWithLibvirtd(_ script: String) throws -> (ClientSession.Outcome, StepLog) {
        let outcome = try ClientSession.spawn(
            [try MountedTree.binary(), "run", "--", Self.withLibvirtd, "/bin/sh", "-c",
             StepLog.prelude + MdevTypeFiles.shellFunction + "mount -t tmpfs private-tmp /tmp\n" + script],
            timeoutSeconds: 300)
        return (outcome, StepLog(outcome.stdout))
    }

    @Test func pciDevicesAndVirtualFunctionsArrivingByUEvent() throws {
        let (outcome, log) = try runWithLibvirtd("""
            step list virsh nodedev-list --cap pci
            step numvfs sh -c 'echo 2 > /sys/bus/pci/devices/0000:3b:00.0/sriov_numvfs'
            until_ok vfs-listed 30 sh -c 'virsh nodedev-list --cap pci | grep -qx pci_0000_3b_00_2'
            step list-vfs virsh nodedev-list --cap pci
            step pf virsh nodedev-dumpxml pci_0000_3b_00_0
            step vf virsh nodedev-dumpxml pci_0000_3b_00_1
            """)
        #expect(outcome.status == 0, "\(outcome)")
        #expect(log["list"]?.lines == ["pci_0000_00_02_0", "pci_0000_3b_00_0", "pci_0000_f3_00_0"])
        #expect(log["numvfs"]?.status == 0)
        #expect(log["vfs-listed"]?.status == 0, "the VFs never reached libvirt: \(outcome)")
        #expect(log["list-vfs"]?.lines == [
            "pci_0000_00_02_0", "pci_0000_3b_00_0", "pci_0000_3b_00_1", "pci_0000_3b_00_2", "pci_0000_f3_00_0",
        ])
        #expect(log["pf"]?.output.contains("""
                <capability type='virt_functions' maxCount='32'>
                  <address domain='0x0000' bus='0x3b' slot='0x00' function='0x1'/>
                  <address domain='0x0000' bus='0x3b' slot='0x00' function='0x2'/>
                </capability>
            """) == true, "\(log["pf"]?.output ?? "")")
        #expect(log["vf"]?.output.contains("""
                <capability type='phys_function'>
                  <address domain='0x0000' bus='0x3b' slot='0x00' function='0x0'/>
                </capability>
            """) == true, "\(log["vf"]?.output ?? "")")
    }

    @Test func mdevTypesAndNodedevCreate() throws {
        let parent = "0000:00:02.0", uuid = "5f4d2a9c-4a0b-4a8e-9a55-0c1d2e3f4a5b"
        let name = "mdev_" + uuid.replacingAll("-", with: "_") + "_0000_00_02_0"
        let (outcome, log) = try runWithLibvirtd("""
            types=/sys/bus/pci/devices/\(parent)/mdev_supported_types
            step type-files type_files "$types"
            step gpu virsh nodedev-dumpxml pci_0000_00_02_0
            T=
            for t in $(ls "$types"); do
                if [ "$(cat "$types/$t/available_instances")" -gt 0 ]; then T=$t; break; fi
            done
            step chosen echo "$T"
            printf '%s\\n' '<device>' '  <parent>pci_0000_00_02_0</parent>' "  <capability type='mdev'>" \\
                "    <type id='$T'/>" '    <uuid>\(uuid)</uuid>' '  </capability>' '</device>' >/tmp/mdev.xml
            step create timeout 90 virsh nodedev-create /tmp/mdev.xml
            step info virsh nodedev-info \(name)
            step mdev virsh nodedev-dumpxml \(name)
            step mdevctl mdevctl list
            step available cat "$types/$T/available_instances"
            step gpu-after virsh nodedev-dumpxml pci_0000_00_02_0
            step destroy virsh nodedev-destroy \(name)
            until_ok mdev-gone 30 sh -c '[ -z "$(virsh nodedev-list --cap mdev)" ]'
            step sysfs-gone ls /sys/bus/mdev/devices
            """)
        #expect(outcome.status == 0, "\(outcome)")
        let types = MdevTypeFiles.parse(log["type-files"]?.output ?? "")
        try #require(!types.isEmpty, "no mdev types on \(parent): \(outcome)")
        let gpu = log["gpu"]?.output ?? ""
        #expect(gpu.contains("<capability type='mdev_types'>\n"))
        for type in types {
            #expect(gpu.contains(type.libvirtXML), "\(type.id) in\n\(gpu)")
        }

        let type = try #require(log["chosen"]?.output.strippingBlanks)
        let chosen = try #require(types.first { $0.id == type })
        #expect(log["create"]?.status == 0)
        #expect(log["create"]?.output.hasPrefix("Node device \(name) created from /tmp/mdev.xml\n") == true)
        #expect(log["info"]?.lines.contains { $0.split(separator: " ") == ["Active:", "yes"] } == true,
                "\(log["info"]?.output ?? "")")
        let mdev = log["mdev"]?.output ?? ""
        #expect(mdev.contains("<type id='\(type)'/>") && mdev.contains("<uuid>\(uuid)</uuid>")
                && mdev.contains("<parent_addr>\(parent)</parent_addr>") && mdev.contains("<iommuGroup number="),
                "\(mdev)")
        #expect(log["mdevctl"]?.output == "\(uuid) \(parent) \(type) manual\n\n")
        let remaining = chosen.availableInstances - 1
        #expect(log["available"]?.output == "\(remaining)\n")
        let after = MdevTypeFiles(id: type, availableInstances: remaining, deviceAPI: chosen.deviceAPI,
                                  name: chosen.name, description: chosen.description)
        #expect(log["gpu-after"]?.output.contains(after.libvirtXML) == true, "\(log["gpu-after"]?.output ?? "")")
        #expect(log["destroy"]?.status == 0)
        #expect(log["mdev-gone"]?.status == 0)
        #expect(log["sysfs-gone"]?.output == "")
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
