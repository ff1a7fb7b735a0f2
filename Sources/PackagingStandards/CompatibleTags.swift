// Tag priority for wheel selection: PEP 425 ("Use") as implemented by `packaging.tags.sys_tags`.

/// Why a Python version string cannot be used to build a tag list.
public enum CompatibleTagsError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidPythonVersion(String)

    public var description: String {
        switch self {
        case .invalidPythonVersion(let text): return "Invalid Python version '\(text)' for tag computation (expected major.minor, e.g. 3.12)"
        }
    }
}

/// The ordered list of tags a CPython interpreter accepts on a platform, with O(1) priority
/// lookup, and wheel selection by that priority.
public struct CompatibleTags: Sendable {
    /// Best first.
    public var tags: [Tag] {
        switch ranking {
        case .list(let tags, _): tags
        case .grid(let grid): grid.tags
        }
    }

    private let ranking: Ranking

    /// How priorities are looked up: in a table of every tag, or, for the `sys_tags` list, in the
    /// grid it is made of (a few dozen entries instead of hundreds of tags).
    private enum Ranking: Sendable {
        case list(tags: [Tag], rank: [Tag: Int])
        case grid(TagGrid)
    }

    public init(tags: [Tag]) {
        var rank: [Tag: Int] = [:]
        for (i, tag) in tags.enumerated() where rank[tag] == nil { rank[tag] = i }
        ranking = .list(tags: tags, rank: rank)
    }

    /// `packaging.tags.sys_tags()` for CPython `python` (`"3.12"`) on `platform`:
    /// `cp312-cp312-P…`, `cp312-abi3-P…`, `cp312-none-P…`, `cp311-abi3-P…` … `cp32-abi3-P…`,
    /// `py312-none-P…`, `py3-none-P…`, `py311-none-P…` … `py30-none-P…`, `cp312-none-any`,
    /// `py312-none-any`, `py3-none-any`, `py311-none-any` … `py30-none-any`, where `P…` are the
    /// platform's tags best first. `freeThreaded` uses the `cp313t` ABI and no `abi3`.
    public init(python: String, platform: TargetPlatform, freeThreaded: Bool = false) throws(CompatibleTagsError) {
        try self.init(python: python, platformTags: platform.platformTags, freeThreaded: freeThreaded)
    }

    /// The same list for an explicit platform tag list (best first), e.g. to add `linux_x86_64`.
    public init(python: String, platformTags platforms: [String], freeThreaded: Bool = false) throws(CompatibleTagsError) {
        let parts = python.split(separator: ".").map { Int($0) }
        guard parts.count >= 2, let major = parts[0], let minor = parts[1] else { throw .invalidPythonVersion(python) }
        let nodot = "\(major)\(minor)"
        let interpreter = "cp\(nodot)"
        // Each (interpreter, abi) pair is combined with every platform, in this order.
        var pairs: [(interpreter: String, abi: String)] = []
        let abi = freeThreaded ? "\(interpreter)t" : interpreter
        pairs.append((interpreter, abi))
        let useABI3 = !freeThreaded && (major > 3 || (major == 3 && minor >= 2))
        if useABI3 { pairs.append((interpreter, "abi3")) }
        pairs.append((interpreter, "none"))
        if useABI3 && minor - 1 > 1 {
            for m in stride(from: minor - 1, through: 2, by: -1) { pairs.append(("cp\(major)\(m)", "abi3")) }
        }
        var pyVersions = ["py\(nodot)", "py\(major)"]
        if minor - 1 >= 0 {
            for m in stride(from: minor - 1, through: 0, by: -1) { pyVersions.append("py\(major)\(m)") }
        }
        for v in pyVersions { pairs.append((v, "none")) }
        // Then `<interpreter>-none-any` for these interpreters.
        let anyInterpreters = [interpreter] + pyVersions
        ranking = .grid(TagGrid(pairs: pairs, platforms: platforms, anyInterpreters: anyInterpreters))
    }

    /// The position of the best tag of `wheel` in ``tags`` (lower is better), or nil when the
    /// wheel is not installable here.
    public func priority(of wheel: WheelFilename) -> Int? {
        var best: Int?
        for tag in wheel.tags {
            let rank: Int?
            switch ranking {
            case .list(_, let table): rank = table[tag]
            case .grid(let grid): rank = grid.rank(of: tag)
            }
            if let rank, rank < best ?? .max { best = rank }
        }
        return best
    }

