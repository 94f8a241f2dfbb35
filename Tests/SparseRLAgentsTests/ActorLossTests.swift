import Foundation
import SparseRLNetworks
import SparseRLNumerics
import Testing

@testable import SparseRLAgents

/// Float64 references of the actor losses, written from the papers' formulas on the critics' weights (dense
/// MLPs `Linear -> ReLU -> ... -> Linear`), and their central finite differences.
enum ActorLossReference {
  /// One critic as float64 layers `(W [out x in] row-major, b, out, in)`.
  struct Critic {
    var layers: [(w: [Double], b: [Double], out: Int, in: Int)]

    init(_ network: SparseNetwork) {
      layers = network.model.maskableLayers.map { entry in
        let linear = entry.layer as! Linear
        return (
          linear.weight.denseValue().scalars.map(Double.init), linear.bias!.value.map(Double.init),
          linear.weight.rows, linear.weight.columns
        )
      }
    }

    /// Q of one input vector.
    func q(_ input: [Double]) -> Double {
      var x = input
      for (index, layer) in layers.enumerated() {
        var y = layer.b
        for i in 0..<layer.out {
          for j in 0..<layer.in { y[i] += layer.w[i * layer.in + j] * x[j] }
        }
        x = index == layers.count - 1 ? y : y.map { max($0, 0) }
      }
      return x[0]
    }
  }

  /// Column `b` of a feature-major `[rows x batch]` array.
  static func column(_ values: [Double], rows: Int, batch: Int, _ b: Int) -> [Double] {
    (0..<rows).map { values[$0 * batch + b] }
  }

  /// SAC: `mean_b [alpha log pi(a_b|s_b) - min(Q1, Q2)(s_b, a_b)]`, `a = tanh(mu + sigma eps)`,
  /// `log sigma = lo + (hi - lo)(1 + tanh(raw))/2`; `output` is `[mu; raw]` `[2A x B]`.
  static func sac(
    output: [Double], observations: [Double], noise: [Double], actions: Int, batch: Int, alpha: Double,
    bounds: (Double, Double), critics: [Critic]
  ) -> Double {
    let width = observations.count / batch
    var total = 0.0
    for b in 0..<batch {
      var action = [Double](repeating: 0, count: actions)
      var logProbability = 0.0
      for i in 0..<actions {
        let mu = output[i * batch + b]
        let logStd = bounds.0 + (bounds.1 - bounds.0) * 0.5 * (1 + Foundation.tanh(output[(actions + i) * batch + b]))
        let e = noise[i * batch + b]
        let pre = mu + Foundation.exp(logStd) * e
        action[i] = Foundation.tanh(pre)
        logProbability +=
          -0.5 * e * e - logStd - 0.5 * Foundation.log(2 * Double.pi) - Foundation.log(1 - action[i] * action[i])
      }
      let input = column(observations, rows: width, batch: batch, b) + action
      total += alpha * logProbability - min(critics[0].q(input), critics[1].q(input))
    }
    return total / Double(batch)
  }

  /// TD3: `-mean_b Q1(s_b, tanh(u_b))`; `output` is `u` `[A x B]`.
  static func td3(output: [Double], observations: [Double], actions: Int, batch: Int, critic: Critic) -> Double {
    let width = observations.count / batch
    var total = 0.0
    for b in 0..<batch {
      let action = (0..<actions).map { Foundation.tanh(output[$0 * batch + b]) }
      total -= critic.q(column(observations, rows: width, batch: batch, b) + action)
    }
    return total / Double(batch)
  }

  /// Central differences (step 1e-6) of `f` at `x`.
  static func gradient(_ x: [Double], _ f: ([Double]) -> Double) -> [Double] {
    (0..<x.count).map { k in
      var plus = x
      plus[k] += 1e-6
      var minus = x
      minus[k] -= 1e-6
      return (f(plus) - f(minus)) / 2e-6
    }
  }
}

