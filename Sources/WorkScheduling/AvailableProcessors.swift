import Foundation

/// How many CPUs this process can use: the CPUs of its affinity mask, fewer when a cgroup CPU
/// quota allows less (a container limited to two CPUs on a larger machine). Counted once.
///
/// Foundation's `ProcessInfo.activeProcessorCount` on Linux ignores the affinity mask (under
/// `taskset -c 0` it still answers every online CPU), so a pinned editor or CI job would start
/// more decompression workers than it can run.
public enum AvailableProcessors {
    public static let count: Int = {
        var cpus = affinityCount() ?? sysconf(Int32(_SC_NPROCESSORS_ONLN))
        if let quota = cgroupQuota() { cpus = min(cpus, quota) }
        return max(1, cpus)
    }()

    /// The CPUs of the affinity mask, from `Cpus_allowed_list` in `/proc/self/status` (`0-3,6`):
    /// Glibc's `sched_getaffinity` is not visible to Swift.
    private static func affinityCount() -> Int? {
        guard let line = lines("/proc/self/status", maxLength: 8192).first(where: { $0.hasPrefix("Cpus_allowed_list:") }) else { return nil }
        var count = 0
        for range in line.dropFirst("Cpus_allowed_list:".count).split(separator: ",") {
            let bounds = range.split(separator: "-").map { Int(String($0.filter { $0 != " " && $0 != "\t" })) }
            guard let first = bounds.first ?? nil, let last = bounds.last ?? nil, bounds.count <= 2, last >= first else { return nil }
            count += last - first + 1
        }
        return count > 0 ? count : nil
    }

    /// The CPUs a cgroup CPU quota allows, rounded up: cgroup v2 `cpu.max` (`<quota> <period>`,
    /// `max` for none), else v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us` (-1 for none).
    private static func cgroupQuota() -> Int? {
        if let fields = firstLine("/sys/fs/cgroup/cpu.max")?.split(separator: " "), fields.count == 2 {
            guard let quota = Int(fields[0]), let period = Int(fields[1]) else { return nil }
            return cpus(quota: quota, period: period)
        }
        guard let quota = firstLine("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").flatMap({ Int($0) }),
              let period = firstLine("/sys/fs/cgroup/cpu/cpu.cfs_period_us").flatMap({ Int($0) })
        else { return nil }
        return cpus(quota: quota, period: period)
    }

    private static func cpus(quota: Int, period: Int) -> Int? {
        guard quota > 0, period > 0 else { return nil }
        return (quota + period - 1) / period
    }

    private static func firstLine(_ path: String) -> Substring? {
        lines(path, maxLength: 128).first
    }

    /// The lines of the first `maxLength` bytes of a small system file (empty when it cannot be
    /// read).
    private static func lines(_ path: String, maxLength: Int) -> [Substring] {
        guard let bytes = SystemFile.prefix(atPath: path, maxLength: maxLength) else { return [] }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n")
    }
}
