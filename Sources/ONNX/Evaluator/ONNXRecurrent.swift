import Foundation
import ML

/// ONNX GRU and LSTM (forward direction, default activations), as torch.onnx and MLedger's
/// exporter write them: X `[seq, batch, input]` (layout 0) or `[batch, seq, input]` (layout 1).
enum ONNXRecurrent {
    struct Setup {
        var sequence: Int, batch: Int, inputSize: Int, hidden: Int, batchFirst: Bool
        var x: [Float]
        /// Input weights transposed to `[input, gates·hidden]`, recurrence weights to `[hidden, gates·hidden]`.
        var wT: [Float], rT: [Float]
        /// GRU: the candidate block of `R` transposed, `[hidden, hidden]`.
        var candidateRT: [Float]
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
        if let ready = c.prepared?.recurrent, ready.wShape == w.shape, ready.rShape == r.shape {
            return Setup(sequence: sequence, batch: batch, inputSize: inputSize, hidden: hidden, batchFirst: batchFirst, x: x.floats,
                         wT: ready.wT, rT: ready.rT, candidateRT: ready.candidateRT, wb: wb, rb: rb, h0: h0)
        }
        let rT = transposed(r.floats, rows: gates * hidden, columns: hidden)
        return Setup(sequence: sequence, batch: batch, inputSize: inputSize, hidden: hidden, batchFirst: batchFirst, x: x.floats,
                     wT: transposed(w.floats, rows: gates * hidden, columns: inputSize), rT: rT,
                     candidateRT: gates == 3 ? candidateBlock(rT, hidden: hidden) : [], wb: wb, rb: rb, h0: h0)
    }

    /// Columns `2·hidden..<3·hidden` of a transposed GRU `R` (`[hidden, 3·hidden]`): the candidate's `[hidden, hidden]` block.
    static func candidateBlock(_ rT: [Float], hidden: Int) -> [Float] {
        var block = [Float]()
        block.reserveCapacity(hidden * hidden)
        for p in 0..<hidden {
            let start: Int = (3 * p + 2) * hidden
            block.append(contentsOf: rT[start..<(start + hidden)])
        }
        return block
    }

    static func transposed(_ m: [Float], rows: Int, columns: Int) -> [Float] {
        var out = [Float](repeating: 0, count: m.count)
        for i in 0..<rows { for j in 0..<columns { out[j * rows + i] = m[i * columns + j] } }
        return out
    }

    /// The input projections of every step at once, `x·Wᵀ + Wb`-less: one row per (step, batch
    /// entry) in X's own layout, so row `row(t, b)` of the result belongs to step t, entry b.
    static func inputProjections(_ s: Setup, gates: Int) -> [Float] {
        ONNXOperators.product(s.x, s.wT, m: s.sequence * s.batch, k: s.inputSize, n: gates * s.hidden)
    }

    /// Row of step `t`, batch entry `b` in X (and in Y, which keeps the same layout).
    @inline(__always) static func row(_ s: Setup, _ t: Int, _ b: Int) -> Int { s.batchFirst ? b * s.sequence + t : t * s.batch + b }

    /// Y `[seq, 1, batch, hidden]` (or `[batch, seq, 1, hidden]` in layout 1).
    static func outputSequence(_ s: Setup, _ y: [Float]) -> ONNXTensor {
        ONNXTensor(shape: s.batchFirst ? [s.batch, s.sequence, 1, s.hidden] : [s.sequence, 1, s.batch, s.hidden], floats: y)
    }

    static func finalState(_ s: Setup, _ state: [Float]) -> ONNXTensor {
        ONNXTensor(shape: s.batchFirst ? [s.batch, 1, s.hidden] : [1, s.batch, s.hidden], floats: state)
    }

    /// `c[m×n] = a[m×k] · b[k×n]` into a buffer the caller keeps between steps.
    @inline(__always) static func multiply(_ a: UnsafePointer<Float>, _ b: [Float], into c: UnsafeMutablePointer<Float>, m: Int, k: Int, n: Int) {
        guard m > 0, n > 0 else { return }
        guard k > 0 else { c.update(repeating: 0, count: m * n); return }
        b.withUnsafeBufferPointer { MatMulKernel.multiply(a, $0.baseAddress!, c, m: m, n: n, k: k, accumulate: false) }
    }

