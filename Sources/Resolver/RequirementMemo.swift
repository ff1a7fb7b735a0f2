import PackagingStandards
import WorkScheduling

/// `Requires-Dist` lines parsed once per resolution. The same metadata is read by the prefetcher
/// (for the pages to fetch next) and by the solver for the project and again for each of its
/// extras; pandas or boto3 list dozens of lines, and parsing them over and over showed up as a
/// tenth of a warm resolution's CPU time.
final class RequirementMemo: Sendable {
    private let parsed = Memo<String, Requirement?>()

    /// The requirements of `metadata` that parse, in order (lines that fail to parse are skipped,
    /// as both readers skip them).
    func requirements(of metadata: CoreMetadata) -> [Requirement] {
        metadata.requiresDist.compactMap { line in parsed.value(for: line) { try? Requirement($0) } }
    }
}
