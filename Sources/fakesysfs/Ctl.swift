import ArgumentParser
import Harness
#if canImport(Glibc)
import Glibc
#endif

struct Ctl: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Change a mounted fake /sys while it is in use.",
        discussion: """
            Talks to the server of MOUNTPOINT over its control socket (private to the \
            user who mounted it). Commands:
              status                                   hosts, devices, mdevs, faults
              plug ADDRESS DRIVER [KEY=VALUE...]       hot-plug a device
              unplug ADDRESS                           hot-unplug it (VFs and mdevs go too)
              update ADDRESS KEY=VALUE...              change driver settings (driver_version, ...)
              create-mdev PARENT TYPE [UUID]           create an mdev (prints its UUID)
              remove-mdev UUID                         remove an mdev
              set-vfs PF COUNT                         set the VF count
              write PATH VALUE                         one write(2) to an attribute
              fault add KEY=VALUE... | list | clear [ID...]
              reload                                   apply the scenario file's changes
              mark TEXT                                put a marker into the trace
            Add --host NAME with several hosts. `fakesysfs ctl MOUNTPOINT help COMMAND` \
            explains one command. With --socket PATH there is no MOUNTPOINT: inside \
            `fakesysfs run`, `fakesysfs ctl --socket "$FAKESYSFS_CONTROL" status`.

            Example:
              fakesysfs ctl /tmp/sys create-mdev 0000:00:02.0 i915-GVTg_V5_4
              fakesysfs ctl /tmp/sys fault add path='*/available_instances' op=read errno=EAGAIN once=true
            """)

    @Option(help: ArgumentHelp("The control socket to talk to, instead of MOUNTPOINT's (a run's is in FAKESYSFS_CONTROL).", valueName: "PATH"))
    var socket: String?

    @Argument(help: "Where fakesysfs is mounted (not with --socket).")
    var mountpoint: String?

    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.")
    var command: [String] = []

    func validate() throws {
        if socket == nil && mountpoint == nil { throw ValidationError("give the mount point, or the control socket with --socket") }
    }

    func run() throws {
        let path: String
        var arguments = command
        if let socket {
            path = socket
            arguments = (mountpoint.map { [$0] } ?? []) + command
        } else {
            let target = Ctl.absolute(mountpoint ?? "")
            guard let found = ControlSocketPath.forClient(mountpoint: target) else {
                throw CommandFailure("no control socket for \(target): is fakesysfs serving it, mounted by this user?")
            }
            path = found
        }
        let reply = ControlClient.send(ControlRequest(arguments: arguments), to: path)
        print(reply.output, terminator: "")
        if reply.status != 0 {
            printError(reply.error)
            throw ExitCode(reply.status == ExitCode.validationFailure.rawValue ? ExitStatus.usage : reply.status)
        }
    }

    /// The mount point's absolute path, without asking the server behind it (the parent is resolved instead).
    static func absolute(_ path: String) -> String {
        var trimmed = path
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        let slash = trimmed.lastIndex(of: "/")
        let parent = slash.map { $0 == trimmed.startIndex ? "/" : String(trimmed[..<$0]) } ?? "."
        let name = slash.map { String(trimmed[trimmed.index(after: $0)...]) } ?? trimmed
        guard let resolved = realpath(parent, nil) else { return trimmed }
        defer { free(resolved) }
        let base = String(cString: resolved)
        return (base == "/" ? "" : base) + "/" + name
    }
}
