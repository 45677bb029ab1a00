import MLedgerTesting
import Primitives

/// A slow, unbounded natural number on 32-bit digits (least significant first), written for
/// obviousness rather than speed: the oracle the randomized UInt256 checks compare against.
/// Division is binary restoring long division, one bit at a time.
struct ReferenceNatural: Equatable, Comparable {
    private(set) var digits: [UInt32]  // no trailing zero digits; zero is []

    init(digits: [UInt32]) {
        self.digits = digits
        while self.digits.last == 0 { self.digits.removeLast() }
    }

    init(_ value: UInt256) {
        var d: [UInt32] = []
        for limb in [value.l0, value.l1, value.l2, value.l3] {
            d.append(UInt32(truncatingIfNeeded: limb))
            d.append(UInt32(truncatingIfNeeded: limb >> 32))
        }
        self.init(digits: d)
    }

    init(small value: UInt64) { self.init(UInt256(value)) }

    static let zero = ReferenceNatural(digits: [])
    /// 2^256.
    static let modulus = ReferenceNatural(digits: [UInt32](repeating: 0, count: 8) + [1])

    /// 2^n.
    static func powerOfTwo(_ n: Int) -> ReferenceNatural {
        var d = [UInt32](repeating: 0, count: n / 32 + 1)
        d[n / 32] = 1 << UInt32(n % 32)
        return ReferenceNatural(digits: d)
    }

    var isZero: Bool { digits.isEmpty }

    /// The value modulo 2^256.
    var truncated: UInt256 {
        func digit(_ i: Int) -> UInt64 { i < digits.count ? UInt64(digits[i]) : 0 }
        func limb(_ i: Int) -> UInt64 { digit(2 * i) | digit(2 * i + 1) << 32 }
        return UInt256(l0: limb(0), l1: limb(1), l2: limb(2), l3: limb(3))
    }

    /// Bit `i` (0 = least significant).
    func bit(_ i: Int) -> Bool {
        let index = i / 32
        return index < digits.count && (digits[index] >> UInt32(i % 32)) & 1 == 1
    }

    var bitCount: Int { digits.isEmpty ? 0 : (digits.count - 1) * 32 + (32 - digits.last!.leadingZeroBitCount) }

    static func < (a: ReferenceNatural, b: ReferenceNatural) -> Bool {
        if a.digits.count != b.digits.count { return a.digits.count < b.digits.count }
        for i in stride(from: a.digits.count - 1, through: 0, by: -1) where a.digits[i] != b.digits[i] {
            return a.digits[i] < b.digits[i]
        }
        return false
    }

    static func + (a: ReferenceNatural, b: ReferenceNatural) -> ReferenceNatural {
        var out: [UInt32] = []
        var carry: UInt64 = 0
        for i in 0..<max(a.digits.count, b.digits.count) {
            let x = UInt64(i < a.digits.count ? a.digits[i] : 0)
            let y = UInt64(i < b.digits.count ? b.digits[i] : 0)
            let sum = x + y + carry
            out.append(UInt32(truncatingIfNeeded: sum))
            carry = sum >> 32
        }
        out.append(UInt32(carry))
        return ReferenceNatural(digits: out)
    }

    /// `a - b`; requires `a >= b`.
    static func - (a: ReferenceNatural, b: ReferenceNatural) -> ReferenceNatural {
        precondition(a >= b)
        var out: [UInt32] = []
        var borrow: Int64 = 0
        for i in 0..<a.digits.count {
            var diff = Int64(a.digits[i]) - Int64(i < b.digits.count ? b.digits[i] : 0) - borrow
            borrow = 0
            if diff < 0 { diff += 1 << 32; borrow = 1 }
            out.append(UInt32(diff))
        }
        return ReferenceNatural(digits: out)
    }

