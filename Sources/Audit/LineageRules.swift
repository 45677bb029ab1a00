import Contracts
import Primitives

/// The lineage check: the audited model, its parents up to a model without one, and every
/// dataset any of them cites, all read and proven, finalized, and owned consistently.
///
/// Rules (those the contracts enforce at deployment, re-checked on proven state, plus
/// completeness): every model in the chain is finalized and was registered with controlled
/// training (not `unverified`); a relation is given exactly when a parent is; every parent is
/// owned by the audited model's owner (one company's lineage); the first model of the chain
/// cites at least one dataset; every record runs the committed contract code; each cited dataset is finalized and owned by the citing model's
/// owner or shared with it.
enum LineageRules {
    static let name = "lineage"

    /// `models` in chain order (audited model first) with nil for a record that could not be
    /// read; `unreadableParent` names a parent that was not reached (cycle or depth limit).
    static func check(models: [(address: Address, state: ModelRecordState?)], datasets: [Address: DatasetRecordState?],
                      stopped: String?, modelCodeHash: Hash32, datasetCodeHash: Hash32) -> AuditCheck {
        var problems: [String] = []
        var chain: [String] = []
        let company = models.first?.state?.owner
        for (index, entry) in models.enumerated() {
            guard let model = entry.state else {
                problems.append("model \(entry.address) could not be read and proven as a ModelRecord")
                chain.append("\(entry.address)(?)")
                continue
            }
            chain.append("\(model.address)")
            if model.codeHash != modelCodeHash { problems.append("model \(model.address) does not run the ModelRecord code") }
            if !model.finalized { problems.append("model \(model.address) is not finalized") }
            if model.unverified { problems.append("model \(model.address) is registered unverified (no controlled training)") }
            if (model.parent == .zero) != (model.relation == .none) {
                problems.append("model \(model.address) has parent \(model.parent) with relation \(model.relation)")
            }
            if index > 0, let company, model.owner != company {
                problems.append("model \(model.address) is owned by \(model.owner), not by \(company)")
            }
            if model.parent == .zero && model.datasets.isEmpty {
                problems.append("model \(model.address) has no parent and cites no dataset: the lineage does not reach data")
            }
            for address in model.datasets {
                guard let found = datasets[address], let dataset = found else {
                    problems.append("dataset \(address) cited by \(model.address) could not be read and proven as a DatasetRecord")
                    continue
                }
                if dataset.codeHash != datasetCodeHash {
                    problems.append("dataset \(address) does not run the DatasetRecord code")
                }
                if !dataset.finalized { problems.append("dataset \(address) cited by \(model.address) is not finalized") }
                if dataset.owner != model.owner && dataset.sharedWith[model.owner] != true {
                    problems.append("dataset \(address) is owned by \(dataset.owner) and not shared with \(model.owner), "
                                    + "the owner of \(model.address)")
                }
            }
        }
        if let stopped { problems.append(stopped) }
        let datasetCount = Set(models.compactMap(\.state).flatMap(\.datasets)).count
        if problems.isEmpty {
            return .pass(name, "\(models.count) finalized models (\(chain.joined(separator: " -> "))) and \(datasetCount) "
                         + "finalized datasets, owned by \(company.map { "\($0)" } ?? "?") or shared with it")
        }
        return .fail(name, problems.joined(separator: "; "))
    }
}