    @inline(__always) static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
    @inline(__always) static func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }
    @inline(__always) static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// GRU, gate blocks z, r, h; with `linear_before_reset` the reset gate multiplies
    /// `(H·Rhᵀ + Rbh)` (PyTorch's form), without it the reset state enters the product. The
    /// input projections of all steps are one product; each step is one product of the state
    /// (two without `linear_before_reset`) and one fused pass over the gates, in buffers kept
    /// for the whole sequence.
    static func gru(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let s = try setup(c, gates: 3)
        let linearBeforeReset = c.int("linear_before_reset", default: 0) != 0
        let h = s.hidden, g = 3 * h, batch = s.batch
        // An empty sequence or batch: nothing to run (and no buffer to point into).
        if s.sequence == 0 || batch == 0 { return [outputSequence(s, []), finalState(s, s.h0)] }
        let xg = inputProjections(s, gates: 3)
        var state = s.h0
        var hg = [Float](repeating: 0, count: batch * g)
        var resetState = [Float](repeating: 0, count: linearBeforeReset ? 0 : batch * h)
        var candidate = resetState
        var y = [Float](repeating: 0, count: s.sequence * batch * h)
        xg.withUnsafeBufferPointer { xgb in
        s.wb.withUnsafeBufferPointer { wbb in
        s.rb.withUnsafeBufferPointer { rbb in
        state.withUnsafeMutableBufferPointer { stateb in
        hg.withUnsafeMutableBufferPointer { hgb in
        resetState.withUnsafeMutableBufferPointer { resetb in
        candidate.withUnsafeMutableBufferPointer { candidateb in
        y.withUnsafeMutableBufferPointer { yb in
            let xgAll = xgb.baseAddress!, wb = wbb.baseAddress!, rb = rbb.baseAddress!, hgAll = hgb.baseAddress!
            let stateAll = stateb.baseAddress!, yAll = yb.baseAddress!
            for t in 0..<s.sequence {
                multiply(stateAll, s.rT, into: hgAll, m: batch, k: h, n: g)
                if !linearBeforeReset {
                    for b in 0..<batch {
                        let x = xgAll + row(s, t, b) * g, hr = hgAll + b * g
                        for j in 0..<h {
                            let r = FastMath.sigmoid(x[h + j] + hr[h + j] + wb[h + j] + rb[h + j])
                            resetb[b * h + j] = r * stateAll[b * h + j]
                        }
                    }
                    multiply(resetb.baseAddress!, s.candidateRT, into: candidateb.baseAddress!, m: batch, k: h, n: h)
                }
                for b in 0..<batch {
                    let x = xgAll + row(s, t, b) * g, hr = hgAll + b * g, hState = stateAll + b * h
                    let out = yAll + row(s, t, b) * h
                    var j = 0
                    if linearBeforeReset {
                        // Eight hidden units at a time, the same operations in the same order as the scalar tail.
                        while j + 8 <= h {
                            let z = FastMath.sigmoid(load8(x + j) + load8(hr + j) + load8(wb + j) + load8(rb + j))
                            let r = FastMath.sigmoid(load8(x + h + j) + load8(hr + h + j) + load8(wb + h + j) + load8(rb + h + j))
                            let n = FastMath.tanh(load8(x + 2 * h + j) + load8(wb + 2 * h + j) + r * (load8(hr + 2 * h + j) + load8(rb + 2 * h + j)))
                            let next = (1 - z) * n + z * load8(hState + j)
                            store8(next, hState + j)
                            store8(next, out + j)
                            j += 8
                        }
                    }
                    while j < h {
                        let z = FastMath.sigmoid(x[j] + hr[j] + wb[j] + rb[j])
                        let recurrent: Float
                        if linearBeforeReset {
                            let r = FastMath.sigmoid(x[h + j] + hr[h + j] + wb[h + j] + rb[h + j])
                            recurrent = r * (hr[2 * h + j] + rb[2 * h + j])
                        } else {
                            recurrent = candidateb[b * h + j] + rb[2 * h + j]
                        }
                        let n = FastMath.tanh(x[2 * h + j] + wb[2 * h + j] + recurrent)
                        let next = (1 - z) * n + z * hState[j]
                        hState[j] = next
                        out[j] = next
                        j += 1
                    }
                }
            }
        }}}}}}}}
        return [outputSequence(s, y), finalState(s, state)]
    }

    /// LSTM, gate blocks i, o, f, c; no peepholes. Input projections of all steps in one
    /// product, one product of the state per step.
    static func lstm(_ c: ONNXNodeContext) throws -> [ONNXTensor] {
        let s = try setup(c, gates: 4)
        if let p = c.optionalInput(7), p.floats.contains(where: { $0 != 0 }) { throw ONNXError.unsupported("peephole weights") }
        guard c.int("input_forget", default: 0) == 0 else { throw ONNXError.unsupported("input_forget") }
        let h = s.hidden, g = 4 * h, batch = s.batch
        var cell = [Float](repeating: 0, count: batch * h)
        if let c0 = c.optionalInput(6) {
            guard c0.shape == [1, batch, h] else { throw ONNXError.malformed("initial_c has shape \(c0.shape)") }
            cell = c0.floats
        }
        if s.sequence == 0 || batch == 0 { return [outputSequence(s, []), finalState(s, s.h0), finalState(s, cell)] }
        let xg = inputProjections(s, gates: 4)
        var state = s.h0
        var hg = [Float](repeating: 0, count: batch * g)
        var y = [Float](repeating: 0, count: s.sequence * batch * h)
        xg.withUnsafeBufferPointer { xgb in
        state.withUnsafeMutableBufferPointer { stateb in
        hg.withUnsafeMutableBufferPointer { hgb in
        y.withUnsafeMutableBufferPointer { yb in
            for t in 0..<s.sequence {
                multiply(stateb.baseAddress!, s.rT, into: hgb.baseAddress!, m: batch, k: h, n: g)
                for b in 0..<batch {
                    let x = xgb.baseAddress! + row(s, t, b) * g, hr = hgb.baseAddress! + b * g
                    for j in 0..<h {
                        func gate(_ k: Int) -> Float { x[k * h + j] + hr[k * h + j] + s.wb[k * h + j] + s.rb[k * h + j] }
                        let i = FastMath.sigmoid(gate(0)), o = FastMath.sigmoid(gate(1))
                        let f = FastMath.sigmoid(gate(2)), candidate = FastMath.tanh(gate(3))
                        let cNew = f * cell[b * h + j] + i * candidate
                        cell[b * h + j] = cNew
                        let next = o * FastMath.tanh(cNew)
                        stateb[b * h + j] = next
                        yb[row(s, t, b) * h + j] = next
                    }
                }
            }
        }}}}
        return [outputSequence(s, y), finalState(s, state), finalState(s, cell)]
    }
}
