#if canImport(Glibc)
import Glibc
#endif

/// A real unprivileged account, `fakesysfs-test`, created on first use, and
/// single system calls made as it (through `setpriv`, with no supplementary
/// groups), each reporting `ok:<result>` or the errno's name.
enum UnprivilegedUser {
    static let name = "fakesysfs-test"

    /// Whether this process may create the account and switch to it.
    static var canSwitch: Bool { geteuid() == 0 }

    static func ensure() throws -> (uid: uid_t, gid: gid_t) {
        if let account = getpwnam(name) { return (account.pointee.pw_uid, account.pointee.pw_gid) }
        let result = try Command.run(["/usr/sbin/useradd", "--system", "--no-create-home", "--user-group",
                                      "--shell", "/usr/sbin/nologin", name])
        // 9: created meanwhile by a test running in parallel.
        guard result.status == 0 || result.status == 9, let account = getpwnam(name) else {
            throw TestFailure("useradd \(name) failed (\(result))")
        }
        return (account.pointee.pw_uid, account.pointee.pw_gid)
    }

    enum Operation: String {
        case stat, list, read, write
    }

    /// `operation` on `path` as the unprivileged user: `ok`, `ok:<content or count>`, or e.g. `EACCES`.
    static func attempt(_ operation: Operation, _ path: String, data: String = "") throws -> String {
        let (uid, gid) = try ensure()
        let result = try Command.run(["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--",
                                      "/usr/bin/python3", "-c", probe, operation.rawValue, path, data])
        guard result.status == 0 else { throw TestFailure("probe as \(name) failed (\(result))") }
        return result.output
    }

    private static let probe = """
        import errno, os, sys
        operation, path, data = sys.argv[1:4]
        try:
            if operation == "stat":
                os.stat(path)
                print("ok", end="")
            elif operation == "list":
                print("ok:" + ",".join(sorted(os.listdir(path))), end="")
            elif operation == "read":
                fd = os.open(path, os.O_RDONLY)
                content = os.read(fd, 4096)
                os.close(fd)
                print("ok:" + content.decode("utf-8", "replace"), end="")
            else:
                fd = os.open(path, os.O_WRONLY)
                count = os.write(fd, data.encode())
                os.close(fd)
                print("ok:%d" % count, end="")
        except OSError as error:
            print(errno.errorcode.get(error.errno, str(error.errno)), end="")
        """
}
