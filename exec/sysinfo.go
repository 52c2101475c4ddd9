package exec

import (
	"bufio"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// AvailableCPUs returns how many CPUs this process may really use: the
// smallest of the CPUs in its affinity mask (runtime.NumCPU), the cgroup
// CPU quota (rounded up), SLURM_CPUS_PER_TASK when set, and GOMAXPROCS.
func AvailableCPUs() int {
	n := runtime.NumCPU()
	if q := cgroupCPUQuota(); q > 0 {
		n = min(n, int(math.Ceil(q)))
	}
	if s := os.Getenv("SLURM_CPUS_PER_TASK"); s != "" {
		if v, err := strconv.Atoi(strings.TrimSpace(s)); err == nil && v > 0 {
			n = min(n, v)
		}
	}
	n = min(n, runtime.GOMAXPROCS(0))
	return max(n, 1)
}

// cgroupCPUQuota returns the CPU quota in CPUs (0: none), from cgroup v2's
// cpu.max or v1's cfs_quota_us / cfs_period_us.
func cgroupCPUQuota() float64 {
	if b, err := os.ReadFile("/sys/fs/cgroup/cpu.max"); err == nil {
		f := strings.Fields(string(b))
		if len(f) == 2 && f[0] != "max" {
			q, err1 := strconv.ParseFloat(f[0], 64)
			p, err2 := strconv.ParseFloat(f[1], 64)
			if err1 == nil && err2 == nil && p > 0 {
				return q / p
			}
		}
		return 0
	}
	q, err1 := readInt("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")
	p, err2 := readInt("/sys/fs/cgroup/cpu/cpu.cfs_period_us")
	if err1 == nil && err2 == nil && q > 0 && p > 0 {
		return float64(q) / float64(p)
	}
	return 0
}

// AvailableMemory returns the memory this process may use: the cgroup
// limit when there is one, else the kernel's MemAvailable estimate.
func AvailableMemory() int64 {
	var limit int64 = math.MaxInt64
	if b, err := os.ReadFile("/sys/fs/cgroup/memory.max"); err == nil {
		if v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && v > 0 {
			limit = v
		}
	} else if v, err := readInt("/sys/fs/cgroup/memory/memory.limit_in_bytes"); err == nil && v > 0 && v < 1<<60 {
		limit = v
	}
	if avail := memInfo("MemAvailable"); avail > 0 {
		limit = min(limit, avail)
	}
	if limit == math.MaxInt64 {
		return 4 << 30
	}
	return limit
}

func readInt(path string) (int64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
}

// TotalMemory returns the machine's memory in bytes (MemTotal; 0 if
// unknown), for reports; AvailableMemory is what a budget may use.
func TotalMemory() int64 { return memInfo("MemTotal") }

// PeakRSS returns this process's peak resident set size in bytes (VmHWM;
// 0 if unknown): what /usr/bin/time reports as the maximum resident size.
func PeakRSS() int64 { return procBytes("/proc/self/status", "VmHWM") }

// CurrentRSS returns this process's resident set size in bytes now
// (VmRSS; 0 if unknown).
func CurrentRSS() int64 { return procBytes("/proc/self/status", "VmRSS") }

// memInfo reads a field of /proc/meminfo in bytes (0 if unknown).
func memInfo(field string) int64 { return procBytes("/proc/meminfo", field) }

// procBytes reads a "Field: N kB" line of a /proc file in bytes (0 if
// unknown).
func procBytes(path, field string) int64 {
	f, err := os.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != field {
			continue
		}
		fs := strings.Fields(v)
		if len(fs) == 0 {
			return 0
		}
		n, err := strconv.ParseInt(fs[0], 10, 64)
		if err != nil {
			return 0
		}
		if len(fs) > 1 && strings.EqualFold(fs[1], "kB") {
			n *= 1024
		}
		return n
	}
	return 0
}
