import LedgerCrypto
import Primitives
import RLP

/// What a block carries besides its header. MLedger blocks have no ommers and an empty
/// withdrawals list (present because the header has a withdrawals root, EIP-4895).
public struct BlockBody: Hashable, Sendable {
    public var transactions: [Transaction]
    public var ommers: [BlockHeader]
    /// nil before Shanghai: the list is then absent from the encoding.
    public var withdrawals: [Withdrawal]?

    public init(transactions: [Transaction] = [], ommers: [BlockHeader] = [], withdrawals: [Withdrawal]? = []) {
        self.transactions = transactions; self.ommers = ommers; self.withdrawals = withdrawals
    }

    /// The RLP items after the header: `[transactions], [ommers]` and, from Shanghai, `[withdrawals]`.
    var encodedFields: [[UInt8]] {
        var fields = [RLP.encode(list: transactions.map(\.blockBodyItemEncoding)),
                      RLP.encode(list: ommers.map(\.encoded))]
        if let withdrawals { fields.append(RLP.encode(list: withdrawals.map(\.encoded))) }
        return fields
    }

    /// The body on its own, `rlp([transactions, ommers, withdrawals?])`, as the database keeps it.
    public var encoded: [UInt8] { RLP.encode(list: encodedFields) }

    /// Decodes a stored body strictly.
    public init<C: Collection>(encoded bytes: C) throws(BlockDecodingError) where C.Element == UInt8 {
        let item: RLPItem
        do {
            item = try RLP.decode(bytes)
        } catch {
            throw .malformedRLP(error)
        }
        guard case .list(let fields) = item else { throw .notAList(what: "block body") }
        guard fields.count == 2 || fields.count == 3 else {
            throw .wrongFieldCount(what: "block body", expected: 3, got: fields.count)
        }
        try self.init(fields: fields[...])
    }

    /// Decodes `[transactions], [ommers], [withdrawals]?` (the withdrawals list is optional).
    init(fields: ArraySlice<RLPItem>) throws(BlockDecodingError) {
        let items = Array(fields)
        var transactions = [Transaction]()
        for (index, txItem) in try BlockFieldReader.list(items[0], .transactions).enumerated() {
            do {
                transactions.append(try Transaction(blockBodyItem: txItem))
            } catch {
                throw .invalidTransaction(index: index, error)
            }
        }
        var ommers = [BlockHeader]()
        for (index, ommerItem) in try BlockFieldReader.list(items[1], .ommers).enumerated() {
            guard let ommer = try? BlockHeader(item: ommerItem) else { throw .invalidOmmer(index: index) }
            ommers.append(ommer)
        }
        var withdrawals: [Withdrawal]?
        if items.count == 3 {
            var list = [Withdrawal]()
            for withdrawalItem in try BlockFieldReader.list(items[2], .withdrawals) {
                list.append(try Withdrawal(item: withdrawalItem))
            }
            withdrawals = list
        }
        self.init(transactions: transactions, ommers: ommers, withdrawals: withdrawals)
    }
}

/// A block: a header and the body whose roots it commits to.
public struct Block: Hashable, Sendable {
    public var header: BlockHeader
    public var body: BlockBody

    public init(header: BlockHeader, body: BlockBody) { self.header = header; self.body = body }

    public var hash: Hash32 { header.hash }
    public var number: UInt64 { header.number }
    public var transactions: [Transaction] { body.transactions }

    /// The consensus encoding `rlp([header, [transactions], [ommers], [withdrawals]?])`.
    public var encoded: [UInt8] { RLP.encode(list: [header.encoded] + body.encodedFields) }

    /// Decodes a block strictly; the withdrawals list must be present exactly when the header
    /// has a withdrawals root.
    public init<C: Collection>(encoded bytes: C) throws(BlockDecodingError) where C.Element == UInt8 {
        let item: RLPItem
        do {
            item = try RLP.decode(bytes)
        } catch {
            throw .malformedRLP(error)
        }
        guard case .list(let fields) = item else { throw .notAList(what: "block") }
        guard fields.count == 3 || fields.count == 4 else {
            throw .wrongFieldCount(what: "block", expected: 4, got: fields.count)
        }
        let header = try BlockHeader(item: fields[0])
        let body = try BlockBody(fields: fields.dropFirst())
        guard (header.withdrawalsRoot != nil) == (body.withdrawals != nil) else { throw .withdrawalsPresenceMismatch }
        self.init(header: header, body: body)
    }

    /// Keccak-256 of the RLP list of ommer headers, for the header's `ommersHash`.
    public static func ommersHash(_ ommers: [BlockHeader]) -> Hash32 {
        Keccak256.hash(RLP.encode(list: ommers.map(\.encoded)))
    }

    /// The sum of the receipts' blooms, for the header's `logsBloom`.
    public static func logsBloom(_ receipts: [Receipt]) -> Bloom {
        var bloom = Bloom()
        for receipt in receipts { bloom.formUnion(receipt.logsBloom) }
        return bloom
    }
}
