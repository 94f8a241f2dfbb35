// swift-tools-version:6.1
import Foundation
import PackageDescription

// Kernels are vectorised with SIMD and need AVX2 + FMA to run at speed: the default x86-64 target is SSE-only
// and lowers fused multiply-adds to scalar calls (see docs/ARCHITECTURE.md, "Build settings").
// We therefore compile for Haswell-class CPUs (AVX2, FMA; every x86-64 CPU since 2013). Set
// SPARSERL_PORTABLE=1 in the environment to build for the baseline x86-64 target instead (slower kernels).
let portable = ProcessInfo.processInfo.environment["SPARSERL_PORTABLE"] == "1"
var optimisedCode: [SwiftSetting] = []
#if arch(x86_64)
  if !portable {
    optimisedCode.append(.unsafeFlags(["-target-cpu", "haswell"]))
    // Lets the kernels use fused multiply-adds (Sources/SparseRLNumerics/Kernels/PackedGEMM.swift).
    optimisedCode.append(.define("SPARSERL_FMA"))
  }
#endif

let package = Package(
  name: "SparseRL",
  platforms: [.macOS(.v14)],
  products: [
    .library(
      name: "SparseRL",
      targets: [
        "SparseRLNumerics", "SparseRLNetworks", "SparseRLSparsity", "SparseRLEnvironments", "SparseRLAgents",
        "SparseRLExperiments",
      ]),
    .executable(name: "sparserl", targets: ["sparserl"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    .package(url: "https://github.com/apple/swift-protobuf", from: "1.28.0"),
  ],
  targets: [
    // Matrices, random generators, initialisers and the dense and sparse compute kernels.
    .target(name: "SparseRLNumerics", swiftSettings: optimisedCode),
    // Layers with explicit forward/backward, parameters, optimizers, serialization.
    .target(name: "SparseRLNetworks", dependencies: ["SparseRLNumerics"], swiftSettings: optimisedCode),
    // Per-layer sparsity distributions, topology methods (Static, SET, RigL, pruning), accounting.
    .target(
      name: "SparseRLSparsity", dependencies: ["SparseRLNumerics", "SparseRLNetworks"],
      swiftSettings: optimisedCode),
    // Gymnasium-semantics environments: classic control, MinAtar, MuJoCo (loaded at run time).
    .target(name: "SparseRLEnvironments", dependencies: ["SparseRLNumerics"], swiftSettings: optimisedCode),
    // Replay buffers and agents (DQN, SAC, TD3, PPO, RLx2).
    .target(
      name: "SparseRLAgents",
      dependencies: ["SparseRLNumerics", "SparseRLNetworks", "SparseRLSparsity", "SparseRLEnvironments"],
      swiftSettings: optimisedCode),
    // Configs, runs, logging, checkpoints, evaluation and benchmarks.
    .target(
      name: "SparseRLExperiments",
      dependencies: [
        "SparseRLNumerics", "SparseRLNetworks", "SparseRLSparsity", "SparseRLEnvironments", "SparseRLAgents",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Yams", package: "Yams"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      swiftSettings: optimisedCode),
    .executableTarget(
      name: "sparserl",
      dependencies: [
        "SparseRLExperiments", "SparseRLSparsity",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: optimisedCode),
    // Helpers shared by the test targets (running the Python reference implementations).
    .target(name: "SparseRLTestSupport", path: "Sources/SparseRLTestSupport"),
    .testTarget(name: "SparseRLNumericsTests", dependencies: ["SparseRLNumerics"], swiftSettings: optimisedCode),
    .testTarget(
      name: "SparseRLNetworksTests", dependencies: ["SparseRLNumerics", "SparseRLNetworks"],
      swiftSettings: optimisedCode),
    .testTarget(
      name: "SparseRLSparsityTests", dependencies: ["SparseRLNumerics", "SparseRLNetworks", "SparseRLSparsity"],
      swiftSettings: optimisedCode),
    .testTarget(
      name: "SparseRLExperimentsTests",
      dependencies: [
        "SparseRLExperiments", "SparseRLAgents", "SparseRLTestSupport",
      ],
      swiftSettings: optimisedCode),
    .testTarget(
      name: "SparseRLAgentsTests",
      dependencies: [
        "SparseRLNumerics", "SparseRLNetworks", "SparseRLSparsity", "SparseRLEnvironments", "SparseRLAgents",
        "SparseRLTestSupport",
      ],
      swiftSettings: optimisedCode),
    .testTarget(
      name: "SparseRLEnvironmentsTests",
      dependencies: ["SparseRLNumerics", "SparseRLEnvironments", "SparseRLTestSupport"],
      swiftSettings: optimisedCode),
  ],
  swiftLanguageModes: [.v6]
)
