// swift-tools-version:6.1
import PackageDescription

let package = Package(
  name: "SparseRL",
  platforms: [.macOS(.v14)],
  products: [
    .library(
      name: "SparseRL",
      targets: [
        "SparseRLNumerics", "SparseRLNetworks", "SparseRLSparsity", "SparseRLEnvironments", "SparseRLAgents",
        "SparseRLExperiments", "SparseRLPolicy",
      ]),
    .executable(name: "sparserl", targets: ["sparserl"]),
    // Inference only: load a policy file and act (no training code).
    .library(name: "SparseRLPolicy", targets: ["SparseRLPolicy"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
    .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    .package(url: "https://github.com/apple/swift-protobuf", from: "1.28.0"),
    // `swift package generate-documentation` (DocC); scripts/docs.sh is the CI check.
    .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.4.0"),
  ],
  targets: [
    // The kernels' hot loops in C: an AVX2 + FMA variant (per-function target attributes, no compiler flags) and
    // a portable one, chosen at run time (docs/ARCHITECTURE.md, "Build settings").
    .target(name: "CSparseRLKernels"),
    // Matrices, random generators, initialisers and the dense and sparse compute kernels.
    .target(name: "SparseRLNumerics", dependencies: ["CSparseRLKernels"]),
    // Layers with explicit forward/backward, parameters, optimizers, serialization.
    .target(name: "SparseRLNetworks", dependencies: ["SparseRLNumerics"]),
    // Trained policies: the policy file and deterministic actions from raw observations.
    .target(
      name: "SparseRLPolicy", dependencies: ["SparseRLNumerics", "SparseRLNetworks"]),
    // Per-layer sparsity distributions, topology methods (Static, SET, RigL, pruning), accounting.
    .target(
      name: "SparseRLSparsity", dependencies: ["SparseRLNumerics", "SparseRLNetworks"]),
    // Gymnasium-semantics environments: classic control, MinAtar, MuJoCo (loaded at run time).
    .target(name: "SparseRLEnvironments", dependencies: ["SparseRLNumerics"]),
    // Replay buffers and agents (DQN, SAC, TD3, PPO, RLx2).
    .target(
      name: "SparseRLAgents",
      dependencies: [
        "SparseRLNumerics", "SparseRLNetworks", "SparseRLSparsity", "SparseRLEnvironments", "SparseRLPolicy",
      ]),
    // Configs, runs, logging, checkpoints, evaluation and benchmarks.
    .target(
      name: "SparseRLExperiments",
      dependencies: [
        "SparseRLNumerics", "SparseRLNetworks", "SparseRLSparsity", "SparseRLEnvironments", "SparseRLAgents",
        "SparseRLPolicy",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Yams", package: "Yams"),
        .product(name: "SwiftProtobuf", package: "swift-protobuf"),
      ],
      // The presets: the package's configs/ folder, shipped in this module's resource bundle (Config/Presets.swift).
      resources: [.copy("../../configs")]),
    // Counts heap allocations, per process and per thread (interposes malloc on Linux): for `sparserl bench
    // agents` and the agents' AllocationTests only.
    .target(name: "CAllocationCounter"),
    .executableTarget(
      name: "sparserl",
      dependencies: [
        "SparseRLExperiments", "SparseRLSparsity", "SparseRLPolicy", "CAllocationCounter",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ]),
    // Helpers shared by the test targets (running the Python reference implementations).
    .target(name: "SparseRLTestSupport", path: "Sources/SparseRLTestSupport"),
    .testTarget(name: "SparseRLNumericsTests", dependencies: ["SparseRLNumerics"]),
    .testTarget(
      name: "SparseRLNetworksTests", dependencies: ["SparseRLNumerics", "SparseRLNetworks"]),
    .testTarget(
      name: "SparseRLPolicyTests", dependencies: ["SparseRLNumerics", "SparseRLNetworks", "SparseRLPolicy"]),
    .testTarget(
      name: "SparseRLSparsityTests", dependencies: ["SparseRLNumerics", "SparseRLNetworks", "SparseRLSparsity"]),
    .testTarget(
      name: "SparseRLExperimentsTests",
      dependencies: [
        "SparseRLExperiments", "SparseRLAgents", "SparseRLTestSupport", "SparseRLPolicy",
      ]),
    .testTarget(
      name: "SparseRLAgentsTests",
      dependencies: [
        "SparseRLNumerics", "SparseRLNetworks", "SparseRLSparsity", "SparseRLEnvironments", "SparseRLAgents",
        "SparseRLPolicy", "SparseRLTestSupport", "CAllocationCounter",
      ]),
    .testTarget(
      name: "SparseRLEnvironmentsTests",
      dependencies: ["SparseRLNumerics", "SparseRLEnvironments", "SparseRLTestSupport"]),
  ],
  swiftLanguageModes: [.v6]
)
