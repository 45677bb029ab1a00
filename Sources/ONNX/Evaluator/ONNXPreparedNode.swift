/// One node's constant weights laid out once, when the graph loads, in the layout its kernel
/// reads, so a run only multiplies: Gemm's `B` transposed, GRU/LSTM's `W` and `R` transposed to
/// `[input, gates·hidden]` and `[hidden, gates·hidden]`. Made only from initializers that no
/// node overwrites; a node whose weights are computed at run time lays them out per run.
struct ONNXPreparedNode: Sendable {
    /// Gemm with `transB`: `B` `[n, k]` as `[k, n]`.
    var transposedB: [Float]?
    var recurrent: RecurrentWeights?

    struct RecurrentWeights: Sendable {
        /// The `W` and `R` tensors these were made from (shape `[1, gates·hidden, ·]`).
        var wShape: [Int], rShape: [Int]
        var wT: [Float], rT: [Float]
        /// GRU: the candidate block of `R` alone, `[hidden, hidden]` (for `linear_before_reset = 0`).
        var candidateRT: [Float]
    }

    init?(_ node: Onnx_NodeProto, constants: [String: ONNXTensor], computed: Set<String>) {
        func constant(_ i: Int) -> ONNXTensor? {
            guard i < node.input.count, !node.input[i].isEmpty, !computed.contains(node.input[i]) else { return nil }
            return constants[node.input[i]]
        }
        guard node.domain.isEmpty || node.domain == "ai.onnx" else { return nil }
        switch node.opType {
        case "Gemm":
            guard node.attribute.first(where: { $0.name == "transB" })?.i ?? 0 != 0, let b = constant(1), b.rank == 2, b.isFloat else { return nil }
            transposedB = ONNXRecurrent.transposed(b.floats, rows: b.shape[0], columns: b.shape[1])
        case "GRU", "LSTM":
            guard let w = constant(1), let r = constant(2), w.rank == 3, r.rank == 3, w.shape[0] == 1, r.shape[0] == 1,
                  r.shape[1] == w.shape[1], r.shape[1] > 0, r.shape[1] % r.shape[2] == 0, w.isFloat, r.isFloat else { return nil }
            let rows = w.shape[1], hidden = r.shape[2]
            let rT = ONNXRecurrent.transposed(r.floats, rows: rows, columns: hidden)
            let candidate = node.opType == "GRU" && rows == 3 * hidden ? ONNXRecurrent.candidateBlock(rT, hidden: hidden) : []
            recurrent = RecurrentWeights(wShape: w.shape, rShape: r.shape, wT: ONNXRecurrent.transposed(w.floats, rows: rows, columns: w.shape[2]),
                                         rT: rT, candidateRT: candidate)
        default:
            return nil
        }
    }
}
