/// The hashes an index gives for a file, kept compactly: nearly every file has exactly one, a
/// SHA-256 in lowercase hex, kept as its 32 bytes instead of a dictionary holding a 64-character
/// string (a long project page lists thousands of files, and most are never fetched).
///
/// Canonical: hashes that fit ``sha256(_:)`` (the case) are always stored that way, so equal
/// hashes are equal values.
enum FileHashes: Sendable, Hashable {
    /// `["sha256": <lowercase hex of the digest>]`.
    case sha256(SHA256Digest)
    /// Anything else, as the index gave it.
    case table([String: String])

    init(_ hashes: [String: String]) {
        if hashes.count == 1, let hex = hashes["sha256"], let digest = SHA256Digest(lowercaseHex: hex) {
            self = .sha256(digest)
        } else {
            self = .table(hashes)
        }
    }

    /// Algorithm → digest, as the index gave them.
    var dictionary: [String: String] {
        switch self {
        case .sha256(let digest): return ["sha256": digest.lowercaseHex]
        case .table(let hashes): return hashes
        }
    }

    var sha256: String? {
        switch self {
        case .sha256(let digest): return digest.lowercaseHex
        case .table(let hashes): return hashes["sha256"]
        }
    }
}

/// A SHA-256 digest's 32 bytes, in four words (big-endian: the first byte is the high byte of `words.0`).
struct SHA256Digest: Sendable, Hashable {
    let words: (UInt64, UInt64, UInt64, UInt64)

    init(words: (UInt64, UInt64, UInt64, UInt64)) {
        self.words = words
    }

    /// The digest `text` spells in 64 lowercase hex digits; nil for anything else (uppercase
    /// included, so that the text comes back exactly as given).
    init?(lowercaseHex text: String) {
        var text = text
        // Parsed for every file link of every page read: four words, no array.
        let parsed = text.withUTF8 { utf8 -> (UInt64, UInt64, UInt64, UInt64)? in
            guard utf8.count == 64 else { return nil }
            func word(_ index: Int) -> UInt64? {
                var word: UInt64 = 0
                for byte in utf8[(index * 16)..<(index * 16 + 16)] {
                    switch byte {
                    case UInt8(ascii: "0")...UInt8(ascii: "9"): word = word << 4 | UInt64(byte - UInt8(ascii: "0"))
                    case UInt8(ascii: "a")...UInt8(ascii: "f"): word = word << 4 | UInt64(byte - UInt8(ascii: "a") + 10)
                    default: return nil
                    }
                }
                return word
            }
            guard let a = word(0), let b = word(1), let c = word(2), let d = word(3) else { return nil }
            return (a, b, c, d)
        }
        guard let parsed else { return nil }
        words = parsed
    }

    var lowercaseHex: String {
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 64) { buffer in
            for (index, word) in [words.0, words.1, words.2, words.3].enumerated() {
                for nibble in 0..<16 {
                    buffer[index * 16 + nibble] = digits[Int(word >> UInt64(60 - 4 * nibble) & 0xF)]
                }
            }
            return 64
        }
    }

    static func == (a: SHA256Digest, b: SHA256Digest) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(words.0)
        hasher.combine(words.1)
        hasher.combine(words.2)
        hasher.combine(words.3)
    }
}
