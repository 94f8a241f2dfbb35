#!/usr/bin/env bash
# Mutation check of the agents and the policy exports (not part of CI): applies each small semantic mutation below to the sources, one
# at a time, builds in release, runs the agents' and the layer kernels' unit tests (no learning tests), restores the file, and prints
# whether a unit test killed the mutation. Every mutation in the list must be killed.
#
#   scripts/mutation-check.sh            # all mutations
#   scripts/mutation-check.sh 3 7        # only mutations 3 and 7 (numbers as printed)
#   scripts/mutation-check.sh --export   # the export paths' mutations (C, ONNX, SparseRLPolicy) and tests
#   scripts/mutation-check.sh --debug    # debug build in its own scratch path .build-mutation: a mutation
#                                        # recompiles a few files instead of the whole module (much less CPU),
#                                        # and a release build in .build can run beside it
#
# Each mutation is (file, exact original text, replacement, what it breaks); the original must occur exactly
# once. A mutation counts as killed only when a named test fails: a crash (a precondition, say) names no test
# and is reported as CRASHED, a mutation that does not compile as DOES NOT COMPILE (neither proves anything).
# The sources are restored after every mutation, also on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
exec python3 - "$@" <<'PYTHON'
import re, subprocess, sys, time

A = "Sources/SparseRLAgents/"
MUTATIONS = [
    (A + "SAC/SACActorLoss.swift", "if q1[b] <= q2[b] { gradient1[b] = weight }", "if q1[b] > q2[b] { gradient1[b] = weight }",
     "SAC actor: gradient through the larger critic instead of the smaller"),
    (A + "SAC/SACActorLoss.swift", "if q1[b] <= q2[b] { gradient1[b] = weight } else { gradient2[b] = weight }",
     "gradient1[b] = weight", "SAC actor: gradient always through critic 1"),
    (A + "SAC/SACActorLoss.swift", "logProbabilityGradient.assign(repeating: alpha / batch",
     "logProbabilityGradient.assign(repeating: -alpha / batch", "SAC actor: sign flip of the entropy term's gradient"),
    (A + "Policies/TanhGaussian.swift", "gradient[k] = gA * squash + gL * 2 * a",
     "gradient[k] = gA * squash", "SAC actor: dropped d log(1 - a^2) / d mu term"),
    (A + "Policies/TanhGaussian.swift", "let logStdGradient = gA * squash * sigmaEpsilon + gL * (-1 + 2 * a * sigmaEpsilon)",
     "let logStdGradient = gA * squash * sigmaEpsilon + gL * (-1)", "SAC actor: dropped tanh term of d log pi / d log sigma"),
    (A + "TD3/TD3ActorLoss.swift", "outputGradient.scalars[k] = actionGradient.scalars[k] * (1 - a * a)",
     "outputGradient.scalars[k] = actionGradient.scalars[k]", "TD3 actor: dropped tanh derivative"),
    (A + "TD3/TD3ActorLoss.swift", "static let critic = 0", "static let critic = 1", "TD3 actor: follows critic 2"),
    (A + "TD3/TD3Agent.swift", "followedCritic: TD3ActorLoss.critic", "followedCritic: 1",
     "TD3 agent: its actor built to follow critic 2"),
    (A + "TD3/TD3Target.swift", "bootstrapDiscounts[b] * min(targetQ1[b], targetQ2[b])", "bootstrapDiscounts[b] * targetQ1[b]",
     "TD3 target: critic 1 instead of the minimum"),
    (A + "SAC/SACTarget.swift", "let softValue = min(targetQ1[b], targetQ2[b])", "let softValue = max(targetQ1[b], targetQ2[b])",
     "SAC target: larger critic instead of the minimum"),
    (A + "SAC/SACTarget.swift", "let softValue = min(targetQ1[b], targetQ2[b]) - alpha", "let softValue = min(targetQ1[b], targetQ2[b]) + alpha",
     "SAC target: sign flip of the bootstrap's entropy term"),
    (A + "SAC/SACTarget.swift", "value -= intermediateDiscounts[k][b] * alpha", "value += intermediateDiscounts[k][b] * alpha",
     "SAC target: sign flip of the intermediate entropy terms"),
    (A + "SAC/EntropyTemperature.swift", "return (-logAlpha * meanTerm, -meanTerm)", "return (logAlpha * meanTerm, meanTerm)",
     "SAC temperature: sign flip of the loss"),
    (A + "Replay/ReplayBuffer.swift", "discountedReturn += discount * rewards[(first + taken) % ring]",
     "discountedReturn += discount * gamma * rewards[(first + taken) % ring]", "n-step return: rewards discounted one step too much"),
    (A + "Replay/ReplayBuffer.swift", "for _ in 0..<k { gammaK *= gamma }", "for _ in 0...k { gammaK *= gamma }",
     "n-step: off-by-one in the intermediate discount"),
    (A + "OffPolicy/TwinCritics.swift", "TargetUpdate.polyak(target: targets[index], online: online[index].model",
     "TargetUpdate.polyak(target: targets[index], online: online[online.count - 1 - index].model",
     "targets updated from the other critic"),
    (A + "OffPolicy/TwinCritics.swift", "outputGradient: index == 0 ? q1 : q2", "outputGradient: index == 0 ? q2 : q1",
     "SAC actor: each critic's action gradient for the other critic's minimum"),
    (A + "OffPolicy/DeterministicActor.swift", "TargetUpdate.polyak(target: target, online: network.model, tau: tau)",
     "TargetUpdate.polyak(target: target, online: target.copy(), tau: tau)",  # a copy: the same object
     # on both sides would be an exclusivity crash, not a test failure
     "TD3/DDPG actor target not updated from the actor"),
    (A + "OffPolicy/OffPolicyCore.swift", "case .taken: return (action, action)",
     "case .taken: return (action, agent.noiseFreeActions(column(observation)).scalars)", "RLx2 warm-up: stored action ignores the option"),
    (A + "OffPolicy/OffPolicyCore.swift", "reward: Float(settings.rewardScale * step.reward)", "reward: Float(step.reward)",
     "reward scale ignored"),
    (A + "Networks/WeightDecay.swift", "let scale = 2 * coefficient", "let scale = coefficient",
     "Keras L2: gradient lambda w instead of 2 lambda w"),
    (A + "DQN/DQNLoss.swift", "for b in 0..<batch { outputGradient[actions[b], b] = gradient[b] }",
     "for b in 0..<batch { outputGradient[(actions[b] + 1) % values.rows, b] = gradient[b] }", "DQN: gradient on the wrong action"),
    ("Sources/SparseRLSparsity/TopologyMethods.swift", "if let slot = slotOf[position] { parameter.gradient[slot] = scores[position] }",
     "if let slot = slotOf[position] { parameter.gradient[slot] = 0 }", "RigL: dense gradient of grown weights not applied"),
    (A + "OffPolicy/OffPolicyCore.swift", "for _ in 0..<settings.updatesPerStep {", "for _ in 0..<1 {",
     "updates_per_step ignored (one update per step)"),
    (A + "OffPolicy/OffPolicyCore.swift", "    normalizer?.observe(observation)\n", "",
     "observation statistics not updated while acting"),
    (A + "OffPolicy/OffPolicyCore.swift", "settings: settings.diagnostics, updates: updates,",
     "settings: settings.diagnostics, updates: environmentSteps,", "diagnostics scheduled by environment steps"),
    (A + "OffPolicy/TwinCritics.swift", "model: network.model, inputs: x)", "model: online[0].model, inputs: x)",
     "diagnostics/ReDo: critic 1 measured and recycled in place of each critic"),
    (A + "OffPolicy/DeterministicActor.swift", "tanhActions(target.forward(observations), into:",
     "tanhActions(network.model.forward(observations), into:", "TD3/DDPG target: online actor instead of the target actor"),
    (A + "Networks/WeightDecay.swift",
     "return AdamW(parameters: parameters, learningRate: learningRate, epsilon: epsilon, weightDecay: weightDecay)",
     "return Adam(parameters: parameters, learningRate: learningRate, epsilon: epsilon, weightDecay: weightDecay)",
     "decoupled weight decay coupled (Adam L2 instead of AdamW)"),
    ("Sources/CSparseRLKernels/KernelBodies.h", "  for (long i = 0; i < depth; i++) {\n    const float *row = x + i * batch;",
     "  for (long i = 0; i + 1 < depth; i++) {\n    const float *row = x + i * batch;",
     "thin forward product: last depth step dropped"),
    ("Sources/CSparseRLKernels/KernelBodies.h", "v8i keep = ~(v <= (v8)0);", "v8i keep = (v > (v8)0);",
     "ReLU: NaN turned into 0"),
    ("Sources/SparseRLNetworks/Sequential.swift", "    for linear in linearsKeepingInput { linear.releaseSavedInput() }\n", "",
     "Sequential: kept inputs not released before a forward (a copy per pass)"),
    ("Sources/CSparseRLKernels/KernelBodies.h", "if (gate) v = v * relu_derivative8(load(gate + c));",
     "if (gate) v = v * relu_derivative8(load(gate));", "fused ReLU gate: every 8 lanes gated by the row's first 8"),
    ("Sources/CSparseRLKernels/KernelDispatch.c", "  if (epilogue.gate) epilogue.gate += first * job->batch;\n", "",
     "threaded fused ReLU gate: every part gated by the first rows"),
    ("Sources/SparseRLNetworks/Sequential.swift", "reluGate: relu.output)", "reluGate: nil)",
     "Sequential: fused backward without the ReLU's gate"),
    ("Sources/SparseRLNetworks/Linear.swift", "relu: fusedReLU)", "relu: false)",
     "Sequential: fused forward without the ReLU"),
    (A + "Diagnostics/SingularValues.swift", "for i in (j + 1)..<n { a[c * n + i] -= scale * w[i] }",
     "for i in (j + 1)..<n { a[c * n + i] += scale * w[i] }", "bidiagonalisation: sign flip of the right reflection"),
    (A + "Diagnostics/SingularValues.swift", "let scale = 2 * dot(u, a, offset: c * n, from: j, to: n) / uNorm",
     "let scale = dot(u, a, offset: c * n, from: j, to: n) / uNorm", "bidiagonalisation: left reflection without its 2"),
    (A + "Diagnostics/SingularValues.swift", "for i in 0..<(k - 1) { offDiagonal[2 * i + 1] = superdiagonal[i] }", "",
     "singular values: the superdiagonal dropped from the Golub-Kahan matrix"),
    (A + "Diagnostics/SingularValues.swift", "return negatives &- SIMD4(repeating: Int64(k))",
     "return negatives &- SIMD4(repeating: Int64(k - 1))", "singular values: Sturm count off by one"),
    ("Sources/CSparseRLKernels/KernelBodies.h", "thin_rows(columns, rows, w, 1, columns, dy, dx, batch, epilogue);",
     "thin_rows(columns, rows, w, columns, 1, dy, dx, batch, epilogue);",
     "thin input gradient: W read by rows instead of by columns"),
    ("Sources/CSparseRLKernels/KernelBodies.h", "    if (r + 1 < rows) finish_result_row(y, r + 1, batch, epilogue);\n", "",
     "thin products: the second row of each pair left without its epilogue"),
    ("Sources/SparseRLNetworks/WeightProduct.swift", "inFeatures: weight.columns, columns: n, denseKernelDensity",
     "inFeatures: weight.columns, columns: 256, denseKernelDensity",
     "dense fallback: the rule ignores the activation columns (batch-1 products take the dense copy)"),
    ("Sources/SparseRLSparsity/NetworkDescription.swift", "let actingKernels = kernelsAreSparse(samples: 1)",
     "let actingKernels = kernelsAreSparse(samples: batchSize)", "describe: acting reported at the training batch"),
    ("Sources/SparseRLNetworks/Linear.swift", "columns >= 128 && inFeatures > 24 ? 0.5 : 0.7", "columns >= 128 ? 0.5 : 0.7",
     "dense fallback: no exception for narrow input layers"),
    (A + "Policies/TanhGaussian.swift", "logProbabilities[b] += -0.5 * e * e - ls + constant - logOneMinusASquared",
     "logProbabilities[b] += -0.5 * e * e - ls + constant + logOneMinusASquared",
     "tanh-Gaussian: log pi adds log(1 - a^2) instead of subtracting it"),
    ("Sources/SparseRLNumerics/FloatMath.swift", "return (x.sign == .minus ? -tanhMagnitude : tanhMagnitude, z)",
     "return (tanhMagnitude, z)", "FloatMath.tanh (tanh-Gaussian, TD3's actions): negative inputs give positive tanh"),
    (A + "Policies/TanhGaussian.swift", "gradient[half + k] = logStdGradient * slopes[k]",
     "gradient[half + k] = logStdGradient", "tanh-Gaussian: d log sigma / d raw dropped from the gradient"),
    ("Sources/CSparseRLKernels/KernelBodies.h", "    a0 = __builtin_elementwise_fma(w, load16(s), a0);",
     "    a0 = a0 + w * load16(s);", "AVX-512 row gather: unfused multiply-add (other bits than the AVX2 build)"),
    ("Sources/CSparseRLKernels/KernelBodies.h", "    if (vectors > 2) a1 = load16(out + 16);\n", "",
     "AVX-512 row gather: a blocked source's second chunk restarted from zero"),
    ("Sources/SparseRLExperiments/Benchmarks/AgentBenchmark.swift",
     "sorted.count % 2 == 1 ? sorted[sorted.count / 2] :", "sorted.count % 2 == 1 ? rates.reduce(0, +) / Double(rates.count) :",
     "bench agents --rounds: the mean of the rounds instead of their median"),
    ("Sources/SparseRLExperiments/Benchmarks/AgentBenchmark.swift",
     "!rare.contains { $0.path.count < entry.path.count &&", "!rare.contains { $0.path.count <= entry.path.count &&",
     "bench agents --profile: a rare phase's own row folded away with its sub-phases"),
]
FILTER = "FloatMathTests|ActorLossTests|PaperOptionTests|SACTests|TD3Tests|DQNTests|PolicyMathTests|ReplayBufferTests|RLx2Tests|GrownGradientTests|SimBaSACTests|DDPGTests|DiagnosticsTests|KernelDenseTests|KernelElementwiseTests|KernelSparseTests|KernelThreadsTests|KernelAVX512Tests|SequentialFusionTests|AllocationTests|NetworkTests|DescriptionTests|AgentBenchmarkTableTests"

