#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The CPUs this process may use: its affinity mask, reduced by a cgroup CPU
/// quota. This is the default thread count (`Evaluator.activeProcessorCount`,
/// `mapk eval --threads auto`).
///
/// A scheduler gives a job fewer CPUs than the host has in one of two ways,
/// and both must be honoured, or a 4-CPU job on a 64-core node starts 64
/// workers that the kernel then throttles:
/// - **Affinity** (`taskset -c`, Slurm's `task/affinity` or `task/cgroup`,
///   cpusets): the process may run only on the CPUs of its mask
///   (`sched_getaffinity`).
/// - **Quota** (Kubernetes' `resources.limits.cpu`, systemd's `CPUQuota=`,
///   Docker's `--cpus`): the process may run anywhere but gets `quota` µs of
///   CPU time per `period` µs: cgroup v2 `cpu.max` (`"400000 100000"`, or
///   `"max 100000"` for none), cgroup v1 `cpu.cfs_quota_us` (-1 for none) and
///   `cpu.cfs_period_us`. A quota of 1.5 CPUs allows 2 threads (rounded up:
///   two threads busy 75% of the time each get all the CPU time there is).
///
/// The process's own cgroup is read from `/proc/self/cgroup`; the quota in
/// force is the smallest of that cgroup's and its ancestors' (a parent's
/// limit binds its children). Inside a container whose cgroup path is not
/// visible under the mount, the ancestors that do exist (at least the
/// mount's root, the container's own cgroup) are read.
package struct CPUAllowance: Sendable, Equatable {
  /// The CPUs in the affinity mask, or nil if it could not be read.
  package var affinity: Int?
  /// The cgroup quota in CPUs (`quota / period`), or nil if there is none.
  package var quota: Double?
  /// The CPUs the system reports as online (the fallback without a mask).
  package var online: Int

  /// An allowance from its parts (for tests; ``current(cgroupRoot:cgroupFile:)`` reads the real ones).
  package init(affinity: Int?, quota: Double?, online: Int) {
    self.affinity = affinity
    self.quota = quota
    self.online = online
  }

  /// The number of threads to use: the mask's CPUs (or the online CPUs),
  /// at most the quota rounded up, at least 1.
  package var count: Int {
    var n = affinity ?? online
    // A quota is positive and finite when present (see `cgroupQuota`); the
    // bound keeps `Int(...)` in range whatever it is.
    if let quota, quota > 0 { n = min(n, Int(min(quota.rounded(.up), Double(Int32.max)))) }
    return max(1, n)
  }

  /// This process's allowance now.
  ///
  /// - Parameters:
  ///   - cgroupRoot: Where the cgroup file systems are mounted (a fake tree in tests).
  ///   - cgroupFile: The process's cgroup membership, in `/proc/self/cgroup`'s format.
  package static func current(cgroupRoot: String = "/sys/fs/cgroup", cgroupFile: String = "/proc/self/cgroup")
    -> CPUAllowance
  {
    CPUAllowance(affinity: affinityCount(), quota: cgroupQuota(root: cgroupRoot, cgroupFile: cgroupFile),
                 online: System.processorCount)
  }

  /// The smallest CPU quota (in CPUs) of the process's cgroup and its
  /// ancestors, v2 and v1 alike, or nil if none is set or none can be read.
  ///
  /// - Parameters:
  ///   - root: The cgroup mount point: v2 at `root` (or `root/unified` on a
  ///     hybrid host), v1 controllers at `root/cpu`, `root/cpu,cpuacct`, ...
  ///   - cgroupFile: Lines `ID:CONTROLLERS:PATH`; `0::PATH` is the v2 cgroup.
  package static func cgroupQuota(root: String, cgroupFile: String) -> Double? {
    guard let membership = readText(cgroupFile) else { return nil }
    var quotas: [Double] = []
    for line in membership.split(separator: "\n") {
      let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
      guard fields.count == 3 else { continue }
      let controllers = fields[1].split(separator: ",")
      let path = String(fields[2])
      if fields[0] == "0" && fields[1].isEmpty {
        for mount in [root, root + "/unified"] {
          for dir in ancestors(of: path, under: mount) {
            if let q = readText(dir + "/cpu.max").flatMap(parseCPUMax) { quotas.append(q) }
          }
        }
      } else if controllers.contains("cpu") {
        var mounts = [root + "/" + fields[1], root + "/cpu"]
        if mounts[0] == mounts[1] { mounts.removeLast() }
        for mount in mounts {
          for dir in ancestors(of: path, under: mount) {
            guard let quota = readText(dir + "/cpu.cfs_quota_us").flatMap({ Int($0.trimmed) }),
                  let period = readText(dir + "/cpu.cfs_period_us").flatMap({ Int($0.trimmed) }),
                  quota > 0, period > 0  // -1: no quota
            else { continue }
            quotas.append(Double(quota) / Double(period))
          }
        }
      }
    }
    return quotas.min()
  }

  /// A v2 `cpu.max` value, `"QUOTA PERIOD"`, in CPUs; nil for `"max ..."` (no quota) or a malformed one.
  package static func parseCPUMax(_ text: String) -> Double? {
    let parts = text.trimmed.split(separator: " ")
    guard parts.count == 2, let quota = Int(parts[0]), let period = Int(parts[1]), quota > 0, period > 0 else {
      return nil
    }
    return Double(quota) / Double(period)
  }

  /// `mount + path` and each of its parents up to `mount` (those that do
  /// not exist simply have no files to read).
  static func ancestors(of path: String, under mount: String) -> [String] {
    var components = path.split(separator: "/").map(String.init)
    // ".." would climb out of the mount: a malformed file, read nothing past the root.
    if components.contains("..") { components = [] }
    var dirs = [mount]
    for i in components.indices { dirs.append(mount + "/" + components[...i].joined(separator: "/")) }
    return dirs.reversed()
  }

  /// The number of CPUs in this process's affinity mask, or nil if the
  /// call is unavailable or fails. The corresponding C function is
  /// `sched_getaffinity` (looked up at run time: the C library declares it
  /// only under `_GNU_SOURCE`, which the Swift module does not define).
  static func affinityCount() -> Int? {
    #if os(Linux)
    typealias GetAffinity = @convention(c) (pid_t, Int, UnsafeMutableRawPointer) -> Int32
    guard let handle = dlopen(nil, RTLD_NOW), let symbol = dlsym(handle, "sched_getaffinity") else { return nil }
    let getAffinity = unsafeBitCast(symbol, to: GetAffinity.self)
    // A mask of 1024 CPUs (glibc's cpu_set_t) first; EINVAL means the
    // kernel's is larger, so double it (up to 2^20 CPUs).
    var bytes = 128
    while bytes <= 1 << 17 {
      let mask = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes, alignment: 8)
      defer { mask.deallocate() }
      mask.initializeMemory(as: UInt8.self, repeating: 0)
      if getAffinity(0, bytes, mask.baseAddress!) == 0 {
        let count = mask.reduce(0) { $0 + $1.nonzeroBitCount }
        return count > 0 ? count : nil
      }
      guard errno == EINVAL else { return nil }
      bytes *= 2
    }
    return nil
    #else
    return nil
    #endif
  }

  /// The contents of a small text file (a cgroup or proc file: at most 64 KiB
  /// read), or nil if it cannot be read. proc and cgroup files report a size
  /// of 0, so this reads until end of file rather than trusting `fstat`.
  static func readText(_ path: String) -> String? {
    guard let fd = try? System.openReadOnly(path) else { return nil }
    defer { System.close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while bytes.count < 1 << 16 {
      let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
      if n < 0 && errno == EINTR { continue }
      if n < 0 { return nil }
      if n == 0 { break }
      bytes += chunk[..<n]
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}

extension StringProtocol {
  /// Without leading and trailing spaces, tabs and newlines.
  fileprivate var trimmed: String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
    guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
      return ""
    }
    return String(self[first...last])
  }
}
