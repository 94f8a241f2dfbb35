// swift-tools-version:6.1
// An outside package that uses SparseRL as a library (here by path; from another repository it would be
// `.package(url: "https://github.com/<owner>/SparseRL", from: "<version>")`).
import PackageDescription

let package = Package(
  name: "TrainSparseSAC",
  platforms: [.macOS(.v14)],
  dependencies: [.package(name: "SparseRL", path: "../..")],
  targets: [
    .executableTarget(name: "TrainSparseSAC", dependencies: [.product(name: "SparseRL", package: "SparseRL")])
  ],
  swiftLanguageModes: [.v6]
)
