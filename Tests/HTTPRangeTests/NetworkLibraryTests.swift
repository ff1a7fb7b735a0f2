import HTTPRange
import Testing

/// ``NetworkLibrary``: libcurl (Linux) can be bound on demand, and more than once from many threads.
@Suite struct NetworkLibraryTests {
    @Test func loadsTheHTTPLibraryOnDemandFromAnyThread() async {
        NetworkLibrary.preloadInBackground()
        let loaded = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 { group.addTask { NetworkLibrary.load() } }
            return await group.reduce(true) { $0 && $1 }
        }
        #expect(loaded)
    }
}
