import Primitives
import RLP

/// Names a field of a header, body, receipt, log or withdrawal in decoding errors.
public enum BlockField: String, Sendable {
    case parentHash, ommersHash, coinbase, stateRoot, transactionsRoot, receiptsRoot, logsBloom
    case difficulty, number, gasLimit, gasUsed, timestamp, extraData, mixHash, nonce, baseFeePerGas
    case withdrawalsRoot, blobGasUsed, excessBlobGas, parentBeaconBlockRoot
    case transactions, ommers, withdrawals
    case status, cumulativeGasUsed, logs, logAddress, topics, logData
    case withdrawalIndex, validatorIndex, withdrawalAddress, withdrawalAmount
}

/// Why bytes are not a canonical header, block body, block, receipt or withdrawal.
public enum BlockDecodingError: Error, Equatable, CustomStringConvertible {
    case malformedRLP(RLPError)
    case notAList(what: String)
    /// Headers have 15 (Frontier..Berlin), 16 (London), 17 (Shanghai) or 20 (Cancun) fields.
    case wrongHeaderFieldCount(Int)
    case wrongFieldCount(what: String, expected: Int, got: Int)
    case fieldIsList(BlockField)
    case fieldIsNotList(BlockField)
    case wrongLength(BlockField, expected: Int, got: Int)
    case integerLeadingZero(BlockField)
    case integerTooLarge(BlockField, maxBytes: Int)
    /// A withdrawals list appears exactly when the header has a withdrawals root (EIP-4895).
    case withdrawalsPresenceMismatch
    case invalidTransaction(index: Int, TransactionError)
    case invalidOmmer(index: Int)
    /// Receipt status is empty (failure) or the single byte 0x01 (success), EIP-658.
    case invalidStatus
    case unknownReceiptType(UInt8)

    public var description: String {
        switch self {
        case .malformedRLP(let error): return "block: \(error)"
        case .notAList(let what): return "block: \(what) must be an RLP list"
        case .wrongHeaderFieldCount(let n): return "block: header has \(n) fields, expected 15, 16, 17 or 20"
        case let .wrongFieldCount(what, expected, got): return "block: \(what) has \(got) fields, expected \(expected)"
        case .fieldIsList(let f): return "block: field \(f.rawValue) must be a byte string, not a list"
        case .fieldIsNotList(let f): return "block: field \(f.rawValue) must be a list"
        case let .wrongLength(f, expected, got): return "block: field \(f.rawValue) has \(got) bytes, expected \(expected)"
        case .integerLeadingZero(let f): return "block: integer \(f.rawValue) has a leading zero byte"
        case let .integerTooLarge(f, max): return "block: integer \(f.rawValue) exceeds \(max) bytes"
        case .withdrawalsPresenceMismatch: return "block: withdrawals list and header withdrawals root disagree"
        case let .invalidTransaction(index, error): return "block: transaction \(index): \(error)"
        case .invalidOmmer(let index): return "block: ommer header \(index) is malformed"
        case .invalidStatus: return "receipt: status must be empty or 0x01"
        case .unknownReceiptType(let type): return "receipt: unknown type 0x\(String(type, radix: 16))"
        }
    }
}

/// Typed reads of RLP items for the block decoders: each failure names its field.
enum BlockFieldReader {
    static func bytes(_ item: RLPItem, _ field: BlockField) throws(BlockDecodingError) -> [UInt8] {
        guard case .bytes(let b) = item else { throw .fieldIsList(field) }
        return b
    }

    static func list(_ item: RLPItem, _ field: BlockField) throws(BlockDecodingError) -> [RLPItem] {
        guard case .list(let items) = item else { throw .fieldIsNotList(field) }
        return items
    }

    static func fixed(_ item: RLPItem, _ field: BlockField, count: Int) throws(BlockDecodingError) -> [UInt8] {
        let b = try bytes(item, field)
        guard b.count == count else { throw .wrongLength(field, expected: count, got: b.count) }
        return b
    }

    static func hash(_ item: RLPItem, _ field: BlockField) throws(BlockDecodingError) -> Hash32 {
        let b = try fixed(item, field, count: 32)
        return (try? Hash32(bytes: b)) ?? .zero  // 32 bytes checked above
    }

    static func address(_ item: RLPItem, _ field: BlockField) throws(BlockDecodingError) -> Address {
        let b = try fixed(item, field, count: 20)
        return (try? Address(bytes: b)) ?? .zero  // 20 bytes checked above
    }

    static func uint256(_ item: RLPItem, _ field: BlockField) throws(BlockDecodingError) -> UInt256 {
        let b = try bytes(item, field)
        guard b.count <= 32 else { throw .integerTooLarge(field, maxBytes: 32) }
        if let first = b.first, first == 0 { throw .integerLeadingZero(field) }
        return (try? UInt256(bigEndian: b)) ?? .zero  // at most 32 bytes checked above
    }

    static func uint64(_ item: RLPItem, _ field: BlockField) throws(BlockDecodingError) -> UInt64 {
        let b = try bytes(item, field)
        guard b.count <= 8 else { throw .integerTooLarge(field, maxBytes: 8) }
        if let first = b.first, first == 0 { throw .integerLeadingZero(field) }
        return b.reduce(0) { $0 << 8 | UInt64($1) }
    }
}
