import Chain
import Primitives
import Testing

struct TransactionIntrinsicGasTests {
    @Test func plainTransferCosts21000() {
        #expect(IntrinsicGas.of(data: [], isCreate: false, accessList: []) == 21_000)
    }

    @Test func calldataCostsFourPerZeroAndSixteenPerNonZero() {  // EIP-2028
        #expect(IntrinsicGas.of(data: [0, 0, 1], isCreate: false, accessList: []) == 21_000 + 4 + 4 + 16)
    }

    @Test func createAddsBaseAndInitCodeWords() {  // EIP-3860: 2 per started 32-byte word
        let code = [UInt8](repeating: 1, count: 33)
        #expect(IntrinsicGas.of(data: code, isCreate: true, accessList: []) == 21_000 + 32_000 + 33 * 16 + 2 * 2)
    }

    @Test func accessListCostsPerAddressAndKey() {  // EIP-2930
        let list = [AccessListEntry(address: .zero, storageKeys: [.zero, .zero]), AccessListEntry(address: .zero)]
        #expect(IntrinsicGas.of(data: [], isCreate: false, accessList: list) == 21_000 + 2 * 2_400 + 2 * 1_900)
    }

    @Test func gasLimitBelowIntrinsicIsRejected() throws {
        var tx = Transaction(.legacy(LegacyTransaction(chainId: 1, nonce: 0, gasPrice: 1, gasLimit: 21_015,
                                                       to: .zero, value: 0, data: [1])))
        try tx.sign(privateKey: SampleTransactions.key)
        #expect(tx.intrinsicGas == 21_016)
        #expect(throws: TransactionError.intrinsicGasTooLow(required: 21_016, gasLimit: 21_015)) {
            try tx.validate(chainId: 1)
        }
    }

    @Test func initCodeAboveLimitIsRejected() throws {  // EIP-3860
        let code = [UInt8](repeating: 0, count: 49_153)
        var tx = Transaction(.legacy(LegacyTransaction(chainId: 1, nonce: 0, gasPrice: 1, gasLimit: 10_000_000,
                                                       to: nil, value: 0, data: code)))
        try tx.sign(privateKey: SampleTransactions.key)
        #expect(throws: TransactionError.initCodeTooLarge(size: 49_153, limit: 49_152)) { try tx.validate(chainId: 1) }
    }
}
