import DependencyDocuments
import Foundation
import LazyWheelCore
import PackageIndex
import PackagingStandards
import WorkScheduling

/// Where one document's lookups go and for which target: its package index (and where that
/// setting came from, shown in hovers) and its target Python and platform.
struct LookupScope: Sendable {
    /// The index, or why there is none (the message says how to configure one).
    var index: Result<ProjectIndex, IndexUnavailable>
    /// "http://…/simple/ (from this file's --index-url)", for hovers and the first message.
    var indexDescription: String?
    var python: String
    /// Where the target Python came from: "editor settings", "requires-python >=3.12", "the host's python3".
    var pythonOrigin: String
    var platform: TargetPlatform
    /// Identifies the index configuration and target, for memoizing answers per scope.
    var key: String

    /// "Python 3.12 (requires-python >=3.12) on manylinux_2_28_x86_64", for hovers.
    var targetDescription: String { "Python \(python) (\(pythonOrigin)) on \(platform)" }

    func projectIndex() throws -> ProjectIndex {
        try index.get()
    }
}

/// No index could be configured for a document: the message says how to set one.
struct IndexUnavailable: Error, Sendable, CustomStringConvertible {
    var description: String
}

/// Chooses the index and target of each document, as pip and uv would for that file:
///
/// 1. the document's own settings (`--index-url`, `--extra-index-url`, `--find-links`,
///    `--no-index` lines of a requirements file and of the files it includes with `-r`/`-c`;
///    `[tool.uv]` `index-url`, `extra-index-url`, `find-links`, `[[tool.uv.index]]`);
/// 2. the editor's settings (`initializationOptions`, `workspace/configuration`);
/// 3. the environment and pip/uv configuration files (``IndexConfiguration``);
/// 4. the index the user's own pip uses (``PipIndexQuery``, asked once per session).
///
/// The target Python is the editor's `python` setting, else the lowest version the pyproject's
/// `requires-python` admits (as uv chooses), else the host's `python3`.
final class LookupScopes: Sendable {
    private let indexes = Locked<[String: Result<ProjectIndex, IndexUnavailable>]>([:])
    private let hostTarget = Locked<(python: String?, platform: TargetPlatform)?>(nil)
    /// The last scope of each document version, for answers from memory.
    private let recent = Locked<[String: (version: Int?, scope: LookupScope)]>([:])
    let pip: PipIndexQuery

    init(pip: PipIndexQuery = PipIndexQuery()) {
        self.pip = pip
    }

    /// Forgets every index (after the editor's settings changed).
    func reset() {
        indexes.withLock { $0.removeAll() }
        hostTarget.withLock { $0 = nil }
        recent.withLock { $0.removeAll() }
    }

    /// The scope computed for this version of the document, without any I/O; nil when none was.
    func known(for document: OpenDocument, session: ServerSession) -> LookupScope? {
        recent.withLock { $0[document.uri] }.flatMap { $0.version == document.version ? $0.scope : nil }
    }

    /// The scope of `document` (its `dependencies` and URI), building its index on first use.
    func scope(for document: OpenDocument, session: ServerSession) throws -> LookupScope {
        let options = session.options
        let settings = Self.indexSettings(of: document)
        var explicit = IndexOptions(
            indexURL: options.indexUrl, extraIndexURLs: options.extraIndexUrls ?? [], findLinks: options.findLinks ?? [])
        var origin = options.indexUrl == nil ? nil : "editor settings (indexUrl)"
        if let url = settings.indexURL {
            explicit.indexURL = url.value
            origin = "\(Self.documentName(document)) \(url.key)"
        }
        explicit.extraIndexURLs += settings.extraIndexURLs.map(\.value)
        explicit.findLinks += settings.findLinks.map { Self.resolve($0.value, relativeTo: document.uri) }

        let (python, pythonOrigin, platform) = try target(for: document, session: session)
        let indexKey = "\(explicit.indexURL ?? "")|\(explicit.extraIndexURLs)|\(explicit.findLinks)|\(settings.noIndex)"
        let index = projectIndex(key: indexKey, options: explicit, noIndex: settings.noIndex, session: session)
        var description: String?
        if case .success(let built) = index, let primary = built.configuration.primaryIndex ?? built.configuration.findLinks.first {
            description = "\(primary.redactedDescription) (from \(origin ?? describe(primary.origin)))"
        }
        let scope = LookupScope(
            index: index, indexDescription: description, python: python, pythonOrigin: pythonOrigin, platform: platform,
            key: "\(indexKey)|\(python)|\(platform)")
        recent.withLock { $0[document.uri] = (document.version, scope) }
        return scope
    }

