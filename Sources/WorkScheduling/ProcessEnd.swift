/// Objects that a process which ends with `_exit` right after its job keeps until then, instead
/// of tearing them down: a resolution's candidates and solver state are tens of thousands of small
/// objects, and freeing them one by one, on the thread that then prints the answer, only delays
/// the end (the kernel takes the whole address space back at once). Clang's driver skips freeing
/// its compiler state at exit for the same reason.
///
/// Off unless the process asks for it with ``keepObjectsUntilExit()``: a long-running service
/// (`lazywheel serve`) frees everything as usual.
public enum ProcessEnd {
    private static let kept = Locked<[AnyObject]?>(nil)

    /// From now on, ``keepUntilExit(_:)`` keeps what it is given. For a process that ends with
    /// `_exit` once its one job is done.
    public static func keepObjectsUntilExit() {
        kept.withLock { $0 = $0 ?? [] }
    }

    /// Keeps `object` referenced until the process ends, if the process asked for it; otherwise
    /// does nothing, and `object` is freed when its last other reference goes.
    public static func keepUntilExit(_ object: AnyObject) {
        kept.withLock { $0?.append(object) }
    }

    /// Whether the process asked to keep what it made until it ends (``keepObjectsUntilExit()``).
    public static var keepsObjects: Bool { kept.withLock { $0 != nil } }

    /// Keeps `value` until the process ends, if the process asked for it: moved into memory that
    /// is never freed. For values of generic types: a class or closure holding a generic solver
    /// made the runtime build its type metadata (field types looked up by mangled name, about
    /// 0.3 ms at the end of every resolve), and this, specialized in the caller, needs none.
    @inlinable
    public static func keepUntilExit<Value>(moving value: consuming Value) {
        guard keepsObjects else { return }
        UnsafeMutablePointer<Value>.allocate(capacity: 1).initialize(to: value)
    }
}
