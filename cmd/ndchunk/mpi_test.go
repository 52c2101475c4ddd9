package main

import (
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// mpirunArgs returns mpirun's arguments for np ranks of the binary, or
// skips the test when mpirun is missing (the MPI backend is optional: the
// Makefile installs openmpi-bin for make test).
func mpirunArgs(t *testing.T, np int) []string {
	t.Helper()
	need(t)
	if testing.Short() {
		t.Skip("mpirun launches skipped with -short")
	}
	if _, err := osexec.LookPath("mpirun"); err != nil {
		t.Skip("mpirun not found: apt-get install openmpi-bin libopenmpi-dev")
	}
	// This machine has 2 cores: more ranks oversubscribe it.
	args := []string{"--oversubscribe", "-np", strconv.Itoa(np)}
	if os.Geteuid() == 0 {
		args = append(args, "--allow-run-as-root")
	}
	return append(args, binPath)
}

// mpiNdchunk runs the binary on np ranks. Shared memory between ranks
// goes without cross-memory attach, which containers often forbid (ptrace
// scope).
func mpiNdchunk(t *testing.T, np int, args ...string) result {
	t.Helper()
	env := []string{"OMPI_MCA_btl=self,vader", "OMPI_MCA_btl_vader_single_copy_mechanism=none"}
	return runCommand(t, "", env, "mpirun", append(mpirunArgs(t, np), args...)...)
}

// TestMPIConvertAndEval runs convert and eval on 2 and 3 ranks: the
// outputs are bit for bit those of the local engine, results and the final
// report line are printed once (by rank 0), and a bad input fails every
// rank with its error printed once and no output left behind.
func TestMPIConvertAndEval(t *testing.T) {
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	in := fixture("xy.nc")
	// The local reference: a rechunk that cuts the storage chunks (so
	// pieces cross ranks) and an anomaly stored to a file.
	ok(t, "convert", in, p("local.nc"), "--chunks", "t=20,y=2,x=3,row=7,col=4", "-q")
	ok(t, "eval", "t - mean(t, axis=0, keepdims=true)", "--in", "t="+fixture("xy.nc")+":t", "--out", p("anom_local.nc")+":a", "-q")
	local := ok(t, "eval", "sum(xv @ yv.T)", "--in", "xv="+in+":xv", "--in", "yv="+in+":yv", "--chunks", "10,10")

	for _, np := range []int{2, 3} {
		name := "np" + strconv.Itoa(np)
		r := mpiNdchunk(t, np, "convert", in, p(name+".nc"), "--chunks", "t=20,y=2,x=3,row=7,col=4", "--progress", "none")
		if r.code != 0 {
			t.Fatalf("mpirun -np %d convert: exit %d\n%s", np, r.code, r.stderr)
		}
		if n := strings.Count(r.stderr, "ndchunk convert:"); n != 1 {
			t.Errorf("mpirun -np %d convert: %d report lines, want 1 (rank 0's):\n%s", np, n, r.stderr)
		}
		if !strings.Contains(r.stderr, strconv.Itoa(np)+" MPI ranks") {
			t.Errorf("mpirun -np %d convert: the report does not say the job's ranks:\n%s", np, r.stderr)
		}
		sameFiles(t, p("local.nc"), p(name+".nc"))

		r = mpiNdchunk(t, np, "eval", "t - mean(t, axis=0, keepdims=true)", "--in", "t="+in+":t", "--out", p("anom_"+name+".nc")+":a", "-q")
		if r.code != 0 {
			t.Fatalf("mpirun -np %d eval --out: exit %d\n%s", np, r.code, r.stderr)
		}
		sameFiles(t, p("anom_local.nc"), p("anom_"+name+".nc"))

		r = mpiNdchunk(t, np, "eval", "sum(xv @ yv.T)", "--in", "xv="+in+":xv", "--in", "yv="+in+":yv", "--chunks", "10,10", "-q")
		if r.code != 0 || r.stdout != local.stdout {
			t.Errorf("mpirun -np %d eval: exit %d, stdout %q, want %q (the local engine's bits)\n%s", np, r.code, r.stdout, local.stdout, r.stderr)
		}

		// A missing input: every rank fails, the error is printed once.
		r = mpiNdchunk(t, np, "convert", p("missing.nc"), p("never.nc"), "-q")
		if r.code == 0 || strings.Count(r.stderr, "missing.nc") != 1 {
			t.Errorf("mpirun -np %d convert of a missing file: exit %d, want the error once:\n%s", np, r.code, r.stderr)
		}
		// A budget too small for one block fails before anything is
		// written, on every rank.
		r = mpiNdchunk(t, np, "eval", "sum(xv @ yv.T)", "--in", "xv="+in+":xv", "--in", "yv="+in+":yv", "--chunks", "40,30", "--memory", "1KiB", "-q")
		if r.code == 0 || strings.Count(r.stderr, "ndchunk eval:") != 1 {
			t.Errorf("mpirun -np %d eval over budget: exit %d, want one error:\n%s", np, r.code, r.stderr)
		}
		// Parquet output gathers on one process: refused, as a usage error.
		r = mpiNdchunk(t, np, "convert", in, p(name+".parquet"), "--vars", "t", "-q")
		if r.code == 0 || !strings.Contains(r.stderr, "without mpirun") {
			t.Errorf("mpirun -np %d convert to parquet: exit %d:\n%s", np, r.code, r.stderr)
		}
		if _, err := os.Stat(p(name + ".parquet")); err == nil {
			t.Errorf("mpirun -np %d: a refused parquet output exists", np)
		}
	}
	if _, err := os.Stat(p("never.nc")); err == nil {
		t.Error("a failed MPI convert left its output")
	}
	noTempFiles(t, dir)

	// --backend mpi outside mpirun is a usage error.
	if r := ndchunk(t, "", "eval", "1+1", "--backend", "mpi"); r.code != exitUsage || !strings.Contains(r.stderr, "mpirun") {
		t.Errorf("--backend mpi without mpirun: exit %d\n%s", r.code, r.stderr)
	}
}
