import Foundation
import WorkScheduling

/// The bytes a ``ByteSource`` returned for a request for the end of a file.
public struct TailRead: Sendable, Equatable {
    /// Total size of the remote or local file, in bytes.
    public var totalSize: Int64
    /// Offset in the file of the first byte of ``bytes``. Usually `totalSize - bytes.count`, but a
    /// server that ignored `Range` and sent a small file whole gives offset 0 and the whole file.
    public var offset: Int64
    /// The bytes read.
    public var bytes: Data

    public init(totalSize: Int64, offset: Int64, bytes: Data) {
        self.totalSize = totalSize
        self.offset = offset
        self.bytes = bytes
    }
}

/// A random-access, read-only view of a file that lives somewhere else: an HTTP URL read with
/// `Range` requests, or a local file.
///
/// Implementations are thread-safe and blocking: callers run them on a bounded Dispatch worker
/// pool. Every method honours its ``CancellationToken`` by aborting the underlying I/O and throwing
/// ``OperationCancelled``.
public protocol ByteSource: Sendable {
    /// A name for messages: the URL without credentials, or the path.
    var displayName: String { get }

    /// Reads the last `length` bytes (a suffix range, `bytes=-N`) and learns the file's size with the
    /// same request. When the file is shorter than `length` the whole file is returned.
    func readTail(length: Int, cancellation: CancellationToken?) throws -> TailRead

    /// Reads exactly the bytes of `range` (half-open, within the file's size).
    func read(_ range: Range<Int64>, cancellation: CancellationToken?) throws -> Data
}
