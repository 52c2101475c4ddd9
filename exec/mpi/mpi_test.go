package mpi

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// The MPI tests build the test program (internal/mpitest) and launch it
// with mpirun on 2, 3 and 4 ranks (oversubscribed: this machine has two
// cores). The program checks every result against the local engine's, bit
// for bit, on every rank; these tests check what only the launcher sees:
// exit statuses, the single error line, leftover files, and time.

// launchTimeout bounds one mpirun: a hang is a failure, not a stuck test.
const launchTimeout = 90 * time.Second

var (
	buildOnce sync.Once
	buildDir  string
	buildBin  string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// mpitest returns the path of the built test program, building it once;
// it skips the test when mpirun is missing.
func mpitest(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("mpirun"); err != nil {
		t.Skip("mpirun not found: install openmpi-bin (and libopenmpi-dev) to run the MPI tests")
	}
	if testing.Short() {
		t.Skip("MPI launches skipped with -short")
	}
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "ndchunk-mpitest-")
		if buildErr != nil {
			return
		}
		buildBin = filepath.Join(buildDir, "mpitest")
		gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
		if p, err := exec.LookPath("go"); err == nil {
			gobin = p
		}
		cmd := exec.Command(gobin, "build", "-o", buildBin, "./internal/mpitest")
		cmd.Env = os.Environ()
		// The drivers need Debian's HDF5 headers; the Makefile exports these,
		// a plain go test may not.
		if os.Getenv("CGO_CFLAGS") == "" {
			if out, err := exec.Command("pkg-config", "--cflags", "hdf5", "netcdf").Output(); err == nil {
				cmd.Env = append(cmd.Env, "CGO_CFLAGS="+strings.TrimSpace(string(out)))
			}
			if out, err := exec.Command("pkg-config", "--libs", "hdf5", "netcdf").Output(); err == nil {
				cmd.Env = append(cmd.Env, "CGO_LDFLAGS="+strings.TrimSpace(string(out)))
			}
		}
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build the test program: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return buildBin
}

// launch runs the test program on np ranks and returns its combined
// output, its exit error and how long it took.
func launch(t *testing.T, np int, args ...string) (string, error, time.Duration) {
	t.Helper()
	bin := mpitest(t)
	mpiArgs := []string{"--oversubscribe", "-np", fmt.Sprint(np)}
	if os.Geteuid() == 0 {
		mpiArgs = append(mpiArgs, "--allow-run-as-root")
	}
	ctx, cancel := context.WithTimeout(context.Background(), launchTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "mpirun", append(append(mpiArgs, bin), args...)...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("mpirun -np %d %v did not finish in %v:\n%s", np, args, launchTimeout, out.String())
	}
	return out.String(), err, time.Since(start)
}

// TestScenarios runs every success scenario (reductions, transposes,
// rechunks, matmul, map_blocks, cumsum, a tight budget with spilling and a
// NetCDF to HDF5 conversion) on 2, 3 and 4 ranks; each is compared bit for
// bit with the local engine inside the program.
func TestScenarios(t *testing.T) {
	want := []string{"reductions", "transposes", "rechunks", "matmul", "map_blocks", "cumsum", "tight", "spill", "convert"}
	for _, np := range []int{2, 3, 4} {
		t.Run(fmt.Sprintf("np%d", np), func(t *testing.T) {
			dir := t.TempDir()
			out, err, took := launch(t, np, "all", dir)
			if err != nil {
				t.Fatalf("mpirun -np %d: %v\n%s", np, err, out)
			}
			for _, name := range want {
				if !strings.Contains(out, "ok "+name+": ") {
					t.Errorf("no success line for %s:\n%s", name, out)
				}
			}
			t.Logf("np %d in %v:\n%s", np, took.Round(time.Millisecond), out)
		})
	}
}

// TestFailures checks each failure path on 2 and 4 ranks: every rank exits
// non-zero promptly, the error is printed once (by rank 0, naming the
// failing rank), and no output file is left behind.
func TestFailures(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, dir string) string // the program's argument
		says  []string
		input string // an input the program writes itself
	}{
		{"fail-open", func(t *testing.T, dir string) string { return dir }, []string{"rank 1 of", "missing.nc", "no such file"}, "in.nc"},
		{"fail-read", corruptInput, []string{"task read", "corrupt data"}, ""},
		{"fail-budget", func(t *testing.T, dir string) string { return dir }, []string{"rank 0 of", "over the 8.0 MiB budget", "try chunks"}, ""},
		{"fail-panic", func(t *testing.T, dir string) string { return dir }, []string{"rank 1 of", "map_blocks(boom)", "panic: injected failure"}, ""},
	}
	for _, np := range []int{2, 4} {
		for _, c := range cases {
			t.Run(fmt.Sprintf("%s/np%d", c.name, np), func(t *testing.T) {
				mpitest(t)
				dir := t.TempDir()
				arg := c.setup(t, dir)
				before := listDir(t, dir)
				out, err, took := launch(t, np, c.name, arg)
				if err == nil {
					t.Fatalf("mpirun succeeded:\n%s", out)
				}
				var lines []string
				for _, l := range strings.Split(out, "\n") {
					if strings.HasPrefix(l, "mpitest: ") {
						lines = append(lines, l)
					}
				}
				if len(lines) != 1 {
					t.Fatalf("%d error lines, want 1:\n%s", len(lines), out)
				}
				for _, s := range c.says {
					if !strings.Contains(lines[0], s) {
						t.Errorf("error line %q does not say %q", lines[0], s)
					}
				}
				if c.input != "" {
					os.Remove(filepath.Join(dir, c.input))
				}
				if after := listDir(t, dir); after != before {
					t.Errorf("files left behind: before %q, after %q", before, after)
				}
				// mpirun itself takes about a second to tear a failed job down.
				if took > 20*time.Second {
					t.Errorf("the job took %v to stop", took)
				}
				t.Logf("np %d stopped in %v: %s", np, took.Round(time.Millisecond), lines[0])
			})
		}
	}
}

// listDir lists a directory's names, temporary files included.
func listDir(t *testing.T, dir string) string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return strings.Join(names, ",")
}

// corruptInput writes, with h5py, a deflated HDF5 dataset whose last chunk
// is damaged in the middle, as a bad disk or a bad copy would leave it: the
// rank that reads it fails part way through the run.
func corruptInput(t *testing.T, dir string) string {
	t.Helper()
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import h5py").Run(); err != nil {
		t.Skip("python3-h5py not installed: it writes the damaged input")
	}
	path := filepath.Join(dir, "corrupt.h5")
	script := `
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "w") as f:
    d = f.create_dataset("v", data=np.arange(256 * 256, dtype="<f8").reshape(256, 256), chunks=(32, 32), compression="gzip", shuffle=True)
    info = d.id.get_chunk_info(63)
    off, size = info.byte_offset, info.size
with open(sys.argv[1], "r+b") as fh:
    fh.seek(off + size // 2)
    fh.write(bytes(0x5A ^ i for i in range(16)))
`
	if out, err := exec.Command(py, "-c", script, path).CombinedOutput(); err != nil {
		t.Fatalf("write the damaged input: %v\n%s", err, out)
	}
	return path
}
