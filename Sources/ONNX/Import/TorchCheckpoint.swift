import Foundation
import ML

/// `torch.save(state_dict)` files: a zip holding `<prefix>/data.pkl` (the pickled dict) and
/// `<prefix>/data/<key>` (raw tensor storages). The pickle is read by a restricted machine
/// that builds only values: it knows a fixed list of globals (ordered dicts, tensor rebuilding,
/// Float32 storages) and refuses any other the moment the pickle names it, so no code in a
/// checkpoint ever runs.
public enum TorchCheckpoint {
    /// The only globals a checkpoint may name.
    public static let allowedGlobals: Set<String> = [
        "collections.OrderedDict",
        "torch._utils._rebuild_tensor_v2",
        "torch._utils._rebuild_parameter",
        "torch.FloatStorage",
    ]

    /// Reads the tensors of a state dict; non-tensor entries are refused.
    public static func stateDict(_ data: Data) throws -> [String: Tensor] {
        let zip = try StoredZip(data)
        guard let pickleName = zip.entries.keys.filter({ $0.hasSuffix("/data.pkl") }).min(by: { $0.count < $1.count }) else {
            throw ONNXError.checkpoint("no data.pkl in the archive (not a torch.save file)")
        }
        let prefix = String(pickleName.dropLast("data.pkl".count))
        var machine = Unpickler(bytes: Array(zip.data(pickleName)!)) { key in
            guard let bytes = zip.data(prefix + "data/" + key) else { throw ONNXError.checkpoint("storage \(key) is missing from the archive") }
            return bytes
        }
        let root = try machine.run()
        guard case .dict(let items) = root else { throw ONNXError.checkpoint("the pickle holds \(root.kind), not a state dict") }
        var state = [String: Tensor]()
        for (key, value) in items {
            guard case .string(let name) = key else { throw ONNXError.checkpoint("a state dict key is \(key.kind), not a string") }
            guard case .tensor(let t) = value else { throw ONNXError.checkpoint("\(name) is \(value.kind), not a tensor") }
            state[name] = t
        }
        return state
    }
}

/// What the restricted unpickler can build.
indirect enum PickleValue {
    case none, mark
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    case bytes([UInt8])
    case tuple([PickleValue])
    case list([PickleValue])
    case dict([(PickleValue, PickleValue)])
    case global(String)
    case storage(type: String, key: String)
    case tensor(Tensor)

    var kind: String {
        switch self {
        case .none: return "None"
        case .mark: return "a mark"
        case .bool: return "a bool"
        case .int: return "an int"
        case .float: return "a float"
        case .string: return "a string"
        case .bytes: return "bytes"
        case .tuple: return "a tuple"
        case .list: return "a list"
        case .dict: return "a dict"
        case .global(let g): return "the global \(g)"
        case .storage: return "a storage"
        case .tensor: return "a tensor"
        }
    }

    var int: Int? { if case .int(let v) = self { return Int(exactly: v) } else { return nil } }
    var items: [PickleValue]? {
        switch self { case .tuple(let v), .list(let v): return v; default: return nil }
    }
}

/// A pickle machine (protocols 2–5) for the opcodes `torch.save` uses; REDUCE and BUILD act
/// only on the allowed globals, and every other opcode that could run code (INST, OBJ, NEWOBJ,
/// EXT*, PERSID text form) is refused.
struct Unpickler {
    let bytes: [UInt8]
    let storage: (String) throws -> ArraySlice<UInt8>
    var position = 0
    var stack = [PickleValue]()
    var marks = [Int]()
    var memo = [Int: PickleValue]()

    init(bytes: [UInt8], storage: @escaping (String) throws -> ArraySlice<UInt8>) {
        self.bytes = bytes
        self.storage = storage
    }

    mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, position + n <= bytes.count else { throw ONNXError.checkpoint("pickle is truncated at byte \(position)") }
        defer { position += n }
        return bytes[position..<(position + n)]
    }

    mutating func uint(_ n: Int) throws -> UInt64 {
        var v: UInt64 = 0
        for (i, b) in try take(n).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return v
    }

    mutating func line() throws -> String {
        guard let end = bytes[position...].firstIndex(of: 0x0a) else { throw ONNXError.checkpoint("pickle is truncated in a text field") }
        defer { position = end + 1 }
        return String(decoding: bytes[position..<end], as: UTF8.self)
    }

    mutating func pop() throws -> PickleValue {
        guard let v = stack.popLast() else { throw ONNXError.checkpoint("pickle stack underflow at byte \(position)") }
        return v
    }

    mutating func popMark() throws -> [PickleValue] {
        guard let m = marks.popLast(), m <= stack.count else { throw ONNXError.checkpoint("pickle mark missing at byte \(position)") }
        defer { stack.removeSubrange(m...) }
        return Array(stack[m...])
    }

    func global(_ module: String, _ name: String) throws -> PickleValue {
        let full = "\(module).\(name)"
        guard TorchCheckpoint.allowedGlobals.contains(full) else {
            throw ONNXError.checkpoint("the pickle names the global \(full), which is not allowed (allowed: \(TorchCheckpoint.allowedGlobals.sorted().joined(separator: ", ")))")
        }
        return .global(full)
    }

    mutating func run() throws -> PickleValue {
        while true {
            let op = try take(1).first!
            switch op {
            case 0x80: _ = try take(1)                                     // PROTO
            case 0x95: _ = try take(8)                                     // FRAME
            case 0x2e: return try pop()                                    // STOP
            case 0x28: marks.append(stack.count)                           // MARK
            case 0x4e: stack.append(.none)                                 // NONE
            case 0x88: stack.append(.bool(true))                           // NEWTRUE
            case 0x89: stack.append(.bool(false))                          // NEWFALSE
            case 0x4a: stack.append(.int(Int64(Int32(truncatingIfNeeded: try uint(4)))))  // BININT
            case 0x4b: stack.append(.int(Int64(try uint(1))))              // BININT1
            case 0x4d: stack.append(.int(Int64(try uint(2))))              // BININT2
            case 0x8a:                                                     // LONG1
                let n = Int(try uint(1))
                guard n <= 8 else { throw ONNXError.checkpoint("integer of \(n) bytes") }
                let raw = try take(n)
                var v: Int64 = 0
                for (i, b) in raw.enumerated() { v |= Int64(b) << (8 * Int64(i)) }
                if n > 0, n < 8, raw.last! & 0x80 != 0 { v -= Int64(1) << (8 * Int64(n)) }
                stack.append(.int(v))
            case 0x47: stack.append(.float(Double(bitPattern: UInt64(bigEndian: try takeUInt64()))))  // BINFLOAT
            case 0x58: stack.append(.string(String(decoding: try take(Int(try uint(4))), as: UTF8.self)))  // BINUNICODE
            case 0x8c: stack.append(.string(String(decoding: try take(Int(try uint(1))), as: UTF8.self)))  // SHORT_BINUNICODE
            case 0x8d: stack.append(.string(String(decoding: try take(Int(clamping: try uint(8))), as: UTF8.self)))  // BINUNICODE8
            case 0x42: stack.append(.bytes(Array(try take(Int(try uint(4))))))   // BINBYTES
            case 0x43: stack.append(.bytes(Array(try take(Int(try uint(1))))))   // SHORT_BINBYTES
            case 0x54: stack.append(.string(String(decoding: try take(Int(try uint(4))), as: UTF8.self)))  // BINSTRING
            case 0x55: stack.append(.string(String(decoding: try take(Int(try uint(1))), as: UTF8.self)))  // SHORT_BINSTRING
            case 0x29: stack.append(.tuple([]))                            // EMPTY_TUPLE
            case 0x85: stack.append(.tuple([try pop()]))                   // TUPLE1
            case 0x86: let b = try pop(), a = try pop(); stack.append(.tuple([a, b]))  // TUPLE2
            case 0x87: let c = try pop(), b = try pop(), a = try pop(); stack.append(.tuple([a, b, c]))  // TUPLE3
            case 0x74: stack.append(.tuple(try popMark()))                 // TUPLE
            case 0x5d: stack.append(.list([]))                             // EMPTY_LIST
            case 0x6c: stack.append(.list(try popMark()))                  // LIST
            case 0x7d: stack.append(.dict([]))                             // EMPTY_DICT
            case 0x64: stack.append(.dict(try pairs(try popMark())))       // DICT
            case 0x61:                                                     // APPEND
                let v = try pop()
                try modifyTop { if case .list(var l) = $0 { l.append(v); $0 = .list(l) } else { throw ONNXError.checkpoint("APPEND to \($0.kind)") } }
            case 0x65:                                                     // APPENDS
                let vs = try popMark()
                try modifyTop { if case .list(var l) = $0 { l += vs; $0 = .list(l) } else { throw ONNXError.checkpoint("APPENDS to \($0.kind)") } }
            case 0x73:                                                     // SETITEM
                let v = try pop(), k = try pop()
                try modifyTop { if case .dict(var d) = $0 { d.append((k, v)); $0 = .dict(d) } else { throw ONNXError.checkpoint("SETITEM on \($0.kind)") } }
            case 0x75:                                                     // SETITEMS
                let kv = try pairs(try popMark())
                try modifyTop { if case .dict(var d) = $0 { d += kv; $0 = .dict(d) } else { throw ONNXError.checkpoint("SETITEMS on \($0.kind)") } }
            case 0x71: memo[Int(try uint(1))] = stack.last                 // BINPUT
            case 0x72: memo[Int(try uint(4))] = stack.last                 // LONG_BINPUT
            case 0x94: memo[memo.count] = stack.last                       // MEMOIZE
            case 0x68, 0x6a:                                               // BINGET, LONG_BINGET
                let key = Int(try uint(op == 0x68 ? 1 : 4))
                guard let v = memo[key] else { throw ONNXError.checkpoint("pickle reads memo \(key) before it is set") }
                stack.append(v)
            case 0x63:                                                     // GLOBAL
                let module = try line(), name = try line()
                stack.append(try global(module, name))
            case 0x93:                                                     // STACK_GLOBAL
                guard case .string(let name) = try pop(), case .string(let module) = try pop() else {
                    throw ONNXError.checkpoint("STACK_GLOBAL without two strings")
                }
                stack.append(try global(module, name))
            case 0x51:                                                     // BINPERSID
                stack.append(try persistent(try pop()))
            case 0x52:                                                     // REDUCE
                let args = try pop(), callable = try pop()
                stack.append(try reduce(callable, args))
            case 0x62:                                                     // BUILD: state of an OrderedDict (its _metadata) is dropped
                _ = try pop()
                guard let top = stack.last, case .dict = top else { throw ONNXError.checkpoint("BUILD on \(stack.last?.kind ?? "nothing")") }
            default:
                throw ONNXError.checkpoint(String(format: "pickle opcode 0x%02x at byte %d is not allowed", op, position - 1))
            }
        }
    }

    mutating func takeUInt64() throws -> UInt64 {
        var v: UInt64 = 0
        for (i, b) in try take(8).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return v
    }

    mutating func modifyTop(_ body: (inout PickleValue) throws -> Void) throws {
        guard !stack.isEmpty else { throw ONNXError.checkpoint("pickle stack underflow at byte \(position)") }
        try body(&stack[stack.count - 1])
    }

    func pairs(_ flat: [PickleValue]) throws -> [(PickleValue, PickleValue)] {
        guard flat.count % 2 == 0 else { throw ONNXError.checkpoint("odd number of dict items") }
        return stride(from: 0, to: flat.count, by: 2).map { (flat[$0], flat[$0 + 1]) }
    }

    /// `('storage', storage_type, key, location, numel)`.
    func persistent(_ id: PickleValue) throws -> PickleValue {
        guard let parts = id.items, parts.count >= 3, case .string("storage") = parts[0], case .global(let type) = parts[1],
              case .string(let key) = parts[2] else { throw ONNXError.checkpoint("persistent id is not a storage reference") }
        return .storage(type: type, key: key)
    }

    func reduce(_ callable: PickleValue, _ args: PickleValue) throws -> PickleValue {
        guard case .global(let name) = callable, let a = args.items else { throw ONNXError.checkpoint("REDUCE of \(callable.kind)") }
        switch name {
        case "collections.OrderedDict":
            guard a.isEmpty else { throw ONNXError.checkpoint("OrderedDict with arguments") }
            return .dict([])
        case "torch._utils._rebuild_parameter":
            guard let first = a.first, case .tensor = first else { throw ONNXError.checkpoint("_rebuild_parameter without a tensor") }
            return first
        case "torch._utils._rebuild_tensor_v2":
            guard a.count >= 4, case .storage(let type, let key) = a[0], let offset = a[1].int,
                  let size = a[2].items?.compactMap(\.int), let strides = a[3].items?.compactMap(\.int),
                  size.count == a[2].items!.count, strides.count == size.count
            else { throw ONNXError.checkpoint("_rebuild_tensor_v2 with unexpected arguments") }
            guard type == "torch.FloatStorage" else { throw ONNXError.checkpoint("tensor storage \(type): only Float32 tensors are read") }
            let raw = try storage(key)
            let elements = try checkedElementCount(size, what: "tensor")
            guard offset >= 0, size.allSatisfy({ $0 >= 0 }), strides.allSatisfy({ $0 >= 0 }) else { throw ONNXError.checkpoint("negative size or stride") }
            let reach = elements == 0 ? 0 : offset + zip(size, strides).reduce(0) { $0 + ($1.0 - 1) * $1.1 } + 1
            guard reach * 4 <= raw.count else { throw ONNXError.checkpoint("tensor reaches past its storage \(key)") }
            let base = raw.startIndex
            func float(_ i: Int) -> Float {
                let p = base + 4 * i
                return Float(bitPattern: UInt32(raw[p]) | UInt32(raw[p + 1]) << 8 | UInt32(raw[p + 2]) << 16 | UInt32(raw[p + 3]) << 24)
            }
            let outStrides = ONNXTensor.strides(size)
            let values = (0..<elements).map { i -> Float in
                var rest = i, s = offset
                for d in 0..<size.count { s += (rest / outStrides[d]) * strides[d]; rest %= outStrides[d] }
                return float(s)
            }
            return .tensor(Tensor(shape: size, scalars: values))
        default:
            throw ONNXError.checkpoint("the pickle calls \(name), which is not allowed")
        }
    }
}
