package bench

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
)

// peerScript is bench/peers/peer.py, written next to the sweep's inputs so
// the binary needs no checkout.
//
//go:embed peers/peer.py
var peerScript []byte

// DefaultPython is the interpreter of the Python peers (Debian's, which
// has NumPy, Dask and xarray); the environment variable NDCHUNK_PYTHON
// overrides it.
const DefaultPython = "/usr/bin/python3"

// PeerNames lists the peers `--peers` accepts.
var PeerNames = []string{"dask", "numpy", "xarray", "nccopy", "h5repack"}

// peer is another system run on the same points.
type peer struct {
	name string
	// scenarios are those the peer can run.
	scenarios map[string]bool
	// chunkFree peers ignore the chunking (NumPy holds whole arrays):
	// they run at the first chunking of a sweep only.
	chunkFree bool
	// python peers run peers/peer.py.
	python bool
	// probe is the Python import check, or the tool on PATH.
	probe string
}

var peers = []peer{
	{name: "dask", python: true, probe: "import dask, dask.array, numpy; print(dask.__version__)",
		scenarios: map[string]bool{MeanRandom: true, SinCosTranspose: true, Matmul: true, Anomaly: true, FileExpr: true}},
	{name: "numpy", python: true, chunkFree: true, probe: "import numpy, netCDF4; print(numpy.__version__)",
		scenarios: map[string]bool{MeanRandom: true, SinCosTranspose: true, Matmul: true, Anomaly: true}},
	{name: "xarray", python: true, probe: "import xarray, dask, netCDF4; print(xarray.__version__ + ' + dask ' + dask.__version__)",
		scenarios: map[string]bool{Anomaly: true}},
	{name: "nccopy", probe: "nccopy", scenarios: map[string]bool{Rechunk: true}},
	{name: "h5repack", probe: "h5repack", scenarios: map[string]bool{Rechunk: true}},
}

// availablePeer is a peer found installed, with its version.
type availablePeer struct {
	peer
	version string
}

// Python returns the interpreter for the Python peers: NDCHUNK_PYTHON or
// DefaultPython.
func Python() string {
	if p := os.Getenv("NDCHUNK_PYTHON"); p != "" {
		return p
	}
	return DefaultPython
}

// findPeers resolves --peers (none, auto or a list) for the scenarios
// run. It returns the peers to run and one message per peer asked for (or,
// with auto, useful) that is not installed.
func findPeers(ctx context.Context, spec, python string, scenarios []string) ([]availablePeer, []string, error) {
	spec = strings.TrimSpace(spec)
	if spec == "" || spec == "none" {
		return nil, nil, nil
	}
	want := map[string]bool{}
	if spec == "auto" {
		for _, p := range peers {
			for _, s := range scenarios {
				if p.scenarios[s] {
					want[p.name] = true
				}
			}
		}
	} else {
		for _, n := range strings.Split(spec, ",") {
			n = strings.TrimSpace(n)
			ok := false
			for _, p := range peers {
				ok = ok || p.name == n
			}
			if !ok {
				return nil, nil, fmt.Errorf("--peers: unknown peer %q (want none, auto or some of %s)", n, strings.Join(PeerNames, ","))
			}
			want[n] = true
		}
	}
	var found []availablePeer
	var missing []string
	for _, p := range peers {
		if !want[p.name] {
			continue
		}
		v, err := probe(ctx, p, python)
		if err != nil {
			missing = append(missing, fmt.Sprintf("peer %s not available, skipped: %v", p.name, err))
			continue
		}
		found = append(found, availablePeer{peer: p, version: v})
	}
	return found, missing, nil
}

