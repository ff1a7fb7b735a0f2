/// A node of the Python dependency graph the solver works on. Extras are nodes of their own
/// (as in uv): `name[extra]` at version v depends on `name==v` and on the requirements the
/// extra enables (PEP 508 `extra` marker), so an extra and its base always share a version.
public enum PythonPackage: Hashable, Sendable, CustomStringConvertible, Comparable {
    /// The user's requirements.
    case root
    /// A project, by canonical name (PEP 503 normalization).
    case project(String)
    /// A project with one extra enabled (canonical name, normalized extra).
    case extra(String, String)

    /// The canonical project name; nil for the root.
    public var name: String? {
        switch self {
        case .root: return nil
        case .project(let name), .extra(let name, _): return name
        }
    }

    public var description: String {
        switch self {
        case .root: return "your requirements"
        case .project(let name): return name
        case .extra(let name, let extra): return "\(name)[\(extra)]"
        }
    }

    public static func < (a: Self, b: Self) -> Bool { a.description < b.description }
}
