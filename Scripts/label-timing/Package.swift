// swift-tools-version:6.0
//
// Times reading labels (EvaluationInputs: mapping the predictions and parsing
// text/CSR labels) against evaluating, in one process, release build:
//
//   cd Scripts/label-timing && swift run -c release label-timing P.npy L.txt [L.npz ...] [-k 10] [--repeat 5]
//
// Not part of the mapk package: a development tool that depends on it by path.

import PackageDescription

let package = Package(
  name: "label-timing",
  dependencies: [.package(name: "mapk", path: "../..")],
  targets: [
    .executableTarget(name: "label-timing", dependencies: [.product(name: "MAPKShards", package: "mapk")])
  ],
  swiftLanguageModes: [.v6]
)
