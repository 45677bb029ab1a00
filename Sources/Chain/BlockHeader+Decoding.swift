import Primitives
import RLP

extension BlockHeader {
    /// Decodes a header strictly: canonical RLP, 15, 16, 17 or 20 fields (the layouts up to
    /// Berlin, London, Shanghai and Cancun), 32-byte hashes, a 20-byte coinbase, a 256-byte
    /// bloom, an 8-byte nonce and minimal integers. Anything accepted re-encodes to `bytes`.
    public init<C: Collection>(encoded bytes: C) throws(BlockDecodingError) where C.Element == UInt8 {
        let item: RLPItem
        do {
            item = try RLP.decode(bytes)
        } catch {
            throw .malformedRLP(error)
        }
        try self.init(item: item)
    }

    /// Decodes a header from an already parsed RLP item (as it sits inside a block).
    public init(item: RLPItem) throws(BlockDecodingError) {
        guard case .list(let f) = item else { throw .notAList(what: "header") }
        guard [15, 16, 17, 20].contains(f.count) else { throw .wrongHeaderFieldCount(f.count) }
        typealias R = BlockFieldReader
        let bloomBytes = try R.fixed(f[6], .logsBloom, count: Bloom.byteCount)
        let nonceBytes = try R.fixed(f[14], .nonce, count: 8)
        self.init(parentHash: try R.hash(f[0], .parentHash), ommersHash: try R.hash(f[1], .ommersHash),
                  coinbase: try R.address(f[2], .coinbase), stateRoot: try R.hash(f[3], .stateRoot),
                  transactionsRoot: try R.hash(f[4], .transactionsRoot),
                  receiptsRoot: try R.hash(f[5], .receiptsRoot),
                  logsBloom: (try? Bloom(bytes: bloomBytes)) ?? Bloom(),
                  difficulty: try R.uint256(f[7], .difficulty), number: try R.uint64(f[8], .number),
                  gasLimit: try R.uint64(f[9], .gasLimit), gasUsed: try R.uint64(f[10], .gasUsed),
                  timestamp: try R.uint64(f[11], .timestamp), extraData: try R.bytes(f[12], .extraData),
                  mixHash: try R.hash(f[13], .mixHash),
                  nonce: nonceBytes.reduce(0) { $0 << 8 | UInt64($1) })
        if f.count >= 16 { baseFeePerGas = try R.uint256(f[15], .baseFeePerGas) }
        if f.count >= 17 { withdrawalsRoot = try R.hash(f[16], .withdrawalsRoot) }
        if f.count >= 20 {
            blobGasUsed = try R.uint64(f[17], .blobGasUsed)
            excessBlobGas = try R.uint64(f[18], .excessBlobGas)
            parentBeaconBlockRoot = try R.hash(f[19], .parentBeaconBlockRoot)
        }
    }
}
