import Foundation

/// A push parser for tar archives (POSIX.1-1988 ustar, POSIX.1-2001 pax extended headers, GNU
/// `L`/`K` long names) that finds one member without keeping the rest: fed decompressed bytes in
/// any slicing, it walks 512-byte headers, skips member data, and keeps only the data of the member
/// `wants` selects (plus pax/GNU name records).
struct TarEntryScanner {
    /// A problem with the archive.
    enum Failure: Error, Equatable {
        case corruptHeader(offset: Int64, reason: String)
        case memberTooLarge(name: String, size: Int64, limit: Int)
    }

    /// One member's path and data.
    struct Member: Equatable {
        var path: String
        var data: Data
    }

    private enum Phase {
        /// Waiting for a 512-byte header.
        case header
        /// Skipping `remaining` bytes of member data and padding.
        case skip(remaining: Int64)
        /// Collecting `size` bytes of data for `purpose`, then skipping `padding`.
        case collect(purpose: Purpose, size: Int, padding: Int)
        /// Two zero blocks or a match: nothing more to read.
        case finished
    }

    private enum Purpose {
        case paxHeader
        case gnuLongName
        case wanted(path: String)
    }

    /// Limit on the data kept for a wanted member or a name record.
    let memberLimit: Int
    /// Selects the member to return, by path.
    let wants: (String) -> Bool

    private var phase = Phase.header
    private var buffer = Data()
    private var offset: Int64 = 0
    private var zeroBlocks = 0
    private var pendingPaxPath: String?
    private var pendingLongName: String?
    private(set) var found: Member?
    /// Paths of the members walked, for messages.
    private(set) var membersSeen = 0

    init(memberLimit: Int = 16 * 1024 * 1024, wants: @escaping (String) -> Bool) {
        self.memberLimit = memberLimit
        self.wants = wants
    }

    /// Whether the end-of-archive marker or the wanted member was reached.
    var isFinished: Bool {
        if case .finished = phase { return true }
        return false
    }

    /// Consumes the next decompressed bytes. Returns the wanted member once complete.
    mutating func consume(_ bytes: Data) throws(Failure) -> Member? {
        var input = bytes[...]
        while !input.isEmpty {
            switch phase {
            case .finished:
                return found
            case .skip(let remaining):
                let take = Int(min(remaining, Int64(input.count)))
                input = input.dropFirst(take)
                offset += Int64(take)
                phase = remaining - Int64(take) == 0 ? .header : .skip(remaining: remaining - Int64(take))
            case .header:
                let take = min(512 - buffer.count, input.count)
                buffer.append(contentsOf: input.prefix(take))
                input = input.dropFirst(take)
                offset += Int64(take)
                if buffer.count == 512 {
                    let header = buffer
                    buffer.removeAll(keepingCapacity: true)
                    try handleHeader(header)
                }
            case .collect(let purpose, let size, let padding):
                let take = min(size - buffer.count, input.count)
                buffer.append(contentsOf: input.prefix(take))
                input = input.dropFirst(take)
                offset += Int64(take)
                if buffer.count == size {
                    let data = buffer
                    buffer = Data()
                    phase = padding > 0 ? .skip(remaining: Int64(padding)) : .header
                    switch purpose {
                    case .paxHeader:
                        pendingPaxPath = Self.paxPath(data) ?? pendingPaxPath
                    case .gnuLongName:
                        pendingLongName = Self.string(data[...])
                    case .wanted(let path):
                        found = Member(path: path, data: data)
                        phase = .finished
                        return found
                    }
                }
            }
        }
        return found
    }

