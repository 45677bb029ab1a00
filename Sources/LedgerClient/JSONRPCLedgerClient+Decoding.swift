import Chain
import LedgerCrypto
import Primitives
import RPC

/// Strict readers for JSON-RPC answers. Every value is checked for its form (0x prefix,
/// quantities without leading zeros, byte strings of even length) and its size; a failure is
/// `LedgerClientError.malformed` naming the field.
enum JSONRPCDecoding {
    // MARK: Scalars

    static func string(_ value: JSONValue?, _ field: String) throws(LedgerClientError) -> String {
        guard let text = value?.stringValue else {
            throw .malformed("\(field): expected a string, got \(value?.typeName ?? "nothing")")
        }
        return text
    }

    /// A quantity: `0x` then 1 to 64 hex digits, no leading zero except `0x0`.
    static func uint256(_ value: JSONValue?, _ field: String) throws(LedgerClientError) -> UInt256 {
        let text = try string(value, field)
        let digits = text.utf8.dropFirst(2)
        guard text.hasPrefix("0x"), !digits.isEmpty, digits.count <= 64,
              digits.count == 1 || digits.first != UInt8(ascii: "0") else {
            throw .malformed("\(field): \(text.prefix(80)) is not a hex quantity")
        }
        guard let number = try? UInt256(hex: text) else { throw .malformed("\(field): \(text.prefix(80)) is not hex") }
        return number
    }

    static func uint64(_ value: JSONValue?, _ field: String) throws(LedgerClientError) -> UInt64 {
        guard let number = try uint256(value, field).uint64 else { throw .malformed("\(field): quantity above 64 bits") }
        return number
    }

    static func uint32(_ value: JSONValue?, _ field: String) throws(LedgerClientError) -> UInt32 {
        guard let number = UInt32(exactly: try uint64(value, field)) else { throw .malformed("\(field): quantity above 32 bits") }
        return number
    }

    /// Data: `0x` then an even number of hex digits.
    static func data(_ value: JSONValue?, _ field: String) throws(LedgerClientError) -> [UInt8] {
        let text = try string(value, field)
        do {
            return try Hex.decode(text, requirePrefix: true)
        } catch {
            throw .malformed("\(field): \(error)")
        }
    }

    static func data(_ value: JSONValue?, _ field: String, count: Int) throws(LedgerClientError) -> [UInt8] {
        let bytes = try data(value, field)
        guard bytes.count == count else { throw .malformed("\(field): expected \(count) bytes, got \(bytes.count)") }
        return bytes
    }

    static func hash(_ value: JSONValue?, _ field: String) throws(LedgerClientError) -> Hash32 {
        let bytes = try data(value, field, count: 32)
        guard let hash = try? Hash32(bytes: bytes) else { throw .malformed("\(field): not a 32-byte hash") }
        return hash
    }

    static func address(_ value: JSONValue?, _ field: String) throws(LedgerClientError) -> Address {
        let bytes = try data(value, field, count: 20)
        guard let address = try? Address(bytes: bytes) else { throw .malformed("\(field): not a 20-byte address") }
        return address
    }

    static func optionalAddress(_ value: JSONValue?, _ field: String) throws(LedgerClientError) -> Address? {
        guard let value, !value.isNull else { return nil }
        return try address(value, field)
    }

    static func array(_ value: JSONValue?, _ field: String) throws(LedgerClientError) -> [JSONValue] {
        guard let items = value?.arrayValue else { throw .malformed("\(field): expected an array") }
        return items
    }

    // MARK: Headers

    /// Rebuilds the consensus header from a block object and requires that it hashes to the
    /// block's `hash` field: every field the seal and the state root depend on is then proven.
    static func header(_ block: JSONValue) throws(LedgerClientError) -> BlockHeader {
        guard case .object(let f) = block else { throw .malformed("block: expected an object") }
        let bloomBytes = try data(f["logsBloom"], "block.logsBloom", count: Bloom.byteCount)
        let nonceBytes = try data(f["nonce"], "block.nonce", count: 8)
        guard let bloom = try? Bloom(bytes: bloomBytes) else { throw .malformed("block.logsBloom: not 256 bytes") }
        var header = BlockHeader(
            parentHash: try hash(f["parentHash"], "block.parentHash"),
            ommersHash: try hash(f["sha3Uncles"], "block.sha3Uncles"),
            coinbase: try address(f["miner"], "block.miner"),
            stateRoot: try hash(f["stateRoot"], "block.stateRoot"),
            transactionsRoot: try hash(f["transactionsRoot"], "block.transactionsRoot"),
            receiptsRoot: try hash(f["receiptsRoot"], "block.receiptsRoot"),
            logsBloom: bloom,
            difficulty: try uint256(f["difficulty"], "block.difficulty"),
            number: try uint64(f["number"], "block.number"),
            gasLimit: try uint64(f["gasLimit"], "block.gasLimit"),
            gasUsed: try uint64(f["gasUsed"], "block.gasUsed"),
            timestamp: try uint64(f["timestamp"], "block.timestamp"),
            extraData: try data(f["extraData"], "block.extraData"),
            mixHash: try hash(f["mixHash"], "block.mixHash"),
            nonce: nonceBytes.reduce(UInt64(0)) { $0 << 8 | UInt64($1) })
        // Fork fields are present exactly when the header has them (London, Shanghai, Cancun).
        if let v = f["baseFeePerGas"], !v.isNull { header.baseFeePerGas = try uint256(v, "block.baseFeePerGas") }
        if let v = f["withdrawalsRoot"], !v.isNull { header.withdrawalsRoot = try hash(v, "block.withdrawalsRoot") }
        if let v = f["blobGasUsed"], !v.isNull { header.blobGasUsed = try uint64(v, "block.blobGasUsed") }
        if let v = f["excessBlobGas"], !v.isNull { header.excessBlobGas = try uint64(v, "block.excessBlobGas") }
        if let v = f["parentBeaconBlockRoot"], !v.isNull {
            header.parentBeaconBlockRoot = try hash(v, "block.parentBeaconBlockRoot")
        }
        let claimed = try hash(f["hash"], "block.hash")
        let actual = header.hash
        guard actual == claimed else {
            throw .malformed("block \(header.number): fields hash to \(actual), the node says \(claimed)")
        }
        return header
    }

