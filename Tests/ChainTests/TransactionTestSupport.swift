import MLedgerTesting
import Chain
import LedgerCrypto
import Primitives

/// Deterministic generator for fuzz tests (SplitMix64), so every run sees the same inputs.
typealias SeededGenerator = SplitMix64

/// Sample transactions of every type, unsigned, for round-trip and fuzz tests.
enum SampleTransactions {
    static let key: [UInt8] = [UInt8](repeating: 0x46, count: 32)
    static let recipient = Address(hi: 0x3535_3535, mid: 0x3535_3535_3535_3535, lo: 0x3535_3535_3535_3535)
    static let accessList = [
        AccessListEntry(address: recipient, storageKeys: [Hash32.zero, UInt256(7).hash32]),
        AccessListEntry(address: Address(hi: 0, mid: 0, lo: 0xff), storageKeys: []),
    ]
    static let blobHash: Hash32 = {
        var hash = UInt256(0x1234).hash32
        hash.w0 = 0x0100_0000_0000_0000  // KZG version byte 0x01 first (EIP-4844)
        return hash
    }()

    static var all: [Transaction] {
        [
            Transaction(.legacy(LegacyTransaction(chainId: nil, nonce: 0, gasPrice: 1, gasLimit: 21_000,
                                                  to: recipient, value: 5))),
            Transaction(.legacy(LegacyTransaction(chainId: 1337, nonce: 9, gasPrice: 20_000_000_000,
                                                  gasLimit: 100_000, to: nil, value: 0,
                                                  data: [0x60, 0x00, 0x60, 0x00, 0xf3]))),
            Transaction(.accessList(AccessListTransaction(chainId: 1337, nonce: 1, gasPrice: 0, gasLimit: 60_000,
                                                          to: recipient, value: 1, data: [0, 1, 2],
                                                          accessList: accessList))),
            Transaction(.dynamicFee(DynamicFeeTransaction(chainId: 1337, nonce: 2, maxPriorityFeePerGas: 1,
                                                          maxFeePerGas: 100, gasLimit: 90_000, to: recipient,
                                                          value: .max, data: [0xde, 0xad],
                                                          accessList: accessList))),
            Transaction(.blob(BlobTransaction(chainId: 1337, nonce: 3, maxPriorityFeePerGas: 2, maxFeePerGas: 50,
                                              gasLimit: 30_000, to: recipient, value: 0, data: [],
                                              accessList: [], maxFeePerBlobGas: 10,
                                              blobVersionedHashes: [blobHash, blobHash]))),
        ]
    }
}
