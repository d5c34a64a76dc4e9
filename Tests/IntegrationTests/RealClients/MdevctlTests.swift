import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Debian's mdevctl (which hard-codes /sys and /etc/mdevctl.d) against the
/// default host's GVT-g parent, through `fakesysfs run`.
@Suite(.requiresClients("mdevctl")) struct MdevctlTests {
    static let parent = "0000:00:02.0"
    static let uuid = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001"

    @Test func typesListStartStopDefineUndefine() throws {
        let (parent, uuid) = (Self.parent, Self.uuid)
        #expect(access("/etc/mdevctl.d/\(parent)", F_OK) != 0)
        let outcome = try ClientSession.run(script: StepLog.prelude + MdevTypeFiles.shellFunction + """
            P=\(parent) U=\(uuid)
            types=/sys/class/mdev_bus/$P/mdev_supported_types
            step parents ls /sys/class/mdev_bus
            step type-files type_files "$types"
            step types mdevctl types -p $P
            T=
            for t in $(ls "$types"); do
                if [ "$(cat "$types/$t/available_instances")" -gt 0 ]; then T=$t; break; fi
            done
            step chosen echo "$T"
            step before cat "$types/$T/available_instances"
            step start mdevctl start -p $P -t "$T" -u $U
            step list mdevctl list
            step after cat "$types/$T/available_instances"
            step duplicate mdevctl start -p $P -t "$T" -u $U
            step stop mdevctl stop -u $U
            step list-stopped mdevctl list
            step restored cat "$types/$T/available_instances"
            step define mdevctl define -p $P -t "$T" -u $U
            step defined mdevctl list --defined
            step config cat /etc/mdevctl.d/$P/$U
            step undefine mdevctl undefine -u $U
            step undefined mdevctl list --defined
            step config-left find /etc/mdevctl.d -type f
            """)
        #expect(outcome.status == 0, "\(outcome)")
        let log = StepLog(outcome.stdout)

        #expect(log["parents"]?.lines.contains(parent) == true)
        let types = MdevTypeFiles.parse(log["type-files"]?.output ?? "")
        try #require(!types.isEmpty, "no mdev types on \(parent): \(outcome)")
        #expect(types.allSatisfy { $0.id.hasPrefix("i915-GVTg_V5_") && $0.deviceAPI == "vfio-pci" })
        #expect(log["types"]?.status == 0)
        #expect(log["types"]?.output == MdevTypeFiles.mdevctlTypes(parent: parent, types))

        let type = try #require(log["chosen"]?.output.strippingBlanks)
        let before = try #require(types.first { $0.id == type }?.availableInstances)
        #expect(log["before"]?.output == "\(before)\n")
        #expect(log["start"]?.status == 0 && log["start"]?.output == "")
        #expect(log["list"]?.output == "\(uuid) \(parent) \(type) manual\n\n")
        #expect(log["after"]?.output == "\(before - 1)\n")
        #expect(log["duplicate"]?.status == 1)
        #expect(log["duplicate"]?.output.contains("Error: Device already exists") == true)
        #expect(log["stop"]?.status == 0 && log["stop"]?.output == "")
        #expect(log["list-stopped"]?.output == "\n")
        #expect(log["restored"]?.output == "\(before)\n")

        #expect(log["define"]?.status == 0 && log["define"]?.output == "")
        #expect(log["defined"]?.output == "\(uuid) \(parent) \(type) manual\n\n")
        #expect(log["config"]?.output == "{\n  \"mdev_type\": \"\(type)\",\n  \"start\": \"manual\",\n  \"attrs\": []\n}")
        #expect(log["undefine"]?.status == 0)
        #expect(log["undefined"]?.output == "\n")
        #expect(log["config-left"]?.output == "")
        // The definition lived in the namespace's scratch directory only.
        #expect(access("/etc/mdevctl.d/\(parent)", F_OK) != 0)
    }
}
