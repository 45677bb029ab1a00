/// Why a diagnostic could not be computed; each case names the test and the problem.
public enum DiagnosticsError: Error, Equatable, CustomStringConvertible {
    /// The test needs at least `minimum` values and got `count`.
    case tooFewValues(test: String, minimum: Int, count: Int)
    /// Value `index` is NaN or infinite.
    case nonFiniteValue(index: Int)
    /// Every value is the same, so the statistic is undefined.
    case zeroRange(test: String)
    /// A probability outside [0, 1] was asked of a quantile.
    case probabilityOutOfRange(Double)

    public var description: String {
        switch self {
        case let .tooFewValues(test, minimum, count):
            return "\(test) needs at least \(minimum) values, got \(count)"
        case let .nonFiniteValue(index):
            return "value \(index) is not a finite number"
        case let .zeroRange(test):
            return "\(test) is undefined when all values are equal"
        case let .probabilityOutOfRange(p):
            return "probability \(p) is outside [0, 1]"
        }
    }

    /// Throws `nonFiniteValue` for the first NaN or infinity in `values`.
    static func checkFinite(_ values: [Double]) throws {
        if let bad = values.firstIndex(where: { !$0.isFinite }) { throw DiagnosticsError.nonFiniteValue(index: bad) }
    }
}
