import PackagingStandards
import WorkScheduling

/// `Requires-Dist` lines parsed once per resolution. The same metadata is read by the prefetcher
/// (for the pages to fetch next) and by the solver for the project and again for each of its
/// extras, and pandas or boto3 list dozens of lines, which each reader would otherwise parse anew.
final class RequirementMemo: Sendable {
    private let parsed = Memo<String, Requirement?>()

    /// The requirements of `metadata` that parse and may apply to the project itself (`extra`
    /// nil) or to its `extra`, in order: lines that fail to parse are skipped, as both readers
    /// skip them, and so are lines only for another extra (``Requirement/onlyExtra(ofLine:)``),
    /// unparsed, as their markers would not hold. The caller still evaluates every marker.
    func requirements(of metadata: CoreMetadata, forExtra extra: String? = nil) -> [Requirement] {
        let wanted = extra.map(ProjectName.normalizedExtra)
        return metadata.requiresDist.compactMap { line in
            if let only = Requirement.onlyExtra(ofLine: line), only != wanted { return nil }
            return parsed.value(for: line) { try? Requirement($0) }
        }
    }
}
