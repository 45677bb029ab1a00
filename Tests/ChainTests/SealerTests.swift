import Chain
import LedgerCrypto
import Primitives
import Testing

@Suite struct SealerTests {
    static let key = DevelopmentAccounts.sealerKey

    static func unsealedHeader() -> BlockHeader {
        BlockHeader(parentHash: UInt256(1).hash32, coinbase: .zero, stateRoot: UInt256(2).hash32, number: 7,
                    gasLimit: 30_000_000, timestamp: 1_700_000_000, extraData: Sealer.extraData(vanity: Array("v1".utf8)),
                    baseFeePerGas: 0, withdrawalsRoot: BlockHeader.emptyTrieRoot, blobGasUsed: 0, excessBlobGas: 0,
                    parentBeaconBlockRoot: .zero)
    }

    @Test func sealRecoversToTheSealer() throws {
        let sealed = try Sealer.seal(Self.unsealedHeader(), privateKey: Self.key)
        #expect(try Sealer.recoverSealer(sealed) == DevelopmentAccounts.sealerAddress)
        try Sealer.verify(sealed, sealer: DevelopmentAccounts.sealerAddress)
        // Only the last 65 bytes change; the vanity stays.
        #expect(sealed.extraData.count == 97)
        #expect(Array(sealed.extraData.prefix(32)) == Array(Self.unsealedHeader().extraData.prefix(32)))
        #expect(sealed.extraData.suffix(65) != Self.unsealedHeader().extraData.suffix(65))
        // The seal hash ignores the seal itself, so sealing twice gives the same header.
        #expect(try Sealer.sealHash(sealed) == Sealer.sealHash(Self.unsealedHeader()))
        #expect(try Sealer.seal(sealed, privateKey: Self.key) == sealed)
        #expect(sealed.hash != Self.unsealedHeader().hash)
    }

    @Test func tamperingChangesTheRecoveredSigner() throws {
        let sealed = try Sealer.seal(Self.unsealedHeader(), privateKey: Self.key)
        let sealer = try DevelopmentAccounts.sealerAddress
        var tampered = sealed
        tampered.gasUsed = 1
        #expect(throws: SealError.self) { try Sealer.verify(tampered, sealer: sealer) }
        tampered = sealed
        tampered.extraData[0] ^= 1  // the vanity is covered by the seal
        #expect((try? Sealer.recoverSealer(tampered)) != sealer)
        tampered = sealed
        tampered.stateRoot = UInt256(3).hash32
        #expect((try? Sealer.recoverSealer(tampered)) != sealer)
        let other = try Sealer.seal(Self.unsealedHeader(), privateKey: DevelopmentAccounts.accountKeys[0])
        #expect(throws: SealError.wrongSealer(expected: sealer, got: try DevelopmentAccounts.accountAddresses[0])) {
            try Sealer.verify(other, sealer: sealer)
        }
    }

    @Test func malformedSealsAreErrors() throws {
        let sealed = try Sealer.seal(Self.unsealedHeader(), privateKey: Self.key)
        var bad = sealed
        bad.extraData[96] = 2
        #expect(throws: SealError.invalidRecoveryId(2)) { try Sealer.recoverSealer(bad) }
        bad = sealed
        for i in 32..<96 { bad.extraData[i] = 0 }  // r = s = 0
        #expect(throws: SealError.invalidSignatureValues) { try Sealer.recoverSealer(bad) }
        // The high-s twin of a valid seal is refused (it would give a second block hash).
        bad = sealed
        let s = try UInt256(bigEndian: sealed.extraData[64..<96])
        let twin = Secp256k1.order &- s
        bad.extraData.replaceSubrange(64..<96, with: twin.bigEndianBytes)
        bad.extraData[96] ^= 1
        #expect(throws: SealError.invalidSignatureValues) { try Sealer.recoverSealer(bad) }
        var short = Self.unsealedHeader()
        short.extraData = [UInt8](repeating: 0, count: 96)
        #expect(throws: SealError.extraDataTooShort(length: 96)) { try Sealer.seal(short, privateKey: Self.key) }
        #expect(throws: SealError.extraDataTooShort(length: 96)) { try Sealer.recoverSealer(short) }
        #expect(throws: SealError.invalidPrivateKey) {
            try Sealer.seal(Self.unsealedHeader(), privateKey: [UInt8](repeating: 0, count: 32))
        }
        // An unsealed header (zero seal) does not recover.
        #expect(throws: SealError.self) { try Sealer.recoverSealer(Self.unsealedHeader()) }
    }

    @Test func extraDataLayout() {
        #expect(Sealer.extraData().count == 97)
        #expect(Sealer.extraData(vanity: [UInt8](repeating: 7, count: 40)).prefix(32) == ArraySlice(repeating: 7, count: 32))
        #expect(Sealer.extraData(vanity: [1]).first == 1)
    }
}
