import EVM
import Primitives
import RPC

/// Which tracer a debug_traceTransaction / debug_traceCall request asked for.
public enum TraceFormat: Equatable, Sendable {
    /// geth's default opcode logger (no `tracer` field).
    case structLogger(StructLogger.Config)
    /// `"tracer": "callTracer"`.
    case callTracer(CallTracer.Config)
}

/// The tracing options object of debug_traceTransaction / debug_traceCall, as geth reads it:
/// `{"tracer": "callTracer", "tracerConfig": {"onlyTopCall": true}}` or, for the struct
/// logger, `{"disableStack": true, "enableMemory": true, "limit": 100, ...}` at the top level.
public struct TraceOptions: Equatable, Sendable {
    public var format: TraceFormat

    public init(format: TraceFormat = .structLogger(StructLogger.Config())) { self.format = format }

    /// Parses the options parameter (absent or null: the struct logger with defaults). Unknown
    /// tracer names and ill-typed fields throw -32602 naming the field; `timeout` and `reexec`
    /// are accepted and ignored (MLedger keeps every block's state and traces without a clock).
    public init(json: JSONValue?) throws(RPCError) {
        guard let json, !json.isNull else { self.init(); return }
        guard case .object(let fields) = json else {
            throw RPCError.invalidParams("tracer options: expected object, got \(json.typeName)")
        }
        for key in ["stateOverrides", "blockOverrides"] where !(fields[key]?.isNull ?? true) {
            throw RPCError.invalidParams("\(key): not supported by MLedger")
        }
        if let timeout = fields["timeout"], !timeout.isNull, timeout.stringValue == nil {
            throw RPCError.invalidParams("timeout: expected string, got \(timeout.typeName)")
        }
        let name: String?
        switch fields["tracer"] {
        case nil, .null?: name = nil
        case .string(let text)?: name = text.isEmpty ? nil : text
        case let other?: throw RPCError.invalidParams("tracer: expected string, got \(other.typeName)")
        }
        switch name {
        case nil:
            var config = StructLogger.Config()
            config.disableStack = try TraceOptions.flag(fields, "disableStack")
            config.disableStorage = try TraceOptions.flag(fields, "disableStorage")
            config.enableMemory = try TraceOptions.flag(fields, "enableMemory")
            config.enableReturnData = try TraceOptions.flag(fields, "enableReturnData")
            config.limit = try TraceOptions.count(fields, "limit")
            self.init(format: .structLogger(config))
        case "callTracer"?:
            var config = CallTracer.Config()
            switch fields["tracerConfig"] {
            case nil, .null?: break
            case .object(let settings)?:
                config.onlyTopCall = try TraceOptions.flag(settings, "onlyTopCall", prefix: "tracerConfig.")
                if try TraceOptions.flag(settings, "withLog", prefix: "tracerConfig.") {
                    throw RPCError.invalidParams("tracerConfig.withLog: logs in call traces are not supported by MLedger")
                }
            case let other?:
                throw RPCError.invalidParams("tracerConfig: expected object, got \(other.typeName)")
            }
            self.init(format: .callTracer(config))
        case let other?:
            throw RPCError.invalidParams("tracer: unknown tracer \"\(other)\" (MLedger has the struct logger and callTracer)")
        }
    }

    /// A fresh tracer for one transaction: set it as `EVM.tracer`, run the transaction, then
    /// hand it to `TraceJSON.result(of:)`.
    public func makeTracer() -> any ExecutionTracer {
        switch format {
        case .structLogger(let config): return StructLogger(config: config)
        case .callTracer(let config): return CallTracer(config: config)
        }
    }

    static func flag(_ fields: [String: JSONValue], _ key: String, prefix: String = "") throws(RPCError) -> Bool {
        switch fields[key] {
        case nil, .null?: return false
        case .bool(let value)?: return value
        case let other?: throw RPCError.invalidParams("\(prefix)\(key): expected boolean, got \(other.typeName)")
        }
    }

    static func count(_ fields: [String: JSONValue], _ key: String) throws(RPCError) -> Int {
        if let value = fields[key]?.intValue, (0...Int(Int32.max)).contains(value) { return value }
        switch fields[key] {
        case nil, .null?: return 0
        case let other?: throw RPCError.invalidParams("\(key): expected a non-negative integer, got \(other.serialized)")
        }
    }
}

