import DependencyDocuments
import Foundation
import LazyZip
import PackagingStandards
import WorkScheduling

/// A requirements-file problem, with the file and line to fix.
public enum RequirementsFileError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidRequirement(file: String, line: Int, text: String, reason: String)
    case missingOptionValue(file: String, line: Int, option: String)
    case unsupportedOption(file: String, line: Int, option: String)
    case unreadableInclude(file: String, line: Int, path: String, reason: String)
    case includeCycle(file: String, line: Int, path: String)

    public var description: String {
        switch self {
        case .invalidRequirement(let file, let line, let text, let reason):
            return "\(file):\(line): '\(text)' is not a valid requirement: \(reason)"
        case .missingOptionValue(let file, let line, let option):
            return "\(file):\(line): \(option) needs a value (for example \(option) other.txt)"
        case .unsupportedOption(let file, let line, let option):
            return "\(file):\(line): the option \(option) is not supported for resolution; remove it"
        case .unreadableInclude(let file, let line, let path, let reason):
            return "\(file):\(line): cannot read the included file \(path): \(reason)"
        case .includeCycle(let file, let line, let path):
            return "\(file):\(line): \(path) includes itself (directly or through other files)"
        }
    }
}

/// The resolution input of a pip requirements file ("Requirements File Format" in pip's
/// documentation), read with the editor's parser (``DependencyDocument``, which keeps source
/// ranges): requirements, `-r` includes, `-c` constraints, `#` comments, `\\` line continuations,
/// `${VAR}` expansion, `--index-url`/`--extra-index-url`/`--find-links`/`--no-index`/`--pre`/
/// `--only-binary`, per-requirement `--hash` (ignored for resolution), and bare URLs or paths of
/// wheels and sdists (direct references).
public struct RequirementsFile: Sendable, Equatable {
    public var requirements: [Requirement] = []
    public var constraints: [Requirement] = []
    public var indexURL: String?
    public var extraIndexURLs: [String] = []
    public var findLinks: [String] = []
    public var noIndex = false
    /// `--pre`: pre-releases allowed.
    public var allowPrereleases = false
    /// `--only-binary :all:`.
    public var wheelsOnly: Bool { binaryFormats.wheelsOnlyForEveryProject }
    /// `--only-binary` and `--no-binary` lines.
    public var binaryFormats = BinaryFormatPolicy()

    public init() {}

    /// Parses the file at `path`; includes are read with `read` relative to their including file.
    public static func parse(
        path: String, environment: [String: String] = [:],
        read: (String) throws -> String = RequirementsFile.readText
    ) throws -> RequirementsFile {
        let text: String
        do { text = try read(path) } catch {
            throw RequirementsFileError.unreadableInclude(file: path, line: 0, path: path, reason: "\(error)")
        }
        return try parse(text: text, file: path, environment: environment, read: read)
    }

    /// Parses `text` as if read from `file` (includes resolve against its directory).
    public static func parse(
        text: String, file: String = "requirements.txt", environment: [String: String] = [:],
        read: (String) throws -> String = RequirementsFile.readText
    ) throws -> RequirementsFile {
        var result = RequirementsFile()
        try withoutActuallyEscaping(read) { read in
            let reader = Reader(environment: environment, read: read)
            try reader.add(text: text, file: file, asConstraints: false, into: &result, stack: [file])
        }
        return result
    }

    /// Why a file could not be read as text.
    struct ReadFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// The UTF-8 text of the file at `path` (without a byte order mark), read with POSIX calls
    /// (``PositionalIO``), which also refuses what is not a regular file and invalid UTF-8 with
    /// a typed error.
    public static func readText(_ path: String) throws -> String {
        let bytes: Data
        do { bytes = try PositionalIO.contents(ofFileAtPath: path) } catch {
            throw ReadFailure(description: error.reason)
        }
        guard var text = String(validating: bytes, as: UTF8.self) else {
            throw ReadFailure(description: "the file is not UTF-8 text")
        }
        // A byte order mark is not text (pip drops it too).
        if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
        return text
    }

    /// Walks a file and its includes, turning the parsed document into resolution input.
    private struct Reader {
        let environment: [String: String]
        let read: (String) throws -> String

