import Testing
import SysfsTree

@Suite struct KernelMessagesTests {
    @Test func captureCollectsWhatTheOperationLogged() {
        KernelMessages.record("before: nobody listens")
        let (value, messages) = KernelMessages.capture { () -> Int in
            KernelMessages.record("mdev already exists")
            KernelMessages.record("second")
            return 7
        }
        #expect(value == 7)
        #expect(messages == ["mdev already exists", "second"])
    }

    @Test func capturesDoNotLeakIntoEachOther() {
        let (_, outer) = KernelMessages.capture { () -> Void in
            KernelMessages.record("outer")
            let (_, inner) = KernelMessages.capture { KernelMessages.record("inner") }
            #expect(inner == ["inner"])
        }
        #expect(outer == ["outer"])
    }
}
