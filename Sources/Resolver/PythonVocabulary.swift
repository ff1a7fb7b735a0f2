import PackagingStandards

/// Names Python packages and version sets the way `uv` writes them in explanations
/// (`flask==3.0.3`, `werkzeug>=3.0.0,<3.1`), using the versions each project lists.
struct PythonVocabulary: ExplanationVocabulary {
    typealias Package = PythonPackage
    typealias VS = VersionRanges<Version>

    /// Listed versions (ascending) and exclusion reasons per project.
    let known: [String: PythonDependencyProvider.Candidates]

    func isRoot(_ package: PythonPackage) -> Bool { package == .root }

    func describe(_ package: PythonPackage, _ versions: VS) -> String {
        if package == .root { return "your requirements" }
        if versions == .full { return "\(package)" }
        if let single = versions.singletonValue { return "\(package)==\(single)" }
        if let name = package.name, let listed = known[name]?.known, !listed.isEmpty {
            let inside = listed.filter { versions.contains($0) }
            if inside.count == listed.count { return "\(package)" }
            if inside.count == 1 { return "\(package)==\(inside[0])" }
        }
        let parts = versions.intervals.map { interval -> String in
            var bounds: [String] = []
            switch interval.lower {
            case .unbounded: break
            case .included(let v): bounds.append(">=\(v)")
            case .excluded(let v): bounds.append(">\(v)")
            }
            switch interval.upper {
            case .unbounded: break
            case .included(let v): bounds.append("<=\(v)")
            case .excluded(let v): bounds.append("<\(v)")
            }
            if case .included(let l) = interval.lower, case .included(let u) = interval.upper, l == u { return "==\(l)" }
            return bounds.joined(separator: ",")
        }
        return "\(package)" + parts.joined(separator: " | ")
    }

    func availableVersionsDetail(_ package: PythonPackage) -> String? {
        guard let name = package.name, let candidates = known[name] else { return nil }
        if candidates.known.isEmpty { return "the index lists no files for \(name)" }
        let newest = candidates.known.reversed().prefix(5).map(\.description)
        let more = candidates.known.count > 5 ? ", …" : ""
        return "the index has \(newest.joined(separator: ", "))\(more)"
    }

    func noVersionsDetail(_ package: PythonPackage, _ versions: VS) -> String? {
        guard let name = package.name, let candidates = known[name] else { return nil }
        if candidates.known.isEmpty && candidates.url == nil { return "the index lists no files for \(name)" }
        let excluded = candidates.known.reversed().filter { versions.contains($0) }.compactMap { version in
            candidates.exclusionReason(of: version).map { (version, $0) }
        }
        guard !excluded.isEmpty else { return nil }
        var groups: [(reason: String, versions: [Version])] = []
        for (version, reason) in excluded {
            if let index = groups.firstIndex(where: { $0.reason == reason }) {
                groups[index].versions.append(version)
            } else {
                groups.append((reason, [version]))
            }
        }
        return groups.prefix(3).map { group in
            let shown = group.versions.prefix(3).map(\.description).joined(separator: ", ")
            let more = group.versions.count > 3 ? " and \(group.versions.count - 3) more" : ""
            return "\(name) \(shown)\(more): \(group.reason)"
        }.joined(separator: "; ")
    }
}