/// Twin critics 3 observations + 2 actions -> 16 -> 16 -> 1 (ReLU), seeded; `offsets` are added to each
/// critic's output bias, so that one critic can be made the smaller everywhere.
private func testCritics(offsets: (Float, Float) = (0, 0)) throws -> TwinCritics {
  var settings = SACSettings.defaultShared
  settings.critic = NetworkArchitecture(hiddenSizes: [16, 16])
  var random = RandomGenerator(seed: 11)
  let critics = try TwinCritics(
    settings: settings, observationWidth: 3, actionWidth: 2, totalUpdates: 10, random: &random)
  for (network, offset) in zip(critics.online, [offsets.0, offsets.1]) {
    let output = network.model.maskableLayers.last!.layer as! Linear
    output.bias!.value[0] += offset
  }
  return critics
}

private func randomMatrix(rows: Int, columns: Int, scale: Float, seed: UInt64) -> Matrix {
  var random = RandomGenerator(seed: seed)
  var matrix = Matrix(rows: rows, columns: columns)
  for k in 0..<matrix.count { matrix.scalars[k] = scale * Float(random.normal()) }
  return matrix
}

private func expectClose(_ analytic: [Float], _ reference: [Double], _ what: String) {
  #expect(analytic.count == reference.count)
  for (k, (a, r)) in zip(analytic, reference).enumerated() {
    #expect(abs(Double(a) - r) <= 2e-4 + 2e-3 * abs(r), "\(what) entry \(k): \(a) vs reference \(r)")
  }
}

@Suite struct ActorLossTests {
  let batch = 6
  let actions = 2

  /// SAC's actor loss and its gradient with respect to the actor's outputs (mean and raw log std), through
  /// the real tanh-Gaussian and twin critics, against float64 central differences of the paper's formula.
  func checkSAC(critics: TwinCritics) -> (q1: [Float], q2: [Float]) {
    let observations = randomMatrix(rows: 3, columns: batch, scale: 1, seed: 1)
    let output = randomMatrix(rows: 2 * actions, columns: batch, scale: 0.7, seed: 2)
    let noise = randomMatrix(rows: actions, columns: batch, scale: 1, seed: 3)
    let policy = TanhGaussian(minLogStd: -5, maxLogStd: 2)
    let alpha: Float = 0.3
    let result = SACActorLoss(alpha: alpha).evaluate(
      actorOutput: output, observations: observations, noise: noise, policy: policy, critics: critics)
    let references = critics.online.map(ActorLossReference.Critic.init)
    let loss = { (x: [Double]) in
      ActorLossReference.sac(
        output: x, observations: observations.scalars.map(Double.init), noise: noise.scalars.map(Double.init),
        actions: self.actions, batch: self.batch, alpha: Double(alpha), bounds: (-5, 2), critics: references)
    }
    let x = output.scalars.map(Double.init)
    #expect(abs(Double(result.loss) - loss(x)) < 1e-4)
    expectClose(result.outputGradient.scalars, ActorLossReference.gradient(x, loss), "SAC actor gradient")
    let inputs = TwinCritics.inputs(observations: observations, actions: result.sample.actions)
    return (critics.q(0, inputs: inputs), critics.q(1, inputs: inputs))
  }

  @Test func sacActorGradientMatchesFiniteDifferencesThroughBothCritics() throws {
    // Shift critic 2 by the median of Q1 - Q2 at the sampled actions, so that each critic is the smaller one
    // for some samples and both branches of the minimum are exercised.
    let critics = try testCritics()
    let (before1, before2) = checkSAC(critics: critics)
    let median = zip(before1, before2).map { $0 - $1 }.sorted()[before1.count / 2 - 1]
    let output = critics.online[1].model.maskableLayers.last!.layer as! Linear
    output.bias!.value[0] += median + 1e-3
    let (q1, q2) = checkSAC(critics: critics)
    // The seeded critics disagree on which is smaller, so both branches of the minimum are exercised.
    #expect(zip(q1, q2).contains { $0 < $1 } && zip(q1, q2).contains { $0 > $1 })
  }

