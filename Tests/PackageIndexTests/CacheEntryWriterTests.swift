import Foundation
import Testing
@testable import PackageIndex

struct CacheEntryWriterTests {
    @Test func aChangeIsVisibleAtOnceAndOnDiskAfterDrain() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let writer = CacheEntryWriter()
        defer { writer.drain() }  // before the directory is removed
        let file = directory.url.path + "/pages/nested/entry.page"  // neither folder exists yet
        writer.write(Data("one".utf8), to: file)
        writer.write(Data("two".utf8), to: file)
        let pending = writer.pendingChange(at: file)
        #expect(pending == nil || pending == .contents(Data("two".utf8)))
        writer.drain()
        #expect(writer.pendingChange(at: file) == nil)
        #expect(FileManager.default.contents(atPath: file) == Data("two".utf8))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.url.path + "/pages/nested")
        #expect(leftovers == ["entry.page"])

        writer.remove(file)
        writer.drain()
        #expect(!FileManager.default.fileExists(atPath: file))
    }

    @Test func theLastOfManyChangesFromManyThreadsWins() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let writer = CacheEntryWriter()
        defer { writer.drain() }  // before the directory is removed
        let files = (0..<8).map { directory.url.path + "/metadata/\($0)/entry" }
        DispatchQueue.concurrentPerform(iterations: 64) { round in
            writer.write(Data("\(round)".utf8), to: files[round % files.count])
        }
        for (index, file) in files.enumerated() { writer.write(Data("last \(index)".utf8), to: file) }
        writer.drain()
        for (index, file) in files.enumerated() {
            #expect(FileManager.default.contents(atPath: file) == Data("last \(index)".utf8))
        }
    }

    @Test func aCacheDeletedMeanwhileIsMadeAgain() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let writer = CacheEntryWriter()
        defer { writer.drain() }  // before the directory is removed
        let root = directory.url.path + "/cache"
        writer.write(Data("first".utf8), to: root + "/pages/a.page")
        writer.drain()
        try FileManager.default.removeItem(atPath: root)
        writer.write(Data("second".utf8), to: root + "/pages/b.page")
        writer.drain()
        #expect(FileManager.default.contents(atPath: root + "/pages/b.page") == Data("second".utf8))
    }

    @Test func anUnwritableCacheIsIgnored() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanUp() }
        let blocker = directory.url.path + "/pages"
        #expect(FileManager.default.createFile(atPath: blocker, contents: Data("a file, not a folder".utf8)))
        let writer = CacheEntryWriter()
        defer { writer.drain() }  // before the directory is removed
        writer.write(Data("x".utf8), to: blocker + "/ab/entry.page")
        writer.drain()
        #expect(writer.pendingChange(at: blocker + "/ab/entry.page") == nil)
        #expect(!FileManager.default.fileExists(atPath: blocker + "/ab/entry.page"))
    }
}
