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
    public let tags: [Tag]
    private let rank: [Tag: Int]

    public init(tags: [Tag]) {
        self.tags = tags
        var rank: [Tag: Int] = [:]
        for (i, tag) in tags.enumerated() where rank[tag] == nil { rank[tag] = i }
        self.rank = rank
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
        var out: [Tag] = []
        let abi = freeThreaded ? "\(interpreter)t" : interpreter
        for p in platforms { out.append(Tag(interpreter, abi, p)) }
        let useABI3 = !freeThreaded && (major > 3 || (major == 3 && minor >= 2))
        if useABI3 { for p in platforms { out.append(Tag(interpreter, "abi3", p)) } }
        for p in platforms { out.append(Tag(interpreter, "none", p)) }
        if useABI3 && minor - 1 > 1 {
            for m in stride(from: minor - 1, through: 2, by: -1) {
                for p in platforms { out.append(Tag("cp\(major)\(m)", "abi3", p)) }
            }
        }
        var pyVersions = ["py\(nodot)", "py\(major)"]
        if minor - 1 >= 0 {
            for m in stride(from: minor - 1, through: 0, by: -1) { pyVersions.append("py\(major)\(m)") }
        }
        for v in pyVersions {
            for p in platforms { out.append(Tag(v, "none", p)) }
        }
        out.append(Tag(interpreter, "none", "any"))
        for v in pyVersions { out.append(Tag(v, "none", "any")) }
        self.init(tags: out)
    }

    /// The position of the best tag of `wheel` in ``tags`` (lower is better), or nil when the
    /// wheel is not installable here.
    public func priority(of wheel: WheelFilename) -> Int? {
        wheel.tags.compactMap { rank[$0] }.min()
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

/// `CompatibleTags(python:platform:).tags`: the tags CPython `python` accepts on `platform`, best first.
public func supportedTags(python: String, platform: TargetPlatform) throws(CompatibleTagsError) -> [Tag] {
    try CompatibleTags(python: python, platform: platform).tags
}
