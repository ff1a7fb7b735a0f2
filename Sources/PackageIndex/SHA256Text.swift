import Crypto
import Foundation

extension SHA256 {
    /// The SHA-256 of `data` as lowercase hexadecimal, as PEP 503 URL fragments and PEP 691
    /// `hashes` write it: what a PEP 658/714 metadata file or a wheel is checked against.
    public static func hexDigest(_ data: some DataProtocol) -> String {
        var text = ""
        text.reserveCapacity(64)
        for byte in hash(data: data) {
            text.append(Character(Unicode.Scalar(hexDigits[Int(byte >> 4)])))
            text.append(Character(Unicode.Scalar(hexDigits[Int(byte & 0x0f)])))
        }
        return text
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
