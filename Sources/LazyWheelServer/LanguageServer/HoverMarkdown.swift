import DependencyDocuments
import PackageIndex
import PackagingStandards

/// The Markdown a hover shows for one dependency: name, chosen and latest versions, summary,
/// Requires-Python, that version's Requires-Dist, license, links, wheel availability. `target`
/// describes the target ("Python 3.12 on manylinux_2_28_x86_64").
enum HoverMarkdown {
    static func render(_ occurrence: DependencyOccurrence, insight: ProjectInsight, target: String?) -> String {
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
                (and optionally `python`, `platform`) in the client's initialization options \
                (`require('lazywheel').setup{ index_url = … }` in Neovim, `lazywheel-index-url` in Emacs, \
                `lazywheel.indexUrl` in VS Code), or configure it as for pip/uv.

                \(message)
                """)
        case .unknownProject(let message):
            lines.append("\(title)\n\nUnknown project: \(message)")
        case .failed(let message):
            lines.append("\(title)\n\nCould not look this project up: \(message)")
        case .noMatchingVersion(let error, let available):
            var text = "\(title)\n\n❌ \(error.description)"
            if let latest = available.first { text += "\n\nLatest: `\(latest)`" }
            lines.append(text)
        case .found(let result):
            lines.append(render(result, occurrence: occurrence, target: target))
        }
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
        if let license = metadata.licenseExpression ?? metadata.license.flatMap({ $0.count <= 80 ? $0 : nil }) {
            facts.append("License: \(license)")
        }
        let targetText = target ?? "the target"
        facts.append(result.hasCompatibleWheel
            ? "Wheel for \(targetText): `\(result.file.filename)`"
            : "⚠️ No wheel for \(targetText) (metadata from `\(result.file.filename)`)")
        text += "\n\n" + facts.map { "- \($0)" }.joined(separator: "\n")
        let requires = metadata.requiresDist
        if !requires.isEmpty {
            text += "\n\n**Requires-Dist**\n" + requires.prefix(30).map { "- `\($0)`" }.joined(separator: "\n")
            if requires.count > 30 { text += "\n- … \(requires.count - 30) more" }
        }
        var links = metadata.projectURLs.map { "[\($0.label)](\($0.url))" }
        if let home = metadata.homePage, !home.isEmpty, !metadata.projectURLs.contains(where: { $0.url == home }) {
            links.insert("[Homepage](\(home))", at: 0)
        }
        if !links.isEmpty { text += "\n\n" + links.joined(separator: " · ") }
        if result.availableVersions.count > 1 {
            let shown = result.availableVersions.prefix(8).map { "`\($0)`" }.joined(separator: ", ")
            text += "\n\nVersions: \(shown)\(result.availableVersions.count > 8 ? ", …" : "")"
        }
        return text
    }
}
