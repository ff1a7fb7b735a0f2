/// Why a ZIP archive (a wheel) could not be read. Every case names what was wrong and where, so a
/// user can tell a truncated download from a hostile or unsupported file.
public enum ZipError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No end of central directory record in the last 64 KiB + 22 bytes.
    case endOfCentralDirectoryNotFound(fileSize: Int64)
    /// A structure ran past the bytes that hold it.
    case truncated(structure: String, offset: Int64)
    /// A structure did not start with its signature.
    case badSignature(structure: String, offset: Int64, expected: UInt32, found: UInt32)
    /// The archive spans several disks (split archive), which wheels never do.
    case multiDiskArchive
    /// The central directory offset or size points outside the file.
    case centralDirectoryOutOfBounds(offset: Int64, size: Int64, fileSize: Int64)
    /// The central directory is bigger than the sanity cap.
    case centralDirectoryTooLarge(size: Int64, limit: Int64)
    /// The record claims more entries than its central directory can hold.
    case entryCountInconsistent(claimed: Int64, centralDirectorySize: Int64)
    /// The central directory holds another number of headers than the end record counts (and
    /// not one its 16-bit count wrapped from).
    case entryCountMismatch(counted: Int64, found: Int64)
    /// An entry's local header offset or data run outside the entry area.
    case entryOutOfBounds(name: String, offset: Int64, end: Int64, limit: Int64)
    /// Two entries' data overlap (the trick of overlapping-entry zip bombs).
    case overlappingEntries(String, String)
    /// A local file header names another file than its central directory header.
    case localHeaderNameMismatch(central: String, local: String)
    /// A name is not valid UTF-8 although the UTF-8 flag (bit 11) is set.
    case invalidName(offset: Int64)
    /// A ZIP64 extended information extra field lacks a value its header says it holds.
    case invalidZip64ExtraField(name: String)
    /// The entry is encrypted (general purpose flag bit 0).
    case encryptedEntry(name: String)
    /// The compression method is neither stored (0) nor deflated (8).
    case unsupportedCompressionMethod(name: String, method: UInt16)
    /// The entry's declared uncompressed size is above the caller's limit.
    case entryTooLarge(name: String, declaredSize: Int64, limit: Int64)
    /// Inflating produced more bytes than the entry declares (or than the limit).
    case inflatedSizeExceeded(name: String, limit: Int64)
    /// The entry's data gave another size than declared.
    case sizeMismatch(name: String, declared: Int64, actual: Int64)
    /// The deflate stream is corrupt or ends early.
    case corruptDeflateStream(name: String, reason: String)
    /// The CRC-32 of the data differs from the declared one.
    case crcMismatch(name: String, declared: UInt32, actual: UInt32)
    /// No entry has this name.
    case entryNotFound(String)
    /// No top-level `*.dist-info/METADATA` matched.
    case metadataNotFound(found: [String])
    /// Several top-level `*.dist-info/METADATA` matched.
    case ambiguousMetadata(found: [String])

    public var description: String {
        switch self {
        case let .endOfCentralDirectoryNotFound(size):
            return "not a ZIP archive: no end of central directory record in the last 65557 bytes of the \(size)-byte file; "
                + "the download is truncated or the file is not a wheel"
        case let .truncated(structure, offset):
            return "the \(structure) at offset \(offset) is truncated; the file is damaged or incompletely downloaded"
        case let .badSignature(structure, offset, expected, found):
            return "expected a \(structure) (signature 0x\(String(expected, radix: 16))) at offset \(offset) but found "
                + "0x\(String(found, radix: 16)); the archive's offsets are wrong or the file is damaged"
        case .multiDiskArchive:
            return "split (multi-disk) ZIP archives are not supported; a wheel is always one file"
        case let .centralDirectoryOutOfBounds(offset, size, fileSize):
            return "the central directory (\(size) bytes at offset \(offset)) does not fit in the \(fileSize)-byte file; "
                + "the file is truncated or damaged"
        case let .centralDirectoryTooLarge(size, limit):
            return "the central directory claims \(size) bytes, above the limit of \(limit); refusing a likely hostile archive"
        case let .entryCountInconsistent(claimed, cdSize):
            return "the archive claims \(claimed) entries, which cannot fit in its \(cdSize)-byte central directory; "
                + "the file is damaged or hostile"
        case let .entryCountMismatch(counted, found):
            return "the end record counts \(counted) entries but the central directory holds \(found) headers; "
                + "the file is damaged or hostile"
        case let .entryOutOfBounds(name, offset, end, limit):
            return "entry '\(name)' spans bytes \(offset)..<\(end), past the end of the entry area at \(limit); "
                + "the file is truncated or damaged"
        case let .overlappingEntries(first, second):
            return "entries '\(first)' and '\(second)' overlap; refusing a likely zip bomb"
        case let .localHeaderNameMismatch(central, local):
            return "the local header of '\(central)' names '\(local)'; the archive is inconsistent or tampered with"
        case let .invalidName(offset):
            return "the entry name in the central directory header at offset \(offset) is marked UTF-8 but is not valid UTF-8"
        case let .invalidZip64ExtraField(name):
            return "entry '\(name)' has sizes or offset marked as ZIP64 but its ZIP64 extra field is missing or too short"
        case let .encryptedEntry(name):
            return "entry '\(name)' is encrypted, which wheels never are"
        case let .unsupportedCompressionMethod(name, method):
            return "entry '\(name)' uses compression method \(method) (\(Self.methodName(method))); "
                + "only stored (0) and deflated (8) are supported, as in wheels built by standard tools"
        case let .entryTooLarge(name, size, limit):
            return "entry '\(name)' declares \(size) uncompressed bytes, above the limit of \(limit); "
                + "refusing to inflate a likely zip bomb"
        case let .inflatedSizeExceeded(name, limit):
            return "entry '\(name)' inflates to more than \(limit) bytes, more than it declares; refusing a zip bomb"
        case let .sizeMismatch(name, declared, actual):
            return "entry '\(name)' declares \(declared) bytes but holds \(actual); the archive is damaged"
        case let .corruptDeflateStream(name, reason):
            return "entry '\(name)' has a corrupt deflate stream (\(reason)); the archive is damaged"
        case let .crcMismatch(name, declared, actual):
            return "entry '\(name)' has CRC-32 0x\(String(actual, radix: 16)) but declares 0x\(String(declared, radix: 16)); "
                + "the archive is damaged or was modified"
        case let .entryNotFound(name):
            return "the archive has no entry named '\(name)'"
        case let .metadataNotFound(found):
            return "no matching top-level *.dist-info/METADATA in the wheel"
                + (found.isEmpty ? " (it has none)" : "; found: \(found.joined(separator: ", "))")
                + "; the wheel's file name and its .dist-info directory disagree, or it is not a wheel"
        case let .ambiguousMetadata(found):
            return "several top-level *.dist-info/METADATA match: \(found.joined(separator: ", ")); the wheel is invalid"
        }
    }

    /// The APPNOTE 4.4.5 name of a compression method.
    static func methodName(_ method: UInt16) -> String {
        switch method {
        case 0: "stored"
        case 1: "shrunk"
        case 6: "imploded"
        case 8: "deflated"
        case 9: "deflate64"
        case 12: "bzip2"
        case 14: "LZMA"
        case 93: "zstd"
        case 95: "xz"
        case 98: "PPMd"
        case 99: "AES-encrypted"
        default: "unknown"
        }
    }
}
