import EVM
import Foundation
import Primitives

/// `mledger-bench evm-diff --count N --seed S [--start I] [--jobs J] [--keep DIR]`: the
/// differential EVM fuzzer. tools/evm-diff/generate.py writes N seeded Cancun state tests whose
/// expected post-states come from py-evm; MLedger's state test runner runs them in-process. Each
/// divergence is printed with the first instruction where py-evm's trace and MLedger's
/// StructLogger part. The last lines are `N passed, M failed` and the cases steered around known
/// py-evm defects. Returns the exit status: 1 on any divergence, 2 when the run could not happen.
func runEVMDiff(_ args: [String]) -> Int32 {
    var count = 1000, seed = 1, start = 0, jobs = ProcessInfo.processInfo.activeProcessorCount
    var keep: String?
    var i = 0
    while i < args.count {
        let value = i + 1 < args.count ? args[i + 1] : ""
        switch args[i] {
        case "--count": count = Int(value) ?? -1
        case "--seed": seed = Int(value) ?? -1
        case "--start": start = Int(value) ?? -1
        case "--jobs": jobs = Int(value) ?? -1
        case "--keep": keep = value
        default: return diffUsage("unknown argument '\(args[i])'")
        }
        i += 2
    }
    guard count >= 0, seed >= 0, start >= 0, jobs > 0 else { return diffUsage("numbers must be non-negative") }

    let root = FileManager.default.currentDirectoryPath
    let env = ProcessInfo.processInfo.environment
    let python = env["MLEDGER_PYTHON"] ?? root + "/tools/.venv/bin/python"
    let tools = root + "/tools/evm-diff"
    guard FileManager.default.isExecutableFile(atPath: python) else {
        return diffUsage("no Python at \(python): run tools/setup, or set MLEDGER_PYTHON to a python with py-evm")
    }
    guard FileManager.default.fileExists(atPath: tools + "/generate.py") else {
        return diffUsage("no \(tools)/generate.py: run mledger-bench from the repository root")
    }
    let out = keep ?? NSTemporaryDirectory() + "mledger-evm-diff-\(seed)-\(ProcessInfo.processInfo.processIdentifier)"
    defer { if keep == nil { try? FileManager.default.removeItem(atPath: out) } }

    let began = Date()
    if keep != nil, alreadyGenerated(out + "/summary.json", count: count, seed: seed, start: start) {
        // The same seed, start and count make the same files: a kept run is compared again as it is.
        print("evm-diff: reusing the cases already in \(out)")
    } else {
        let gen = runTool(python, [tools + "/generate.py", "--count", "\(count)", "--seed", "\(seed)", "--start", "\(start)",
                                   "--jobs", "\(jobs)", "--out", out], capture: false)
        guard gen.status == 0 else { return diffUsage("generate.py failed with status \(gen.status)") }
    }
    let generated = Date()

    let files = (try? FileManager.default.contentsOfDirectory(atPath: out))?.filter { $0.hasSuffix(".json") && $0 != "summary.json" }
        .sorted().map { URL(fileURLWithPath: out + "/" + $0) } ?? []
    var passed = 0
    var failures: [StateTestOutcome] = []
    StateTestRunner.withLargeStack {
        for file in files {
            for outcome in StateTestRunner.run(file: file, fork: .cancun) {
                if outcome.passed { passed += 1 } else { failures.append(outcome) }
            }
        }
    }
    for f in failures {
        print("DIVERGENCE \(URL(fileURLWithPath: f.file).lastPathComponent): \(f.detail)")
        print("  " + firstDifference(file: f.file, python: python, tools: tools).joined(separator: "\n  "))
    }
    print(String(format: "generation %.1f s, MLedger %.1f s", generated.timeIntervalSince(began), Date().timeIntervalSince(generated)))
    print("\(passed) passed, \(failures.count) failed")
    print(steeredLine(out + "/summary.json"))
    if !failures.isEmpty, keep == nil { print("(rerun with --keep DIR to keep the cases)") }
    return failures.isEmpty ? 0 : 1
}

