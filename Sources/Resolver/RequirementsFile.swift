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
/// documentation): requirements, `-r` includes, `-c` constraints, `#` comments, `\` line
/// continuations, `${VAR}` expansion, `--index-url`/`--extra-index-url`/`--find-links`/
/// `--no-index`/`--pre`/`--only-binary`, per-requirement `--hash` (ignored for resolution), and
/// bare URLs or paths of wheels and sdists (direct references).
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
    public var wheelsOnly = false

    public init() {}

    /// Parses the file at `path`; includes are read with `read` relative to their including file.
    public static func parse(
        path: String, environment: [String: String] = [:],
        read: (String) throws -> String = RequirementsFile.readText
    ) throws -> RequirementsFile {
        var result = RequirementsFile()
        var parser = Parser(environment: environment)
        let text: String
        do { text = try read(path) } catch {
            throw RequirementsFileError.unreadableInclude(file: path, line: 0, path: path, reason: "\(error)")
        }
        try parser.parse(text: text, file: path, asConstraints: false, into: &result, stack: [path], read: read)
        return result
    }

    /// Parses `text` as if read from `file` (includes resolve against its directory).
    public static func parse(
        text: String, file: String = "requirements.txt", environment: [String: String] = [:],
        read: (String) throws -> String = RequirementsFile.readText
    ) throws -> RequirementsFile {
        var result = RequirementsFile()
        var parser = Parser(environment: environment)
        try parser.parse(text: text, file: file, asConstraints: false, into: &result, stack: [file], read: read)
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

    private struct Parser {
        let environment: [String: String]

        mutating func parse(
            text: String, file: String, asConstraints: Bool, into result: inout RequirementsFile, stack: [String],
            read: (String) throws -> String
        ) throws {
            for (lineNumber, line) in logicalLines(text) {
                var tokens = tokenize(expand(stripComment(line)))
                guard !tokens.isEmpty else { continue }
                let first = tokens.removeFirst()
                func value() throws -> String {
                    if let equals = first.firstIndex(of: "="), first.hasPrefix("--") {
                        return String(first[first.index(after: equals)...])
                    }
                    if first.count > 2, first.hasPrefix("-"), !first.hasPrefix("--") { return String(first.dropFirst(2)) }
                    guard !tokens.isEmpty else {
                        throw RequirementsFileError.missingOptionValue(file: file, line: lineNumber, option: first)
                    }
                    return tokens.removeFirst()
                }
                let option = first.hasPrefix("-") ? String(first.prefix { $0 != "=" }) : ""
                switch option {
                case "":
                    let requirementText = ([first] + tokens.prefix(while: { !$0.hasPrefix("--") })).joinedPlainly(separator: " ")
                    let requirement = try parseRequirement(requirementText, file: file, line: lineNumber)
                    if asConstraints { result.constraints.append(requirement) } else { result.requirements.append(requirement) }
                case "-r", "--requirement", "-c", "--constraint":
                    let included = resolvePath(try value(), relativeTo: file)
                    guard !stack.contains(included) else {
                        throw RequirementsFileError.includeCycle(file: file, line: lineNumber, path: included)
                    }
                    let text: String
                    do { text = try read(included) } catch {
                        throw RequirementsFileError.unreadableInclude(file: file, line: lineNumber, path: included, reason: "\(error)")
                    }
                    let constraints = asConstraints || option == "-c" || option == "--constraint"
                    try parse(text: text, file: included, asConstraints: constraints, into: &result, stack: stack + [included], read: read)
                case "-i", "--index-url": result.indexURL = try value()
                case "--extra-index-url": result.extraIndexURLs.append(try value())
                case "-f", "--find-links": result.findLinks.append(resolveLocation(try value(), relativeTo: file))
                case "--no-index": result.noIndex = true
                case "--pre": result.allowPrereleases = true
                case "--only-binary":
                    let formats = try value()
                    result.wheelsOnly = result.wheelsOnly || formats.contains(":all:")
                case "--no-binary", "--prefer-binary", "--trusted-host", "--use-feature", "--no-deps":
                    if option == "--no-binary" || option == "--trusted-host" || option == "--use-feature" { _ = try value() }
                case "-e", "--editable":
                    throw RequirementsFileError.unsupportedOption(file: file, line: lineNumber, option: first)
                default:
                    throw RequirementsFileError.unsupportedOption(file: file, line: lineNumber, option: first)
                }
            }
        }

        /// Joins `\`-continued lines; yields each logical line with the number of its first line.
        func logicalLines(_ text: String) -> [(Int, String)] {
            var result: [(Int, String)] = []
            var pending = ""
            var start = 0
            for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                var line = String(raw)
                if line.hasSuffix("\r") { line.removeLast() }
                if pending.isEmpty { start = index + 1 }
                if line.hasSuffix("\\") {
                    pending += line.dropLast() + " "
                    continue
                }
                result.append((start, pending + line))
                pending = ""
            }
            if !pending.isEmpty { result.append((start, pending)) }
            return result
        }

        /// Drops a `#` comment that starts the line or follows whitespace (not a URL fragment).
        func stripComment(_ line: String) -> String {
            var previous: Character = " "
            var quote: Character?
            for index in line.indices {
                let c = line[index]
                if let q = quote { if c == q { quote = nil } } else if c == "'" || c == "\"" { quote = c }
                if c == "#", quote == nil, previous.isWhitespace { return String(line[..<index]) }
                previous = c
            }
            return line
        }

        /// Expands `${NAME}` from the environment (pip expands only this form).
        func expand(_ line: String) -> String {
            guard line.contains("${") else { return line }
            var result = line
            for (name, value) in environment { result = result.replacingOccurrences(of: "${\(name)}", with: value) }
            return result
        }

        func tokenize(_ line: String) -> [String] {
            // Split on whitespace outside quotes; a requirement's marker keeps its spaces because
            // the requirement tokens are joined back before parsing.
            var tokens: [String] = []
            var current = ""
            var quote: Character?
            for c in line {
                if let q = quote {
                    current.append(c)
                    if c == q { quote = nil }
                } else if c == "'" || c == "\"" {
                    quote = c
                    current.append(c)
                } else if c.isWhitespace {
                    if !current.isEmpty { tokens.append(current); current = "" }
                } else {
                    current.append(c)
                }
            }
            if !current.isEmpty { tokens.append(current) }
            return tokens
        }

        func parseRequirement(_ text: String, file: String, line: Int) throws -> Requirement {
            if let direct = directReference(text, file: file) { return direct }
            do { return try Requirement(text) } catch {
                throw RequirementsFileError.invalidRequirement(file: file, line: line, text: text, reason: "\(error)")
            }
        }

        /// A bare path or URL of a wheel or sdist (`./dist/foo-1.0-py3-none-any.whl`), named
        /// after its file name.
        func directReference(_ text: String, file: String) -> Requirement? {
            var location = text
            var marker: Marker?
            if let semicolon = text.range(of: "; ") {
                location = String(text[..<semicolon.lowerBound]).trimmingCharacters(in: .whitespaces)
                marker = try? Marker(String(text[semicolon.upperBound...]))
            }
            let looksLikeLocation = location.contains("://") || location.hasPrefix(".") || location.hasPrefix("/")
            guard looksLikeLocation, !location.contains(" @ ") else { return nil }
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
            prerelease: file.allowPrereleases ? .allow : prerelease, wheelsOnly: file.wheelsOnly,
            indexURLs: file.indexURL.map { [$0] } ?? [], extraIndexURLs: file.extraIndexURLs, findLinks: file.findLinks)
    }
}