/// Trace results in geth's JSON shapes.
public enum TraceJSON {
    /// The JSON of a tracer made by `TraceOptions.makeTracer()` after its transaction ran.
    /// Throws -32603 when the tracer saw no complete transaction (it was never attached, or
    /// the transaction was rejected before execution).
    public static func result(of tracer: any ExecutionTracer) throws(RPCError) -> JSONValue {
        if let logger = tracer as? StructLogger {
            guard let result = logger.result else { throw RPCError.internalError("trace: transaction did not run") }
            return structLogs(result)
        }
        if let calls = tracer as? CallTracer {
            guard let result = calls.result else { throw RPCError.internalError("trace: transaction did not run") }
            return callFrame(result)
        }
        throw RPCError.internalError("trace: unknown tracer type")
    }

    /// `{"gas", "failed", "returnValue" (hex without 0x), "structLogs": [...]}`.
    public static func structLogs(_ result: StructLoggerResult) -> JSONValue {
        .object([
            "gas": integer(result.gas),
            "failed": .bool(result.failed),
            "returnValue": .string(Hex.encode(result.returnValue, prefix: false)),
            "structLogs": .array(result.logs.map(structLog)),
        ])
    }

    /// One step: pc, op, gas, gasCost, depth (1-based), then the optional parts geth omits
    /// when off or empty (stack and memory as arrays, storage at SLOAD/SSTORE only).
    public static func structLog(_ log: StructLog) -> JSONValue {
        var fields: [String: JSONValue] = [
            "pc": .integer(Int64(log.pc)),
            "op": .string(log.op),
            "gas": integer(log.gas),
            "gasCost": integer(log.gasCost),
            "depth": .integer(Int64(log.depth)),
        ]
        if let stack = log.stack { fields["stack"] = .array(stack.map { .string($0.quantityHex) }) }
        if let memory = log.memory {
            // 32-byte words, hex without 0x.
            fields["memory"] = .array(stride(from: 0, to: memory.count - memory.count % 32, by: 32).map {
                .string(Hex.encode(memory[$0..<($0 + 32)], prefix: false))
            })
        }
        if let storage = log.storage {
            var slots: [String: JSONValue] = [:]
            for (key, value) in storage {
                slots[Hex.encode(key.bigEndianBytes, prefix: false)] = .string(Hex.encode(value.bigEndianBytes, prefix: false))
            }
            fields["storage"] = .object(slots)
        }
        if let data = log.returnData, !data.isEmpty { fields["returnData"] = .string(Hex.encode(data)) }
        if log.refund > 0 { fields["refund"] = integer(log.refund) }
        if let error = log.error { fields["error"] = .string(error) }
        return .object(fields)
    }

    /// `{"type", "from", "to", "value", "gas", "gasUsed", "input", "output", "error",
    /// "revertReason", "calls"}` with quantities as 0x-hex; absent parts are left out.
    public static func callFrame(_ call: TracedCall) -> JSONValue {
        var fields: [String: JSONValue] = [
            "type": .string(call.kind.name),
            "from": .string(call.from.description),
            "gas": .string("0x" + String(call.gas, radix: 16)),
            "gasUsed": .string("0x" + String(call.gasUsed, radix: 16)),
            "input": .string(Hex.encode(call.input)),
        ]
        if let to = call.to { fields["to"] = .string(to.description) }
        if let value = call.value { fields["value"] = .string(value.quantityHex) }
        if let output = call.output { fields["output"] = .string(Hex.encode(output)) }
        if let error = call.error { fields["error"] = .string(error) }
        if call.error == TraceError.halted(.reverted).message, let output = call.output,
           let reason = NodeStateBackend.revertReason(output) {
            fields["revertReason"] = .string(reason)
        }
        if !call.calls.isEmpty { fields["calls"] = .array(call.calls.map(callFrame)) }
        return .object(fields)
    }

    /// Gas and costs as plain JSON numbers, exactly (geth prints them as integers too).
    static func integer(_ value: UInt64) -> JSONValue { .number(JSONNumber(value)) }
}