private func diffUsage(_ why: String) -> Int32 {
    FileHandle.standardError.write("evm-diff: \(why)\nusage: mledger-bench evm-diff --count N --seed S [--start I] [--jobs J] [--keep DIR]\n".data(using: .utf8)!)
    return 2
}

private func alreadyGenerated(_ path: String, count: Int, seed: Int, start: Int) -> Bool {
    guard let data = FileManager.default.contents(atPath: path),
          let s = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
    return s["generated"] as? Int == count && s["seed"] as? Int == seed && s["start"] as? Int == start
}

/// The line on the cases not compared, from generate.py's summary.
private func steeredLine(_ path: String) -> String {
    guard let data = FileManager.default.contents(atPath: path),
          let s = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return "steered: no summary" }
    let defects = (s["defects"] as? [String: Int] ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
    return "steered (known py-evm defects, not compared): \(s["steered"] ?? 0)"
        + (defects.isEmpty ? "" : " (\(defects.joined(separator: ", ")))")
        + "; py-evm crashes: \(s["crashed"] ?? 0); invalid transactions among the compared: \(s["invalid_tx"] ?? 0)"
}

private func runTool(_ exe: String, _ args: [String], capture: Bool) -> (status: Int32, output: Data) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: exe)
    p.arguments = args
    let pipe = Pipe()
    if capture { p.standardOutput = pipe }
    do { try p.run() } catch { return (127, Data()) }
    // Read before waiting: a trace can be larger than the pipe's buffer.
    let data = capture ? pipe.fileHandleForReading.readDataToEndOfFile() : Data()
    p.waitUntilExit()
    return (p.terminationStatus, data)
}

/// One instruction as both traces describe it.
private struct Step: Equatable {
    var pc: Int, op: UInt8, gas: UInt64, depth: Int, height: Int
    var top: [UInt256]  // up to four, top first

    var text: String {
        "pc \(pc) \(OpcodeTable.name(of: op)) gas \(gas) depth \(depth) stack[\(height)] top "
            + top.map { $0.description }.joined(separator: " ")
    }
}