# The export paths (issue 15): the C export, the ONNX writer and the SparseRLPolicy API; `--export` selects them.
C = "Sources/SparseRLExperiments/Export/CPolicyExport.swift"
O = "Sources/SparseRLExperiments/Export/ONNXPolicyExport.swift"
P = "Sources/SparseRLPolicy/"
EXPORT_MUTATIONS = [
    (C, "if (x[a] > x[best]) best = a;", "if (x[a] >= x[best]) best = a;", "C greedy head: the last largest output on ties"),
    (C, "k < l\\(l)_row[r + 1]; ++k) s +=", "k + 1 < l\\(l)_row[r + 1]; ++k) s +=", "C sparse row: last weight of each row dropped"),
    (C, "s = (s + s1) + (s2 + s3);", "s = (s + s1) + s2;", "C dense row: a partial sum dropped"),
    (C, "float z = (float)(((double)obs[i] - obs_mean[i]) / obs_std[i]);", "float z = (float)((double)obs[i] - obs_mean[i]);",
     "C standardisation: no division by the standard deviation"),
    (C, "x[i] = z < -\\(clip) ? -\\(clip) : (z > \\(clip) ? \\(clip) : z);", "x[i] = z;", "C standardisation: no clip"),
    (C, "((double)a + 1.0) / 2.0", "((double)a + 1.0)", "C tanh box: affine map without the halving"),
    (C, "int c = col / \\(kh * kw)", "int c = col / \\(kw)", "C conv: wrong input channel of a patch column"),
    (C, "action[i] = x[i] < action_low[i] ? action_low[i] : (x[i] > action_high[i] ? action_high[i] : x[i]);",
     "action[i] = x[i];", "C clipped box: no clip into the box"),
    (C, 'columnBytes == 2 ? "uint16_t" : "int32_t"', 'columnBytes == 2 ? "uint8_t" : "int32_t"', "C sparse weight: 8-bit column indices"),
    (O, '("select_last_index", .int(0))', '("select_last_index", .int(1))', "ONNX greedy head: the last largest output on ties"),
    (O, "Float(($0 + s.epsilon).squareRoot())", "Float($0 + s.epsilon)", "ONNX standardisation: variance instead of std"),
    (O, 'x = node("Clip", [node("Div", [node("Sub", [x, mean]), std]), low, high])', 'x = node("Div", [node("Sub", [x, mean]), std])',
     "ONNX standardisation: no clip"),
    (O, 'constant("low", dims: [low.count], floats: low)', 'constant("low", dims: [low.count], floats: high)',
     "ONNX tanh box: shifted by the upper bound"),
    (O, "int64s: pattern.activeIndices", "int64s: pattern.activeIndices.map { $0 + 1 }", "ONNX sparse initializer: indices off by one"),
    (P + "Policy.swift", "where output[a, b] > output[best, b]", "where output[a, b] >= output[best, b]",
     "Policy greedy head: the last largest output on ties"),
    (P + "Policy.swift", "(Double(a) + 1) / 2 * (Double(high[i])", "(Double(a) + 1) * (Double(high[i])", "Policy tanh box: no halving"),
    (P + "Policy.swift", "return min(max(Float(z), -clip), clip)", "return Float(z)", "Policy standardisation: no clip"),
    (P + "Policy.swift", "for j in 0..<width { input[j, b] = standardized[j] }", "for j in 0..<width { input[j, b] = observation[j] }",
     "Policy batched actions: observations not standardised"),
    (P + "PolicyFile.swift", 'head = .greedy(start: try headArchive.int("start"))', "head = .greedy(start: 0)",
     "policy file: greedy head's start not read"),
]
# The end-to-end PolicyExportTests (trained runs of each agent kind) take minutes per mutation in debug; the
# filter below is the fast unit tests. Mutations 2, 3, 7, 9 and 14 are reached only by the end-to-end tests: run
# them with EXPORT_FILTER extended by "|exportsActLikeTheRunsEvaluationPolicy" (release recommended).
EXPORT_FILTER = "PolicyTests|ExportedHeadTests"
SWIFT = ["swift"]
arguments = sys.argv[1:]
if "--export" in arguments:
    arguments.remove("--export")
    MUTATIONS, FILTER = EXPORT_MUTATIONS, EXPORT_FILTER
