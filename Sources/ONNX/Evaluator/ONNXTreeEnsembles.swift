import Foundation

/// ai.onnx.ml TreeEnsembleRegressor / TreeEnsembleClassifier (opset 1–3 attribute form).
struct TreeEnsemble {
    struct Node {
        var feature: Int
        var mode: Mode
        var value: Float
        var trueIndex: Int
        var falseIndex: Int
        var missingTracksTrue: Bool
        var weights: [(target: Int, weight: Float)] = []
    }

    enum Mode: String { case leaf = "LEAF", leq = "BRANCH_LEQ", lt = "BRANCH_LT", gte = "BRANCH_GTE", gt = "BRANCH_GT", eq = "BRANCH_EQ", neq = "BRANCH_NEQ" }

    var nodes: [Node]
    var roots: [Int]

    /// Reads the node arrays; `prefix` is "target" (regressor) or "class" (classifier).
    init(_ c: ONNXNodeContext, prefix: String, targets: Int) throws {
        let treeIds = try c.requiredInts("nodes_treeids"), nodeIds = try c.requiredInts("nodes_nodeids")
        let features = try c.requiredInts("nodes_featureids"), modes = c.strings("nodes_modes") ?? []
        let values = c.floats("nodes_values") ?? c.floats("nodes_values_as_tensor") ?? []
        let trueIds = try c.requiredInts("nodes_truenodeids"), falseIds = try c.requiredInts("nodes_falsenodeids")
        let missing = c.ints("nodes_missing_value_tracks_true") ?? []
        let n = treeIds.count
        guard [nodeIds.count, features.count, modes.count, values.count, trueIds.count, falseIds.count].allSatisfy({ $0 == n }),
              missing.isEmpty || missing.count == n, n > 0 else {
            throw ONNXError.malformed("tree node attributes differ in length")
        }
        var index = [Int64: [Int64: Int]]()
        var roots = [Int]()
        for i in 0..<n {
            if index[treeIds[i]] == nil { index[treeIds[i]] = [:]; roots.append(i) }
            index[treeIds[i]]![nodeIds[i]] = i
        }
        var nodes = [Node]()
        for i in 0..<n {
            guard let mode = Mode(rawValue: modes[i]) else { throw ONNXError.unsupported("tree node mode \(modes[i])") }
            let tree = index[treeIds[i]]!
            var t = -1, f = -1
            if mode != .leaf {
                guard let ti = tree[trueIds[i]], let fi = tree[falseIds[i]], features[i] >= 0 else {
                    throw ONNXError.malformed("tree \(treeIds[i]) node \(nodeIds[i]) points at a missing node")
                }
                // Children must come later in the list: no cycles, traversal always ends.
                guard ti > i, fi > i else { throw ONNXError.malformed("tree \(treeIds[i]) node \(nodeIds[i]) points backwards") }
                (t, f) = (ti, fi)
            }
            nodes.append(Node(feature: Int(features[i]), mode: mode, value: values[i], trueIndex: t, falseIndex: f,
                              missingTracksTrue: missing.isEmpty ? false : missing[i] != 0))
        }
        let wTrees = try c.requiredInts("\(prefix)_treeids"), wNodes = try c.requiredInts("\(prefix)_nodeids")
        let wIds = try c.requiredInts("\(prefix)_ids")
        let weights = c.floats("\(prefix)_weights") ?? c.floats("\(prefix)_weights_as_tensor") ?? []
        guard wNodes.count == wTrees.count, wIds.count == wTrees.count, weights.count == wTrees.count else {
            throw ONNXError.malformed("\(prefix) weight attributes differ in length")
        }
        for k in 0..<wTrees.count {
            guard let i = index[wTrees[k]]?[wNodes[k]], wIds[k] >= 0, wIds[k] < targets else {
                throw ONNXError.malformed("\(prefix) weight \(k) names a missing node or target")
            }
            nodes[i].weights.append((Int(wIds[k]), weights[k]))
        }
        self.nodes = nodes
        self.roots = roots
    }

    func leaf(root: Int, row: ArraySlice<Float>) throws -> Node {
        var i = root
        while nodes[i].mode != .leaf {
            let node = nodes[i]
            guard node.feature < row.count else { throw ONNXError.invalidInput("tree reads feature \(node.feature) of \(row.count)") }
            let x = row[row.startIndex + node.feature]
            let goTrue: Bool
            if x.isNaN { goTrue = node.missingTracksTrue } else {
                switch node.mode {
                case .leq: goTrue = x <= node.value
                case .lt: goTrue = x < node.value
                case .gte: goTrue = x >= node.value
                case .gt: goTrue = x > node.value
                case .eq: goTrue = x == node.value
                case .neq: goTrue = x != node.value
                case .leaf: goTrue = false
                }
            }
            i = goTrue ? node.trueIndex : node.falseIndex
        }
        return nodes[i]
    }

    /// Per row, the aggregated score of each of `targets`.
    func scores(_ x: [Float], rows: Int, features: Int, targets: Int, aggregate: String) throws -> [[Float]] {
        _ = try checkedElementCount([rows, targets], what: "tree ensemble scores")
        return try (0..<rows).map { r in
            let row = x[(r * features)..<((r + 1) * features)]
            var sum = [Float](repeating: 0, count: targets)
            var extreme = [Float?](repeating: nil, count: targets)
            for root in roots {
                for (t, w) in try leaf(root: root, row: row).weights {
                    sum[t] += w
                    switch aggregate {
                    case "MIN": extreme[t] = min(extreme[t] ?? w, w)
                    case "MAX": extreme[t] = max(extreme[t] ?? w, w)
                    default: break
                    }
                }
            }
            switch aggregate {
            case "SUM": return sum
            case "AVERAGE": return sum.map { $0 / Float(roots.count) }
            case "MIN", "MAX": return extreme.map { $0 ?? 0 }
            default: throw ONNXError.unsupported("aggregate_function \(aggregate)")
            }
        }
    }
}

extension ONNXMLOperators {
    static func treeRegressor(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let (x, rows, features) = try matrix(c)
        let targets = Int(c.int("n_targets", default: 1))
        guard targets > 0, targets < 1 << 16 else { throw ONNXError.malformed("n_targets \(targets)") }
        let ensemble = try TreeEnsemble(c, prefix: "target", targets: targets)
        let base = c.floats("base_values") ?? []
        let post = c.string("post_transform", default: "NONE")
        var out = [Float]()
        for var row in try ensemble.scores(x, rows: rows, features: features, targets: targets, aggregate: c.string("aggregate_function", default: "SUM")) {
            if base.count == targets { for t in 0..<targets { row[t] += base[t] } }
            try transform(&row, post)
            out += row
        }
        return [ONNXTensor(shape: [rows, targets], floats: out)]
    }

    static func treeClassifier(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let (x, rows, features) = try matrix(c)
        let labels = try integerLabels(c, ["classlabels_int64s", "classlabels_ints"])
        let ensemble = try TreeEnsemble(c, prefix: "class", targets: labels.count)
        let base = c.floats("base_values") ?? []
        let post = c.string("post_transform", default: "NONE")
        var chosen = [Int64](), out = [Float]()
        for var row in try ensemble.scores(x, rows: rows, features: features, targets: labels.count, aggregate: "SUM") {
            if base.count == labels.count { for t in row.indices { row[t] += base[t] } }
            var best = 0
            for k in row.indices where row[k] > row[best] { best = k }
            chosen.append(labels[best])
            try transform(&row, post)
            out += row
        }
        return [ONNXTensor(shape: [rows], ints: chosen), ONNXTensor(shape: [rows, labels.count], floats: out)]
    }
}
