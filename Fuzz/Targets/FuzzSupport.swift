// Shared by every fuzz target (compiled into each): an in-memory ByteSource and input splitting.
import Foundation

/// Splits fuzz input into chunks whose sizes come from the input itself (for framing-style APIs).
func chunks(of bytes: [UInt8]) -> [[UInt8]] {
    guard let first = bytes.first else { return [] }
    let step = Int(first % 61) + 1
    var result: [[UInt8]] = []
    var index = 1
    while index < bytes.count {
        let end = min(bytes.count, index + step)
        result.append(Array(bytes[index..<end]))
        index = end
    }
    return result
}

/// The input as UTF-8 text (lossy), for the text parsers.
func text(of bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}
