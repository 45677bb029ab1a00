import Foundation
import ML
import ONNX
import Primitives
import XCTest

/// Damaged, oversized and hostile files fail with a message; none crashes the process.
final class MalformedInputTests: XCTestCase {
    func exportedMLP() throws -> Data {
        try ModelTranslation.export(try TranslationRoundTripTests.directory(TranslationRoundTripTests.mlpArchitecture, seed: 11),
                                    sourceModelId: "m", mledgerVersion: "t").onnx
    }

    func testEveryTruncationIsRefusedOrStillConsistent() throws {
        let bytes = try exportedMLP()
        var refused = 0
        // Every cut point in the first 4 KiB, then every 97th byte.
        for cut in Array(0..<min(4096, bytes.count)) + Array(stride(from: 4096, to: bytes.count, by: 97)) {
            let prefix = bytes.prefix(cut)
            do {
                let evaluator = try ONNXEvaluator(data: Data(prefix))
                // A prefix that still parses must still run or fail cleanly.
                _ = try? evaluator.runSingle(ONNXTensor(shape: [2, 7], floats: [Float](repeating: 0.5, count: 14)))
            } catch is ONNXError {
                refused += 1
            }
        }
        XCTAssertGreaterThan(refused, 4000)
        XCTAssertThrowsError(try ONNXModelFile.decode(Data())) { XCTAssertTrue("\($0)".contains("empty")) }
    }

    func testOversizedFileIsRefusedBeforeParsing() throws {
        let bytes = try exportedMLP()
        XCTAssertThrowsError(try ONNXModelFile.decode(bytes, limit: bytes.count - 1)) { error in
            XCTAssertTrue("\(error)".contains("exceeds"), "\(error)")
        }
    }

    func testGarbageAndFlippedBytesNeverCrash() throws {
        let bytes = [UInt8](try exportedMLP())
        var generator = SeededGenerator(seed: 99)
        for _ in 0..<300 {
            var copy = bytes
            for _ in 0..<4 { copy[generator.nextIndex(below: copy.count)] = UInt8(truncatingIfNeeded: generator.next()) }
            if let evaluator = try? ONNXEvaluator(data: Data(copy)) {
                _ = try? evaluator.runSingle(ONNXTensor(shape: [1, 7], floats: [Float](repeating: 1, count: 7)))
            }
        }
        XCTAssertThrowsError(try ONNXEvaluator(data: Data((0..<512).map { _ in UInt8(truncatingIfNeeded: generator.next()) })))
    }

    func testUnknownOperatorAndDanglingInputAreNamed() throws {
        var model = try ONNXModelFile.decode(try exportedMLP())
        model.graph.node[0].opType = "Einsum"
        XCTAssertThrowsError(try ONNXEvaluator(model: model)) { XCTAssertTrue("\($0)".contains("Einsum"), "\($0)") }
        model = try ONNXModelFile.decode(try exportedMLP())
        model.graph.node[1].input[0] = "nowhere"
        XCTAssertThrowsError(try ONNXEvaluator(model: model)) { XCTAssertTrue("\($0)".contains("nowhere"), "\($0)") }
    }

    func testInputOfTheWrongShapeIsRefused() throws {
        let evaluator = try ONNXEvaluator(data: try exportedMLP())
        XCTAssertThrowsError(try evaluator.runSingle(ONNXTensor(shape: [2, 6], floats: [Float](repeating: 0, count: 12)))) {
            XCTAssertTrue("\($0)".contains("[2, 6]"), "\($0)")
        }
    }
}

