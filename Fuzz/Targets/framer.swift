// libFuzzer target: JSONRPC.MessageFramer (LSP base-protocol framing) fed in input-sized chunks.
import Foundation
import JSONRPC

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFramer(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limits = FramingLimits(maximumHeaderBytes: 256, maximumBodyBytes: 4096)
    var framer = MessageFramer(limits: limits)
    for chunk in chunks(of: bytes) {
        for event in framer.consume(chunk) {
            if case .message(let body) = event, body.count > limits.maximumBodyBytes {
                fatalError("framer delivered a body of \(body.count) bytes over the cap")
            }
            if case .skippedBodyHead(let head) = event, head.count > MessageFramer.skippedHeadLength {
                fatalError("skipped head longer than the cap")
            }
        }
    }
    _ = framer.isAtFrameBoundary
    return 0
}
