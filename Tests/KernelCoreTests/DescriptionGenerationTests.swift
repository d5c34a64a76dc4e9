import Compatibility
import Support
import Testing
import KernelCore
import SysfsTree
import SystemPackage

/// A description kept by the interfaces until the driver moves the generation on.
@Suite struct DescriptionGenerationTests {
    private final class Driver: Sendable {
        let descriptions = DescriptionGeneration()
        let calls = Locked(0)
        let migration = Locked<Bool?>(true)

        func describe() throws(Errno) -> CompatibilityDescription? {
            calls.withLock { $0 += 1 }
            guard let migration = migration.withLock({ $0 }) else { throw .noDevice }
            return migration ? CompatibilityDescription(driver: "acme", fields: [.mdevType("acme-1")]) : nil
        }
    }

    @Test func describesAgainOnlyOnceTheGenerationMovesOn() throws {
        let driver = Driver()
        let describe = driver.descriptions.keeping { () throws(Errno) in try driver.describe() }
        let first = try describe()
        #expect(first?.driver == "acme")
        #expect(try describe() == first)
        #expect(driver.calls.withLock { $0 } == 1)

        driver.migration.withLock { $0 = false }
        #expect(try describe() == first)
        driver.descriptions.advance()
        #expect(try describe() == nil)
        #expect(try describe() == nil)
        #expect(driver.calls.withLock { $0 } == 2)
    }

    @Test func aRefusalIsNotKept() {
        let driver = Driver()
        let describe = driver.descriptions.keeping { () throws(Errno) in try driver.describe() }
        driver.migration.withLock { $0 = nil }
        #expect(throws: Errno.noDevice) { try describe() }
        #expect(throws: Errno.noDevice) { try describe() }
        #expect(driver.calls.withLock { $0 } == 2)
    }
}
