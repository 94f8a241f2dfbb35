#!/usr/bin/env bash
# Mutation check of the agents (not part of CI): applies each small semantic mutation below to the sources, one
# at a time, builds in release, runs the agents' unit tests (no learning tests), restores the file, and prints
# whether a unit test killed the mutation. Every mutation in the list must be killed.
#
#   scripts/mutation-check.sh            # all mutations
#   scripts/mutation-check.sh 3 7        # only mutations 3 and 7 (numbers as printed)
#
# Each mutation is (file, exact original text, replacement, what it breaks); the original must occur exactly
# once. A mutation that does not compile is reported as such (it proves nothing). The sources are restored
# after every mutation, also on Ctrl-C.
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
    (A + "SAC/SACActorLoss.swift", "logProbabilityGradient: [Float](repeating: alpha / batch",
     "logProbabilityGradient: [Float](repeating: -alpha / batch", "SAC actor: sign flip of the entropy term's gradient"),
    (A + "Policies/TanhGaussian.swift", "meanGradient.scalars[k] = gA * squash + gL * 2 * a",
     "meanGradient.scalars[k] = gA * squash", "SAC actor: dropped d log(1 - a^2) / d mu term"),
    (A + "Policies/TanhGaussian.swift", "let logStdGradient = gA * squash * sigmaEpsilon + gL * (-1 + 2 * a * sigmaEpsilon)",
     "let logStdGradient = gA * squash * sigmaEpsilon + gL * (-1)", "SAC actor: dropped tanh term of d log pi / d log sigma"),
    (A + "TD3/TD3ActorLoss.swift", "gradient.scalars[k] *= 1 - a * a", "gradient.scalars[k] *= 1",
     "TD3 actor: dropped tanh derivative"),
    (A + "TD3/TD3ActorLoss.swift", "var gradient = critics.actionGradient(0,", "var gradient = critics.actionGradient(1,",
     "TD3 actor: gradient through critic 2"),
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
    (A + "Replay/ReplayBuffer.swift", "discountedReturn += discount * rewards[slot % capacity]",
     "discountedReturn += discount * gamma * rewards[slot % capacity]", "n-step return: rewards discounted one step too much"),
    (A + "Replay/ReplayBuffer.swift", "for _ in 0..<k { gammaK *= gamma }", "for _ in 0...k { gammaK *= gamma }",
     "n-step: off-by-one in the intermediate discount"),
    (A + "OffPolicy/TwinCritics.swift", "for (target, network) in zip(targets, online) {",
     "for (target, network) in zip(targets, online.reversed()) {", "targets updated from the other critic"),
    (A + "TD3/TD3Agent.swift", "TargetUpdate.polyak(target: actorTarget, online: actor.model, tau: tau)",
     "TargetUpdate.polyak(target: actorTarget, online: actorTarget, tau: tau)", "TD3 actor target not updated from the actor"),
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
    (A + "DDPG/DDPGAgent.swift", "tanhActions(actorTarget.forward(batch.nextObservations))",
     "tanhActions(actor.model.forward(batch.nextObservations))", "DDPG target: online actor instead of the target actor"),
    (A + "Networks/WeightDecay.swift",
     "return AdamW(parameters: parameters, learningRate: learningRate, epsilon: epsilon, weightDecay: weightDecay)",
     "return Adam(parameters: parameters, learningRate: learningRate, epsilon: epsilon, weightDecay: weightDecay)",
     "decoupled weight decay coupled (Adam L2 instead of AdamW)"),
]
FILTER = "ActorLossTests|PaperOptionTests|SACTests|TD3Tests|DQNTests|PolicyMathTests|ReplayBufferTests|RLx2Tests|GrownGradientTests|SimBaSACTests|DDPGTests|OffPolicyDiagnosticsTests"
SWIFT = ["swift"]
FLAGS = ["-c", "release", "-Xswiftc", "-enable-testing"]

def run(arguments):
    return subprocess.run(arguments, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

chosen = [int(a) for a in sys.argv[1:]] or list(range(1, len(MUTATIONS) + 1))
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
            verdict = ("killed by " + ", ".join(failed[:3])) if tested.returncode != 0 else "SURVIVED"
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
