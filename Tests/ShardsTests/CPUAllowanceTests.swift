import Foundation
import MAPKShards
import Testing
import TestSupport

/// The default thread count: the affinity mask, less a cgroup quota, read
/// from fake cgroup trees (v2, hybrid, v1; with and without a quota).
@Suite struct CPUAllowanceTests {
  /// A fake `/sys/fs/cgroup` and `/proc/self/cgroup`: `files` maps paths
  /// under the root to their contents; `membership` is the cgroup file.
  struct FakeCgroups {
    let dir: TemporaryDirectory
    var root: String { dir.file("cgroup") }
    var membership: String { dir.file("self-cgroup") }

    init(membership text: String, files: [String: String]) throws {
      dir = try TemporaryDirectory("cgroups")
      try FileManager.default.createDirectory(atPath: dir.file("cgroup"), withIntermediateDirectories: true)
      try text.write(toFile: dir.file("self-cgroup"), atomically: false, encoding: .utf8)
      for (path, contents) in files {
        let full = dir.file("cgroup/" + path)
        try FileManager.default.createDirectory(
          atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: full, atomically: false, encoding: .utf8)
      }
    }

    var quota: Double? { CPUAllowance.cgroupQuota(root: root, cgroupFile: membership) }
  }

  @Test func v2QuotaIsQuotaOverPeriod() throws {
    let fake = try FakeCgroups(membership: "0::/kubepods/pod1/c1\n", files: [
      "cpu.max": "max 100000\n",  // the real root has no cpu.max; a container's root may
      "kubepods/cpu.max": "max 100000\n",
      "kubepods/pod1/cpu.max": "max 100000\n",
      "kubepods/pod1/c1/cpu.max": "150000 100000\n",
    ])
    defer { fake.dir.remove() }
    #expect(fake.quota == 1.5)
    // 1.5 CPUs: 2 threads (rounded up), fewer than the 8 of the mask.
    #expect(CPUAllowance(affinity: 8, quota: fake.quota, online: 64).count == 2)
  }

  @Test func v2MaxMeansNoQuota() throws {
    let fake = try FakeCgroups(membership: "0::/user.slice/session-1.scope\n", files: [
      "user.slice/cpu.max": "max 100000\n",
      "user.slice/session-1.scope/cpu.max": "max 100000\n",
    ])
    defer { fake.dir.remove() }
    #expect(fake.quota == nil)
    #expect(CPUAllowance(affinity: 6, quota: fake.quota, online: 64).count == 6)
  }

  @Test func aParentsQuotaBindsItsChildren() throws {
    let fake = try FakeCgroups(membership: "0::/job/step\n", files: [
      "job/cpu.max": "200000 100000\n",
      "job/step/cpu.max": "800000 100000\n",
    ])
    defer { fake.dir.remove() }
    #expect(fake.quota == 2)
  }

  @Test func aHybridHostHasV2UnderUnified() throws {
    let fake = try FakeCgroups(membership: "1:cpu:/\n0::/svc\n", files: [
      "cpu/cpu.cfs_quota_us": "-1\n",
      "cpu/cpu.cfs_period_us": "100000\n",
      "unified/svc/cpu.max": "300000 100000\n",
    ])
    defer { fake.dir.remove() }
    #expect(fake.quota == 3)
  }

  @Test func v1QuotaFromTheCpuController() throws {
    let fake = try FakeCgroups(membership: "5:memory:/slurm/job1\n3:cpu,cpuacct:/slurm/job1\n0::/\n", files: [
      "cpu,cpuacct/cpu.cfs_quota_us": "-1\n",
      "cpu,cpuacct/cpu.cfs_period_us": "100000\n",
      "cpu,cpuacct/slurm/job1/cpu.cfs_quota_us": "250000\n",
      "cpu,cpuacct/slurm/job1/cpu.cfs_period_us": "100000\n",
    ])
    defer { fake.dir.remove() }
    #expect(fake.quota == 2.5)
    #expect(CPUAllowance(affinity: 16, quota: fake.quota, online: 16).count == 3)
  }

  @Test func v1MinusOneMeansNoQuota() throws {
    let fake = try FakeCgroups(membership: "2:cpu:/a\n", files: [
      "cpu/a/cpu.cfs_quota_us": "-1\n",
      "cpu/a/cpu.cfs_period_us": "100000\n",
    ])
    defer { fake.dir.remove() }
    #expect(fake.quota == nil)
  }

  @Test func aContainerWhosePathIsNotMountedReadsItsRoot() throws {
    // Without a cgroup namespace the path names the host's hierarchy; the
    // container sees its own cgroup at the mount's root.
    let fake = try FakeCgroups(membership: "0::/system.slice/docker-abc.scope\n", files: [
      "cpu.max": "50000 100000\n"
    ])
    defer { fake.dir.remove() }
    #expect(fake.quota == 0.5)
    #expect(CPUAllowance(affinity: 4, quota: fake.quota, online: 4).count == 1)  // at least 1
  }

  @Test func unreadableOrMalformedFilesGiveNoQuota() throws {
    let fake = try FakeCgroups(membership: "0::/../x\nnonsense\n3:cpu:/q\n", files: [
      "cpu.max": "garbage\n",
      "cpu/q/cpu.cfs_quota_us": "100000\n",  // no period file: ignored
    ])
    defer { fake.dir.remove() }
    #expect(fake.quota == nil)
    #expect(CPUAllowance.cgroupQuota(root: fake.root, cgroupFile: fake.dir.file("absent")) == nil)
    #expect(CPUAllowance.parseCPUMax("max 100000") == nil)
    #expect(CPUAllowance.parseCPUMax("0 100000") == nil)
    #expect(CPUAllowance.parseCPUMax("400000 100000") == 4)
  }

  @Test func countWithoutAMaskUsesTheOnlineCPUs() {
    #expect(CPUAllowance(affinity: nil, quota: nil, online: 12).count == 12)
    #expect(CPUAllowance(affinity: nil, quota: 3.01, online: 12).count == 4)
    #expect(CPUAllowance(affinity: 1, quota: 8, online: 12).count == 1)
    #expect(CPUAllowance(affinity: nil, quota: 1e300, online: 2).count == 2)
  }

  @Test func thisProcessIsAllowedAtLeastOneAndAtMostItsMask() {
    let now = CPUAllowance.current()
    #expect(now.count >= 1)
    if let mask = now.affinity { #expect(now.count <= mask) }
    #expect(Evaluator.activeProcessorCount == now.count)
    #expect(Evaluator().threads == now.count)
  }
}
