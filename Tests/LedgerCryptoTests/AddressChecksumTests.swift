import LedgerCrypto
import Primitives
import Testing

/// The test vectors listed in EIP-55.
private let eip55Vectors = [
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    "0x52908400098527886E0F7030069857D2E4169EE7",
    "0x8617E340B3D01FA5F11F306F4090FD50E238070D",
    "0xde709f2102306220921060314715629080e2fb77",
    "0x27b1fdb04752bbc536007a920d24acb045561c26",
]

@Test func checksummedFormMatchesEIP55Vectors() throws {
    for text in eip55Vectors {
        let address = try Address(hex: text)
        #expect(address.checksummed == text)
        #expect(try Address(checksummed: text) == address)
    }
}

@Test func allLowerAndAllUpperAreAccepted() throws {
    for text in eip55Vectors {
        let digits = text.dropFirst(2)
        let expected = try Address(hex: text)
        #expect(try Address(checksummed: "0x" + digits.lowercased()) == expected)
        #expect(try Address(checksummed: "0x" + digits.uppercased()) == expected)
        #expect(try Address(checksummed: String(digits.lowercased())) == expected)
    }
}

@Test func wrongChecksumIsRejected() {
    // Flip the case of one letter in a valid mixed-case address.
    let broken = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"
    #expect(throws: AddressChecksumError.checksumMismatch(given: broken, expected: "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")) {
        try Address(checksummed: broken)
    }
}

@Test func malformedAddressTextIsRejected() {
    #expect(throws: AddressChecksumError.self) { try Address(checksummed: "0x1234") }
    #expect(throws: AddressChecksumError.self) { try Address(checksummed: "0xZZAeb6053F3E94C9b9A09f33669435E7Ef1BeAed") }
}
