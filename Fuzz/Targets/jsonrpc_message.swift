// libFuzzer target: JSON-RPC message decoding (JSONRPC.IncomingMessage, JSONValue parsing).
import Foundation
import JSONRPC

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIncomingMessage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let body = Data(bytes: data, count: size)
    _ = IncomingMessage(body: body)
    _ = IncomingMessage.recoverID(from: body)
    return 0
}
