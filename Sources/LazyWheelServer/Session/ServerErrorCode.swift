import Foundation
import HTTPRange
import JSONRPC
import LazyWheelCore
import LazyZip
import PackageIndex
import PackagingStandards
import Resolver
import WorkScheduling

/// The server-defined JSON-RPC error codes of `lazywheel serve` (JSON-RPC 2.0 reserves
/// -32099…-32000 for them; LSP uses -32002 and -32800…-32803). Documented in protocol/PROTOCOL.md.
public enum ServerErrorCode {
    /// The `handle` is not open in this session (never opened, or closed).
    public static let unknownHandle = ErrorCode(rawValue: -32010)
    /// The server does not honour byte ranges for this file (it sent the whole large file).
    public static let rangeUnsupported = ErrorCode(rawValue: -32020)
    /// The server answered with an HTTP status that is not a usable answer (404, 403, …).
    public static let httpError = ErrorCode(rawValue: -32021)
    /// The connection failed, timed out, or kept failing after retries.
    public static let networkError = ErrorCode(rawValue: -32022)
    /// The file changed between two requests (ETag/Last-Modified/size); reopen the wheel.
    public static let fileChanged = ErrorCode(rawValue: -32023)
    /// The server broke the range protocol (lying Content-Range, short body, content coding).
    public static let badRangeResponse = ErrorCode(rawValue: -32024)
    /// The file is not a readable wheel (corrupt ZIP, CRC mismatch, zip bomb, no METADATA).
    public static let badWheel = ErrorCode(rawValue: -32030)
    /// The member named is not in the wheel.
    public static let memberNotFound = ErrorCode(rawValue: -32031)
    /// The location is not an allowed http(s)/file URL.
    public static let invalidLocation = ErrorCode(rawValue: -32040)
    /// A local file could not be read.
    public static let fileError = ErrorCode(rawValue: -32041)
    /// No package index is configured.
    public static let indexNotConfigured = ErrorCode(rawValue: -32050)
    /// The project, or a version or wheel matching the request, was not found on the index.
    public static let projectNotFound = ErrorCode(rawValue: -32051)
    /// The metadata needs a build (sdist without static metadata).
    public static let metadataNeedsBuild = ErrorCode(rawValue: -32052)
    /// The requirements have no solution; `data` explains why.
    public static let resolutionImpossible = ErrorCode(rawValue: -32060)
    /// A size limit of the session was exceeded (readRange length, member size).
    public static let limitExceeded = ErrorCode(rawValue: -32070)
}

/// Maps the typed errors of every module to one JSON-RPC error, once, at the edge of the server.
public protocol ResponseErrorConvertible: Error {
    var responseError: ResponseError { get }
}

extension ResponseError {
    /// The JSON-RPC error for any error thrown while handling a request.
    public init(mapping error: any Error) {
        switch error {
        case let error as ResponseError:
            self = error
        case let error as any ResponseErrorConvertible:
            self = error.responseError
        case is OperationCancelled:
            self = .cancelled
        case let error as WheelLocationError:
            self.init(code: ServerErrorCode.invalidLocation, message: error.description)
        case let error as WheelMemberError:
            self.init(code: ServerErrorCode.memberNotFound, message: error.description)
        case let error as ZipError:
            if case .entryNotFound = error {
                self.init(code: ServerErrorCode.memberNotFound, message: error.description)
            } else {
                self.init(code: ServerErrorCode.badWheel, message: error.description)
            }
        case let error as LazyFileError:
            self.init(code: ServerErrorCode.badWheel, message: error.description)
        case let error as FileByteSourceError:
            self.init(code: ServerErrorCode.fileError, message: error.description)
        case let error as HTTPRangeError:
            self.init(code: Self.code(for: error), message: error.description, data: Self.data(for: error))
        case let error as HTTPClientError:
            switch error {
            case .unsupportedScheme, .redirectToUnsupportedScheme:
                self.init(code: ServerErrorCode.invalidLocation, message: error.description)
            case .answerTooLarge:
                self.init(code: ServerErrorCode.limitExceeded, message: error.description)
            case let .serverUnavailable(_, status, _), let .authenticationRequired(_, status, _),
                 let .retryAfterTooLong(_, status, _, _):
                self.init(code: ServerErrorCode.httpError, message: error.description, data: ["status": .int(status)])
            default:
                self.init(code: ServerErrorCode.networkError, message: error.description)
            }
        case let error as IndexConfigurationError:
            if case .noIndexConfigured = error {
                self.init(code: ServerErrorCode.indexNotConfigured, message: error.description)
            } else {
                self.init(code: .invalidParams, message: error.description)
            }
        case let error as IndexClientError:
            self.init(code: ServerErrorCode.projectNotFound, message: error.description)
        case let error as ProjectLookupError:
            self.init(code: ServerErrorCode.projectNotFound, message: error.description)
        case let error as SdistMetadataError:
            if case .needsBuild = error {
                self.init(code: ServerErrorCode.metadataNeedsBuild, message: error.description)
            } else {
                self.init(code: ServerErrorCode.badWheel, message: error.description)
            }
        case let error as MetadataFetchError:
            if case let .unexpectedStatus(_, status) = error {
                self.init(code: ServerErrorCode.httpError, message: error.description, data: ["status": .int(status)])
            } else {
                self.init(code: ServerErrorCode.badWheel, message: error.description)
            }
        case let error as SimpleIndexError:
            if case .tooManyFiles = error {
                self.init(code: ServerErrorCode.limitExceeded, message: error.description)
            } else {
                self.init(code: ServerErrorCode.badRangeResponse, message: error.description)
            }
        case let error as ResolutionError:
            if case let .noSolution(report) = error {
                self.init(
                    code: ServerErrorCode.resolutionImpossible, message: report.message,
                    data: try? JSONValue(encoding: report))
            } else {
                self.init(code: ServerErrorCode.resolutionImpossible, message: error.description)
            }
        case let error as RequirementsFileError:
            self.init(code: .invalidParams, message: error.description)
        case let error as ResolutionInputError:
            self.init(code: .invalidParams, message: error.description)
        case let error as SpecifierError:
            self.init(code: .invalidParams, message: error.description)
        case let error as TargetPlatformError:
            self.init(code: .invalidParams, message: error.description)
        default:
            self.init(code: .internalError, message: "internal error: \(error)")
        }
    }

    private static func code(for error: HTTPRangeError) -> ErrorCode {
        switch error {
        case .rangeIgnored, .fileTooLarge: ServerErrorCode.rangeUnsupported
        case .fileChanged: ServerErrorCode.fileChanged
        case .unexpectedStatus: ServerErrorCode.httpError
        case .emptyFile, .outOfBounds, .rangeNotSatisfiable: ServerErrorCode.badWheel
        case .invalidContentRange, .wrongBodyLength, .contentEncoded, .unknownLength: ServerErrorCode.badRangeResponse
        }
    }

    private static func data(for error: HTTPRangeError) -> JSONValue? {
        if case let .unexpectedStatus(_, status) = error { return ["status": .int(status)] }
        return nil
    }
}