    private func describe(_ origin: ConfigurationOrigin) -> String {
        if case .commandLine(let option) = origin, option == PipIndexQuery.optionName { return pip.answerOrigin ?? "pip" }
        return origin.description
    }

    private func projectIndex(key: String, options: IndexOptions, noIndex: Bool, session: ServerSession)
        -> Result<ProjectIndex, IndexUnavailable>
    {
        if let known = indexes.withLock({ $0[key] }) { return known }
        var result: Result<ProjectIndex, IndexUnavailable>
        do {
            var options = options
            if noIndex, options.indexURL == nil, let local = options.findLinks.first {
                // `--no-index`: only find-links; the first one stands in as the index root too.
                options.indexURL = local
            }
            result = .success(try ProjectIndex(engine: session.engine, options: options, environment: session.environment))
        } catch IndexConfigurationError.noIndexConfigured {
            // Nothing configured anywhere: the index the user's own pip uses.
            if let answer = pip.answer() {
                var asked = options
                asked.indexURL = answer.indexURL
                asked.extraIndexURLs += answer.extraIndexURLs
                result = Result { try ProjectIndex(engine: session.engine, options: asked, environment: session.environment) }
                    .mapError { IndexUnavailable(description: "\($0)") }
            } else {
                result = .failure(IndexUnavailable(description: IndexConfigurationError.noIndexConfigured.description
                    + "; asking `python3 -m pip config list` found none either"))
            }
        } catch {
            result = .failure(IndexUnavailable(description: "\(error)"))
        }
        let stored = result
        indexes.withLock { $0[key] = stored }
        return result
    }

    /// The document's own index settings, with those of the files it includes (`-r`, `-c`) when
    /// they can be read (`file://` documents).
    static func indexSettings(of document: OpenDocument) -> DocumentIndexSettings {
        guard var settings = document.dependencies?.indexSettings else { return DocumentIndexSettings() }
        guard let options = document.dependencies?.options, let directory = directoryPath(of: document.uri) else { return settings }
        var visited: Set<String> = []
        var pending = options.filter { ["-r", "--requirement", "-c", "--constraint"].contains($0.name) }.compactMap(\.value)
            .map { ($0.hasPrefix("/") ? $0 : directory + "/" + $0) }
        while let path = pending.popLast(), visited.count < 16 {
            guard visited.insert(path).inserted, let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            let included = DependencyDocument(kind: .requirements(isConstraints: false), text: text)
            let more = included.indexSettings
            if settings.indexURL == nil { settings.indexURL = more.indexURL }
            settings.extraIndexURLs += more.extraIndexURLs
            settings.findLinks += more.findLinks
            settings.noIndex = settings.noIndex || more.noIndex
            let base = (path as NSString).deletingLastPathComponent
            pending += included.options.filter { ["-r", "--requirement", "-c", "--constraint"].contains($0.name) }.compactMap(\.value)
                .map { $0.hasPrefix("/") ? $0 : base + "/" + $0 }
        }
        return settings
    }

    /// The directory of a `file://` URI.
    static func directoryPath(of uri: String) -> String? {
        guard let url = URL(string: uri), url.isFileURL else { return nil }
        return url.deletingLastPathComponent().path
    }

    /// A find-links value relative to the document's directory, as pip resolves it.
    static func resolve(_ location: String, relativeTo uri: String) -> String {
        if location.contains("://") || location.hasPrefix("/") { return location }
        guard let directory = directoryPath(of: uri) else { return location }
        return URL(fileURLWithPath: directory + "/" + location).standardizedFileURL.path
    }

    static func documentName(_ document: OpenDocument) -> String {
        OpenDocument.fileName(of: document.uri)
    }