    private mutating func handleHeader(_ header: Data) throws(Failure) {
        let headerOffset = offset - 512
        if header.allSatisfy({ $0 == 0 }) {
            zeroBlocks += 1
            if zeroBlocks >= 2 { phase = .finished }
            return
        }
        zeroBlocks = 0
        let bytes = [UInt8](header)
        guard let storedChecksum = Self.number(bytes[148..<156]) else {
            throw .corruptHeader(offset: headerOffset, reason: "the checksum field is not a number")
        }
        let unsignedSum = bytes.enumerated().reduce(Int64(0)) { sum, item in
            sum + Int64((148..<156).contains(item.offset) ? 0x20 : item.element)
        }
        let signedSum = bytes.enumerated().reduce(Int64(0)) { sum, item in
            sum + Int64((148..<156).contains(item.offset) ? 0x20 : Int64(Int8(bitPattern: item.element)))
        }
        guard storedChecksum == unsignedSum || storedChecksum == signedSum else {
            throw .corruptHeader(offset: headerOffset, reason: "header checksum mismatch (not a tar archive, or damaged)")
        }
        guard let size = Self.number(bytes[124..<136]), size >= 0 else {
            throw .corruptHeader(offset: headerOffset, reason: "the size field is not a number")
        }
        let typeFlag = bytes[156]
        let padding = Int((512 - size % 512) % 512)
        membersSeen += 1

        switch typeFlag {
        case UInt8(ascii: "x"), UInt8(ascii: "L"):
            guard size <= Int64(memberLimit) else {
                throw .memberTooLarge(name: typeFlag == UInt8(ascii: "x") ? "pax header" : "GNU long name", size: size, limit: memberLimit)
            }
            startCollecting(typeFlag == UInt8(ascii: "x") ? .paxHeader : .gnuLongName, size: Int(size), padding: padding)
            return
        case UInt8(ascii: "g"), UInt8(ascii: "K"):
            // Global pax headers and GNU long link names do not affect the member path.
            startSkipping(size + Int64(padding))
            return
        default:
            break
        }

        var path = Self.string(bytes[0..<100])
        let magic = Self.string(bytes[257..<263])
        if magic == "ustar" {  // POSIX ustar ("ustar\0"); GNU writes "ustar  " and no prefix.
            let prefix = Self.string(bytes[345..<500])
            if !prefix.isEmpty { path = prefix + "/" + path }
        }
        if let long = pendingLongName { path = long }
        if let pax = pendingPaxPath { path = pax }
        pendingLongName = nil
        pendingPaxPath = nil

        let isRegularFile = typeFlag == 0 || typeFlag == UInt8(ascii: "0") || typeFlag == UInt8(ascii: "7")
        if isRegularFile, wants(path) {
            guard size <= Int64(memberLimit) else {
                throw .memberTooLarge(name: path, size: size, limit: memberLimit)
            }
            startCollecting(.wanted(path: path), size: Int(size), padding: padding)
            if size == 0 {
                found = Member(path: path, data: Data())
                phase = .finished
            }
            return
        }
        // Directories, links and devices carry no data even when the size field says otherwise.
        let hasData = isRegularFile || typeFlag > UInt8(ascii: "7")
        startSkipping(hasData ? size + Int64(padding) : 0)
    }

    private mutating func startCollecting(_ purpose: Purpose, size: Int, padding: Int) {
        buffer = Data()
        buffer.reserveCapacity(size)
        phase = size == 0 ? (padding > 0 ? .skip(remaining: Int64(padding)) : .header) : .collect(purpose: purpose, size: size, padding: padding)
    }

    private mutating func startSkipping(_ length: Int64) {
        phase = length > 0 ? .skip(remaining: length) : .header
    }

    /// A NUL-terminated field as UTF-8 text.
    private static func string(_ field: ArraySlice<UInt8>) -> String {
        let end = field.firstIndex(of: 0) ?? field.endIndex
        return String(decoding: field[field.startIndex..<end], as: UTF8.self)
    }

    private static func string(_ field: Data.SubSequence) -> String {
        string(ArraySlice(field))
    }

    /// An octal number field (NUL/space terminated), or a GNU base-256 number (high bit set).
    static func number(_ field: ArraySlice<UInt8>) -> Int64? {
        guard let first = field.first else { return nil }
        if first & 0x80 != 0 {
            var value: Int64 = Int64(first & 0x7F)
            for byte in field.dropFirst() {
                guard value < Int64.max >> 8 else { return nil }
                value = value << 8 | Int64(byte)
            }
            return value
        }
        let digits = field.drop(while: { $0 == 0x20 }).prefix(while: { $0 >= 0x30 && $0 <= 0x37 })
        guard !digits.isEmpty else {
            // An all-blank field reads as zero.
            return field.allSatisfy({ $0 == 0 || $0 == 0x20 }) ? 0 : nil
        }
        var value: Int64 = 0
        for digit in digits {
            guard value < Int64.max >> 3 else { return nil }
            value = value << 3 | Int64(digit - 0x30)
        }
        return value
    }

    /// The `path` record of a pax extended header: records `"<length> <key>=<value>\n"`.
    static func paxPath(_ data: Data) -> String? {
        let bytes = [UInt8](data)
        var index = 0
        var path: String?
        while index < bytes.count {
            guard let space = bytes[index...].firstIndex(of: 0x20),
                  let length = Int(String(decoding: bytes[index..<space], as: UTF8.self)),
                  length <= bytes.count - index, space < index + length
            else { break }
            let record = bytes[(space + 1)..<(index + length)]
            if let equals = record.firstIndex(of: UInt8(ascii: "=")) {
                let key = String(decoding: record[record.startIndex..<equals], as: UTF8.self)
                var value = record[(equals + 1)...]
                if value.last == 0x0A { value = value.dropLast() }
                if key == "path" { path = String(decoding: value, as: UTF8.self) }
            }
            index += length
        }
        return path
    }
}
