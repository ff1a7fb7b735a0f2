import Foundation

/// SHA-256 as specified by FIPS 180-4 §6.2, used to check PEP 658/714 metadata files and wheels
/// against the `sha256=` hashes a simple index advertises (PEP 503 URL fragments, PEP 691 `hashes`).
///
/// Foundation on Linux has no CryptoKit, so this is a small, dependency-free implementation. Feed it
/// incrementally with ``update(_:)`` and read the digest with ``finalize()``, or use ``hash(_:)``.
public struct SHA256: Sendable {
    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    private var state: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]
    private var pending: [UInt8] = []
    private var totalLength: UInt64 = 0

    public init() {
        pending.reserveCapacity(64)
    }

    /// The digest of `data` in one call.
    public static func hash<D: DataProtocol>(_ data: D) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(data)
        return hasher.finalize()
    }

    /// The lowercase hexadecimal digest of `data`, the form simple indexes use.
    public static func hexDigest<D: DataProtocol>(_ data: D) -> String {
        let digest = hash(data)
        let hexDigits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: digest.count * 2) { output in
            hexDigits.withUTF8Buffer { digits in
                for (index, byte) in digest.enumerated() {
                    output[2 * index] = digits[Int(byte >> 4)]
                    output[2 * index + 1] = digits[Int(byte & 0x0F)]
                }
            }
            return digest.count * 2
        }
    }

    /// Adds `data` to the message.
    public mutating func update<D: DataProtocol>(_ data: D) {
        totalLength &+= UInt64(data.count)
        for region in data.regions {
            region.withUnsafeBytes { raw in
                var index = 0
                let bytes = raw.bindMemory(to: UInt8.self)
                if !pending.isEmpty {
                    let take = min(64 - pending.count, bytes.count)
                    pending.append(contentsOf: bytes[0..<take])
                    index = take
                    if pending.count == 64 {
                        let block = pending
                        block.withUnsafeBufferPointer { compress(block: $0, at: 0) }
                        pending.removeAll(keepingCapacity: true)
                    }
                }
                while bytes.count - index >= 64 {
                    compress(block: bytes, at: index)
                    index += 64
                }
                if index < bytes.count {
                    pending.append(contentsOf: bytes[index...])
                }
            }
        }
    }

    /// Pads the message (FIPS 180-4 §5.1.1) and returns the 32-byte digest.
    public mutating func finalize() -> [UInt8] {
        let bitLength = totalLength &* 8
        var tail = pending
        pending.removeAll()
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) {
            tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        tail.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                compress(block: buffer, at: offset)
                offset += 64
            }
        }
        var digest: [UInt8] = []
        digest.reserveCapacity(32)
        for word in state {
            digest.append(UInt8(truncatingIfNeeded: word >> 24))
            digest.append(UInt8(truncatingIfNeeded: word >> 16))
            digest.append(UInt8(truncatingIfNeeded: word >> 8))
            digest.append(UInt8(truncatingIfNeeded: word))
        }
        return digest
    }

    @inline(__always)
    private static func rotateRight(_ value: UInt32, _ count: UInt32) -> UInt32 {
        (value >> count) | (value << (32 - count))
    }

    /// The compression function of FIPS 180-4 §6.2.2 on the 64 bytes at `offset`.
    private mutating func compress(block: UnsafeBufferPointer<UInt8>, at offset: Int) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
            for t in 0..<16 {
                let base = offset + t * 4
                schedule[t] = UInt32(block[base]) << 24 | UInt32(block[base + 1]) << 16
                    | UInt32(block[base + 2]) << 8 | UInt32(block[base + 3])
            }
            for t in 16..<64 {
                let s0 = Self.rotateRight(schedule[t - 15], 7) ^ Self.rotateRight(schedule[t - 15], 18) ^ (schedule[t - 15] >> 3)
                let s1 = Self.rotateRight(schedule[t - 2], 17) ^ Self.rotateRight(schedule[t - 2], 19) ^ (schedule[t - 2] >> 10)
                schedule[t] = schedule[t - 16] &+ s0 &+ schedule[t - 7] &+ s1
            }
            var a = state[0], b = state[1], c = state[2], d = state[3]
            var e = state[4], f = state[5], g = state[6], h = state[7]
            Self.roundConstants.withUnsafeBufferPointer { constants in
                for t in 0..<64 {
                    let sigma1 = Self.rotateRight(e, 6) ^ Self.rotateRight(e, 11) ^ Self.rotateRight(e, 25)
                    let choose = (e & f) ^ (~e & g)
                    let temp1 = h &+ sigma1 &+ choose &+ constants[t] &+ schedule[t]
                    let sigma0 = Self.rotateRight(a, 2) ^ Self.rotateRight(a, 13) ^ Self.rotateRight(a, 22)
                    let majority = (a & b) ^ (a & c) ^ (b & c)
                    let temp2 = sigma0 &+ majority
                    h = g
                    g = f
                    f = e
                    e = d &+ temp1
                    d = c
                    c = b
                    b = a
                    a = temp1 &+ temp2
                }
            }
            state[0] &+= a
            state[1] &+= b
            state[2] &+= c
            state[3] &+= d
            state[4] &+= e
            state[5] &+= f
            state[6] &+= g
            state[7] &+= h
        }
    }

}