    public func isCompatible(_ wheel: WheelFilename) -> Bool { priority(of: wheel) != nil }

    /// The most specific compatible wheel (best tag priority), ties broken by the higher build
    /// tag (no build tag sorts lowest), then by the earlier position in `filenames`.
    public func bestWheel(among filenames: [WheelFilename]) -> WheelFilename? {
        var best: (wheel: WheelFilename, priority: Int)?
        for wheel in filenames {
            guard let p = priority(of: wheel) else { continue }
            guard let current = best else {
                best = (wheel, p)
                continue
            }
            if p < current.priority || (p == current.priority && Self.buildPrecedes(current.wheel.buildTag, wheel.buildTag)) {
                best = (wheel, p)
            }
        }
        return best?.wheel
    }

    static func buildPrecedes(_ a: BuildTag?, _ b: BuildTag?) -> Bool {
        switch (a, b) {
        case (nil, nil): return false
        case (nil, _): return true
        case (_, nil): return false
        case (let x?, let y?): return x < y
        }
    }
}

/// The tag list `(interpreter, abi) pairs × platforms`, then `<interpreter>-none-any` for a list
/// of interpreters, kept as its parts: a tag's position is computed from the position of its pair
/// and of its platform. Positions are those of a tag's first occurrence in the list, like a table
/// built from the list would give.
private struct TagGrid: Sendable {
    private let pairs: [(interpreter: String, abi: String)]
    private let platforms: [String]
    private let anyInterpreters: [String]
    /// interpreter → abi → position of the pair's first occurrence in `pairs`.
    private let pairIndex: [String: [String: Int]]
    /// platform (lowercased) → position of its first occurrence in `platforms`.
    private let platformIndex: [String: Int]
    /// interpreter → position of its first occurrence in `anyInterpreters`.
    private let anyIndex: [String: Int]

    /// `pairs` and `anyInterpreters` are lowercase already; `platforms` are lowercased here, as
    /// ``Tag`` does.
    init(pairs: [(interpreter: String, abi: String)], platforms: [String], anyInterpreters: [String]) {
        self.pairs = pairs
        self.platforms = platforms.map { platform in
            platform.utf8.contains { $0 >= 0x80 || ($0 >= 0x41 && $0 <= 0x5A) } ? platform.lowercased() : platform
        }
        self.anyInterpreters = anyInterpreters
        var pairIndex: [String: [String: Int]] = [:]
        for (i, pair) in pairs.enumerated() where pairIndex[pair.interpreter]?[pair.abi] == nil {
            pairIndex[pair.interpreter, default: [:]][pair.abi] = i
        }
        var platformIndex: [String: Int] = [:]
        for (i, platform) in self.platforms.enumerated() where platformIndex[platform] == nil { platformIndex[platform] = i }
        var anyIndex: [String: Int] = [:]
        for (i, interpreter) in anyInterpreters.enumerated() where anyIndex[interpreter] == nil { anyIndex[interpreter] = i }
        self.pairIndex = pairIndex
        self.platformIndex = platformIndex
        self.anyIndex = anyIndex
    }

    var tags: [Tag] {
        var out: [Tag] = []
        out.reserveCapacity(pairs.count * platforms.count + anyInterpreters.count)
        for pair in pairs {
            for platform in platforms { out.append(Tag(pair.interpreter, pair.abi, platform)) }
        }
        for interpreter in anyInterpreters { out.append(Tag(interpreter, "none", "any")) }
        return out
    }

    func rank(of tag: Tag) -> Int? {
        // A pair × platform tag comes before every `-none-any` tag, so it is the first occurrence.
        if let pair = pairIndex[tag.interpreter]?[tag.abi], let platform = platformIndex[tag.platform] {
            return pair * platforms.count + platform
        }
        guard tag.abi == "none", tag.platform == "any", let position = anyIndex[tag.interpreter] else { return nil }
        return pairs.count * platforms.count + position
    }
}

/// `CompatibleTags(python:platform:).tags`: the tags CPython `python` accepts on `platform`, best first.
public func supportedTags(python: String, platform: TargetPlatform) throws(CompatibleTagsError) -> [Tag] {
    try CompatibleTags(python: python, platform: platform).tags
}
