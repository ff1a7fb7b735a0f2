import Foundation
import PackagingStandards

/// Local sources of distribution files (pip's `--find-links`, uv's `find-links`, and `file://`
/// simple indexes):
///
/// - a directory: every wheel and sdist in it (not recursive);
/// - an HTML page (local or remote) of links to files, parsed like a PEP 503 page;
/// - a `file://` simple index laid out as `root/<normalized name>/index.html`, or as
///   `root/<normalized name>/` holding the files themselves.
enum LocalListing {
    /// The distribution files of `projectName` in the directory at `directory`.
    static func directoryFiles(_ directory: URL, projectName: String) -> [DistributionFile] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return names.sorted().compactMap { name in
            let url = directory.appendingPathComponent(name, isDirectory: false)
            let file = DistributionFile(filename: name, url: url, projectName: projectName)
            return belongs(file, to: projectName) ? file : nil
        }
    }

    /// Whether `file` is a distribution of `projectName` (by its file name).
    static func belongs(_ file: DistributionFile, to projectName: String) -> Bool {
        switch file.kind {
        case .wheel(let wheel): wheel.canonicalName == ProjectName.canonical(projectName)
        case .sdist: file.version != nil
        case .other: false
        }
    }

    /// Whether `url` names a directory on disk.
    static func isDirectory(_ url: URL) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// The project page of `projectName` in a `file://` simple index rooted at `root`, or nil when
    /// the index has no such project.
    static func fileIndexPage(root: URL, projectName: String) -> ProjectPage? {
        let canonical = ProjectName.canonical(projectName)
        let projectDirectory = root.appendingPathComponent(canonical, isDirectory: true)
        let indexFile = projectDirectory.appendingPathComponent("index.html", isDirectory: false)
        if let body = try? Data(contentsOf: indexFile) {
            return try? SimpleIndexParser.parseHTML(body, url: indexFile, projectName: projectName)
        }
        guard isDirectory(projectDirectory) else { return nil }
        return ProjectPage(name: projectName, files: directoryFiles(projectDirectory, projectName: projectName), url: projectDirectory)
    }
}
