import PackagingStandards
import WorkScheduling

/// `Requires-Dist` lines parsed once per resolution. The same metadata is read by the prefetcher
/// (for the pages to fetch next) and by the solver for the project and again for each of its
/// extras; pandas or boto3 list dozens of lines, and parsing them over and over showed up as a
/// tenth of a warm resolution's CPU time.
final class RequirementMemo: Sendable {
    private let parsed = Locked<[String: Requirement?]>([:])

    /// The requirements of `metadata` that parse, in order (lines that fail to parse are skipped,
    /// as both readers skip them).
    func requirements(of metadata: CoreMetadata) -> [Requirement] {
        metadata.requiresDist.compactMap { line in
            if let known = parsed.withLock({ $0[line] }) { return known }
            let requirement = try? Requirement(line)
            parsed.withLock { $0[line] = requirement }
            return requirement
        }
    }
}
