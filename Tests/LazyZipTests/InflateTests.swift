import Foundation
import LazyZip
import TestSupport
import Testing

@Suite struct InflateTests {
    @Test(arguments: [0, 1, 1000, 65_536, 300_000])
    func roundTrips(length: Int) throws {
        let data = Data((0..<length).map { UInt8(truncatingIfNeeded: $0 % 251 ^ ($0 >> 7)) })
        #expect(try Inflate.inflateRaw(ZipBuilder.deflate(data), outputLimit: Int64(length), name: "x") == data)
    }

    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(Inflate.crc32(Data("123456789".utf8)) == 0xCBF4_3926)
        #expect(Inflate.crc32(Data()) == 0)
    }

    @Test func outputCapStopsALyingStream() {
        #expect(throws: ZipError.inflatedSizeExceeded(name: "x", limit: 99)) {
            try Inflate.inflateRaw(ZipBuilder.deflate(Data(count: 100)), outputLimit: 99, name: "x")
        }
    }

    @Test func corruptStreams() {
        #expect(throws: ZipError.self) { try Inflate.inflateRaw(Data([0xFF]), outputLimit: 100, name: "x") }
        #expect(throws: ZipError.self) { try Inflate.inflateRaw(Data(), outputLimit: 100, name: "x") }
        let valid = ZipBuilder.deflate(Data(repeating: 65, count: 10_000))
        #expect(throws: ZipError.self) { try Inflate.inflateRaw(valid.prefix(valid.count / 2), outputLimit: 10_000, name: "x") }
    }
}
