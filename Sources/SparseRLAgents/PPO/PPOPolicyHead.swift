import SparseRLEnvironments
import SparseRLNetworks
import SparseRLNumerics

/// The distribution PPO's actor outputs parameterise: categorical logits for a discrete action space, the
/// mean of a diagonal Gaussian with a state-independent log σ (`logStd`, trained with the actor) for a box.
/// Box actions are sampled unbounded; they are clipped to the box only when sent to the environment, and the
/// raw action is what the rollout stores and the log-probabilities use.
enum PPOPolicyHead {
  case categorical(DiscreteSpace)
  case gaussian(BoxSpace, logStd: Parameter)

  /// The head for `space`; `initialLogStd` is the starting log σ of a Gaussian.
  init(space: Space, initialLogStd: Float) {
    switch space {
    case .discrete(let discrete): self = .categorical(discrete)
    case .box(let box):
      self = .gaussian(
        box,
        logStd: Parameter(
          name: "log_std", rows: box.count, columns: 1, value: .init(repeating: initialLogStd, count: box.count)))
    }
  }

  /// Outputs of the actor network.
  var outputs: Int {
    switch self {
    case .categorical(let space): space.count
    case .gaussian(let box, _): box.count
    }
  }

  /// Elements of a stored action.
  var actionWidth: Int {
    switch self {
    case .categorical: 1
    case .gaussian(let box, _): box.count
    }
  }

  /// Trainable parameters outside the actor network (the Gaussian's log σ).
  var extraParameters: [Parameter] {
    switch self {
    case .categorical: []
    case .gaussian(_, let logStd): [logStd]
    }
  }

  /// Samples one action per column of the actor's output: the stored actions `[actionWidth x batch]` (index or
  /// raw vector) and their log-probabilities.
  func sample(_ output: Matrix, using random: inout RandomGenerator) -> (actions: Matrix, logProbabilities: [Float]) {
    switch self {
    case .categorical:
      let distribution = Categorical(logits: output)
      let indices = distribution.sample(using: &random)
      return (
        Matrix(rows: 1, columns: indices.count, scalars: indices.map(Float.init)),
        distribution.logProbability(of: indices)
      )
    case .gaussian(_, let logStd):
      let distribution = DiagonalGaussian(mean: output, logStd: logStd.value)
      let actions = distribution.sample(using: &random)
      return (actions, distribution.logProbability(of: actions))
    }
  }

  /// The environment action of column `b` of the stored actions (discrete index shifted by the space's start;
  /// a box action clipped into the box).
  func environmentAction(_ actions: Matrix, column b: Int) -> Action {
    switch self {
    case .categorical(let space): .discrete(space.start + Int(actions[0, b]))
    case .gaussian(let box, _): .continuous(box.clip((0..<box.count).map { actions[$0, b] }))
    }
  }

  /// The deterministic action for one column: the most probable index, or the mean clipped into the box.
  func deterministicAction(_ output: Matrix) -> Action {
    switch self {
    case .categorical(let space): .discrete(space.start + Categorical(logits: output).mode()[0])
    case .gaussian(let box, _): .continuous(box.clip((0..<box.count).map { output[$0, 0] }))
    }
  }

  /// Log-probabilities and entropies of stored actions under the actor's output, and a function giving the
  /// gradient with respect to that output of `Σ_b (g_b log π(a_b) + h_b H_b)` (accumulating log σ's gradient).
  func evaluate(_ output: Matrix, actions: Matrix) -> (
    logProbabilities: [Float], entropies: [Float], outputGradient: (_ g: [Float], _ h: [Float]) -> Matrix
  ) {
    switch self {
    case .categorical:
      let distribution = Categorical(logits: output)
      let indices = (0..<actions.columns).map { Int(actions[0, $0]) }
      return (
        distribution.logProbability(of: indices), distribution.entropy(),
        { g, h in distribution.logitGradient(actions: indices, logProbabilityGradient: g, entropyGradient: h) }
      )
    case .gaussian(_, let logStd):
      let distribution = DiagonalGaussian(mean: output, logStd: logStd.value)
      return (
        distribution.logProbability(of: actions), distribution.entropy(),
        { g, h in
          let gradients = distribution.gradients(actions: actions, logProbabilityGradient: g, entropyGradient: h)
          for i in 0..<gradients.logStd.count { logStd.gradient[i] += gradients.logStd[i] }
          return gradients.mean
        }
      )
    }
  }
}
