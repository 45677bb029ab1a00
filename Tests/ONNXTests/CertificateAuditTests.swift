import LedgerCrypto
import Foundation
import ML
import ONNX
import Primitives
import XCTest

/// The audit of a translated model's certificate: the anchored certificate, the ONNX file and
/// the parent's weights pass; a changed certificate, ONNX file or parent file fails, naming it.
final class CertificateAuditTests: XCTestCase {
    struct Translation {
        var parent: ModelDirectory
        var onnx: Data
        var certificate: Data
        var anchored: Hash32
    }

    func translation(_ architecture: JSONValue, seed: UInt64) throws -> Translation {
        let parent = try TranslationRoundTripTests.directory(architecture, seed: seed)
        let exported = try ModelTranslation.export(parent, sourceModelId: "parent", mledgerVersion: "test")
        return Translation(parent: parent, onnx: exported.onnx, certificate: Data(exported.certificate.canonicalJSON.utf8),
                           anchored: exported.certificate.keccak)
    }

    func audit(_ t: Translation, certificate: Data? = nil, onnx: Data? = nil, parentWeights: Data? = nil) -> [CertificateAudit.Finding] {
        CertificateAudit(certificatePath: "cert.json", certificate: certificate ?? t.certificate, onnxPath: "model.onnx", onnx: onnx ?? t.onnx,
                         parentPath: "weights.safetensors", parentWeights: parentWeights ?? t.parent.weights,
                         anchoredCertificateHash: t.anchored,
                         parentWeightsHash: Keccak256.hash([UInt8](t.parent.weights))).run()
    }

    func finding(_ findings: [CertificateAudit.Finding], _ name: String) throws -> CertificateAudit.Finding {
        try XCTUnwrap(findings.first { $0.name == name }, "no \(name) in \(findings)")
    }

    /// The file with an exponent bit of its first weight flipped: its hash and its outputs change.
    static func flippingOneWeight(_ onnx: Data) throws -> Data {
        var model = try ONNXModelFile.decode(onnx)
        var weight = model.graph.initializer[0]
        var raw = [UInt8](weight.rawData)
        raw[3] ^= 0x40
        weight.rawData = Data(raw)
        model.graph.initializer[0] = weight
        return try ONNXModelFile.encode(model)
    }

    func testAnchoredCertificatePassesEveryCheck() throws {
        for (architecture, seed) in [(TranslationRoundTripTests.mlpArchitecture, UInt64(11)), (TranslationRoundTripTests.lstmArchitecture, 12),
                                     (EnergyForecaster.architecture, 13)] {
            let findings = audit(try translation(architecture, seed: seed))
            XCTAssertEqual(findings.map(\.name), [CertificateAudit.certificateName, CertificateAudit.onnxName,
                                                   CertificateAudit.evaluationName, CertificateAudit.nativeName])
            XCTAssertTrue(findings.allSatisfy(\.passed), "\(findings)")
        }
    }

    func testATamperedCertificateFailsNamingIt() throws {
        let t = try translation(TranslationRoundTripTests.mlpArchitecture, seed: 21)
        var document = try JSONValue(document: t.certificate)
        guard case .object(var fields) = document else { return XCTFail("not an object") }
        fields["max_abs_error"] = .double(0)
        document = .object(fields)
        let findings = audit(t, certificate: Data(document.canonicalString.utf8))
        let check = try finding(findings, CertificateAudit.certificateName)
        XCTAssertFalse(check.passed)
        XCTAssertTrue(check.evidence.contains("cert.json") && check.evidence.contains("metricsHash"), check.evidence)
        // The same certificate re-serialized (other key order, spacing) is still the anchored one.
        let pretty = Data(try JSONValue(document: t.certificate).prettyPrinted.utf8)
        XCTAssertTrue(audit(t, certificate: pretty).allSatisfy(\.passed))
    }

    func testATamperedONNXFileFailsNamingIt() throws {
        let t = try translation(TranslationRoundTripTests.mlpArchitecture, seed: 22)
        let findings = audit(t, onnx: try Self.flippingOneWeight(t.onnx))
        XCTAssertTrue(try finding(findings, CertificateAudit.certificateName).passed)
        for name in [CertificateAudit.onnxName, CertificateAudit.evaluationName] {
            let check = try finding(findings, name)
            XCTAssertFalse(check.passed, name)
            XCTAssertTrue(check.evidence.contains("model.onnx"), check.evidence)
        }
        // Bytes that are not ONNX at all fail the same way, without a crash.
        let garbage = audit(t, onnx: Data(repeating: 0xff, count: 100))
        XCTAssertFalse(try finding(garbage, CertificateAudit.evaluationName).passed)
    }

    func testAnotherParentFileFailsTheNativeCheck() throws {
        let t = try translation(TranslationRoundTripTests.mlpArchitecture, seed: 23)
        let other = try TranslationRoundTripTests.directory(TranslationRoundTripTests.mlpArchitecture, seed: 24)
        let check = try finding(audit(t, parentWeights: other.weights), CertificateAudit.nativeName)
        XCTAssertFalse(check.passed)
        XCTAssertTrue(check.evidence.contains("weights.safetensors"), check.evidence)
    }
}
