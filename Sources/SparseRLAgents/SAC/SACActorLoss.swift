import SparseRLNumerics

/// SAC's actor loss with the reparameterisation trick (Haarnoja et al. 2018, eq. 7 and 13):
/// `L = mean_b [alpha log pi(a_b | s_b) - min(Q1, Q2)(s_b, a_b)]` with `a_b = tanh(mu_b + sigma_b eps_b)` and
/// the noise `eps` held fixed.
///
/// The gradient reaches the actor's outputs `(mu, raw log sigma)` along two paths: through the sampled action
/// into the smaller critic (`dQ_min/da`, the critics' own parameters untouched), and through `log pi`, which
/// depends on `mu` and `sigma` both directly and through `a` (`TanhGaussian.backward`).
public struct SACActorLoss {
  /// The temperature alpha (a constant of this loss).
  public let alpha: Float

  /// The loss at temperature `alpha`.
  public init(alpha: Float) { self.alpha = alpha }

  /// The loss's gradient with respect to each critic's value: `-1/B` for the critic that gives the minimum of
  /// a sample (critic 1 on ties), 0 for the other.
  public static func criticGradients(q1: [Float], q2: [Float]) -> (q1: [Float], q2: [Float]) {
    precondition(q1.count == q2.count, "twin critic values differ in length")
    let weight = -1 / Float(max(q1.count, 1))
    var (gradient1, gradient2) = ([Float](repeating: 0, count: q1.count), [Float](repeating: 0, count: q1.count))
    for b in 0..<q1.count {
      if q1[b] <= q2[b] { gradient1[b] = weight } else { gradient2[b] = weight }
    }
    return (gradient1, gradient2)
  }

  /// The loss, its gradient with respect to the actor's output `[2|A| x B]` (mean rows, then raw log-std
  /// rows), and the sample it drew, for observations `[width x B]` and standard-normal `noise` `[|A| x B]`.
  func evaluate(
    actorOutput: Matrix, observations: Matrix, noise: Matrix, policy: TanhGaussian, critics: TwinCritics
  ) -> (loss: Float, outputGradient: Matrix, sample: TanhGaussian.Sample) {
    let actions = actorOutput.rows / 2
    let half = actions * actorOutput.columns
    let mean = Matrix(rows: actions, columns: actorOutput.columns, scalars: Array(actorOutput.scalars[..<half]))
    let raw = Matrix(rows: actions, columns: actorOutput.columns, scalars: Array(actorOutput.scalars[half...]))
    var unused = RandomGenerator(seed: 0)
    let sample = policy.sample(mean: mean, rawLogStd: raw, noise: noise, using: &unused)
    let inputs = critics.concatenated(observations, sample.actions)
    let (q1, q2) = critics.twinQ(inputs: inputs)
    let batch = Float(max(q1.count, 1))
    var loss: Float = 0
    for b in 0..<q1.count { loss += alpha * sample.logProbabilities[b] - min(q1[b], q2[b]) }
    let weights = SACActorLoss.criticGradients(q1: q1, q2: q2)
    let gradients = critics.twinActionGradients(q1: weights.q1, q2: weights.q2)
    var actionGradient = gradients.0
    let second = gradients.1
    for k in 0..<actionGradient.count { actionGradient.scalars[k] += second.scalars[k] }
    let (meanGradient, rawGradient) = policy.backward(
      sample, actionGradient: actionGradient,
      logProbabilityGradient: [Float](repeating: alpha / batch, count: q1.count))
    let outputGradient = Matrix(
      rows: actorOutput.rows, columns: actorOutput.columns, scalars: meanGradient.scalars + rawGradient.scalars)
    return (loss / batch, outputGradient, sample)
  }
}
