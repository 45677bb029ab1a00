import Primitives
import Testing

@Test func decimalKnownValues() throws {
    let maxText = "115792089237316195423570985008687907853269984665640564039457584007913129639935"
    #expect(UInt256.max.decimalString == maxText)
    #expect(try UInt256(decimal: maxText) == .max)
    let twoTo255 = "57896044618658097711785492504343953926634992332820282019728792003956564819968"
    #expect(UInt256(l0: 0, l1: 0, l2: 0, l3: 1 << 63).decimalString == twoTo255)
    #expect(UInt256.zero.decimalString == "0")
    #expect(UInt256(10_000_000_000_000_000_000 as UInt64).decimalString == "10000000000000000000")
    #expect(UInt256(l0: 0, l1: 1, l2: 0, l3: 0).decimalString == "18446744073709551616")
    #expect(try UInt256(decimal: "000123") == 123)
}

@Test func decimalErrorsNameTheProblem() {
    #expect(throws: DecimalError.empty) { try UInt256(decimal: "") }
    #expect(throws: DecimalError.invalidCharacter("a", offset: 2)) { try UInt256(decimal: "12a") }
    #expect(throws: DecimalError.invalidCharacter("-", offset: 0)) { try UInt256(decimal: "-1") }
    #expect(throws: DecimalError.overflow) {
        try UInt256(decimal: "115792089237316195423570985008687907853269984665640564039457584007913129639936")
    }
}
