import ArgumentParser
import Dispatch
import Foundation
import JSONRPC
import LazyWheelServer

/// `lazywheel serve`: the JSON-RPC service on stdio.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Run the JSON-RPC 2.0 service on stdin/stdout (LSP framing); see protocol/PROTOCOL.md.")

    @Flag(help: "Let clients open local files (paths and file:// URLs).")
    var allowFiles = false

    @Option(help: "Bytes of fetched wheel data kept in memory before least-recently-used eviction.")
    var memoryBudget: Int64?

    @Option(help: "Largest frame body accepted, in bytes; larger frames are skipped and answered with an error.")
    var maxFrameBytes = FramingLimits().maximumBodyBytes

    @OptionGroup var network: NetworkOptions

    func run() throws {
        LargeAllocations.returnToTheSystemWhenFreed()
        let engine = try network.makeEngine()
        // Claim fd 0 and 1 for the protocol first: a stray print now goes to stderr.
        let (input, output) = try StandardIOGuard.claimStandardStreams()
        var options = ServerOptions()
        options.allowFileURLs = allowFiles
        options.memoryBudgetBytes = memoryBudget
        options.cert = network.transportOptions.certificateAuthority
        options.clientCert = network.transportOptions.clientCertificate
        options.trustedHosts = network.trustedHost.isEmpty ? nil : network.trustedHost
        options.proxy = network.transportOptions.proxy
        options.keyringProvider = network.keyringProvider
        let log = LogSink.standardError(label: "lazywheel")
        let connection = JSONRPCConnection(
            name: "lazywheel", input: input, output: output, registry: LazyWheelService.registry,
            limits: FramingLimits(maximumBodyBytes: maxFrameBytes), log: log)
        let service = LazyWheelService(
            engine: engine, options: options, log: log,
            notify: { connection.send($0) },
            onExit: { code in
                connection.waitUntilSent()
                LazyWheelCommand.endProcess(status: code)
            })
        service.sendRequests(through: connection)
        connection.start(handler: service) { _ in service.connectionClosed() }
        dispatchMain()
    }
}