        func add(text: String, file: String, asConstraints: Bool, into result: inout RequirementsFile, stack: [String]) throws {
            let document = DependencyDocument(kind: .requirements(isConstraints: asConstraints), text: text, environment: environment)
            // Options, requirements and locations in file order, so includes land where they are written.
            enum Item {
                case option(RequirementsOption)
                case requirement(DependencyOccurrence)
                case location(RequirementsLocation)

                var offset: Int {
                    switch self {
                    case .option(let option): option.range.start.byteOffset
                    case .requirement(let occurrence): occurrence.range.start.byteOffset
                    case .location(let location): location.range.start.byteOffset
                    }
                }
            }
            let items = (document.options.map(Item.option) + document.occurrences.map(Item.requirement)
                + document.locations.map(Item.location)).sorted { $0.offset < $1.offset }
            for item in items {
                switch item {
                case .requirement(let occurrence):
                    guard let requirement = occurrence.requirement else {
                        throw RequirementsFileError.invalidRequirement(
                            file: file, line: occurrence.range.start.line + 1, text: occurrence.text,
                            reason: occurrence.parseError ?? "not a PEP 508 requirement")
                    }
                    if asConstraints { result.constraints.append(requirement) } else { result.requirements.append(requirement) }
                case .location(let location):
                    guard let requirement = directReference(location.text, file: file) else {
                        throw RequirementsFileError.invalidRequirement(
                            file: file, line: location.range.start.line + 1, text: location.text,
                            reason: "not a wheel or sdist file name")
                    }
                    if asConstraints { result.constraints.append(requirement) } else { result.requirements.append(requirement) }
                case .option(let option):
                    try apply(option, file: file, asConstraints: asConstraints, into: &result, stack: stack)
                }
            }
        }

        private func apply(
            _ option: RequirementsOption, file: String, asConstraints: Bool, into result: inout RequirementsFile, stack: [String]
        ) throws {
            let line = option.range.start.line + 1
            func value() throws -> String {
                guard let value = option.value else {
                    throw RequirementsFileError.missingOptionValue(file: file, line: line, option: option.name)
                }
                return value
            }
            switch option.name {
            case "-r", "--requirement", "-c", "--constraint":
                let included = resolvePath(try value(), relativeTo: file)
                guard !stack.contains(included) else {
                    throw RequirementsFileError.includeCycle(file: file, line: line, path: included)
                }
                let text: String
                do { text = try read(included) } catch {
                    throw RequirementsFileError.unreadableInclude(file: file, line: line, path: included, reason: "\(error)")
                }
                let constraints = asConstraints || option.name == "-c" || option.name == "--constraint"
                try add(text: text, file: included, asConstraints: constraints, into: &result, stack: stack + [included])
            case "-i", "--index-url": result.indexURL = try value()
            case "--extra-index-url": result.extraIndexURLs.append(try value())
            case "-f", "--find-links": result.findLinks.append(resolveLocation(try value(), relativeTo: file))
            case "--no-index": result.noIndex = true
            case "--pre": result.allowPrereleases = true
            case "--only-binary": result.binaryFormats.addOnlyBinary(try value())
            case "--no-binary": result.binaryFormats.addNoBinary(try value())
            case "--trusted-host", "--use-feature": _ = try value()
            case "--prefer-binary", "--no-deps": break
            default:
                throw RequirementsFileError.unsupportedOption(file: file, line: line, option: option.name)
            }
        }

        /// A bare path or URL of a wheel or sdist (`./dist/foo-1.0-py3-none-any.whl`), named
        /// after its file name.
        func directReference(_ text: String, file: String) -> Requirement? {
            var location = text
            var marker: Marker?
            if let semicolon = text.range(of: ";") {
                location = String(text[..<semicolon.lowerBound]).trimmingCharacters(in: .whitespaces)
                marker = try? Marker(String(text[semicolon.upperBound...]).trimmingCharacters(in: .whitespaces))
            }
            let url = resolveLocation(location, relativeTo: file)
            let filename = String(url.split(separator: "/").last ?? "").components(separatedBy: "#")[0]
            let name: String
            if let wheel = try? WheelFilename(filename) {
                name = wheel.name
            } else if let dash = filename.lastIndex(of: "-") {
                name = String(filename[..<dash])
            } else {
                return nil
            }
            return Requirement(name: name, url: url, marker: marker)
        }

        func resolvePath(_ path: String, relativeTo file: String) -> String {
            if path.hasPrefix("/") || path.contains("://") { return path }
            let directory = (file as NSString).deletingLastPathComponent
            return directory.isEmpty ? path : (directory as NSString).appendingPathComponent(path)
        }

        /// A find-links or direct-reference location: URLs stay, paths become `file://` URLs.
        func resolveLocation(_ location: String, relativeTo file: String) -> String {
            if location.contains("://") { return location }
            let path = resolvePath(location, relativeTo: file)
            let absolute = path.hasPrefix("/") ? path : ProcessEnvironment.currentDirectory + "/" + path
            return URL(fileURLWithPath: absolute).standardizedFileURL.absoluteString
        }
    }
}

extension ResolutionRequest {
    /// A request from a parsed requirements file: its requirements, constraints, options.
    public init(file: RequirementsFile, target: TargetEnvironment, prerelease: PrereleasePolicy = .ifNecessaryOrExplicit) {
        self.init(
            requirements: file.requirements, constraints: file.constraints, target: target,
            prerelease: file.allowPrereleases ? .allow : prerelease,
            indexURLs: file.indexURL.map { [$0] } ?? [], extraIndexURLs: file.extraIndexURLs, findLinks: file.findLinks)
        binaryFormats = file.binaryFormats
    }
}