/// PyTorch checkpoints: real `torch.save` files load; pickles naming anything outside the
/// allow-list are refused with the global's name.
final class TorchCheckpointTests: XCTestCase {
    func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: try XCTUnwrap(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil)))
    }

    func testTorchSaveStateDictLoads() throws {
        let state = try TorchCheckpoint.stateDict(try fixture("linear-3x2.pt"))
        let expected = try JSONValue(parsing: [UInt8](try fixture("linear-3x2.json")))
        XCTAssertEqual(Set(state.keys), ["weight", "bias"])
        for key in ["weight", "bias"] {
            XCTAssertEqual(state[key]?.shape, expected[key]?["shape"]?.arrayValue?.compactMap(\.intValue))
            XCTAssertEqual(state[key]?.scalars, expected[key]?["values"]?.arrayValue?.compactMap { $0.doubleValue.map { Float($0) } })
        }
    }

    func testStridesOfANonContiguousTensorAreHonoured() throws {
        let state = try TorchCheckpoint.stateDict(try fixture("transposed.pt"))
        // torch.arange(6).reshape(2, 3).t(): rows [0, 3], [1, 4], [2, 5].
        XCTAssertEqual(state["t"], Tensor(shape: [3, 2], scalars: [0, 3, 1, 4, 2, 5]))
    }

    /// A stored zip of one `data.pkl`, as torch.save lays it out.
    static func zip(pickle: [UInt8]) -> Data {
        let name = Array("evil/data.pkl".utf8)
        var out = [UInt8]()
        func u16(_ v: Int) { out += [UInt8(v & 0xff), UInt8(v >> 8 & 0xff)] }
        func u32(_ v: Int) { u16(v & 0xffff); u16(v >> 16 & 0xffff) }
        u32(0x0403_4b50); u16(20); u16(0); u16(0); u16(0); u16(0); u32(0); u32(pickle.count); u32(pickle.count); u16(name.count); u16(0)
        out += name + pickle
        let directory = out.count
        u32(0x0201_4b50); u16(20); u16(20); u16(0); u16(0); u16(0); u16(0); u32(0); u32(pickle.count); u32(pickle.count)
        u16(name.count); u16(0); u16(0); u16(0); u16(0); u32(0); u32(0)
        out += name
        let directorySize = out.count - directory
        u32(0x0605_4b50); u16(0); u16(0); u16(1); u16(1); u32(directorySize); u32(directory); u16(0)
        return Data(out)
    }

    func testPickleNamingOsSystemIsRefused() throws {
        // pickle.dumps of os.system("echo owned") at protocol 2: GLOBAL 'posix system', args, REDUCE.
        let pickle: [UInt8] = [0x80, 0x02] + Array("cposix\nsystem\n".utf8) + [0x71, 0x00, 0x58, 10, 0, 0, 0] + Array("echo owned".utf8)
            + [0x71, 0x01, 0x85, 0x71, 0x02, 0x52, 0x71, 0x03, 0x2e]
        XCTAssertThrowsError(try TorchCheckpoint.stateDict(Self.zip(pickle: pickle))) { error in
            XCTAssertTrue("\(error)".contains("posix.system"), "\(error)")
            XCTAssertTrue("\(error)".contains("not allowed"), "\(error)")
        }
        let viaStackGlobal: [UInt8] = [0x80, 0x04, 0x8c, 2] + Array("os".utf8) + [0x8c, 6] + Array("system".utf8) + [0x93, 0x2e]
        XCTAssertThrowsError(try TorchCheckpoint.stateDict(Self.zip(pickle: viaStackGlobal))) { error in
            XCTAssertTrue("\(error)".contains("os.system"), "\(error)")
        }
    }

    func testCodeRunningOpcodesAndTruncationAreRefused() throws {
        // INST ('i'): builds an object by calling a class.
        let inst: [UInt8] = [0x80, 0x02, 0x28] + Array("ibuiltins\nprint\n".utf8) + [0x2e]
        XCTAssertThrowsError(try TorchCheckpoint.stateDict(Self.zip(pickle: inst))) { XCTAssertTrue("\($0)".contains("0x69"), "\($0)") }
        let real = [UInt8](try fixture("linear-3x2.pt"))
        for cut in stride(from: 0, to: real.count, by: 13) {
            XCTAssertThrowsError(try TorchCheckpoint.stateDict(Data(real.prefix(cut))))
        }
    }
}
