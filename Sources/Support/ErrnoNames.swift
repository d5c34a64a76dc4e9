import SystemPackage
#if canImport(Glibc)
import Glibc
#endif

/// The symbolic names of the errno values a sysfs client may meet, both ways:
/// `EAGAIN` ↔ 11. Fault rules take either form; traces print the name.
public enum ErrnoNames {
    static let table: [(name: String, value: Int32)] = [
        ("EPERM", EPERM), ("ENOENT", ENOENT), ("ESRCH", ESRCH), ("EINTR", EINTR), ("EIO", EIO),
        ("ENXIO", ENXIO), ("E2BIG", E2BIG), ("EBADF", EBADF), ("EAGAIN", EAGAIN), ("ENOMEM", ENOMEM),
        ("EACCES", EACCES), ("EFAULT", EFAULT), ("EBUSY", EBUSY), ("EEXIST", EEXIST), ("EXDEV", EXDEV),
        ("ENODEV", ENODEV), ("ENOTDIR", ENOTDIR), ("EISDIR", EISDIR), ("EINVAL", EINVAL),
        ("ENFILE", ENFILE), ("EMFILE", EMFILE), ("ENOTTY", ENOTTY), ("EFBIG", EFBIG), ("ENOSPC", ENOSPC),
        ("ESPIPE", ESPIPE), ("EROFS", EROFS), ("EPIPE", EPIPE), ("ERANGE", ERANGE), ("EDEADLK", EDEADLK),
        ("ENAMETOOLONG", ENAMETOOLONG), ("ENOSYS", ENOSYS), ("ENOTEMPTY", ENOTEMPTY), ("ELOOP", ELOOP),
        ("ENODATA", ENODATA), ("ETIME", ETIME), ("EPROTO", EPROTO), ("EOVERFLOW", EOVERFLOW),
        ("EILSEQ", EILSEQ), ("EUSERS", EUSERS), ("EOPNOTSUPP", EOPNOTSUPP), ("ETIMEDOUT", ETIMEDOUT),
        ("ECONNREFUSED", ECONNREFUSED), ("EALREADY", EALREADY), ("EINPROGRESS", EINPROGRESS),
        ("ESTALE", ESTALE), ("EREMOTEIO", EREMOTEIO), ("EDQUOT", EDQUOT), ("ECANCELED", ECANCELED),
        ("ENOTCONN", ENOTCONN), ("ENOMEDIUM", ENOMEDIUM),
    ]

    /// Other spellings accepted on input.
    static let aliases: [String: Int32] = ["EWOULDBLOCK": EAGAIN, "ENOTSUP": EOPNOTSUPP, "EDEADLOCK": EDEADLK]

    /// `EAGAIN`, or the number itself for one without a name here.
    public static func name(of value: Int32) -> String {
        symbol(of: value) ?? String(value)
    }

    static func symbol(of value: Int32) -> String? {
        table.first { $0.value == value }?.name
    }

    /// Reads `EAGAIN`, `eagain` or `11`; nil for anything else or a number outside 1...4095.
    public static func value(of text: String) -> Int32? {
        if let number = Int32(text) { return (1...4095).contains(number) ? number : nil }
        let upper = text.uppercased()
        return table.first { $0.name == upper }?.value ?? aliases[upper]
    }
}

extension Errno {
    /// The message with the symbolic name kernel developers look for, e.g. `No space left on device (ENOSPC)`.
    public var explained: String {
        ErrnoNames.symbol(of: rawValue).map { "\(description) (\($0))" } ?? description
    }
}
