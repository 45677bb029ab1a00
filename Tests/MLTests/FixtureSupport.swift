import Foundation
import ML
import Testing
import Primitives

/// Reads the PyTorch reference values written by tools/make-ml-fixtures.py.
enum Fixture {
    static func load(_ name: String) throws -> JSONValue {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
            throw MLError.invalidFile("fixture \(name).json missing")
        }
        return try JSONValue(document: Data(contentsOf: url))
    }

    static func tensor(_ value: JSONValue?) throws -> Tensor {
        guard let value, let shape = value["shape"]?.arrayValue?.compactMap(\.intValue),
              let data = value["data"]?.arrayValue?.compactMap(\.doubleValue) else {
            throw MLError.invalidFile("fixture tensor malformed")
        }
        return Tensor(shape: shape, scalars: data.map { Float($0) })
    }

    static func tensors(_ value: JSONValue?) throws -> [String: Tensor] {
        guard let object = value?.objectValue else { throw MLError.invalidFile("fixture tensor map malformed") }
        return try object.mapValues { try tensor($0) }
    }
}

/// Largest error of `actual` against `expected`, relative to max(|expected|, 1e-2)
/// (values smaller than 0.01 are compared absolutely at that scale).
func relativeError(_ actual: Tensor, _ expected: Tensor) -> Float {
    #expect(actual.shape == expected.shape, "shape \(actual.shape) vs \(expected.shape)")
    guard actual.shape == expected.shape else { return .infinity }
    var worst: Float = 0
    for i in 0..<actual.count {
        let e = expected.scalars[i]
        worst = max(worst, abs(actual.scalars[i] - e) / max(abs(e), 1e-2))
    }
    return worst
}

/// 64-bit FNV-1a: enough to compare weight bytes in determinism tests without the ledger's hashes.
func fnv1a(_ data: Data) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in data { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    return h
}
