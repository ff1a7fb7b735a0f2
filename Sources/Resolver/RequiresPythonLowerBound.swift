import PackagingStandards

extension SpecifierSet {
    /// Only the lower bounds of a `Requires-Python` set: what a resolution checks, as uv does.
    /// Upper bounds (`<3.9`, `<=3.8`) are mostly guesses made when a release was published
    /// and age badly, so uv ignores them when resolving; lazywheel's `resolve` does the same, while
    /// the editor's hover still shows a version's full `Requires-Python` and warns. `==3.8.*` and
    /// `~=3.8` count as `>=3.8`; exclusions (`!=`) and arbitrary equality are dropped.
    var requiresPythonLowerBound: SpecifierSet {
        let lower = specifiers.compactMap { specifier -> Specifier? in
            var text = specifier.versionText
            if text.hasSuffix(".*") { text.removeLast(2) }
            switch specifier.operator {
            case .greaterThan, .greaterThanOrEqual: return specifier
            case .compatible, .equal: return try? Specifier(">=\(text)")
            case .lessThan, .lessThanOrEqual, .notEqual, .arbitrary: return nil
            }
        }
        return SpecifierSet(lower, prereleases: prereleaseOverride)
    }
}
