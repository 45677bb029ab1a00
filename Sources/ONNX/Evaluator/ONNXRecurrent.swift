import Foundation

/// ONNX GRU and LSTM (forward direction, default activations), as torch.onnx and MLedger's
/// exporter write them: X `[seq, batch, input]` (layout 0) or `[batch, seq, input]` (layout 1).
enum ONNXRecurrent {
    struct Setup {
        var sequence: Int, batch: Int, inputSize: Int, hidden: Int, batchFirst: Bool
        var x: [Float]
        /// Input weights transposed to `[input, gates·hidden]`, recurrence weights to `[hidden, gates·hidden]`.
        var wT: [Float], rT: [Float]
        var wb: [Float], rb: [Float]
        var h0: [Float]
    }

    /// Reads the common inputs and attributes; `gates` is 3 for GRU, 4 for LSTM.
    static func setup(_ c: ONNXNodeContext, gates: Int) throws -> Setup {
        let direction = c.string("direction", default: "forward")
        guard direction == "forward" else { throw ONNXError.unsupported("direction \(direction) (only forward)") }
        if let acts = c.strings("activations"), !acts.isEmpty {
            let expected = gates == 3 ? ["Sigmoid", "Tanh"] : ["Sigmoid", "Tanh", "Tanh"]
            guard acts == expected else { throw ONNXError.unsupported("activations \(acts)") }
        }
        guard c.attribute("clip") == nil else { throw ONNXError.unsupported("clip") }
        let x = try c.input(0), w = try c.input(1), r = try c.input(2)
        let batchFirst = c.int("layout", default: 0) == 1
        guard x.rank == 3 else { throw ONNXError.malformed("X has shape \(x.shape), expected rank 3") }
        let sequence = batchFirst ? x.shape[1] : x.shape[0], batch = batchFirst ? x.shape[0] : x.shape[1], inputSize = x.shape[2]
        guard let hiddenAttr = c.attribute("hidden_size") else { throw ONNXError.malformed("hidden_size is required") }
        let hidden = Int(clamping: hiddenAttr.i)
        guard hidden > 0, w.shape == [1, gates * hidden, inputSize], r.shape == [1, gates * hidden, hidden] else {
            throw ONNXError.malformed("W \(w.shape) / R \(r.shape) do not fit hidden_size \(hidden), input \(inputSize), one direction")
        }
        _ = try checkedElementCount([sequence, batch, gates * hidden], what: "\(gates == 3 ? "GRU" : "LSTM") outputs")
        var wb = [Float](repeating: 0, count: gates * hidden), rb = wb
        if let b = c.optionalInput(3) {
            guard b.shape == [1, 2 * gates * hidden] else { throw ONNXError.malformed("B has shape \(b.shape)") }
            let v = b.floats
            wb = Array(v[0..<(gates * hidden)])
            rb = Array(v[(gates * hidden)...])
        }
        if let lengths = c.optionalInput(4), lengths.ints.contains(where: { $0 != Int64(sequence) }) {
            throw ONNXError.unsupported("sequence_lens shorter than the sequence")
        }
        var h0 = [Float](repeating: 0, count: batch * hidden)
        if let h = c.optionalInput(5) {
            guard h.shape == [1, batch, hidden] else { throw ONNXError.malformed("initial_h has shape \(h.shape)") }
            h0 = h.floats
        }
        return Setup(sequence: sequence, batch: batch, inputSize: inputSize, hidden: hidden, batchFirst: batchFirst, x: x.floats,
                     wT: transposed(w.floats, rows: gates * hidden, columns: inputSize),
                     rT: transposed(r.floats, rows: gates * hidden, columns: hidden), wb: wb, rb: rb, h0: h0)
    }

    static func transposed(_ m: [Float], rows: Int, columns: Int) -> [Float] {
        var out = [Float](repeating: 0, count: m.count)
        for i in 0..<rows { for j in 0..<columns { out[j * rows + i] = m[i * columns + j] } }
        return out
    }

    /// `x[t]` as a `[batch, input]` matrix.
    static func step(_ s: Setup, _ t: Int) -> [Float] {
        if !s.batchFirst { return Array(s.x[(t * s.batch * s.inputSize)..<((t + 1) * s.batch * s.inputSize)]) }
        var out = [Float](repeating: 0, count: s.batch * s.inputSize)
        for b in 0..<s.batch {
            for i in 0..<s.inputSize { out[b * s.inputSize + i] = s.x[(b * s.sequence + t) * s.inputSize + i] }
        }
        return out
    }

