import SystemPackage
import Testing
@testable import SysfsTree

/// Parsing rules of current kernels (6.x) that differ from older ones.
@Suite struct CurrentKernelParsingTests {
    private func boolean(_ text: String) -> Result<Bool, Errno> {
        Result { () throws(Errno) in try StoreInput(text).boolean() }
    }

    private func integer(_ text: String) -> Result<Int32, Errno> {
        Result { () throws(Errno) in try KernelParsing.signedInteger(StoreInput(text).cString) }
    }

    /// `kstrtobool` reads only the first character (two for on/off), t/T and
    /// f/F included; e/E and d/D are not booleans (lib/kstrtox.c, 6.12).
    @Test(arguments: [("t", true), ("True", true), ("yes", true),
                      ("10", true), ("1 ", true), ("f", false),
                      ("0x1", false), ("oFF", false), ("of", false), ("ON", true)] as [(String, Bool)])
    func kstrtoboolFirstCharacter(text: String, value: Bool) {
        #expect(boolean(text) == .success(value))
    }

    @Test(arguments: [" 1", "\n", "-1", "+1", "2", "ox", "o\n", "\u{0}1", "\u{ff}", "e", "Enabled", "d", "Disabled"])
    func kstrtoboolRejects(text: String) {
        #expect(boolean(text) == .failure(.invalidArgument))
    }

    /// `kstrtoll` takes a `+` or a `-`, never both.
    @Test func kstrtointSigns() {
        #expect(integer("-1") == .success(-1))
        #expect(integer("+1") == .success(1))
        #expect(integer("-0") == .success(0))
        #expect(integer("-0x10") == .success(-16))
        #expect(integer("-+1") == .failure(.invalidArgument))
        #expect(integer("+-1") == .failure(.invalidArgument))
        #expect(integer("--1") == .failure(.invalidArgument))
        #expect(integer("-2147483648") == .success(Int32.min))
        #expect(integer("-2147483649") == .failure(.outOfRange))
        #expect(integer("2147483648") == .failure(.outOfRange))
    }
}
