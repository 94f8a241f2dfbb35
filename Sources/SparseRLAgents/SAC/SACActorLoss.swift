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

  /// The per-update arrays of `evaluate` (the sample, the critics' and the policy's gradients), which an agent
  /// keeps and passes to every update so that the loss allocates nothing once they have the batch's size.
  public struct Buffers {
    var sample = TanhGaussian.Sample()
    var criticGradient1: [Float] = []
    var criticGradient2: [Float] = []
    var actionGradient = Matrix(rows: 0, columns: 0)
    var logProbabilityGradient: [Float] = []
    var outputGradient = Matrix(rows: 0, columns: 0)

    /// Empty buffers.
    public init() {}
  }

  /// The loss's gradient with respect to each critic's value: `-1/B` for the critic that gives the minimum of
  /// a sample (critic 1 on ties), 0 for the other.
  public static func criticGradients(q1: [Float], q2: [Float]) -> (q1: [Float], q2: [Float]) {
    var (gradient1, gradient2): ([Float], [Float]) = ([], [])
    criticGradients(q1: q1, q2: q2, into: &gradient1, &gradient2)
    return (gradient1, gradient2)
  }

  /// `criticGradients(q1:q2:)` written into `gradient1` and `gradient2`, resized in their own storage.
  static func criticGradients(q1: [Float], q2: [Float], into gradient1: inout [Float], _ gradient2: inout [Float]) {
    precondition(q1.count == q2.count, "twin critic values differ in length")
    let weight = -1 / Float(max(q1.count, 1))
    gradient1.assign(repeating: 0, count: q1.count)
    gradient2.assign(repeating: 0, count: q1.count)
    for b in 0..<q1.count {
      if q1[b] <= q2[b] { gradient1[b] = weight } else { gradient2[b] = weight }
    }
  }

  /// The loss, its gradient with respect to the actor's output `[2|A| x B]` (mean rows, then raw log-std
  /// rows), and the sample it drew, for observations `[width x B]` and standard-normal `noise` `[|A| x B]`.
  func evaluate(
    actorOutput: Matrix, observations: Matrix, noise: Matrix, policy: TanhGaussian, critics: TwinCritics
  ) -> (loss: Float, outputGradient: Matrix, sample: TanhGaussian.Sample) {
    var buffers = Buffers()
    return evaluate(
      actorOutput: actorOutput, observations: observations, noise: noise, policy: policy, critics: critics,
      reusing: &buffers)
  }

  /// `evaluate(actorOutput:observations:noise:policy:critics:)` computed in `buffers`: the returned gradient
  /// and sample share their storage, which the next call with the same buffers rewrites.
  func evaluate(
    actorOutput: Matrix, observations: Matrix, noise: Matrix, policy: TanhGaussian, critics: TwinCritics,
    reusing buffers: inout Buffers
  ) -> (loss: Float, outputGradient: Matrix, sample: TanhGaussian.Sample) {
    policy.sample(actorOutput, noise: noise, into: &buffers.sample)
    let sample = buffers.sample
    let inputs = critics.concatenated(observations, sample.actions)
    let (q1, q2) = critics.twinQ(inputs: inputs)
    let batch = Float(max(q1.count, 1))
    var loss: Float = 0
    for b in 0..<q1.count { loss += alpha * sample.logProbabilities[b] - min(q1[b], q2[b]) }
    SACActorLoss.criticGradients(q1: q1, q2: q2, into: &buffers.criticGradient1, &buffers.criticGradient2)
    let (first, second) = critics.twinActionGradients(q1: buffers.criticGradient1, q2: buffers.criticGradient2)
    buffers.actionGradient.prepare(rows: first.rows, columns: first.columns)
    for k in 0..<first.count { buffers.actionGradient.scalars[k] = first.scalars[k] + second.scalars[k] }
    buffers.logProbabilityGradient.assign(repeating: alpha / batch, count: q1.count)
    policy.backward(
      sample, actionGradient: buffers.actionGradient, logProbabilityGradient: buffers.logProbabilityGradient,
      into: &buffers.outputGradient)
    return (loss / batch, buffers.outputGradient, sample)
  }
}
