import Testing
import WorkScheduling

@Suite("process end")
struct ProcessEndTests {
    private final class Watched {}

    // Only the off state is tested: turning it on is for the whole process, and would keep the
    // objects of every later test of this test process.
    @Test("an object is freed as usual unless the process asked to keep objects until it ends")
    func keepsNothingByDefault() {
        weak var watched: Watched?
        do {
            let object = Watched()
            watched = object
            ProcessEnd.keepUntilExit(object)
        }
        #expect(watched == nil)
    }
}
