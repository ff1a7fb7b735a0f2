import Foundation
import Testing
import WorkScheduling

struct AvailableProcessorsTests {
    @Test func countsTheCPUsThisProcessMayUse() {
        let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        #expect((1...max(1, online)).contains(AvailableProcessors.count))
        // Foundation also honours cgroup quotas; without one the two agree.
        if ProcessInfo.processInfo.activeProcessorCount == online {
            #expect(AvailableProcessors.count == online)
        }
    }
}
