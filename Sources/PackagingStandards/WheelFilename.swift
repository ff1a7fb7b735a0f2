// PEP 427 wheel file names: https://peps.python.org/pep-0427/#file-name-convention
// (now the "Binary distribution format" specification).

/// Why a file name is not a valid wheel name.
public enum WheelFilenameError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalid(String, reason: String)

    public var description: String {
        switch self {
        case .invalid(let name, let reason):
            return "Invalid wheel filename '\(name)': \(reason) (expected {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl)"
        }
    }
}

/// A wheel's optional build tag: leading digits and the rest, ordered numerically then as text.
public struct BuildTag: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let number: Int
    public let suffix: String
    public static func < (a: BuildTag, b: BuildTag) -> Bool {
        a.number != b.number ? a.number < b.number : a.suffix.unicodeScalars.lexicographicallyPrecedes(b.suffix.unicodeScalars)
    }
    public var description: String { "\(number)\(suffix)" }
}

/// A parsed wheel file name `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`
/// (PEP 427; compressed tag sets per PEP 425), validated like
/// `packaging.utils.parse_wheel_filename` (26.3).
public struct WheelFilename: Sendable, Hashable, CustomStringConvertible {
    /// The full file name.
    public let filename: String
    /// The (escaped) project name as it appears in the file name.
    public let name: String
    public let version: Version
    /// nil when the file name has no build tag (which sorts before any build tag).
    public let buildTag: BuildTag?
    public let pythonTags: [String]
    public let abiTags: [String]
    public let platformTags: [String]
    /// The expanded tag set, in python × abi × platform order.
    public let tags: [Tag]

    public init(_ filename: String) throws(WheelFilenameError) {
        guard filename.hasSuffix(".whl") else { throw .invalid(filename, reason: "extension must be '.whl'") }
        let stem = Substring(filename.unicodeScalars.dropLast(4))
        let parts = PythonText.split(stem, on: "-")
        let dashes = parts.count - 1
        guard dashes == 4 || dashes == 5 else { throw .invalid(filename, reason: "wrong number of parts") }
        let namePart = parts[0]
        guard !namePart.isEmpty, !namePart.contains("__"),
              namePart.unicodeScalars.allSatisfy({ PythonText.isWordCharacter($0) || $0 == "." })
        else { throw .invalid(filename, reason: "invalid project name '\(namePart)'") }
        self.filename = filename
        self.name = namePart
        do {
            self.version = try Version(parts[1])
        } catch {
            throw .invalid(filename, reason: "invalid version '\(parts[1])'")
        }
        if dashes == 5 {
            let build = Array(parts[2].utf8)
            let digits = build.prefix(while: PythonText.isASCIIDigit)
            guard !digits.isEmpty else { throw .invalid(filename, reason: "build tag '\(parts[2])' must start with a digit") }
            var number = 0
            for d in digits {
                let (m, o1) = number.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(Int(d - 0x30))
                guard !o1 && !o2 else { throw .invalid(filename, reason: "build number too large") }
                number = s
            }
            buildTag = BuildTag(number: number, suffix: String(decoding: build[digits.count...], as: UTF8.self))
        } else {
            buildTag = nil
        }
        // The tag set split once: its components are the tags' parts as well.
        let components = parts[(parts.count - 3)...].map { PythonText.split($0, on: ".") }
        func tagText() -> String { parts[(parts.count - 3)...].joined(separator: "-") }
        do {
            tags = try Tag.expand(components, text: tagText())
        } catch {
            throw .invalid(filename, reason: "invalid tag component in '\(tagText())'")
        }
        pythonTags = components[0]
        abiTags = components[1]
        platformTags = components[2]
    }

    public var description: String { filename }

    /// PEP 503 normalized project name.
    public var canonicalName: String { ProjectName.canonical(name) }

    /// Whether `directoryName` (e.g. `Foo_Bar-1.0.dist-info`, trailing `/` allowed) is this
    /// wheel's `.dist-info` directory: names compared after PEP 503 normalization, versions
    /// compared as PEP 440 versions.
    public func distInfoMatches(_ directoryName: String) -> Bool {
        var dir = Substring(directoryName)
        if dir.hasSuffix("/") { dir = dir.dropLast() }
        guard dir.hasSuffix(".dist-info") else { return false }
        let stem = dir.dropLast(".dist-info".count)
        guard let dash = stem.firstIndex(of: "-") else { return false }
        let dirName = String(stem[..<dash])
        guard let dirVersion = try? Version(String(stem[stem.index(after: dash)...])) else { return false }
        return ProjectName.canonical(dirName) == canonicalName && dirVersion == version
    }
}
