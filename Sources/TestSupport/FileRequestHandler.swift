import Foundation
import NIOCore
import NIOHTTP1

/// The per-connection NIO handler of ``TestHTTPServer``: collects a request, asks the server for a
/// ``ResponsePlan`` and sends it, applying the plan's timing and framing faults (RFC 9112 §6:
/// a body shorter than its `Content-Length`, a reset mid-body, a stall).
final class FileRequestHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let server: TestHTTPServer
    private var head: HTTPRequestHead?

    init(server: TestHTTPServer) {
        self.server = server
    }

    func channelActive(context: ChannelHandlerContext) {
        server.connectionOpened()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        server.connectionClosed()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(requestHead):
            head = requestHead
        case .body:
            break
        case .end:
            guard let requestHead = head else { return }
            head = nil
            let headers = requestHead.headers.map { RecordedRequest.HeaderField(name: $0.name, value: $0.value) }
            let plan = server.plan(method: requestHead.method.rawValue, uri: requestHead.uri, headers: headers)
            let keepAlive = requestHead.isKeepAlive
            if plan.delayBeforeHeaders > 0 {
                context.eventLoop.assumeIsolated().scheduleTask(in: Self.amount(plan.delayBeforeHeaders)) {
                    self.send(plan, keepAlive: keepAlive, context: context)
                }
            } else {
                send(plan, keepAlive: keepAlive, context: context)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func send(_ plan: ResponsePlan, keepAlive: Bool, context: ChannelHandlerContext) {
        guard context.channel.isActive else { return }
        var headers = HTTPHeaders(plan.headers)
        if !keepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: plan.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if plan.isHead || plan.body.isEmpty {
            finish(keepAlive: keepAlive, context: context)
            return
        }
        guard let fault = plan.bodyFault else {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: plan.body)))), promise: nil)
            finish(keepAlive: keepAlive, context: context)
            return
        }
        let half = plan.body.count / 2
        let firstPart = plan.body.prefix(half)
        context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: firstPart)))), promise: nil)
        switch fault {
        case .short:
            context.close(promise: nil)
        case .reset:
            let channel = context.channel
            if let provider = channel as? any SocketOptionProvider {
                provider.setSoLinger(linger(l_onoff: 1, l_linger: 0)).whenComplete { _ in
                    channel.close(promise: nil)
                }
            } else {
                context.close(promise: nil)
            }
        case let .stall(seconds):
            let rest = plan.body.suffix(from: plan.body.startIndex + half)
            context.eventLoop.assumeIsolated().scheduleTask(in: Self.amount(seconds)) {
                guard context.channel.isActive else { return }
                context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(bytes: rest)))), promise: nil)
                self.finish(keepAlive: keepAlive, context: context)
            }
        }
    }

    private func finish(keepAlive: Bool, context: ChannelHandlerContext) {
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        } else {
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in
                channel.close(promise: nil)
            }
        }
    }

    private static func amount(_ seconds: Double) -> TimeAmount {
        .nanoseconds(Int64(seconds * 1_000_000_000))
    }
}