if "--debug" in arguments:
    arguments.remove("--debug")
    FLAGS = ["-c", "debug", "--scratch-path", ".build-mutation"]
else:
    FLAGS = ["-c", "release", "-Xswiftc", "-enable-testing"]

def run(arguments):
    return subprocess.run(arguments, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")

chosen = [int(a) for a in arguments] or list(range(1, len(MUTATIONS) + 1))
print("building the unmutated sources ...", flush=True)
if run(SWIFT + ["build"] + FLAGS + ["--build-tests"]).returncode != 0:
    sys.exit("the unmutated sources do not build")
if run(SWIFT + ["test"] + FLAGS + ["--skip-build", "--filter", FILTER]).returncode != 0:
    sys.exit("the unit tests fail without any mutation")
survivors = []
for number in chosen:
    path, original, replacement, what = MUTATIONS[number - 1]
    text = open(path).read()
    if text.count(original) != 1:
        sys.exit(f"mutation {number}: the original text occurs {text.count(original)} times in {path}")
    started = time.time()
    try:
        open(path, "w").write(text.replace(original, replacement))
        built = run(SWIFT + ["build"] + FLAGS + ["--build-tests"])
        if built.returncode != 0:
            verdict = "DOES NOT COMPILE"
        else:
            tested = run(SWIFT + ["test"] + FLAGS + ["--skip-build", "--filter", FILTER])
            failed = sorted(set(re.findall(r"✘ Test (\w+)\(", tested.stdout)))
            if tested.returncode == 0:
                verdict = "SURVIVED"
            elif failed:
                verdict = "killed by " + ", ".join(failed[:3])
            else:
                verdict = "CRASHED (no test named): " + (tested.stdout.strip().splitlines() or [""])[-1][:160]
    finally:
        open(path, "w").write(text)
    if not verdict.startswith("killed"):
        survivors.append(number)
    print(f"{number:2d}. {what}: {verdict} ({time.time() - started:.0f} s)", flush=True)
run(SWIFT + ["build"] + FLAGS + ["--build-tests"])  # leave the build matching the restored sources
print(f"{len(chosen) - len(survivors)} of {len(chosen)} mutations killed" +
      (f"; not killed: {survivors}" if survivors else ""))
sys.exit(1 if survivors else 0)
PYTHON
