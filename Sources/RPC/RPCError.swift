/// A JSON-RPC 2.0 error object. Codes follow the JSON-RPC 2.0 specification (-32700 ...
/// -32603) and the codes Ethereum clients expect (-32000 for rejected transactions, 3 for
/// reverted calls with the revert data).
public struct RPCError: Error, Equatable, Sendable, CustomStringConvertible {
    public var code: Int
    public var message: String
    public var data: JSONValue?

    public init(code: Int, message: String, data: JSONValue? = nil) {
        self.code = code; self.message = message; self.data = data
    }

    public var description: String { "\(code): \(message)" }

    public var json: JSONValue {
        var fields: [String: JSONValue] = ["code": .integer(Int64(code)), "message": .string(message)]
        if let data { fields["data"] = data }
        return .object(fields)
    }

    public static let parseErrorCode = -32700
    public static let invalidRequestCode = -32600
    public static let methodNotFoundCode = -32601
    public static let invalidParamsCode = -32602
    public static let internalErrorCode = -32603
    /// Server-defined: rejected transactions, missing blocks, limits (as other Ethereum nodes).
    public static let serverErrorCode = -32000

    public static func parseError(_ detail: String) -> RPCError {
        RPCError(code: parseErrorCode, message: "parse error: \(detail)")
    }

    public static func invalidRequest(_ detail: String) -> RPCError {
        RPCError(code: invalidRequestCode, message: "invalid request: \(detail)")
    }

    public static func methodNotFound(_ method: String) -> RPCError {
        RPCError(code: methodNotFoundCode, message: "the method \(method) does not exist/is not available")
    }

    public static func invalidParams(_ detail: String) -> RPCError {
        RPCError(code: invalidParamsCode, message: "invalid params: \(detail)")
    }

    public static func internalError(_ detail: String) -> RPCError {
        RPCError(code: internalErrorCode, message: "internal error: \(detail)")
    }

    public static func server(_ message: String) -> RPCError {
        RPCError(code: serverErrorCode, message: message)
    }

    /// A state method on a dispatcher built without a state backend (chain-only tests).
    public static func stateUnavailable(_ method: String) -> RPCError {
        RPCError(code: methodNotFoundCode, message: "\(method) not available: this server has no state backend")
    }

    /// A call that reverted (code 3 with the revert data, as Ethereum clients expect).
    public static func reverted(data: [UInt8], reason: String?) -> RPCError {
        RPCError(code: 3, message: reason.map { "execution reverted: \($0)" } ?? "execution reverted",
                 data: .string(Hex.encode(data)))
    }
}

import Primitives