    static func * (a: ReferenceNatural, b: ReferenceNatural) -> ReferenceNatural {
        if a.isZero || b.isZero { return .zero }
        var out = [UInt64](repeating: 0, count: a.digits.count + b.digits.count + 1)
        for i in 0..<a.digits.count {
            var carry: UInt64 = 0
            for j in 0..<b.digits.count {
                let t = UInt64(a.digits[i]) * UInt64(b.digits[j]) + out[i + j] + carry
                out[i + j] = t & 0xffff_ffff
                carry = t >> 32
            }
            var k = i + b.digits.count
            while carry != 0 {
                let t = out[k] + carry
                out[k] = t & 0xffff_ffff
                carry = t >> 32
                k += 1
            }
        }
        return ReferenceNatural(digits: out.map { UInt32($0) })
    }

    /// Quotient and remainder by restoring binary long division; requires a non-zero divisor.
    func dividedWithRemainder(by divisor: ReferenceNatural) -> (quotient: ReferenceNatural, remainder: ReferenceNatural) {
        precondition(!divisor.isZero)
        var quotientBits = [UInt32](repeating: 0, count: digits.count + 1)
        var remainder = ReferenceNatural.zero
        for i in stride(from: bitCount - 1, through: 0, by: -1) {
            remainder = remainder + remainder + (bit(i) ? ReferenceNatural(small: 1) : .zero)
            if remainder >= divisor {
                remainder = remainder - divisor
                quotientBits[i / 32] |= 1 << UInt32(i % 32)
            }
        }
        return (ReferenceNatural(digits: quotientBits), remainder)
    }

    /// Reads a UInt256 as a two's-complement number: (is negative, magnitude).
    static func signed(_ value: UInt256) -> (negative: Bool, magnitude: ReferenceNatural) {
        let n = ReferenceNatural(value)
        if n.bit(255) { return (true, modulus - n) }
        return (false, n)
    }

    /// Encodes a signed number as a 256-bit two's-complement word.
    static func word(negative: Bool, magnitude: ReferenceNatural) -> UInt256 {
        if !negative || magnitude.isZero { return magnitude.truncated }
        return (modulus - magnitude.dividedWithRemainder(by: modulus).remainder).truncated
    }
}

/// Operand draws from the shared seeded generator, so every randomized run sees the same operands.
extension SplitMix64 {

    mutating func below(_ bound: UInt64) -> UInt64 { next() % bound }

    /// An operand drawn from shapes that stress carries and long division: full random words,
    /// short words, sparse or saturated limbs, powers of two and their neighbours, signed extremes.
    mutating func operand() -> UInt256 {
        func limbPattern(_ g: inout SplitMix64) -> UInt64 {
            switch g.below(6) {
            case 0: return 0
            case 1: return .max
            case 2: return 1 << g.below(64)
            case 3: return .max >> g.below(64)
            default: return g.next()
            }
        }
        switch below(8) {
        case 0:
            return UInt256(l0: next(), l1: next(), l2: next(), l3: next())
        case 1:
            let limbs = below(4) + 1
            return UInt256(l0: next(), l1: limbs > 1 ? next() : 0, l2: limbs > 2 ? next() : 0, l3: limbs > 3 ? next() : 0)
        case 2:
            return UInt256(next() >> below(64))
        case 3:
            return UInt256(l0: limbPattern(&self), l1: limbPattern(&self), l2: limbPattern(&self), l3: limbPattern(&self))
        case 4:
            let p = ReferenceNatural.powerOfTwo(Int(below(256))).truncated
            switch below(3) {
            case 0: return p
            case 1: return p &- 1
            default: return p &+ 1
            }
        case 5:
            let specials: [UInt256] = [.zero, .one, .max, UInt256(l0: 0, l1: 0, l2: 0, l3: 1 << 63),
                                       UInt256(l0: .max, l1: .max, l2: .max, l3: .max >> 1), UInt256(2), UInt256(.max)]
            return specials[Int(below(UInt64(specials.count)))]
        case 6:
            // Top-heavy: high limb near a normalised divisor's, low limbs random.
            return UInt256(l0: next(), l1: next(), l2: limbPattern(&self), l3: (1 << 63) | (next() >> below(3)))
        default:
            let limbs = below(3) + 1
            return UInt256(l0: limbPattern(&self), l1: limbs > 1 ? limbPattern(&self) : 0,
                           l2: limbs > 2 ? limbPattern(&self) : 0, l3: 0)
        }
    }
}
