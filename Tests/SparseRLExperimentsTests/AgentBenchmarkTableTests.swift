import Testing

@testable import SparseRLExperiments
@testable import SparseRLNumerics

/// `bench agents`' tables: rows measured in several interleaved rounds (`--rounds`) become one row each, at the
/// median; `--profile` lists the phases of every step and folds the sub-phases of rare ones.
@Suite struct AgentBenchmarkTableTests {
  func row(_ agent: AgentBenchmark.AgentKind, _ sparsity: Double, threads: Int = 1, _ rate: Double)
    -> AgentBenchmark.Result
  {
    AgentBenchmark.Result(
      agent: agent, environment: "HalfCheetah-v5", sparsity: sparsity, networks: "2x256", steps: 300,
      stepsPerSecond: rate, threads: threads, replayBytes: nil, replayRawBytes: nil)
  }

  @Test func roundsCombineIntoMediansInTheOrderOfTheFirstRound() throws {
    let rounds = [
      row(.td3, 0, 100), row(.td3, 0, threads: 2, 150), row(.rlx2, 0.9, 300),
      row(.td3, 0, 120), row(.td3, 0, threads: 2, 170), row(.rlx2, 0.9, 500),
      row(.td3, 0, 80), row(.td3, 0, threads: 2, 160), row(.rlx2, 0.9, 350),
      row(.td3, 0, threads: 2, 140),
    ]
    let combined = AgentBenchmark.combiningRounds(rounds)
    #expect(combined.map(\.agent) == [.td3, .td3, .rlx2] && combined.map(\.threads) == [1, 2, 1])
    #expect(combined.map(\.stepsPerSecond) == [100, 155, 350], "odd counts: the middle; even: the mean of two")
    #expect(combined[0].roundRates == [100, 120, 80] && combined[1].roundRates == [150, 170, 160, 140])
    let table = AgentBenchmark.markdown(combined).split(separator: "\n").map {
      $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
    }
    #expect(table[2][5] == "100 (80-120)" && table[4][5] == "350 (300-500)")
    #expect(table[4][6] == "3.50x", "RLx2-TD3 over the median of dense TD3")
    #expect(table[3][7] == "1.55x", "2 threads over 1: the ratio of the medians")
  }

  @Test func oneRoundKeepsTheRowsAsMeasured() {
    let rounds = [row(.sac, 0, 90), row(.sac, 0.9, 400)]
    let combined = AgentBenchmark.combiningRounds(rounds)
    #expect(combined.map(\.stepsPerSecond) == [90, 400] && combined.allSatisfy { $0.roundRates.isEmpty })
    #expect(AgentBenchmark.markdown(combined).contains("| 400 | 4.44x |"))
  }

  @Test func aProfileFoldsTheSubPhasesOfPhasesRunLessThanOnceInTenSteps() {
    func phase(_ path: String..., calls: Int, ms: Double) -> Profiler.Entry {
      Profiler.Entry(path: path, calls: calls, seconds: ms / 1000 * 100)
    }
    let phases = [
      phase("update", calls: 100, ms: 2), phase("update", "critic forward", calls: 150, ms: 0.5),
      phase("update", "topology", calls: 1, ms: 0.2), phase("update", "topology", "grow", calls: 1, ms: 0.15),
      phase("diagnostics", calls: 9, ms: 0.1), phase("diagnostics", "actor", calls: 9, ms: 0.06),
    ]
    let profile = AgentBenchmark.Profile(
      agent: .td3, environment: "HalfCheetah-v5", sparsity: 0.9, steps: 100, secondsPerStep: 0.0025,
      phases: phases, allocationsPerStep: nil, environmentAllocationsPerStep: nil)
    let rows = AgentBenchmark.markdown(profile).split(separator: "\n").dropFirst(3).map {
      $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
    }
    #expect(
      rows.map { $0[0] } == [
        "update", "› critic forward", "› topology", "› (other)", "diagnostics", "(outside the phases)",
      ])
    #expect(rows[3][1] == "1.300", "update's time outside its listed sub-phases")
    #expect(rows[4][1] == "0.100" && rows[4][3] == "0.09" && rows[5][1] == "0.400")
  }
}
