/// A JSON number kept as its decimal text. Genesis balances, UInt256 quantities and request ids
/// must survive a read exactly; converting to Double at parse time would round anything above
/// 2^53. Conversions happen only when a reader asks, and each says nil when the value does not
/// fit exactly.
public struct JSONNumber: Sendable, CustomStringConvertible {
    /// The number as written: RFC 8259 grammar, so it can be copied into JSON output as is.
    public let text: String

    /// Text the parser has already checked against the grammar.
    init(validatedText text: String) { self.text = text }

    /// Checks `text` against the RFC 8259 number grammar; nil when it is not a JSON number.
    public init?(_ text: String) {
        guard Self.isValid(Array(text.utf8)) else { return nil }
        self.text = text
    }

    public init<T: BinaryInteger>(_ value: T) { text = String(value) }

    public init(_ value: UInt256) { text = value.decimalString }

    /// Whole values below 10^15 print without a fraction and everything else in Swift's shortest
    /// round-trip form, so a value always prints the same way; ML's architecture and weights
    /// hashes are taken over these bytes. Nil for infinities and NaN, which JSON cannot spell.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        if value == value.rounded(), Swift.abs(value) < 1e15 {
            text = String(Int64(value))
        } else {
            text = "\(value)"
        }
    }

    public var description: String { text }

    /// True when the text is a plain integer literal (no fraction, no exponent); the common case,
    /// which the integer accessors read without normalising.
    var isPlainInteger: Bool {
        !text.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }
    }

    /// The exact value as a signed decimal integer text when it is whole (`2.50e1` gives `25`);
    /// nil for fractions and for values of more than 80 digits (beyond every accessor's range).
    public var integerText: String? {
        if isPlainInteger { return text == "-0" ? "0" : text }
        let form = DecimalForm(text)
        if form.significand.isEmpty { return "0" }
        guard form.exponent >= 0, form.significand.count + form.exponent <= 80 else { return nil }
        let digits = form.significand + String(repeating: "0", count: form.exponent)
        return form.negative ? "-" + digits : digits
    }

    public var int64: Int64? { integerText.flatMap { Int64($0) } }
    public var int: Int? { integerText.flatMap { Int($0) } }
    public var uint64: UInt64? { integerText.flatMap { UInt64($0) } }

    /// The value when it is a whole number in 0...2^256-1.
    public var uint256: UInt256? {
        guard let digits = integerText, !digits.hasPrefix("-") else { return nil }
        return try? UInt256(decimal: digits)
    }

    /// The nearest Double (correctly rounded); nil when the value is beyond Double's range.
    public var double: Double? {
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// RFC 8259 section 6: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    static func isValid(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in
            var reader = JSONReader(bytes: buffer, maximumDepth: 0)
            guard !buffer.isEmpty, (try? reader.number()) != nil else { return false }
            return reader.offset == buffer.count
        }
    }
}

extension JSONNumber: Equatable {
    /// Numbers are equal when their exact values are: `1`, `1.0` and `10e-1` are one number.
    public static func == (a: JSONNumber, b: JSONNumber) -> Bool {
        a.text == b.text || DecimalForm(a.text) == DecimalForm(b.text)
    }
}

/// A number's exact value as significand × 10^exponent, with the significand's leading and
/// trailing zeros removed (empty for zero), so equal values have equal forms.
struct DecimalForm: Equatable {
    var negative: Bool
    var significand: String
    var exponent: Int

    /// `text` must follow the JSON number grammar (the parser has checked it).
    init(_ text: String) {
        var bytes = Substring(text).utf8[...]
        negative = bytes.first == UInt8(ascii: "-")
        if negative { bytes = bytes.dropFirst() }
        var digits = [UInt8]()
        var exponent = 0
        var inFraction = false
        while let byte = bytes.popFirst() {
            switch byte {
            case UInt8(ascii: "."): inFraction = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                exponent += Self.clampedExponent(bytes)
                bytes = bytes[bytes.endIndex...]
            default:
                digits.append(byte)
                if inFraction { exponent -= 1 }
            }
        }
        let leading = digits.prefix { $0 == UInt8(ascii: "0") }.count
        let trimmed = digits.dropFirst(leading)
        let trailing = trimmed.reversed().prefix { $0 == UInt8(ascii: "0") }.count
        significand = String(decoding: trimmed.dropLast(trailing), as: UTF8.self)
        self.exponent = significand.isEmpty ? 0 : exponent + trailing
        if significand.isEmpty { negative = false }
    }

    /// The exponent's value, held within ±10^9: a larger one puts the number beyond every
    /// accessor's range either way, and the clamp keeps the arithmetic from overflowing.
    private static func clampedExponent(_ bytes: Substring.UTF8View.SubSequence) -> Int {
        var rest = bytes
        let negative = rest.first == UInt8(ascii: "-")
        if rest.first == UInt8(ascii: "-") || rest.first == UInt8(ascii: "+") { rest = rest.dropFirst() }
        var value = 0
        for byte in rest {
            value = Swift.min(value * 10 + Int(byte - UInt8(ascii: "0")), 1_000_000_000)
        }
        return negative ? -value : value
    }
}
