import Primitives

/// A log with its position in the chain, as `eth_getLogs` and subscriptions report it.
public struct LocatedLog: Equatable, Sendable {
    public var log: Log
    public var blockHash: Hash32
    public var blockNumber: UInt64
    public var blockTimestamp: UInt64
    public var transactionHash: Hash32
    public var transactionIndex: UInt32
    /// Position among all logs of the block.
    public var logIndex: UInt32
}

/// Why a log query was refused.
public enum LogQueryError: Error, Equatable, CustomStringConvertible {
    case database(ChainDatabaseError)
    case invalidRange(from: UInt64, to: UInt64)
    /// Bounds the work one query can cause (the RPC reports it to the caller).
    case rangeTooLarge(blocks: UInt64, limit: UInt64)

    public var description: String {
        switch self {
        case .database(let error): return "\(error)"
        case let .invalidRange(from, to): return "invalid block range: from \(from) is after to \(to)"
        case let .rangeTooLarge(blocks, limit): return "block range of \(blocks) blocks exceeds the limit of \(limit)"
        }
    }
}

extension ChainDatabase {
    /// The logs matching `filter` in canonical blocks `from...to` (clamped to the head), in
    /// chain order. Header blooms rule out most blocks before their receipts are read.
    public func logs(matching filter: LogFilter, from: UInt64, to: UInt64,
                     maxBlocks: UInt64 = 10_000) throws(LogQueryError) -> [LocatedLog] {
        guard from <= to else { throw .invalidRange(from: from, to: to) }
        let last = min(to, head?.number ?? 0)
        guard head != nil, from <= last else { return [] }
        guard last - from < maxBlocks else { throw .rangeTooLarge(blocks: last - from + 1, limit: maxBlocks) }
        var found = [LocatedLog]()
        do {
            for number in from...last {
                guard let header = try header(number: number), filter.mightMatch(header.logsBloom) else { continue }
                found += try logs(matching: filter, inBlock: header)
            }
        } catch {
            throw .database(error)
        }
        return found
    }

    /// The logs matching `filter` in the block with `hash` (`eth_getLogs` with `blockHash`).
    public func logs(matching filter: LogFilter, blockHash: Hash32) throws(ChainDatabaseError) -> [LocatedLog]? {
        guard let header = try header(hash: blockHash) else { return nil }
        return try logs(matching: filter, inBlock: header)
    }

    private func logs(matching filter: LogFilter, inBlock header: BlockHeader) throws(ChainDatabaseError) -> [LocatedLog] {
        let hash = header.hash
        guard let receipts = try receipts(blockHash: hash), let body = try body(hash: hash) else {
            throw .corrupt(record: "block \(header.number)", reason: "header without body or receipts")
        }
        guard receipts.count == body.transactions.count else {
            throw .corrupt(record: "receipts of block \(header.number)", reason: "count differs from transactions")
        }
        var found = [LocatedLog]()
        var logIndex: UInt32 = 0
        for (index, receipt) in receipts.enumerated() {
            let skip = !filter.mightMatch(receipt.logsBloom)
            for log in receipt.logs {
                defer { logIndex += 1 }
                guard !skip, filter.matches(log) else { continue }
                found.append(LocatedLog(log: log, blockHash: hash, blockNumber: header.number,
                                        blockTimestamp: header.timestamp,
                                        transactionHash: body.transactions[index].hash,
                                        transactionIndex: UInt32(index), logIndex: logIndex))
            }
        }
        return found
    }
}
