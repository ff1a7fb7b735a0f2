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
///
/// One shared reference underneath: a project page lists thousands of wheels, and their names
/// are copied with the files that carry them.
public struct WheelFilename: Sendable, Hashable, CustomStringConvertible {
    // Internal rather than private so that ``tagSetKey`` can be inlined into the resolver's loops
    // over a page's wheels.
    @usableFromInline final class Storage: Sendable {
        let filename: String
        let name: String
        let version: Version
        let buildTag: BuildTag?
        @usableFromInline let tagSet: WheelTagSet

        init(filename: String, name: String, version: Version, buildTag: BuildTag?, tagSet: WheelTagSet) {
            self.filename = filename
            self.name = name
            self.version = version
            self.buildTag = buildTag
            self.tagSet = tagSet
        }
    }

    @usableFromInline let storage: Storage

    /// The full file name.
    public var filename: String { storage.filename }
    /// The (escaped) project name as it appears in the file name.
    public var name: String { storage.name }
    public var version: Version { storage.version }
    /// nil when the file name has no build tag (which sorts before any build tag).
    public var buildTag: BuildTag? { storage.buildTag }
    public var pythonTags: [String] { storage.tagSet.python }
    public var abiTags: [String] { storage.tagSet.abi }
    public var platformTags: [String] { storage.tagSet.platform }
    /// The expanded tag set, in python × abi × platform order.
    public var tags: [Tag] { storage.tagSet.tags }
    /// The compressed tag set as the name writes it (`cp312-cp312-manylinux_2_17_x86_64`): wheels
    /// with the same text have the same tags.
    public var tagSetText: String { storage.tagSet.text }

    /// A key for the wheel's tag set that is cheap to hash (its identity), for caches of what is
    /// derived from the tags: names read back from one page archive share their tag set, and so
    /// have equal keys; names parsed separately have keys of their own even for equal tags, which
    /// only costs such a cache a miss (``tagSetText`` compares the tags themselves).
    public struct TagSetKey: Hashable, Sendable {
        @usableFromInline let tagSet: WheelTagSet
        @usableFromInline init(tagSet: WheelTagSet) { self.tagSet = tagSet }
        @inlinable public static func == (a: TagSetKey, b: TagSetKey) -> Bool { a.tagSet === b.tagSet }
        public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(tagSet)) }
    }

    /// The tag set's ``TagSetKey``.
    @inlinable public var tagSetKey: TagSetKey { TagSetKey(tagSet: storage.tagSet) }

    /// Everything else is read from the file name, so names decide equality.
    public static func == (a: WheelFilename, b: WheelFilename) -> Bool {
        a.storage === b.storage || a.filename == b.filename
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(filename)
    }

    public init(_ filename: String) throws(WheelFilenameError) {
        guard filename.hasSuffix(".whl") else { throw .invalid(filename, reason: "extension must be '.whl'") }
        // Split at the dashes of the UTF-8 bytes: `-` is ASCII, so this is Python's `str.split`
        // on code points, without a String per part.
        let utf8 = filename.utf8
        let stemEnd = utf8.index(utf8.endIndex, offsetBy: -4)
        var bounds = [utf8.startIndex]
        var index = utf8.startIndex
        while index < stemEnd {
            if utf8[index] == UInt8(ascii: "-") {
                bounds.append(utf8.index(after: index))
                guard bounds.count <= 7 else { break }
            }
            utf8.formIndex(after: &index)
        }
        let dashes = bounds.count - 1
        guard dashes == 4 || dashes == 5 else { throw .invalid(filename, reason: "wrong number of parts") }
        func part(_ number: Int) -> Substring {
            let end = number == dashes ? stemEnd : utf8.index(before: bounds[number + 1])
            return Substring(utf8[bounds[number]..<end])
        }
        let namePart = part(0)
        guard !namePart.isEmpty, !zip(namePart.utf8, namePart.utf8.dropFirst()).contains(where: { $0 == 0x5F && $1 == 0x5F }),
              namePart.utf8.allSatisfy({ $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: ".") || PythonText.isASCIIAlphanumeric($0) })
                || namePart.unicodeScalars.allSatisfy({ PythonText.isWordCharacter($0) || $0 == "." })
        else { throw .invalid(filename, reason: "invalid project name '\(namePart)'") }
        let version: Version
        do {
            version = try Version(String(part(1)))
        } catch {
            throw .invalid(filename, reason: "invalid version '\(part(1))'")
        }
        let buildTag: BuildTag?
        if dashes == 5 {
            let build = Array(part(2).utf8)
            let digits = build.prefix(while: PythonText.isASCIIDigit)
            guard !digits.isEmpty else { throw .invalid(filename, reason: "build tag '\(part(2))' must start with a digit") }
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
        let tagText = Substring(utf8[bounds[dashes - 2]..<stemEnd])
        let tagSet: WheelTagSet
        do {
            tagSet = try WheelTagSet.parse(tagText)
        } catch {
            throw .invalid(filename, reason: "invalid tag component in '\(tagText)'")
        }
        storage = Storage(filename: filename, name: String(namePart), version: version, buildTag: buildTag, tagSet: tagSet)
    }

    /// A wheel name from parts an earlier parse of the same `filename` gave (a page cached with
    /// its names already parsed): nothing is parsed again. `name` is the name part as written,
    /// `tagSet` the tag set part's key from ``tagSetKey(parsing:)``.
    package init(filename: String, name: String, version: Version, buildTag: (number: Int, suffix: String)?, tagSet: TagSetKey) {
        storage = Storage(
            filename: filename, name: name, version: version,
            buildTag: buildTag.map { BuildTag(number: $0.number, suffix: $0.suffix) }, tagSet: tagSet.tagSet)
    }

    /// The key of the tag set part `text` (`cp312-cp312-manylinux_2_17_x86_64`), a tag set that
    /// the names given this key share; nil when it is not a valid tag set.
    package static func tagSetKey(parsing text: String) -> TagSetKey? {
        (try? WheelTagSet.parse(Substring(text))).map(TagSetKey.init(tagSet:))
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

/// A wheel's tag set (`cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64`): its three
/// components split at their dots, and their expansion.
///
/// A reference, so that names can share one: a project page lists hundreds or thousands of wheels
/// with a handful of tag sets, and its archive (``WheelFilename/tagSetKey(parsing:)``) stores each
/// once.
@usableFromInline final class WheelTagSet: Sendable {
    let text: String
    let python: [String]
    let abi: [String]
    let platform: [String]
    let tags: [Tag]

    init(text: String, python: [String], abi: [String], platform: [String], tags: [Tag]) {
        self.text = text
        self.python = python
        self.abi = abi
        self.platform = platform
        self.tags = tags
    }

    /// The tag set `text`, parsed by ``Tag/expand(_:text:)``.
    static func parse(_ text: Substring) throws(TagError) -> WheelTagSet {
        let components = PythonText.split(text, on: "-").map { PythonText.split($0, on: ".") }
        return WheelTagSet(text: String(text), python: components[0], abi: components[1], platform: components[2],
                           tags: try Tag.expand(components, text: String(text)))
    }
}
