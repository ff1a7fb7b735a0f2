import PackagingStandards

/// Which distribution formats a resolution may use per project: pip's and uv's `--only-binary`
/// and `--no-binary` (a comma-separated list of project names, `:all:` or `:none:`), and uv's
/// `--no-build` (`--only-binary :all:`; lazywheel's older `--wheels-only`).
///
/// Only binary: versions with only an sdist are skipped. No binary: versions without an sdist
/// are skipped (the package will be built from source); their wheels still give the metadata,
/// as uv reads them.
public struct BinaryFormatPolicy: Sendable, Equatable {
    /// Projects (canonical names) that must come as wheels; ``everyProject`` for `:all:`.
    public private(set) var onlyBinary: Set<String> = []
    /// Projects that must come as sdists.
    public private(set) var noBinary: Set<String> = []

    static let everyProject = ":all:"

    public init() {}

    /// Wheels only for every project.
    public static var wheelsOnly: BinaryFormatPolicy {
        var policy = BinaryFormatPolicy()
        policy.addOnlyBinary(everyProject)
        return policy
    }

    /// Adds a `--only-binary` value; a later value overrides an earlier one for the projects it
    /// names, as in pip (`:none:` clears the list).
    public mutating func addOnlyBinary(_ value: String) {
        Self.apply(value, adding: &onlyBinary, removing: &noBinary)
    }

    /// Adds a `--no-binary` value.
    public mutating func addNoBinary(_ value: String) {
        Self.apply(value, adding: &noBinary, removing: &onlyBinary)
    }

    /// Merges `other`'s lists into these.
    public mutating func formUnion(_ other: BinaryFormatPolicy) {
        onlyBinary.formUnion(other.onlyBinary)
        noBinary.formUnion(other.noBinary)
    }

    /// Whether `project` (canonical) may only use wheels.
    public func requiresWheel(_ project: String) -> Bool {
        !noBinary.contains(project) && (onlyBinary.contains(project) || onlyBinary.contains(Self.everyProject))
    }

    /// Whether `project` (canonical) must be built from an sdist.
    public func requiresSdist(_ project: String) -> Bool {
        !onlyBinary.contains(project) && (noBinary.contains(project) || noBinary.contains(Self.everyProject))
    }

    /// Whether every project must come as a wheel.
    public var wheelsOnlyForEveryProject: Bool { onlyBinary.contains(Self.everyProject) }

    private static func apply(_ value: String, adding: inout Set<String>, removing: inout Set<String>) {
        for item in value.split(separator: ",") {
            let name = item.trimmingSpaces
            switch name {
            case ":none:":
                adding.removeAll()
            case everyProject:
                adding.removeAll()
                removing.remove(everyProject)
                adding.insert(everyProject)
            case "":
                continue
            default:
                let canonical = ProjectName.canonical(name)
                removing.remove(canonical)
                adding.insert(canonical)
            }
        }
    }
}

private extension Substring {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
