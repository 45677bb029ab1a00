import Foundation

/// ai.onnx.ml operators as skl2onnx emits them for scikit-learn's linear and tree models.
/// Class labels must be integers (`classlabels_ints` / `classlabels_int64s`).
enum ONNXMLOperators {
    static let table: [String: ONNXOperator] = [
        "LinearRegressor": linearRegressor,
        "LinearClassifier": linearClassifier,
        "Scaler": scaler,
        "Normalizer": normalizer,
        "TreeEnsembleRegressor": treeRegressor,
        "TreeEnsembleClassifier": treeClassifier,
    ]

    /// `X` as `[rows, features]` (a vector is one row).
    static func matrix(_ c: ONNXNodeContext) throws -> (values: [Float], rows: Int, features: Int) {
        let x = try c.input(0)
        switch x.rank {
        case 1: return (x.floats, 1, x.shape[0])
        case 2: return (x.floats, x.shape[0], x.shape[1])
        default: throw ONNXError.malformed("X has shape \(x.shape), expected [N, C]")
        }
    }

    /// Applies `post_transform` to one row of scores.
    static func transform(_ row: inout [Float], _ kind: String) throws {
        switch kind {
        case "NONE": return
        case "LOGISTIC": for i in row.indices { row[i] = ONNXOperators.sigmoid(row[i]) }
        case "SOFTMAX", "SOFTMAX_ZERO":
            guard let top = row.max() else { return }
            var sum: Float = 0
            for i in row.indices {
                row[i] = (kind == "SOFTMAX_ZERO" && row[i] == 0) ? 0 : expf(row[i] - top)
                sum += row[i]
            }
            if sum > 0 { for i in row.indices { row[i] /= sum } }
        case "PROBIT":
            for i in row.indices { row[i] = Float(2).squareRoot() * inverseErf(2 * row[i] - 1) }
        default: throw ONNXError.unsupported("post_transform \(kind)")
        }
    }

    /// Inverse error function (Giles' approximation), for PROBIT.
    static func inverseErf(_ x: Float) -> Float {
        let w = -logf((1 - x) * (1 + x))
        if w < 5 {
            let v = w - 2.5
            var p: Float = 2.81022636e-08
            for c: Float in [3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087, -0.00125372503, -0.00417768164, 0.246640727, 1.50140941] { p = c + p * v }
            return p * x
        }
        let v = w.squareRoot() - 3
        var p: Float = -0.000200214257
        for c: Float in [0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773, -0.0076224613, 0.00943887047, 1.00167406, 2.83297682] { p = c + p * v }
        return p * x
    }

    static func linearRegressor(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let (x, rows, features) = try matrix(c)
        let coefficients = try c.requiredFloats("coefficients")
        let targets = Int(c.int("targets", default: 1))
        _ = try checkedElementCount([rows, targets], what: "LinearRegressor result")
        guard targets > 0, coefficients.count == targets * features else {
            throw ONNXError.malformed("\(coefficients.count) coefficients for \(targets) target(s) of \(features) features")
        }
        let intercepts = c.floats("intercepts") ?? []
        guard intercepts.isEmpty || intercepts.count == targets else { throw ONNXError.malformed("\(intercepts.count) intercepts for \(targets) targets") }
        var out = ONNXOperators.product(x, coefficients, m: rows, k: features, n: targets, transB: true)
        let post = c.string("post_transform", default: "NONE")
        for r in 0..<rows {
            var row = Array(out[(r * targets)..<((r + 1) * targets)])
            if !intercepts.isEmpty { for t in 0..<targets { row[t] += intercepts[t] } }
            try transform(&row, post)
            out.replaceSubrange((r * targets)..<((r + 1) * targets), with: row)
        }
        return [ONNXTensor(shape: [rows, targets], floats: out)]
    }

    static func integerLabels(_ c: ONNXNodeContext, _ names: [String]) throws -> [Int64] {
        for name in names { if let labels = c.ints(name), !labels.isEmpty { return labels } }
        if c.attribute("classlabels_strings") != nil { throw ONNXError.unsupported("string class labels") }
        throw ONNXError.malformed("the classifier names no class labels")
    }

    /// Scores for every class, the label of the best. With one coefficient row and two labels
    /// (a binary model) the single score s stands for class 1 and `-s` for class 0, as onnxruntime does.
    static func linearClassifier(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let (x, rows, features) = try matrix(c)
        let coefficients = try c.requiredFloats("coefficients")
        let labels = try integerLabels(c, ["classlabels_ints"])
        guard features > 0, coefficients.count % features == 0 else { throw ONNXError.malformed("coefficients do not fit \(features) features") }
        let classes = coefficients.count / features
        let binary = classes == 1 && labels.count == 2
        guard classes == labels.count || binary else { throw ONNXError.malformed("\(classes) coefficient rows for \(labels.count) labels") }
        let intercepts = c.floats("intercepts") ?? []
        guard intercepts.isEmpty || intercepts.count == classes else { throw ONNXError.malformed("\(intercepts.count) intercepts for \(classes) classes") }
        let raw = ONNXOperators.product(x, coefficients, m: rows, k: features, n: classes, transB: true)
        let post = c.string("post_transform", default: "NONE")
        var scores = [Float](), chosen = [Int64]()
        for r in 0..<rows {
            var row = Array(raw[(r * classes)..<((r + 1) * classes)])
            if !intercepts.isEmpty { for k in 0..<classes { row[k] += intercepts[k] } }
            if binary {
                let s = row[0]
                chosen.append(s > 0 ? labels[1] : labels[0])
                var pair = [s]
                try transform(&pair, post)
                scores += post == "LOGISTIC" ? [1 - pair[0], pair[0]] : [-pair[0], pair[0]]
            } else {
                var best = 0
                for k in 1..<max(classes, 1) where row[k] > row[best] { best = k }
                chosen.append(labels[best])
                try transform(&row, post)
                scores += row
            }
        }
        return [ONNXTensor(shape: [rows], ints: chosen), ONNXTensor(shape: [rows, binary ? 2 : classes], floats: scores)]
    }

    static func scaler(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let (x, rows, features) = try matrix(c)
        let offset = c.floats("offset") ?? [0], scale = c.floats("scale") ?? [1]
        guard [1, features].contains(offset.count), [1, features].contains(scale.count) else {
            throw ONNXError.malformed("offset/scale of \(offset.count)/\(scale.count) values for \(features) features")
        }
        var out = x
        for r in 0..<rows {
            for f in 0..<features {
                let o = offset.count == 1 ? offset[0] : offset[f], s = scale.count == 1 ? scale[0] : scale[f]
                out[r * features + f] = (x[r * features + f] - o) * s
            }
        }
        return [ONNXTensor(shape: try c.input(0).shape, floats: out)]
    }

    static func normalizer(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let (x, rows, features) = try matrix(c)
        let norm = c.string("norm", default: "MAX")
        var out = x
        for r in 0..<rows {
            let row = x[(r * features)..<((r + 1) * features)]
            let divisor: Float
            switch norm {
            case "MAX": divisor = row.max() ?? 1
            case "L1": divisor = row.reduce(0) { $0 + abs($1) }
            case "L2": divisor = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            default: throw ONNXError.unsupported("Normalizer norm \(norm)")
            }
            for f in 0..<features { out[r * features + f] = divisor == 0 ? x[r * features + f] : x[r * features + f] / divisor }
        }
        return [ONNXTensor(shape: try c.input(0).shape, floats: out)]
    }
}
