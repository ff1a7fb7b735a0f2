import DependencyDocuments
import PackageIndex
import PackagingStandards

/// The Markdown a hover shows for one dependency, compact enough for a small popup: the chosen
/// and latest versions, the summary, Requires-Python, the wheel for the target, the first
/// dependencies with a count, links, and the index it came from. The full metadata stays one
/// click away (the project page link, `:LazyWheelInfo`).
enum HoverMarkdown {
    /// How many Requires-Dist entries a hover lists before "and N more".
    static let shownDependencies = 5

    static func render(_ occurrence: DependencyOccurrence, insight: ProjectInsight, scope: LookupScope?) -> String {
        let title = "**\(occurrence.name)**"
        var lines: [String] = []
        if let error = occurrence.parseError {
            lines.append("\(title)\n\n⚠️ Not a valid requirement: \(error)")
        }
        switch insight {
        case .notConfigured(let message):
            lines.append("""
                \(title)

                No package index is configured, so lazywheel cannot describe this project. Set `indexUrl` \
                in the editor's settings (`require('lazywheel').setup{ index_url = … }` in Neovim, \
                `lazywheel-index-url` in Emacs, `lazywheel.indexUrl` in VS Code), `--index-url` in this \
                file, or configure it as for pip/uv (`PIP_INDEX_URL`, pip.conf, uv.toml).

                \(message)
                """)
        case .unknownProject:
            lines.append("\(title)\n\nNo configured index lists this project.")
        case .failed(let message):
            lines.append("\(title)\n\nCould not look this project up: \(message)")
        case .noMatchingVersion(let error, let available):
            var text = "\(title)\n\n❌ \(LanguageServerState.noMatchMessage(occurrence, error: error))"
            if let latest = available.first { text += "\n\nLatest: `\(latest)`" }
            lines.append(text)
        case .found(let result):
            lines.append(render(result, occurrence: occurrence, target: scope?.targetDescription))
        }
        if let index = scope?.indexDescription { lines.append("Index: \(index)") }
        return lines.joined(separator: "\n\n---\n\n")
    }

    private static func render(_ result: ProjectLookupResult, occurrence: DependencyOccurrence, target: String?) -> String {
        let metadata = result.metadata.metadata
        var text = "**\(metadata.name ?? occurrence.name)** `\(result.version)`"
        if let specifier = occurrence.requirement?.specifier, !specifier.isEmpty {
            text += " (matches `\(specifier)`)"
        }
        if let latest = result.latestVersion {
            text += latest == result.version ? " — latest" : " — latest `\(latest)`"
        }
        if let summary = metadata.summary, !summary.isEmpty { text += "\n\n\(summary)" }
        var facts: [String] = []
        if case .yanked(let reason) = result.yanked {
            facts.append("⚠️ **Yanked**" + (reason.map { ": \($0)" } ?? ""))
        }
        if let requiresPython = metadata.requiresPython { facts.append("Requires-Python: `\(requiresPython)`") }
        let targetText = target ?? "the target"
        facts.append(result.hasCompatibleWheel
            ? "Wheel for \(targetText): `\(result.file.filename)`"
            : "⚠️ No wheel for \(targetText) (metadata from `\(result.file.filename)`)")
        // Dependencies of extras are listed by extra name only.
        let requires = metadata.requiresDist.filter { !$0.contains("extra ==") && !$0.contains("extra==") }
        if !requires.isEmpty {
            var line = "Requires: " + requires.prefix(shownDependencies).map { "`\($0)`" }.joined(separator: ", ")
            if requires.count > shownDependencies { line += " and \(requires.count - shownDependencies) more" }
            facts.append(line)
        }
        if !metadata.providesExtra.isEmpty {
            facts.append("Extras: " + metadata.providesExtra.prefix(8).joined(separator: ", ")
                + (metadata.providesExtra.count > 8 ? " and \(metadata.providesExtra.count - 8) more" : ""))
        }
        text += "\n\n" + facts.map { "- \($0)" }.joined(separator: "\n")
        var links = metadata.projectURLs.prefix(3).map { "[\($0.label)](\($0.url))" }
        if let home = metadata.homePage, !home.isEmpty, !metadata.projectURLs.contains(where: { $0.url == home }) {
            links.insert("[Homepage](\(home))", at: 0)
        }
        if !links.isEmpty { text += "\n\n" + links.joined(separator: " · ") }
        return text
    }
}
