import SystemPackage
import Testing
@testable import SysfsTree

@Suite struct KernelParsingTests {
    private func parse(_ text: String, max: UInt64 = .max) -> Result<UInt64, Errno> {
        Result { () throws(Errno) in try StoreInput(text).unsignedInteger(max: max) }
    }

    @Test(arguments: [
        ("1", 1), ("1\n", 1), ("+7", 7), ("0x10", 16), ("0X1f\n", 31), ("010", 8), ("0", 0),
    ] as [(String, UInt64)])
    func acceptsWhatKstrtoulAccepts(text: String, value: UInt64) {
        #expect(parse(text) == .success(value))
    }

    @Test(arguments: ["", "\n", "-1", " 1", "1 ", "1\n\n", "0x", "08", "abc", "1a", "+"])
    func rejectsWithEINVAL(text: String) {
        #expect(parse(text) == .failure(.invalidArgument))
    }

    @Test func overflowIsERANGE() {
        #expect(parse("18446744073709551616") == .failure(.outOfRange))
        #expect(parse("65536", max: 65535) == .failure(.outOfRange))
        #expect(parse("65535", max: 65535) == .success(65535))
    }

    @Test func embeddedNULEndsTheString() {
        #expect(Result { () throws(Errno) in try StoreInput([0x31, 0x00, 0x7a]).unsignedInteger() } == .success(1))
    }

    @Test(arguments: [("y", true), ("Y\n", true), ("1", true), ("on", true), ("n", false),
                      ("0", false), ("off", false), ("No", false)] as [(String, Bool)])
    func kstrtobool(text: String, value: Bool) {
        #expect(Result { () throws(Errno) in try StoreInput(text).boolean() } == .success(value))
    }

    @Test(arguments: ["", "o", "x", "2"])
    func kstrtoboolRejects(text: String) {
        #expect(Result { () throws(Errno) in try StoreInput(text).boolean() } == .failure(.invalidArgument))
    }

    @Test func sysfsStreqIgnoresOneTrailingNewline() {
        #expect(StoreInput("abc").streq("abc"))
        #expect(StoreInput("abc\n").streq("abc"))
        #expect(StoreInput("abc").streq("abc\n"))
        #expect(!StoreInput("abc\n\n").streq("abc"))
        #expect(!StoreInput("abc ").streq("abc"))
        #expect(!StoreInput("ABC").streq("abc"))
    }
}
