import Crypto
import Foundation
import PackageIndex
import Testing

/// `SHA256.hexDigest`: swift-crypto's digest written as index pages write hashes (FIPS 180-4 vectors).
struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ])
    func lowercaseHexOfTheDigest(message: String, expected: String) {
        #expect(SHA256.hexDigest(Data(message.utf8)) == expected)
        #expect(SHA256.hexDigest(Array(message.utf8)) == expected)
    }
}