/// Reruns a divergent case with both tracers and names the first instruction that differs;
/// where the traces agree, the accounts and slots whose post-states differ.
private func firstDifference(file: String, python: String, tools: String) -> [String] {
    guard let data = FileManager.default.contents(atPath: file), let test = (try? StateTestParser.parse(data))?.first,
          let e = test.expectations[.cancun]?.first, let tx = test.transaction(e) else { return ["cannot reread the case"] }
    let logger = StructLogger(config: .init(disableStorage: true))
    let post = test.pre.copy()
    let (mine, mlEnd): ([Step], String) = StateTestRunner.withLargeStack {
        let state = JournaledState(backend: post)
        let evm = EVM(state: state, block: test.block, fork: .cancun)
        evm.tracer = logger
        let end: String
        do {
            end = "MLedger: gas used \(try evm.execute(transaction: tx).gasUsed)"
            post.apply(state.changes())
        } catch { end = "MLedger: exception \(error)" }
        let steps = logger.logs.map { l in
            let stack = l.stack ?? []
            return Step(pc: l.pc, op: l.opcode, gas: l.gas, depth: l.depth, height: stack.count, top: Array(stack.suffix(4).reversed()))
        }
        return (steps, end)
    }
    // Every account either side may hold, with every slot MLedger or the pre-state has.
    var query: [String: Set<String>] = [:]
    for backend in [test.pre, post] {
        for (address, entry) in backend.accounts {
            query[address.description, default: []].formUnion(entry.storage.keys.map { $0.description })
        }
    }
    let queryFile = NSTemporaryDirectory() + "mledger-evm-diff-query-\(ProcessInfo.processInfo.processIdentifier).json"
    let queryJSON = query.mapValues { Array($0).sorted() }
    guard (try? JSONSerialization.data(withJSONObject: queryJSON).write(to: URL(fileURLWithPath: queryFile))) != nil else {
        return ["cannot write \(queryFile)"]
    }
    defer { try? FileManager.default.removeItem(atPath: queryFile) }
    let py = runTool(python, [tools + "/trace.py", file, queryFile], capture: true)
    guard py.status == 0, let text = String(data: py.output, encoding: .utf8) else { return ["py-evm trace failed"] }
    var theirs: [Step] = []
    var pyEnd = ""
    var pyPost: [String: Any] = [:]
    for line in text.split(separator: "\n") {
        guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { continue }
        if obj["end"] != nil {
            pyEnd = "py-evm: exception \(obj["exception"] ?? "none"), gas used \(obj["gasUsed"] ?? "-")"
            pyPost = obj["post"] as? [String: Any] ?? [:]
            continue
        }
        let top = (obj["stack"] as? [String] ?? []).map { (try? UInt256(hex: $0)) ?? .zero }
        theirs.append(Step(pc: obj["pc"] as? Int ?? -1, op: UInt8(obj["op"] as? Int ?? 0), gas: UInt64(obj["gas"] as? Int ?? -1),
                           depth: obj["depth"] as? Int ?? 0, height: obj["height"] as? Int ?? 0, top: top))
    }
    var lines = [pyEnd, mlEnd, "traces: py-evm \(theirs.count) steps, MLedger \(mine.count) steps"]
    for k in 0..<max(theirs.count, mine.count) {
        let a = k < theirs.count ? theirs[k] : nil, b = k < mine.count ? mine[k] : nil
        if a == b { continue }
        lines.append("first differing step #\(k):")
        if k > 0, k - 1 < mine.count { lines.append("  previous : \(mine[k - 1].text)") }
        lines.append("  py-evm   : \(a?.text ?? "(trace ended)")")
        lines.append("  MLedger  : \(b?.text ?? "(trace ended)")")
        return lines
    }
    lines.append("traces agree step by step; post-states differ at:")
    lines += postStateDifferences(pyPost, post).prefix(12).map { "  " + $0 }
    return lines
}

/// Account fields and storage slots where py-evm's post-state (from trace.py) and MLedger's differ.
private func postStateDifferences(_ theirs: [String: Any], _ mine: MemoryBackend) -> [String] {
    var out: [String] = []
    for (key, value) in theirs.sorted(by: { $0.key < $1.key }) {
        guard let address = try? Address(bytes: Hex.decode(String(key.dropFirst(2)))) else { continue }
        let entry = mine.accounts[address]
        guard let acc = value as? [String: Any] else {
            if entry != nil { out.append("\(key): absent in py-evm, present in MLedger") }
            continue
        }
        guard let entry else { out.append("\(key): present in py-evm, absent in MLedger"); continue }
        func u(_ any: Any?) -> UInt256 { (try? UInt256(hex: any as? String ?? "")) ?? .zero }
        if u(acc["balance"]) != entry.info.balance { out.append("\(key) balance: py-evm \(u(acc["balance"])), MLedger \(entry.info.balance)") }
        if u(acc["nonce"]) != UInt256(entry.info.nonce) { out.append("\(key) nonce: py-evm \(u(acc["nonce"])), MLedger \(entry.info.nonce)") }
        let codeHash = acc["codeHash"] as? String ?? ""
        if codeHash != entry.info.codeHash.description { out.append("\(key) code hash: py-evm \(codeHash), MLedger \(entry.info.codeHash)") }
        for (slot, v) in (acc["storage"] as? [String: String] ?? [:]).sorted(by: { $0.key < $1.key }) {
            let k = u(slot), mineValue = entry.storage[k] ?? .zero
            if u(v) != mineValue { out.append("\(key) slot \(slot): py-evm \(v), MLedger \(mineValue)") }
        }
    }
    return out.isEmpty ? ["(no difference in the accounts and slots either side knows: logs or a new account only py-evm has)"] : out
}
