/// Objects that a process which ends with `_exit` right after its job keeps until then, instead
/// of tearing them down: a resolution's candidates and solver state are tens of thousands of small
/// objects, and freeing them one by one, on the thread that then prints the answer, only delays
/// the end (the kernel takes the whole address space back at once). Clang's driver skips freeing
/// its compiler state at exit for the same reason.
///
/// Off unless the process asks for it with ``keepObjectsUntilExit()``: a long-running service
/// (`lazywheel serve`) frees everything as usual.
public enum ProcessEnd {
    private static let kept = Locked<[Any]?>(nil)

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

    /// Keeps what `keeper` captures until the process ends, if the process asked for it: for
    /// values of generic types, which a closure holds without the runtime building their type
    /// metadata (a class holding a generic solver made the runtime look up its field types by
    /// mangled name, about 0.3 ms at the end of every resolve).
    public static func keepUntilExit(capturedBy keeper: @escaping () -> Void) {
        kept.withLock { $0?.append(keeper) }
    }
}
