// swift-tools-version:6.0
//
// mapk: TensorFlow-exact mean average precision at k over large prediction
// dumps, memory-mapped and evaluated in parallel.
//
// No package dependencies: the toolchain only (stdlib, Foundation, Dispatch,
// Synchronization, XCTest). zlib comes from the system through `CZlib`.

import PackageDescription

let package = Package(
  name: "mapk",
  products: [
    // MARK: - Public API
    .library(name: "MAPKKernel", targets: ["MAPKKernel"]),
    .library(name: "MAPKShards", targets: ["MAPKShards"]),
    .executable(name: "mapk", targets: ["mapk"]),
    // The C ABI (`Sources/CMAPK/include/mapk.h`), for Python's ctypes and any C caller.
    .library(name: "mapk-c", type: .dynamic, targets: ["MAPKCAPI"]),
  ],
  targets: [
    // MARK: - Implementation
    // Pure computation: top-k, per-row AP, the exact accumulator. No Foundation.
    .target(name: "MAPKKernel", dependencies: ["CMAPKSIMD"], path: "Sources/Kernel"),
    // The innermost SIMD loops of the row scan in C, per instruction set
    // (`target` attributes, no flags), picked at run time from the CPU.
    .target(name: "CMAPKSIMD", path: "Sources/CSIMD"),
    // Files and parallelism: mapped .npy inputs, the threaded evaluator.
    .target(name: "MAPKShards", dependencies: ["MAPKKernel", "CZlib"], path: "Sources/Shards"),
    // The C ABI: `@_cdecl` entry points over MAPKShards; the header is `CMAPK`'s.
    .target(name: "MAPKCAPI", dependencies: ["MAPKShards", "CMAPK"], path: "Sources/CAPI"),
    // `mapk.h` alone, so the Swift side reads the structs with their C layout.
    .target(name: "CMAPK", path: "Sources/CMAPK"),
    // The system's zlib, for deflated `.npz` members (zlib1g-dev).
    .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
    // Tooling for the CLI, the bench and the tests, not a product (no library
    // user sees it): the command-line parser, the SVG chart, the synthetic
    // data generator, terminal detection, the elapsed-time clock.
    .target(name: "MAPKTooling", dependencies: ["MAPKShards"], path: "Sources/Tooling"),
    // The thin command-line layer.
    .executableTarget(name: "mapk", dependencies: ["MAPKShards", "MAPKTooling"], path: "Sources/CLI"),
    // The benchmark: `swift run -c release mapk-bench` (docs/performance.md).
    .executableTarget(
      name: "mapk-bench", dependencies: ["MAPKShards", "MAPKTooling", "CMAPKSIMD"], path: "Benchmarks/mapk-bench"),

    // MARK: - Tests
    // Seeded generators and helpers shared by the test targets.
    .target(name: "TestSupport", dependencies: ["MAPKKernel"], path: "Tests/TestSupport"),
    .testTarget(name: "KernelTests", dependencies: ["MAPKKernel", "TestSupport"], path: "Tests/KernelTests"),
    .testTarget(
      name: "ShardsTests", dependencies: ["MAPKShards", "TestSupport"], path: "Tests/ShardsTests",
      resources: [.copy("Fixtures")]),
    .testTarget(name: "ToolingTests", dependencies: ["MAPKTooling", "TestSupport"], path: "Tests/ToolingTests"),
    .testTarget(name: "CLITests", dependencies: ["mapk", "MAPKTooling", "TestSupport"], path: "Tests/CLITests"),
  ],
  swiftLanguageModes: [.v6]
)
