import LedgerCrypto
import Primitives
import RLP

extension Transaction {
    /// The consensus encoding: an RLP list for legacy transactions, `type || rlp(fields)` for
    /// typed ones (EIP-2718). Blocks, the transaction trie and `eth_sendRawTransaction` use it.
    public var encoded: [UInt8] {
        let list = RLP.encode(list: unsignedFields + signatureFields)
        guard type != .legacy else { return list }
        return [type.rawValue] + list
    }

    /// The transaction hash: Keccak-256 of `encoded`.
    public var hash: Hash32 { Keccak256.hash(encoded) }

    /// How the transaction sits inside a block body's transaction list: legacy transactions
    /// as their list, typed ones as a byte string holding the envelope (EIP-2718).
    public var blockBodyItemEncoding: [UInt8] {
        type == .legacy ? encoded : RLP.encode(bytes: encoded)
    }

    /// The bytes whose Keccak-256 is signed: legacy fields (plus `chainId, 0, 0` under EIP-155),
    /// or `type || rlp(fields without signature)` for typed transactions.
    public var signingPayload: [UInt8] {
        switch payload {
        case .legacy(let t):
            guard let chainId = t.chainId else { return RLP.encode(list: unsignedFields) }
            return RLP.encode(list: unsignedFields + [RLP.encode(uint: chainId), RLP.encode(uint: UInt64(0)),
                                                      RLP.encode(uint: UInt64(0))])
        default:
            return [type.rawValue] + RLP.encode(list: unsignedFields)
        }
    }

    /// Keccak-256 of `signingPayload`: the message the sender's key signs.
    public var signingHash: Hash32 { Keccak256.hash(signingPayload) }

    /// Legacy `v`: 27/28 unprotected, `chainId * 2 + 35 + yParity` under EIP-155. Computed in
    /// 128 bits so that no chain id overflows.
    static func legacyV(chainId: UInt64?, yParity: UInt8) -> UInt256 {
        guard let chainId else { return UInt256(27 + UInt64(yParity)) }
        let (low, carry) = (chainId << 1).addingReportingOverflow(35 + UInt64(yParity))
        return UInt256(l0: low, l1: (chainId >> 63) + (carry ? 1 : 0), l2: 0, l3: 0)
    }

    private var signatureFields: [[UInt8]] {
        let v: UInt256
        if case .legacy(let t) = payload {
            v = Self.legacyV(chainId: t.chainId, yParity: signature.yParity)
        } else {
            v = UInt256(UInt64(signature.yParity))
        }
        return [RLP.encode(uint: v), RLP.encode(uint: signature.r), RLP.encode(uint: signature.s)]
    }

    /// The RLP-encoded fields before the signature, in each type's order.
    private var unsignedFields: [[UInt8]] {
        switch payload {
        case .legacy(let t):
            return [RLP.encode(uint: t.nonce), RLP.encode(uint: t.gasPrice), RLP.encode(uint: t.gasLimit),
                    Self.encodeRecipient(t.to), RLP.encode(uint: t.value), RLP.encode(bytes: t.data)]
        case .accessList(let t):
            return [RLP.encode(uint: t.chainId), RLP.encode(uint: t.nonce), RLP.encode(uint: t.gasPrice),
                    RLP.encode(uint: t.gasLimit), Self.encodeRecipient(t.to), RLP.encode(uint: t.value),
                    RLP.encode(bytes: t.data), AccessListCoding.encode(t.accessList)]
        case .dynamicFee(let t):
            return [RLP.encode(uint: t.chainId), RLP.encode(uint: t.nonce), RLP.encode(uint: t.maxPriorityFeePerGas),
                    RLP.encode(uint: t.maxFeePerGas), RLP.encode(uint: t.gasLimit), Self.encodeRecipient(t.to),
                    RLP.encode(uint: t.value), RLP.encode(bytes: t.data), AccessListCoding.encode(t.accessList)]
        case .blob(let t):
            return [RLP.encode(uint: t.chainId), RLP.encode(uint: t.nonce), RLP.encode(uint: t.maxPriorityFeePerGas),
                    RLP.encode(uint: t.maxFeePerGas), RLP.encode(uint: t.gasLimit), Self.encodeRecipient(t.to),
                    RLP.encode(uint: t.value), RLP.encode(bytes: t.data), AccessListCoding.encode(t.accessList),
                    RLP.encode(uint: t.maxFeePerBlobGas),
                    RLP.encode(list: t.blobVersionedHashes.map { RLP.encode(bytes: $0.bytes) })]
        }
    }

    private static func encodeRecipient(_ to: Address?) -> [UInt8] {
        RLP.encode(bytes: to?.bytes ?? [])
    }
}
