import ArgumentParser
import Foundation

/// `lazywheel`: read Python wheels lazily over HTTP, from the command line or as a JSON-RPC service.
@main
struct LazyWheelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lazywheel",
        abstract: "Read Python wheels lazily over HTTP: metadata, listings and members with a few range requests.",
        version: "0.1.0",
        subcommands: [
            ServeCommand.self, MetadataCommand.self, ListCommand.self, CatCommand.self, ResolveCommand.self,
        ]
    )
}
