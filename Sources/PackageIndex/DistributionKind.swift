import Foundation
import PackagingStandards

/// What a distribution file name says about the file: a wheel (binary distribution format,
/// PEP 427/491, its name parsed), a source distribution (PEP 625 `.tar.gz`, legacy `.zip`), or
/// something else (eggs, installers, malformed names).
public enum DistributionKind: Sendable, Hashable {
    case wheel(WheelFilename)
    case sdist(SdistFormat)
    case other

    init(filename: String) {
        if Self.hasExtension(filename, ".whl") {
            if let wheel = try? WheelFilename(filename) {
                self = .wheel(wheel)
            } else {
                self = .other
            }
        } else if Self.hasExtension(filename, ".tar.gz") {
            self = .sdist(.tarGz)
        } else if Self.hasExtension(filename, ".zip") {
            self = .sdist(.zip)
        } else {
            self = .other
        }
    }

    /// Whether `filename` ends with the lowercase ASCII `suffix`, ignoring ASCII case: compared on
    /// the UTF-8 bytes, without lowercasing the whole name (a page has thousands of them).
    private static func hasExtension(_ filename: String, _ suffix: String) -> Bool {
        var name = filename.utf8.reversed().makeIterator()
        for expected in suffix.utf8.reversed() {
            guard let byte = name.next(), (byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte) == expected else { return false }
        }
        return true
    }

    /// The parsed wheel file name, for wheels.
    public var wheel: WheelFilename? {
        if case .wheel(let wheel) = self { return wheel }
        return nil
    }

    public var isSdist: Bool {
        if case .sdist = self { return true }
        return false
    }

    /// The version a file name carries: the wheel's, or for an sdist `{name}-{version}.{ext}` the
    /// part after the dash that ends the project name (PEP 625; compared after PEP 503
    /// normalization when `projectName` is known, else the last dash).
    static func version(filename: String, kind: DistributionKind, projectName: String?) -> Version? {
        switch kind {
        case .wheel(let wheel):
            return wheel.version
        case .other:
            return nil
        case .sdist(let format):
            let stem = filename.dropLast(format.rawValue.count + 1)
            let dashes = stem.indices.filter { stem[$0] == "-" }
            if let projectName {
                let canonical = ProjectName.canonical(projectName)
                for dash in dashes where ProjectName.canonical(String(stem[..<dash])) == canonical {
                    return try? Version(String(stem[stem.index(after: dash)...]))
                }
                return nil
            }
            guard let dash = dashes.last else { return nil }
            return try? Version(String(stem[stem.index(after: dash)...]))
        }
    }
}