    /// The target Python (and where that came from) and platform of a document.
    func target(for document: OpenDocument, session: ServerSession) throws -> (String, String, TargetPlatform) {
        let options = session.options
        let host: (python: String?, platform: TargetPlatform)
        if let known = hostTarget.withLock({ $0 }) {
            host = known
        } else {
            let platform = try options.platform.map { try TargetPlatform($0) } ?? TargetPlatform.host()
            host = (options.python == nil ? LookupTarget.hostPythonVersion() : nil, platform)
            hostTarget.withLock { $0 = host }
        }
        if let python = options.python { return (python, "editor settings", host.platform) }
        if let requires = document.dependencies?.requiresPython, let lowest = Self.lowestPython(admittedBy: requires.value) {
            return (lowest, "requires-python \(requires.value)", host.platform)
        }
        if let python = host.python { return (python, "the host's python3", host.platform) }
        return ("3.12", "default", host.platform)
    }

    /// The lowest `3.x` a `requires-python` specifier admits (uv's choice of target), nil when
    /// it does not parse or admits none of 3.0…3.30.
    static func lowestPython(admittedBy requiresPython: String) -> String? {
        guard let specifier = try? SpecifierSet(requiresPython) else { return nil }
        for minor in 0...30 {
            // `>=3.12.1` admits 3.12.1, so the patch level is tried too.
            for candidate in ["3.\(minor)", "3.\(minor).99"] {
                if let version = try? Version(candidate), specifier.contains(version, prereleases: true) { return "3.\(minor)" }
            }
        }
        return nil
    }
}

/// The index the user's own pip uses, asked once per session from the `python3` on PATH through
/// pip itself: `python3 -m pip config list` (its `index-url`, `extra-index-url`), else pip's
/// built-in default index (read from pip's own code, so no index host is written here).
final class PipIndexQuery: Sendable {
    struct Answer: Sendable {
        var indexURL: String
        var extraIndexURLs: [String]
        /// "pip configuration (global.index-url)" or "pip's default index".
        var origin: String
    }

    /// How answers are marked when they pass through ``IndexOptions``.
    static let optionName = "--index-url"

    private let cached = Locked<Answer??>(nil)
    private let run: @Sendable ([String]) -> String?

    /// - Parameter run: runs `python3` with the arguments and returns its standard output (nil on failure).
    init(run: @escaping @Sendable ([String]) -> String? = PipIndexQuery.runPython) {
        self.run = run
    }

    var answerOrigin: String? { cached.withLock { $0 ?? nil }?.origin }

    /// Pip's index, asked at most once: concurrent callers wait for the one asking.
    func answer() -> Answer? {
        cached.withLock { cached in
            if let known = cached { return known }
            let answer = WorkerPool.blocking { ask() }
            cached = .some(answer)
            return answer
        }
    }

    private func ask() -> Answer? {
        if let listing = run(["-m", "pip", "config", "list"]) {
            let values = Self.parseConfigList(listing)
            for key in ["install.index-url", "global.index-url"] {
                if let url = values[key] {
                    let extra = (values["install.extra-index-url"] ?? values["global.extra-index-url"])
                        .map { $0.split(whereSeparator: \.isWhitespace).map(String.init) } ?? []
                    return Answer(indexURL: url, extraIndexURLs: extra, origin: "pip configuration (\(key), `python3 -m pip config list`)")
                }
            }
        }
        let script = "from pip._internal.models.index import PyPI; print(PyPI.simple_url)"
        if let output = run(["-c", script])?.trimmingCharacters(in: .whitespacesAndNewlines), output.hasPrefix("http") {
            return Answer(indexURL: output, extraIndexURLs: [], origin: "pip's default index (asked `python3`'s pip)")
        }
        return nil
    }

    /// `global.index-url='http://…'` lines of `pip config list`.
    static func parseConfigList(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "'" || first == "\"", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            values[key] = value
        }
        return values
    }

    @Sendable static func runPython(_ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
        process.environment = environment
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        WorkerPool.blocking { process.waitUntilExit() }
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: output, as: UTF8.self)
    }
}