    /// Y `[seq, 1, batch, hidden]` (or `[batch, seq, 1, hidden]` in layout 1) from per-step states.
    static func outputSequence(_ s: Setup, _ states: [[Float]]) -> ONNXTensor {
        let h = s.hidden
        if !s.batchFirst { return ONNXTensor(shape: [s.sequence, 1, s.batch, h], floats: states.flatMap { $0 }) }
        var out = [Float](repeating: 0, count: s.sequence * s.batch * h)
        for t in 0..<s.sequence { for b in 0..<s.batch { for j in 0..<h { out[(b * s.sequence + t) * h + j] = states[t][b * h + j] } } }
        return ONNXTensor(shape: [s.batch, s.sequence, 1, h], floats: out)
    }

    static func finalState(_ s: Setup, _ state: [Float]) -> ONNXTensor {
        ONNXTensor(shape: s.batchFirst ? [s.batch, 1, s.hidden] : [1, s.batch, s.hidden], floats: state)
    }

    /// GRU, gate blocks z, r, h; with `linear_before_reset` the reset gate multiplies
    /// `(H·Rhᵀ + Rbh)` (PyTorch's form), without it the reset state enters the product.
    static func gru(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let s = try setup(c, gates: 3)
        let linearBeforeReset = c.int("linear_before_reset", default: 0) != 0
        let h = s.hidden, g = 3 * h
        var state = s.h0
        var states = [[Float]]()
        states.reserveCapacity(s.sequence)
        let rh = Array(s.rT.indices.filter { $0 % g >= 2 * h }.map { s.rT[$0] })  // [hidden, h] block of the candidate
        for t in 0..<s.sequence {
            let xg = ONNXOperators.product(step(s, t), s.wT, m: s.batch, k: s.inputSize, n: g)
            let hg = ONNXOperators.product(state, s.rT, m: s.batch, k: h, n: g)
            var next = [Float](repeating: 0, count: s.batch * h)
            var resetState = [Float](repeating: 0, count: s.batch * h)
            var zs = [Float](repeating: 0, count: s.batch * h), rs = zs
            for b in 0..<s.batch {
                for j in 0..<h {
                    let z = ONNXOperators.sigmoid(xg[b * g + j] + hg[b * g + j] + s.wb[j] + s.rb[j])
                    let r = ONNXOperators.sigmoid(xg[b * g + h + j] + hg[b * g + h + j] + s.wb[h + j] + s.rb[h + j])
                    zs[b * h + j] = z
                    rs[b * h + j] = r
                    resetState[b * h + j] = r * state[b * h + j]
                }
            }
            let candidateRecurrence = linearBeforeReset ? [] : ONNXOperators.product(resetState, rh, m: s.batch, k: h, n: h)
            for b in 0..<s.batch {
                for j in 0..<h {
                    let i = b * h + j
                    let recurrent = linearBeforeReset
                        ? rs[i] * (hg[b * g + 2 * h + j] + s.rb[2 * h + j])
                        : candidateRecurrence[i] + s.rb[2 * h + j]
                    let n = tanhf(xg[b * g + 2 * h + j] + s.wb[2 * h + j] + recurrent)
                    next[i] = (1 - zs[i]) * n + zs[i] * state[i]
                }
            }
            state = next
            states.append(next)
        }
        return [outputSequence(s, states), finalState(s, state)]
    }

    /// LSTM, gate blocks i, o, f, c; no peepholes.
    static func lstm(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let s = try setup(c, gates: 4)
        if let p = c.optionalInput(7), p.floats.contains(where: { $0 != 0 }) { throw ONNXError.unsupported("peephole weights") }
        guard c.int("input_forget", default: 0) == 0 else { throw ONNXError.unsupported("input_forget") }
        let h = s.hidden, g = 4 * h
        var state = s.h0
        var cell = [Float](repeating: 0, count: s.batch * h)
        if let c0 = c.optionalInput(6) {
            guard c0.shape == [1, s.batch, h] else { throw ONNXError.malformed("initial_c has shape \(c0.shape)") }
            cell = c0.floats
        }
        var states = [[Float]]()
        for t in 0..<s.sequence {
            let xg = ONNXOperators.product(step(s, t), s.wT, m: s.batch, k: s.inputSize, n: g)
            let hg = ONNXOperators.product(state, s.rT, m: s.batch, k: h, n: g)
            var next = [Float](repeating: 0, count: s.batch * h)
            for b in 0..<s.batch {
                for j in 0..<h {
                    func gate(_ k: Int) -> Float { xg[b * g + k * h + j] + hg[b * g + k * h + j] + s.wb[k * h + j] + s.rb[k * h + j] }
                    let i = ONNXOperators.sigmoid(gate(0)), o = ONNXOperators.sigmoid(gate(1))
                    let f = ONNXOperators.sigmoid(gate(2)), candidate = tanhf(gate(3))
                    let cNew = f * cell[b * h + j] + i * candidate
                    cell[b * h + j] = cNew
                    next[b * h + j] = o * tanhf(cNew)
                }
            }
            state = next
            states.append(next)
        }
        return [outputSequence(s, states), finalState(s, state), finalState(s, cell)]
    }
}
