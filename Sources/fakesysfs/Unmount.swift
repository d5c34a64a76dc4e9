import ArgumentParser
import Support
#if canImport(Glibc)
import Glibc
#endif

struct Unmount: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Stop the server behind MOUNTPOINT and unmount it.",
        discussion: """
            Works on a live mount and on a dead one (ENOTCONN) alike; a busy mount is \
            detached lazily.

            Example:
              fakesysfs unmount /tmp/sys
            """)

    @Argument(help: "Where fakesysfs is mounted.")
    var mountpoint: String

    func run() throws {
        let target = absolute(mountpoint)
        guard MountPoint.isMountPoint(target) else {
            throw CommandFailure("\(target) is not mounted")
        }
        let servers = ServerProcesses.serving(target)
        if umount2(target, 0) != 0 {
            let first = errno
            guard first == EBUSY, umount2(target, Int32(MNT_DETACH)) == 0 else {
                throw CommandFailure("cannot unmount \(target): \(String(cString: strerror(first)))")
            }
        }
        ServerProcesses.waitForExit(servers)
    }

    private func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (cwd == "/" ? "" : cwd) + "/" + path
    }
}

/// The fakesysfs servers of a mount point, found by their command lines.
enum ServerProcesses {
    static func serving(_ mountpoint: String) -> [pid_t] {
        var pids: [pid_t] = []
        for pid in directoryEntryNames("/proc").compactMap({ pid_t($0) }) where pid != getpid() {
            let arguments = commandLine(of: pid)
            if arguments.contains("--foreground"), arguments.contains("mount"), arguments.last == mountpoint
                || arguments.contains(mountpoint), arguments.first.map({ $0.hasSuffix("fakesysfs") }) == true {
                pids.append(pid)
            }
        }
        return pids
    }

    /// Waits up to five seconds for the servers to finish after the unmount, then asks them to stop.
    static func waitForExit(_ pids: [pid_t]) {
        for _ in 0..<100 {
            if pids.allSatisfy({ !isRunning($0) }) { return }
            usleep(50_000)
        }
        pids.filter(isRunning).forEach { kill($0, SIGTERM) }
    }

    /// A server that has exited stays a zombie until its parent (init, for a
    /// daemon) reaps it, which some inits do only every few seconds.
    private static func isRunning(_ pid: pid_t) -> Bool {
        let stat = contents(of: "/proc/\(pid)/stat")
        guard let end = stat.lastIndex(of: UInt8(ascii: ")")) else { return false }
        let state = stat[stat.index(after: end)...].first { $0 != UInt8(ascii: " ") }
        return state != nil && state != UInt8(ascii: "Z") && state != UInt8(ascii: "X")
    }

    private static func commandLine(of pid: pid_t) -> [String] {
        contents(of: "/proc/\(pid)/cmdline").split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    private static func contents(of path: String) -> [UInt8] {
        guard let file = fopen(path, "re") else { return [] }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes += buffer.prefix(count)
        }
        return bytes
    }
}
