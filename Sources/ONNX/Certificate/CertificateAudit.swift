import LedgerCrypto
import Foundation
import ML
import Primitives

/// The audit of a translated model's equivalence certificate, from files the auditor holds and
/// hashes the chain proves: the certificate must be the anchored one, name the ONNX file and the
/// parent's weights, and both of its computations must come out again: MLedger's evaluator on
/// the ONNX file and the native model rebuilt from the parent's weights, each on the recorded
/// reference inputs. Every finding names the file at fault.
public struct CertificateAudit {
    /// One finding: a stable name, whether it held, and the values compared.
    public struct Finding: Sendable, Equatable {
        public let name: String
        public let passed: Bool
        public let evidence: String
    }

    public static let certificateName = "translation-certificate"
    public static let onnxName = "translation-onnx-file"
    public static let evaluationName = "translation-reevaluation"
    public static let nativeName = "translation-native-outputs"

    /// The certificate file and what the chain proves about the translated model and its parent.
    public var certificatePath: String
    public var certificate: Data
    /// The translated model's file (the ONNX graph) and the parent's file (safetensors weights).
    public var onnxPath: String
    public var onnx: Data
    public var parentPath: String
    public var parentWeights: Data
    /// The child's proven `metricsHash` (the certificate's hash) and the parent's proven `weightsHash`.
    public var anchoredCertificateHash: Hash32
    public var parentWeightsHash: Hash32

    public init(certificatePath: String, certificate: Data, onnxPath: String, onnx: Data, parentPath: String, parentWeights: Data,
                anchoredCertificateHash: Hash32, parentWeightsHash: Hash32) {
        self.certificatePath = certificatePath
        self.certificate = certificate
        self.onnxPath = onnxPath
        self.onnx = onnx
        self.parentPath = parentPath
        self.parentWeights = parentWeights
        self.anchoredCertificateHash = anchoredCertificateHash
        self.parentWeightsHash = parentWeightsHash
    }

    public func run() -> [Finding] {
        // 1. The certificate is the anchored one (its canonical JSON hashes to metricsHash).
        let document: JSONValue
        let parsed: EquivalenceCertificate
        do {
            document = try JSONValue(document: certificate)
            parsed = try EquivalenceCertificate(json: document)
        } catch {
            return [Self.fail(Self.certificateName, "\(certificatePath) is not an equivalence certificate: \(error)")]
        }
        let hash = Keccak256.hash(Array(document.canonicalString.utf8))
        guard hash == anchoredCertificateHash else {
            return [Self.fail(Self.certificateName,
                              "the certificate \(certificatePath) hashes to \(hash), the model anchors metricsHash \(anchoredCertificateHash): it is not the anchored certificate")]
        }
        var findings = [Finding(name: Self.certificateName, passed: true,
                                evidence: "keccak256 of \(certificatePath)'s canonical JSON = \(hash) = anchored metricsHash")]

        // 2. It names the ONNX file and the parent's weights.
        let onnxHash = EquivalenceCertificate.hashText(onnx)
        let parentHash = EquivalenceCertificate.hashText(parentWeights)
        if onnxHash != parsed.onnxHash {
            findings.append(Self.fail(Self.onnxName, "the ONNX file \(onnxPath) hashes to \(onnxHash), the certificate names \(parsed.onnxHash)"))
        } else {
            findings.append(Finding(name: Self.onnxName, passed: true, evidence: "keccak256(\(onnxPath)) = \(onnxHash) as certified"))
        }

        // 3. MLedger's evaluator on the ONNX file gives the certified errors again.
        findings.append(reevaluation(parsed))

        // 4. The native model rebuilt from the parent's weights gives the recorded outputs again.
        if parentHash != parsed.sourceWeightsHash || parentHash != parentWeightsHash.description {
            findings.append(Self.fail(Self.nativeName, "the parent's file \(parentPath) hashes to \(parentHash); the certificate names \(parsed.sourceWeightsHash) and the parent record anchors \(parentWeightsHash)"))
        } else {
            findings.append(nativeOutputs(parsed))
        }
        return findings
    }

    func reevaluation(_ parsed: EquivalenceCertificate) -> Finding {
        let evaluated: [Float]
        do {
            let evaluator = try ONNXEvaluator(data: onnx)
            let out = try evaluator.runSingle(ONNXTensor(shape: parsed.inputShape, floats: parsed.inputs))
            guard out.shape == parsed.outputShape else {
                return Self.fail(Self.evaluationName, "the ONNX file \(onnxPath) gives shape \(out.shape), the certificate records \(parsed.outputShape)")
            }
            evaluated = out.floats
        } catch {
            return Self.fail(Self.evaluationName, "the ONNX file \(onnxPath) does not evaluate: \(error)")
        }
        let (worstAbs, worstRel, ok) = EquivalenceCertificate.compare(native: parsed.nativeOutputs, onnx: evaluated)
        let numbers = "max abs error now \(worstAbs) (certified \(parsed.maxAbsoluteError)), max rel error now \(worstRel) (certified \(parsed.maxRelativeError))"
        // The recomputed error may differ from the certified one only by float rounding of a
        // different kernel order; a larger difference means the file or the record changed.
        let agrees = abs(worstAbs - parsed.maxAbsoluteError) <= EquivalenceCertificate.absoluteTolerance
        guard ok, parsed.equivalent, agrees else {
            return Self.fail(Self.evaluationName, "the ONNX file \(onnxPath) on the certificate's \(parsed.inputShape.first ?? 0) reference inputs: \(numbers)"
                             + (ok ? "" : "; outside the tolerance") + (parsed.equivalent ? "" : "; the certificate itself says not equivalent"))
        }
        return Finding(name: Self.evaluationName, passed: true, evidence: "MLedger's evaluator on \(onnxPath): \(numbers)")
    }

    func nativeOutputs(_ parsed: EquivalenceCertificate) -> Finding {
        let outputs: Tensor
        do {
            let model = try ONNXModelFile.decode(onnx)
            guard let text = model.metadataProps.first(where: { $0.key == ONNXExporter.MetadataKey.architecture })?.value else {
                return Self.fail(Self.nativeName, "the ONNX file \(onnxPath) names no \(ONNXExporter.MetadataKey.architecture)")
            }
            let architecture = try JSONValue(document: Data(text.utf8))
            let network = try ModelDirectory(architecture: architecture, weights: parentWeights).network()
            outputs = try network.forward(Tensor(shape: parsed.inputShape, scalars: parsed.inputs))
        } catch {
            return Self.fail(Self.nativeName, "the native model from \(parentPath) does not run: \(error)")
        }
        guard outputs.shape == parsed.outputShape else {
            return Self.fail(Self.nativeName, "the native model from \(parentPath) gives shape \(outputs.shape), the certificate records \(parsed.outputShape)")
        }
        let (worstAbs, _, ok) = EquivalenceCertificate.compare(native: parsed.nativeOutputs, onnx: outputs.scalars)
        guard ok else {
            return Self.fail(Self.nativeName, "the native model from \(parentPath) differs from the certificate's recorded outputs by up to \(worstAbs)")
        }
        return Finding(name: Self.nativeName, passed: true,
                       evidence: "the native model from \(parentPath) reproduces the certificate's outputs (max abs difference \(worstAbs))")
    }

    static func fail(_ name: String, _ evidence: String) -> Finding { Finding(name: name, passed: false, evidence: evidence) }
}
