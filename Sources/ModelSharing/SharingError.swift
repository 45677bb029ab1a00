import Primitives
import Foundation
import Hummingbird
import LedgerClient
import NIOCore
import Registry
import RPC
import Verification

/// Why a model-sharing request failed: one HTTP status and a JSON body `{"error": ...}` each,
/// with `field` naming the offending field for 422s.
public enum SharingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// 422: a field of the body, the metadata part or the query is missing or invalid.
    case invalidField(String, reason: String)
    /// 422: the body as a whole is unusable (not JSON, not multipart, a missing part).
    case invalidBody(String)
    /// 415: neither JSON nor multipart/form-data.
    case unsupportedMediaType(String)
    /// 413: larger than the configured limit.
    case payloadTooLarge(String)
    /// 404: no such id (or one of another company).
    case notFound(String)
    /// 403: the caller's token may not do this (another organization named in the body).
    case forbidden(String)
    /// 409: the record is not in a state that allows the request (a finalized model).
    case conflict(String)
    /// 409: the stored bytes do not match what the chain anchors; nothing is served.
    case integrity(String)
    /// 400: the client went away or sent a truncated body.
    case incompleteUpload(String)
    /// Anything the Verification layer (company accounts, contracts) reported.
    case verification(VerificationError)
    /// 500: a local failure (store, registry).
    case internalFailure(String)

    public var status: HTTPResponse.Status {
        switch self {
        case .invalidField, .invalidBody: return .unprocessableContent
        case .unsupportedMediaType: return .unsupportedMediaType
        case .payloadTooLarge: return .contentTooLarge
        case .notFound: return .notFound
        case .forbidden: return .forbidden
        case .conflict, .integrity: return .conflict
        case .incompleteUpload: return .badRequest
        case .verification(let error): return error.status
        case .internalFailure: return .internalServerError
        }
    }

    public var description: String {
        switch self {
        case let .invalidField(field, reason): return "\(field): \(reason)"
        case .invalidBody(let why): return "invalid body: \(why)"
        case .unsupportedMediaType(let why): return why
        case .payloadTooLarge(let why): return "too large: \(why)"
        case .notFound(let what): return what
        case .forbidden(let why): return "forbidden: \(why)"
        case .conflict(let what): return what
        case .integrity(let what): return "integrity: \(what)"
        case .incompleteUpload(let why): return "incomplete upload: \(why)"
        case .verification(let error): return error.description
        case .internalFailure(let what): return "internal error: \(what)"
        }
    }

    public var body: JSONValue {
        switch self {
        case let .invalidField(field, reason):
            return .object(["error": .string("\(field): \(reason)"), "field": .string(field)])
        case .integrity(let detail):
            return .object(["error": .string("integrity"), "detail": .string(detail)])
        case .verification(let error):
            return error.body
        default:
            return .object(["error": .string(description)])
        }
    }

    var response: Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: ResponseBody(byteBuffer: ByteBuffer(string: body.serialized)))
    }

    /// Maps errors of the layers below onto the API's.
    static func from(_ error: any Error) -> SharingError {
        switch error {
        case let error as SharingError: return error
        case let error as RegistryError:
            switch error {
            case .notFound(let what): return .notFound(what)
            case .conflict(let what): return .conflict(what)
            case .corrupt(let what): return .internalFailure(what)
            }
        default: return .verification(VerificationService.verificationError(error))
        }
    }
}
