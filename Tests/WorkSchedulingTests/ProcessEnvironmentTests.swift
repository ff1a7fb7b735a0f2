import Foundation
import Testing
import WorkScheduling

struct ProcessEnvironmentTests {
    /// The variables read from `environ` are those Foundation reads.
    @Test func matchesFoundationsEnvironment() {
        #expect(ProcessEnvironment.variables == ProcessInfo.processInfo.environment)
        #expect(ProcessEnvironment.variables["PATH"] != nil)
    }
}
