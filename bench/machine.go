package bench

import (
	"bufio"
	"context"
	"os"
	osexec "os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
)

// Machine describes where a sweep ran; it goes into every result file.
type Machine struct {
	CPUModel string `json:"cpu_model"`
	// CPUs is the number of CPUs this process may use (cgroup quota,
	// affinity); NodeCPUs the machine's.
	CPUs     int `json:"cpus"`
	NodeCPUs int `json:"node_cpus"`
	// MemTotal is the machine's memory, MemAvailable what the process may
	// use (cgroup limit or MemAvailable), in bytes.
	MemTotal     int64  `json:"mem_total_bytes"`
	MemAvailable int64  `json:"mem_available_bytes"`
	OS           string `json:"os"`
	Kernel       string `json:"kernel"`
	GoVersion    string `json:"go_version"`
	Ndchunk      string `json:"ndchunk_version"`
	HDF5         string `json:"hdf5_version"`
	NetCDF       string `json:"netcdf_version"`
	// Peers are the peers found, with their versions.
	Peers []string `json:"peers"`
	Date  string   `json:"date"`
}

// Facts gathers the machine facts; peers are the peers' versions.
func Facts(ctx context.Context, version string, peers []string) Machine {
	m := Machine{
		CPUModel: cpuModel(), CPUs: exec.AvailableCPUs(), NodeCPUs: runtime.NumCPU(),
		MemTotal: exec.TotalMemory(), MemAvailable: exec.AvailableMemory(), OS: runtime.GOOS + "/" + runtime.GOARCH,
		Kernel: kernel(), GoVersion: runtime.Version(), Ndchunk: version,
		HDF5: modVersion(ctx, "hdf5"), NetCDF: modVersion(ctx, "netcdf"),
		Date: time.Now().Format(time.RFC3339),
	}
	m.Peers = peers
	return m
}

// pairs returns the facts as key, value pairs, in a fixed order.
func (m Machine) pairs() [][2]string {
	return [][2]string{
		{"cpu", m.CPUModel}, {"cpus", strconv.Itoa(m.CPUs) + " usable of " + strconv.Itoa(m.NodeCPUs)},
		{"memory", chunk.FormatBytes(m.MemTotal) + " total, " + chunk.FormatBytes(m.MemAvailable) + " available"},
		{"os", m.OS + " " + m.Kernel}, {"go", m.GoVersion}, {"ndchunk", m.Ndchunk},
		{"hdf5", m.HDF5}, {"netcdf", m.NetCDF}, {"peers", strings.Join(m.Peers, ", ")}, {"date", m.Date},
	}
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func kernel() string {
	b, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// modVersion asks pkg-config for a library's version (the one ndchunk
// was built against on this machine).
func modVersion(ctx context.Context, mod string) string {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := osexec.CommandContext(ctx, "pkg-config", "--modversion", mod).Output()
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(out))
}
