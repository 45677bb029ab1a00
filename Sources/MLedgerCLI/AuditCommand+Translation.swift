import Audit
import Contracts
import Foundation
import ONNX

/// `mledger audit` of a translated model (relation `translatedFrom`): its equivalence
/// certificate (`--certificate`, as `GET /model/{id}/metadata` shows it under
/// `model_params.translation.certificate` or `mledger translate` writes it) must hash to the
/// anchored `metricsHash`, name the `--artifact` ONNX file and the `--parent-artifact` weights,
/// and both computations must come out again (ONNX.CertificateAudit).
enum TranslationAuditChecks {
    static func checks(report: AuditReport, artifact: String?, certificate: String?, parentArtifact: String?) -> [AuditCheck] {
        guard let child = report.lineage.first, child.address == report.model, child.relation == .translatedFrom else {
            if certificate != nil {
                return [AuditCheck(name: CertificateAudit.certificateName, passed: false,
                                   evidence: "--certificate given, but \(report.model) is not a proven translated model (relation translatedFrom)")]
            }
            return []
        }
        // Like --artifact and --dataset, the certificate is checked when its file is given.
        guard let certificate else { return [] }
        guard let artifact, let parentArtifact else {
            return [AuditCheck(name: CertificateAudit.certificateName, passed: false,
                               evidence: "\(child.address) is translated from \(child.parent): its certificate is audited with --certificate FILE, "
                                   + "--artifact FILE.onnx and --parent-artifact FILE (the parent's weights)")]
        }
        guard let parent = report.lineage.dropFirst().first, parent.address == child.parent else {
            return [AuditCheck(name: CertificateAudit.certificateName, passed: false, evidence: "the parent \(child.parent) could not be proven")]
        }
        let files: [String: Data]
        do {
            files = try Dictionary(uniqueKeysWithValues: [certificate, artifact, parentArtifact].map { path in
                (path, try Data(contentsOf: URL(fileURLWithPath: path)))
            })
        } catch {
            return [AuditCheck(name: CertificateAudit.certificateName, passed: false, evidence: "cannot read a file: \(error.localizedDescription)")]
        }
        let audit = CertificateAudit(certificatePath: certificate, certificate: files[certificate]!, onnxPath: artifact, onnx: files[artifact]!,
                                     parentPath: parentArtifact, parentWeights: files[parentArtifact]!,
                                     anchoredCertificateHash: child.metricsHash, parentWeightsHash: parent.weightsHash)
        return audit.run().map { AuditCheck(name: $0.name, passed: $0.passed, evidence: $0.evidence) }
    }
}