    // MARK: Receipts and logs

    static func log(_ value: JSONValue, _ field: String) throws(LedgerClientError) -> Log {
        var topics: [Hash32] = []
        let items = try array(value["topics"], "\(field).topics")
        guard items.count <= 4 else { throw .malformed("\(field).topics: \(items.count) topics, at most 4") }
        for (i, topic) in items.enumerated() { topics.append(try hash(topic, "\(field).topics[\(i)]")) }
        return Log(address: try address(value["address"], "\(field).address"), topics: topics,
                   data: try data(value["data"], "\(field).data"))
    }

    static func located(_ value: JSONValue, _ field: String) throws(LedgerClientError) -> LocatedLog {
        guard case .object = value else { throw .malformed("\(field): expected an object") }
        if value["removed"] == .bool(true) { throw .malformed("\(field): a removed log in a canonical range") }
        // blockTimestamp is a recent addition to the log object; older nodes leave it out.
        let timestamp = value["blockTimestamp"].flatMap { $0.isNull ? nil : $0 }
        return LocatedLog(try log(value, field),
                          blockHash: try hash(value["blockHash"], "\(field).blockHash"),
                          blockNumber: try uint64(value["blockNumber"], "\(field).blockNumber"),
                          blockTimestamp: try timestamp.map { v throws(LedgerClientError) in try uint64(v, "\(field).blockTimestamp") } ?? 0,
                          transactionHash: try hash(value["transactionHash"], "\(field).transactionHash"),
                          transactionIndex: try uint32(value["transactionIndex"], "\(field).transactionIndex"),
                          logIndex: try uint32(value["logIndex"], "\(field).logIndex"))
    }

    /// A receipt object; its logs must belong to it and its bloom must be theirs.
    static func receipt(_ value: JSONValue) throws(LedgerClientError) -> ReceiptDetails {
        guard case .object(let f) = value else { throw .malformed("receipt: expected an object") }
        let typeNumber = try uint64(f["type"] ?? .string("0x0"), "receipt.type")
        guard typeNumber <= 0xff, let type = TransactionType(rawValue: UInt8(typeNumber)) else {
            throw .malformed("receipt.type: unknown transaction type \(typeNumber)")
        }
        let status = try uint64(f["status"], "receipt.status")
        guard status <= 1 else { throw .malformed("receipt.status: \(status) is neither 0 nor 1") }
        let transactionHash = try hash(f["transactionHash"], "receipt.transactionHash")
        let blockHash = try hash(f["blockHash"], "receipt.blockHash")
        var logs: [LocatedLog] = []
        for (i, item) in try array(f["logs"], "receipt.logs").enumerated() {
            let log = try located(item, "receipt.logs[\(i)]")
            guard log.transactionHash == transactionHash, log.blockHash == blockHash else {
                throw .malformed("receipt.logs[\(i)] belongs to another transaction or block")
            }
            logs.append(log)
        }
        let bloomBytes = try data(f["logsBloom"], "receipt.logsBloom", count: Bloom.byteCount)
        guard let bloom = try? Bloom(bytes: bloomBytes), bloom == Bloom(logs: logs.map(\.log)) else {
            throw .malformed("receipt.logsBloom does not match the receipt's logs")
        }
        let consensus = Receipt(type: type, succeeded: status == 1,
                                cumulativeGasUsed: try uint64(f["cumulativeGasUsed"], "receipt.cumulativeGasUsed"),
                                logsBloom: bloom, logs: logs.map(\.log))
        return ReceiptDetails(consensus: consensus, transactionHash: transactionHash,
                              transactionIndex: try uint32(f["transactionIndex"], "receipt.transactionIndex"),
                              blockHash: blockHash, blockNumber: try uint64(f["blockNumber"], "receipt.blockNumber"),
                              from: try address(f["from"], "receipt.from"),
                              to: try optionalAddress(f["to"], "receipt.to"),
                              contractAddress: try optionalAddress(f["contractAddress"], "receipt.contractAddress"),
                              gasUsed: try uint64(f["gasUsed"], "receipt.gasUsed"),
                              effectiveGasPrice: try uint256(f["effectiveGasPrice"], "receipt.effectiveGasPrice"),
                              logs: logs)
    }
}
