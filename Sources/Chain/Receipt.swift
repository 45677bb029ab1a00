import Primitives
import RLP

/// The consensus receipt of one transaction (EIP-658 status form): outcome, gas used by the
/// block up to and including it, its logs and their bloom. Receipts of typed transactions are
/// encoded `type || rlp(fields)` (EIP-2718), legacy ones as the bare list.
public struct Receipt: Hashable, Sendable {
    public var type: TransactionType
    /// true: the transaction ran to completion; false: it reverted or ran out of gas.
    public var succeeded: Bool
    public var cumulativeGasUsed: UInt64
    public var logsBloom: Bloom
    public var logs: [Log]

    /// A receipt whose bloom is computed from `logs`.
    public init(type: TransactionType, succeeded: Bool, cumulativeGasUsed: UInt64, logs: [Log]) {
        self.init(type: type, succeeded: succeeded, cumulativeGasUsed: cumulativeGasUsed,
                  logsBloom: Bloom(logs: logs), logs: logs)
    }

    /// A receipt with the bloom as given (decoding keeps what the bytes say).
    public init(type: TransactionType, succeeded: Bool, cumulativeGasUsed: UInt64, logsBloom: Bloom, logs: [Log]) {
        self.type = type; self.succeeded = succeeded; self.cumulativeGasUsed = cumulativeGasUsed
        self.logsBloom = logsBloom; self.logs = logs
    }

    /// The consensus encoding: the leaf value in the receipts trie.
    public var encoded: [UInt8] {
        let list = RLP.encode(list: [RLP.encode(bytes: succeeded ? [1] : []), RLP.encode(uint: cumulativeGasUsed),
                                     RLP.encode(bytes: logsBloom.bytes), RLP.encode(list: logs.map(\.encoded))])
        return type == .legacy ? list : [type.rawValue] + list
    }

    /// How a receipt sits in a list of receipts: legacy as its list, typed ones as a byte
    /// string holding the envelope (as transactions do in a block body).
    public var listItemEncoding: [UInt8] {
        type == .legacy ? encoded : RLP.encode(bytes: encoded)
    }

    /// Decodes the consensus encoding strictly.
    public init<C: Collection>(encoded bytes: C) throws(BlockDecodingError) where C.Element == UInt8 {
        let input = Array(bytes)
        guard let first = input.first else { throw .malformedRLP(.empty) }
        var type = TransactionType.legacy
        var body = input[...]
        if first <= 0x7f {
            guard let typed = TransactionType(rawValue: first), typed != .legacy else { throw .unknownReceiptType(first) }
            type = typed
            body = input.dropFirst()
        }
        let item: RLPItem
        do {
            item = try RLP.decode(body)
        } catch {
            throw .malformedRLP(error)
        }
        guard case .list(let f) = item else { throw .notAList(what: "receipt") }
        guard f.count == 4 else { throw .wrongFieldCount(what: "receipt", expected: 4, got: f.count) }
        let status = try BlockFieldReader.bytes(f[0], .status)
        guard status.isEmpty || status == [1] else { throw .invalidStatus }
        var logs = [Log]()
        for logItem in try BlockFieldReader.list(f[3], .logs) { logs.append(try Log(item: logItem)) }
        let bloomBytes = try BlockFieldReader.fixed(f[2], .logsBloom, count: Bloom.byteCount)
        self.init(type: type, succeeded: status == [1],
                  cumulativeGasUsed: try BlockFieldReader.uint64(f[1], .cumulativeGasUsed),
                  logsBloom: (try? Bloom(bytes: bloomBytes)) ?? Bloom(), logs: logs)
    }

    /// Decodes one item of a receipt list (see `listItemEncoding`).
    public init(listItem item: RLPItem) throws(BlockDecodingError) {
        switch item {
        case .list:
            try self.init(encoded: RLP.encode(item))
        case .bytes(let envelope):
            guard let first = envelope.first, first <= 0x7f else { throw .notAList(what: "receipt") }
            try self.init(encoded: envelope)
        }
    }

    /// A list of receipts as one RLP list (how a block's receipts are stored).
    public static func encodeList(_ receipts: [Receipt]) -> [UInt8] {
        RLP.encode(list: receipts.map(\.listItemEncoding))
    }

    public static func decodeList(_ bytes: [UInt8]) throws(BlockDecodingError) -> [Receipt] {
        let item: RLPItem
        do {
            item = try RLP.decode(bytes)
        } catch {
            throw .malformedRLP(error)
        }
        guard case .list(let items) = item else { throw .notAList(what: "receipt list") }
        var receipts = [Receipt]()
        receipts.reserveCapacity(items.count)
        for receiptItem in items { receipts.append(try Receipt(listItem: receiptItem)) }
        return receipts
    }
}