// probe checks that a peer is installed and returns its version.
func probe(ctx context.Context, p peer, python string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if p.python {
		out, err := osexec.CommandContext(ctx, python, "-c", p.probe).CombinedOutput()
		if err != nil {
			msg := strings.TrimSpace(string(out))
			if i := strings.LastIndex(msg, "\n"); i >= 0 {
				msg = msg[i+1:]
			}
			if msg == "" {
				msg = err.Error()
			}
			return "", fmt.Errorf("%s: %s (on Debian: apt-get install python3-%s)", python, msg, p.name)
		}
		v := strings.TrimSpace(string(out))
		if strings.HasPrefix(v, "999") {
			// Debian's xarray says 999: ask the package manager.
			if d, err := osexec.CommandContext(ctx, "dpkg-query", "-W", "-f=${Version}", "python3-"+p.name).Output(); err == nil {
				v = strings.Replace(v, "999", strings.TrimSpace(string(d)), 1)
			}
		}
		return p.name + " " + v, nil
	}
	path, err := osexec.LookPath(p.probe)
	if err != nil {
		return "", fmt.Errorf("%s not on PATH (on Debian: apt-get install %s)", p.probe, map[string]string{"nccopy": "netcdf-bin", "h5repack": "hdf5-tools"}[p.name])
	}
	switch p.name {
	case "h5repack":
		out, _ := osexec.CommandContext(ctx, path, "--version").CombinedOutput()
		v := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "h5repack:"))
		return "h5repack " + strings.TrimSpace(strings.TrimPrefix(v, "Version")), nil
	case "nccopy":
		if out, err := osexec.CommandContext(ctx, "nc-config", "--version").Output(); err == nil {
			return "nccopy (" + strings.TrimSpace(string(out)) + ")", nil
		}
	}
	return p.name, nil
}

// numpyFits reports whether NumPy can hold a scenario's arrays sensibly:
// its temporaries within half the memory available.
func numpyFits(p Point, dt chunk.DType) (bool, string) {
	factor := map[string]int64{MeanRandom: 1, SinCosTranspose: 4, Matmul: 3, Anomaly: 3}[p.Scenario]
	need := factor * nbytes(p.Shape, dt)
	avail := exec.AvailableMemory()
	if need > avail/2 {
		return false, fmt.Sprintf("numpy skipped for %s at %s: it would hold about %s, more than half of the %s available",
			p.Scenario, FormatShape(p.Shape), chunk.FormatBytes(need), chunk.FormatBytes(avail))
	}
	return true, ""
}

// peerCommand returns the command line running a peer on a point, and
// the output file and variable it writes (if any). dims are the input's dimension
// names (nccopy).
func peerCommand(ap availablePeer, p Point, python, script string, dims []string) (argv, env []string, outFile, outVar string, err error) {
	env = []string{"OMP_NUM_THREADS=" + strconv.Itoa(p.Workers), "OPENBLAS_NUM_THREADS=" + strconv.Itoa(p.Workers), "MKL_NUM_THREADS=" + strconv.Itoa(p.Workers)}
	switch ap.name {
	case "nccopy":
		if len(dims) != len(p.Chunks) {
			return nil, nil, "", "", fmt.Errorf("nccopy: the input's dimensions are unknown")
		}
		var cs []string
		for i, d := range dims {
			cs = append(cs, fmt.Sprintf("%s/%d", d, p.Chunks[i]))
		}
		out := filepath.Join(p.OutDir, "nccopy.nc")
		return []string{"nccopy", "-k", "nc4", "-c", strings.Join(cs, ","), "-h", strconv.FormatInt(p.Budget, 10), p.Inputs[0].Path, out}, nil, out, p.Inputs[0].Var, nil
	case "h5repack":
		out := filepath.Join(p.OutDir, "h5repack.nc")
		return []string{"h5repack", "-l", p.Inputs[0].Var + ":CHUNK=" + FormatShape(p.Chunks), p.Inputs[0].Path, out}, nil, out, p.Inputs[0].Var, nil
	}
	args := []string{python, script, "--system", ap.name, "--scenario", p.Scenario, "--shape", FormatShape(p.Shape),
		"--workers", strconv.Itoa(p.Workers)}
	if len(p.Chunks) > 0 {
		args = append(args, "--chunks", FormatShape(p.Chunks))
	}
	for _, in := range p.Inputs {
		args = append(args, "--input", in.String())
	}
	out := ""
	if p.Scenario == Anomaly {
		out = filepath.Join(p.OutDir, ap.name+"-anomaly.nc")
		args = append(args, "--out", out)
	}
	if p.Expr != "" {
		args = append(args, "--expr", p.Expr)
	}
	return args, env, out, "anom", nil
}

// writeScript writes peer.py into dir.
func writeScript(dir string) (string, error) {
	path := filepath.Join(dir, "peer.py")
	if err := os.WriteFile(path, peerScript, 0o755); err != nil {
		return "", fmt.Errorf("writing the peer script: %w", err)
	}
	return path, nil
}

// lastJSONLine returns the last line of out that starts with '{'.
func lastJSONLine(out []byte) []byte {
	lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
	for i := len(lines) - 1; i >= 0; i-- {
		if l := bytes.TrimSpace(lines[i]); len(l) > 0 && l[0] == '{' {
			return l
		}
	}
	return nil
}
