import Foundation
import SparseRLNumerics

/// Running sums of the learning statistics between two `train` reports (fixed fields: no per-update
/// dictionaries). The reported values are means over the updates since the last report.
struct UpdateStatistics: Equatable {
  var criticUpdates = 0
  var actorUpdates = 0
  var criticLoss = 0.0
  var qMean = 0.0
  var actorLoss = 0.0
  var entropy = 0.0
  var temperatureLoss = 0.0

  mutating func addCritic(loss: Float, qMean: Float) {
    criticUpdates += 1
    criticLoss += Double(loss)
    self.qMean += Double(qMean)
  }

  mutating func addActor(loss: Float, entropy: Float = 0, temperatureLoss: Float = 0) {
    actorUpdates += 1
    actorLoss += Double(loss)
    self.entropy += Double(entropy)
    self.temperatureLoss += Double(temperatureLoss)
  }

  var meanCriticLoss: Double { criticLoss / Double(max(criticUpdates, 1)) }
  var meanQ: Double { qMean / Double(max(criticUpdates, 1)) }
  var meanActorLoss: Double { actorLoss / Double(max(actorUpdates, 1)) }
  var meanEntropy: Double { entropy / Double(max(actorUpdates, 1)) }
  var meanTemperatureLoss: Double { temperatureLoss / Double(max(actorUpdates, 1)) }

  var archiveValue: ArchiveValue {
    .doubles([Double(criticUpdates), Double(actorUpdates), criticLoss, qMean, actorLoss, entropy, temperatureLoss])
  }

  init() {}

  init(_ archive: BinaryArchive, _ name: String) throws {
    let v = try archive.doubles(name, count: 7)
    (criticUpdates, actorUpdates) = (Int(v[0]), Int(v[1]))
    (criticLoss, qMean, actorLoss, entropy, temperatureLoss) = (v[2], v[3], v[4], v[5], v[6])
  }
}

/// Elementwise `tanh` of a network output (the actors' squashing to `[-1, 1]`).
func tanhActions(_ raw: Matrix) -> Matrix {
  var result = Matrix(rows: 0, columns: 0)
  return tanhActions(raw, into: &result)
}

/// `tanhActions(raw)` written into `result` (prepared to the shape of `raw` in its own storage, so that a
/// network's output buffer is never copied on write); returns `result`.
@discardableResult
func tanhActions(_ raw: Matrix, into result: inout Matrix) -> Matrix {
  result.prepare(rows: raw.rows, columns: raw.columns)
  result.scalars.withUnsafeMutableBufferPointer { values in
    raw.scalars.withUnsafeBufferPointer { raw in
      for k in raw.indices { values[k] = FloatMath.tanh(raw[k]) }
    }
  }
  return result
}

/// Throws `AgentError.nonFiniteValue` unless `value` is finite.
func requireFinite(_ value: Float, _ what: String, step: Int) throws {
  guard value.isFinite else { throw AgentError.nonFiniteValue(what: what, step: step) }
}
