import Primitives
import RLP

/// A validator withdrawal (EIP-4895): `[index, validatorIndex, address, amount in Gwei]`.
/// MLedger blocks carry none, but blocks from other chains decode with theirs.
public struct Withdrawal: Hashable, Sendable {
    public var index: UInt64
    public var validatorIndex: UInt64
    public var address: Address
    public var amountGwei: UInt64

    public init(index: UInt64, validatorIndex: UInt64, address: Address, amountGwei: UInt64) {
        self.index = index; self.validatorIndex = validatorIndex; self.address = address; self.amountGwei = amountGwei
    }

    public var encoded: [UInt8] {
        RLP.encode(list: [RLP.encode(uint: index), RLP.encode(uint: validatorIndex),
                          RLP.encode(bytes: address.bytes), RLP.encode(uint: amountGwei)])
    }

    init(item: RLPItem) throws(BlockDecodingError) {
        guard case .list(let f) = item else { throw .notAList(what: "withdrawal") }
        guard f.count == 4 else { throw .wrongFieldCount(what: "withdrawal", expected: 4, got: f.count) }
        self.init(index: try BlockFieldReader.uint64(f[0], .withdrawalIndex),
                  validatorIndex: try BlockFieldReader.uint64(f[1], .validatorIndex),
                  address: try BlockFieldReader.address(f[2], .withdrawalAddress),
                  amountGwei: try BlockFieldReader.uint64(f[3], .withdrawalAmount))
    }
}
