import ArgumentParser

/// The commands `fakesysfs ctl MOUNTPOINT ...` sends to a running mount. They
/// are parsed by the server, which owns the state they act on.
struct ControlCommands: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fakesysfs ctl MOUNTPOINT",
        abstract: "Change a mounted fake /sys while clients use it.",
        discussion: """
            Every change goes through the kernel core as a real one would: the same \
            stores, errno values and uevents, and the kernel's caches are told before \
            the command returns. Changes print as lines: `+ path` appeared, `- path` \
            vanished, `~ path: old -> new` changed, then the uevents sent.
            """,
        subcommands: [Status.self, Plug.self, Unplug.self, Update.self, CreateMdev.self, RemoveMdev.self,
                      SetVFs.self, WriteAttribute.self, Fault.self, Reload.self, Mark.self])
}

extension ControlCommands {
    /// The help text `--help`, `-h` or a leading `help` asks for, for the deepest command named; nil otherwise.
    static func requestedHelp(_ arguments: [String]) -> String? {
        var words = arguments
        if words.first == "help" {
            words.removeFirst()
        } else if !words.contains("--help") && !words.contains("-h") {
            return nil
        }
        var command: ParsableCommand.Type = ControlCommands.self
        for word in words where !word.hasPrefix("-") {
            guard let subcommand = command.configuration.subcommands.first(where: { $0._commandName == word }) else { break }
            command = subcommand
        }
        return ControlCommands.helpMessage(for: command)
    }
}

/// Which host of a multi-host mount a command is for.
struct HostChoice: ParsableArguments {
    @Option(name: .long, help: "The host (required with several hosts unless the device says which).")
    var host: String?
}

extension ControlCommands {
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List hosts, devices, mdevs, VF counts and faults.")
    }

    struct Plug: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Hot-plug a PCI function made by a vendor driver.",
            discussion: "Example: plug 0000:5e:00.0 nvme-vf driver_version=1.2.0")
        @OptionGroup var choice: HostChoice
        @Argument(help: "The PCI address, DDDD:BB:DD.F.") var address: String
        @Argument(help: "The driver, as scenarios name it.") var driver: String
        @Argument(help: "Driver settings, KEY=VALUE.") var settings: [String] = []
    }

    struct Unplug: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Hot-unplug a PCI function (as writing 1 to its `remove`): its VFs and mdevs go with it.")
        @OptionGroup var choice: HostChoice
        @Argument(help: "The PCI address.") var address: String
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change a device's driver settings in place: upgrade or downgrade a version, a URL, services.",
            discussion: "KEY= (empty) returns a key to the driver's default. Example: update 0000:3b:00.0 driver_version=1.3.0")
        @OptionGroup var choice: HostChoice
        @Argument(help: "The PCI address of the device (a PF, not a VF).") var address: String
        @Argument(help: "Settings to change, KEY=VALUE.") var settings: [String] = []
    }

    struct CreateMdev: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-mdev",
            abstract: "Create an mdev by writing its UUID to the type's `create`; prints the UUID.")
        @OptionGroup var choice: HostChoice
        @Argument(help: "The parent's PCI address.") var parent: String
        @Argument(help: "The type, as named in mdev_supported_types (the driver prefix may be left out).") var type: String
        @Argument(help: "The UUID (a random one without it).") var uuid: String?
    }

    struct RemoveMdev: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove-mdev",
            abstract: "Remove an mdev by writing 1 to its `remove`.")
        @OptionGroup var choice: HostChoice
        @Argument(help: "The mdev's UUID.") var uuid: String
    }

    struct SetVFs: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-vfs",
            abstract: "Set a PF's VF count through `sriov_numvfs` (writing 0 first when changing from one non-zero count to another).")
        @OptionGroup var choice: HostChoice
        @Argument(help: "The PF's PCI address.") var address: String
        @Argument(help: "The number of VFs.") var count: Int
    }

    struct WriteAttribute: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "write",
            abstract: "Write VALUE to an attribute, exactly as write(2) on the file would.")
        @OptionGroup var choice: HostChoice
        @Argument(help: "The path below /sys, e.g. /bus/pci/devices/0000:3b:00.0/sriov_numvfs.") var path: String
        @Argument(help: "The bytes to write (no newline is added).") var value: String
    }

    struct Fault: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Inject, list and clear faults.",
            subcommands: [Add.self, List.self, Clear.self])

        struct Add: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Add a fault; prints its id.",
                discussion: """
                    Keys: path (glob over the canonical path below /sys; * also matches /), \
                    op (lookup,getattr,open,read,write,readdir,readlink), errno (EAGAIN or 11), \
                    delay (250ms, 1.5s), vanish=true, once=true, every=N, probability=P, seed=S, host.
                    Example: fault add path='*/available_instances' op=read errno=EAGAIN once=true
                    """)
            @Argument(help: "The rule, KEY=VALUE.") var fields: [String]
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the faults in force with their counts.")
        }

        struct Clear: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Remove faults by id, or all of them.")
            @Argument(help: "Fault ids; none clears every fault.") var ids: [Int] = []
        }
    }

    struct Reload: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read the scenario file again and apply the differences (SIGHUP does the same).")
    }

    struct Mark: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a marker line into the access trace, to find a test's steps in it.")
        @Argument(help: "The text of the marker.") var text: [String]
    }
}
