import PackagingStandards

/// Which pre-release versions may be selected; the same five policies as
/// `uv pip compile --prerelease` (uv's default is ``ifNecessaryOrExplicit``). PEP 440 §"Handling
/// of pre-releases" leaves the policy to installers.
public enum PrereleasePolicy: String, Sendable, CaseIterable, Codable {
    /// Never select a pre-release.
    case disallow
    /// Pre-releases are ordinary candidates.
    case allow
    /// Pre-releases of a package only when it has no final release at all.
    case ifNecessary = "if-necessary"
    /// Pre-releases of a package only when a first-party requirement or constraint on it names a
    /// pre-release (`foo>=2.0b1`).
    case explicit
    /// ``ifNecessary`` or ``explicit``.
    case ifNecessaryOrExplicit = "if-necessary-or-explicit"
}

/// The interpreter and platform a resolution is for: markers (PEP 508) are evaluated against
/// ``markerEnvironment``, `Requires-Python` against ``pythonVersion``, wheels against ``tags``.
public struct TargetEnvironment: Sendable {
    /// `3.12` or `3.12.4`.
    public var pythonVersion: String
    public var markerEnvironment: MarkerEnvironment
    /// Wheel tags the target accepts (most preferred first); nil accepts every wheel.
    public var tags: CompatibleTags?

    public init(pythonVersion: String, markerEnvironment: MarkerEnvironment, tags: CompatibleTags?) {
        self.pythonVersion = pythonVersion
        self.markerEnvironment = markerEnvironment
        self.tags = tags
    }

    /// CPython `pythonVersion` on `platform`, with its marker values and wheel tags.
    public init(pythonVersion: String, platform: TargetPlatform) throws {
        self.pythonVersion = pythonVersion
        self.markerEnvironment = MarkerEnvironment(pythonVersion: pythonVersion, platform: platform)
        self.tags = try CompatibleTags(python: pythonVersion, platform: platform)
    }

    /// The full Python version compared with `Requires-Python` (`3.12` is taken as `3.12.0`).
    var pythonFullVersion: Version? {
        try? Version(markerEnvironment.pythonFullVersion ?? pythonVersion)
    }
}

/// Everything one resolution needs besides the package source: what the user asked for
/// (requirements files parse into this with ``RequirementsFile``), constraints that restrict
/// versions without adding packages (`-c`, pip's "constraints files"), the target and policies.
public struct ResolutionRequest: Sendable {
    public var requirements: [Requirement]
    /// Each constraint narrows the versions of its package wherever it appears; an unused
    /// constraint adds nothing. Markers on constraints are honoured; extras are ignored.
    public var constraints: [Requirement]
    public var target: TargetEnvironment
    public var prerelease: PrereleasePolicy
    /// Only wheels may be used (`--only-binary :all:`); versions with only an sdist are skipped.
    public var wheelsOnly: Bool {
        get { binaryFormats.wheelsOnlyForEveryProject }
        set { if newValue { binaryFormats.addOnlyBinary(BinaryFormatPolicy.everyProject) } }
    }
    /// Which formats each project may use (`--only-binary`, `--no-binary`, `--no-build`).
    public var binaryFormats = BinaryFormatPolicy()
    /// Index and find-links locations from the requirements files, for the caller building the
    /// ``PackageSource`` (the resolver itself does not read them).
    public var indexURLs: [String]
    public var extraIndexURLs: [String]
    public var findLinks: [String]

    public init(
        requirements: [Requirement], constraints: [Requirement] = [], target: TargetEnvironment,
        prerelease: PrereleasePolicy = .ifNecessaryOrExplicit, wheelsOnly: Bool = false,
        indexURLs: [String] = [], extraIndexURLs: [String] = [], findLinks: [String] = []
    ) {
        self.requirements = requirements
        self.constraints = constraints
        self.target = target
        self.prerelease = prerelease
        if wheelsOnly { self.binaryFormats = .wheelsOnly }
        self.indexURLs = indexURLs
        self.extraIndexURLs = extraIndexURLs
        self.findLinks = findLinks
    }
}

extension ResolutionRequest {
    /// The requirements and constraints whose markers hold for the target.
    func activeRequirements() throws -> (requirements: [Requirement], constraints: [Requirement]) {
        let environment = target.markerEnvironment
        func applies(_ requirement: Requirement) throws -> Bool {
            do { return try requirement.applies(in: environment) } catch {
                throw ResolutionError.markerEvaluation(requirement: requirement.description, reason: "\(error)")
            }
        }
        return (try requirements.filter(applies), try constraints.filter(applies))
    }
}