  /// Critic 1 smaller everywhere: the loss and gradient follow Q1 alone (a version using critic 2, or the
  /// larger critic, fails the finite-difference check).
  @Test func sacActorUsesCritic1WhereItIsTheSmaller() throws {
    let (q1, q2) = checkSAC(critics: try testCritics(offsets: (0, 50)))
    #expect(zip(q1, q2).allSatisfy { $0 < $1 })
  }

  /// Critic 2 smaller everywhere: the loss and gradient follow Q2 alone.
  @Test func sacActorUsesCritic2WhereItIsTheSmaller() throws {
    let (q1, q2) = checkSAC(critics: try testCritics(offsets: (50, 0)))
    #expect(zip(q1, q2).allSatisfy { $0 > $1 })
  }

  @Test func sacCriticGradientsGoToTheSmallerCriticOnly() {
    let (g1, g2) = SACActorLoss.criticGradients(q1: [1, 5, 2], q2: [3, 2, 2])
    #expect(g1 == [-1.0 / 3, 0, -1.0 / 3])  // ties go to critic 1
    #expect(g2 == [0, -1.0 / 3, 0])
  }

  /// TD3's actor loss `-mean Q1(s, tanh(u))` and its gradient against float64 central differences; critic 2
  /// is made the smaller one, so a version that used it (or the minimum) would fail.
  @Test func td3ActorGradientMatchesFiniteDifferencesThroughCritic1Only() throws {
    let critics = try testCritics(offsets: (0, -50))
    let observations = randomMatrix(rows: 3, columns: batch, scale: 1, seed: 4)
    let output = randomMatrix(rows: actions, columns: batch, scale: 0.8, seed: 5)
    let result = TD3ActorLoss.evaluate(
      actorOutput: output, observations: observations, critics: critics, critic: TD3ActorLoss.critic)
    let critic1 = ActorLossReference.Critic(critics.online[0])
    let loss = { (x: [Double]) in
      ActorLossReference.td3(
        output: x, observations: observations.scalars.map(Double.init), actions: self.actions, batch: self.batch,
        critic: critic1)
    }
    let x = output.scalars.map(Double.init)
    #expect(abs(Double(result.loss) - loss(x)) < 1e-4)
    expectClose(result.outputGradient.scalars, ActorLossReference.gradient(x, loss), "TD3 actor gradient")
  }

  /// Both critic targets bootstrap the smaller target critic, whichever of the two it is.
  @Test func bothTargetsBootstrapTheSmallerTargetCritic() {
    let q1: [Float] = [1, 5]
    let q2: [Float] = [3, 2]
    let td3 = TD3Target.values(rewards: [0, 0], bootstrapDiscounts: [1, 1], targetQ1: q1, targetQ2: q2)
    #expect(td3 == [1, 2])
    let sac = SACTarget.values(
      rewards: [0, 0], bootstrapDiscounts: [1, 1], targetQ1: q1, targetQ2: q2, nextLogProbabilities: [0, 0],
      intermediateDiscounts: [], intermediateLogProbabilities: [], alpha: 0.5)
    #expect(sac == [1, 2])
  }

  /// A Polyak update moves each target critic towards its own online critic (tau 1 copies it).
  @Test func targetCriticsFollowTheirOwnOnlineCritic() throws {
    let critics = try testCritics()
    for network in critics.online {
      for parameter in network.model.parameters {
        for k in 0..<parameter.value.count { parameter.value[k] += 0.25 }
      }
    }
    critics.updateTargets(tau: 1)
    for (target, online) in zip(critics.targets, critics.online) {
      #expect(target.parameters.map(\.value) == online.model.parameters.map(\.value))
    }
  }
}
