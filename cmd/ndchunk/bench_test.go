package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"image/png"
	"io"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// runBin runs the built binary with extra environment variables and
// returns stdout, stderr and the exit status.
func runBin(t *testing.T, env []string, args ...string) (string, string, int) {
	t.Helper()
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	cmd := osexec.Command(binPath, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *osexec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

// benchRow is the part of a result the tests check.
type benchRow struct {
	Scenario string   `json:"scenario"`
	System   string   `json:"system"`
	Peer     bool     `json:"peer"`
	Chunks   string   `json:"chunks"`
	Tasks    int      `json:"tasks"`
	Runs     int      `json:"runs"`
	Wall     float64  `json:"wall_median_s"`
	RSS      int64    `json:"peak_rss_bytes"`
	CPU      float64  `json:"cpu_s"`
	Checksum *float64 `json:"checksum"`
	Refused  string   `json:"refused"`
	Error    string   `json:"error"`
}

// TestBenchSweepCSV sweeps mean-random at a tiny size under a budget that
// refuses the largest chunks, writing CSV and SVG.
func TestBenchSweepCSV(t *testing.T) {
	dir := t.TempDir()
	out, svg := filepath.Join(dir, "r.csv"), filepath.Join(dir, "r.svg")
	stdout, stderr, code := runBin(t, nil, "bench", "--scenario", "mean-random", "--size", "128", "--chunks", "16,32,128",
		"--memory", "96KiB", "--repeat", "2", "--peers", "none", "--out", out, "--plot", svg)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"refused: over budget", "recommendation: mean-random 128x128", "use chunks", "checksums agree across 2 chunkings"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	raw, _ := io.ReadAll(f)
	if !bytes.Contains(raw, []byte("# cpu: ")) || !bytes.Contains(raw, []byte("# go: go1.")) || !bytes.Contains(raw, []byte("# command: ndchunk bench")) {
		t.Errorf("CSV lacks machine facts:\n%s", raw)
	}
	r := csv.NewReader(bytes.NewReader(raw))
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
		t.Fatalf("%d CSV records, want a header and 3 rows", len(recs))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	var sums []float64
	for _, rec := range recs[1:] {
		if rec[col["refused"]] != "" {
			if rec[col["chunks"]] != "128x128" {
				t.Errorf("refused at chunks %s", rec[col["chunks"]])
			}
			continue
		}
		c, err := strconv.ParseFloat(rec[col["checksum"]], 64)
		if err != nil {
			t.Fatalf("checksum %q: %v", rec[col["checksum"]], err)
		}
		sums = append(sums, c)
		if rec[col["runs"]] != "2" || rec[col["tasks"]] == "0" || rec[col["peak_rss_bytes"]] == "0" {
			t.Errorf("row %v", rec)
		}
	}
	if len(sums) != 2 || sums[0] != sums[1] && (sums[0]-sums[1])/sums[0] > 1e-9 {
		t.Errorf("checksums %v differ across chunkings", sums)
	}
	sf, err := os.Open(svg)
	if err != nil {
		t.Fatal(err)
	}
	defer sf.Close()
	d := xml.NewDecoder(sf)
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", svg, err)
		}
	}
}

// TestBenchFilesAndMissingPeers runs the file scenarios with peers asked
// for but missing (a python without dask, a PATH without nccopy and
// h5repack), writing JSON and PNG.
func TestBenchFilesAndMissingPeers(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "bin")
	if err := os.Mkdir(bin, 0o755); err != nil {
		t.Fatal(err)
	}
	py := filepath.Join(bin, "python")
	if err := os.WriteFile(py, []byte("#!/bin/sh\necho \"ModuleNotFoundError: No module named 'dask'\" >&2\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	out, pngPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.png")
	env := []string{"NDCHUNK_PYTHON=" + py, "PATH=" + bin, "TMPDIR=" + dir}
	stdout, stderr, code := runBin(t, env, "bench", "--scenario", "rechunk,anomaly,file-expr", "--size", "24x20x20",
		"--chunks", "-1x5x5;4x-1x-1", "--memory", "128MiB", "--peers", "dask,nccopy,h5repack,xarray", "--out", out, "--plot", pngPath)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"peer dask not available", "No module named 'dask'", "peer nccopy not available", "peer h5repack not available", "peer xarray not available"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var run struct {
		Machine struct {
			CPUModel string `json:"cpu_model"`
			HDF5     string `json:"hdf5_version"`
			Go       string `json:"go_version"`
		} `json:"machine"`
		Results         []benchRow `json:"results"`
		Recommendations []string   `json:"recommendations"`
	}
	if err := json.Unmarshal(raw, &run); err != nil {
		t.Fatal(err)
	}
	if run.Machine.CPUModel == "" || run.Machine.Go == "" || len(run.Recommendations) != 3 {
		t.Errorf("machine %+v, recommendations %v", run.Machine, run.Recommendations)
	}
	sums := map[string][]float64{}
	for _, r := range run.Results {
		if r.Peer || r.Error != "" || r.Refused != "" || r.Checksum == nil || r.Wall <= 0 || r.RSS <= 0 {
			t.Errorf("result %+v", r)
			continue
		}
		sums[r.Scenario] = append(sums[r.Scenario], *r.Checksum)
	}
	for sc, s := range sums {
		if len(s) != 2 || (s[0]-s[1])/s[0] > 1e-6 || (s[1]-s[0])/s[0] > 1e-6 {
			t.Errorf("%s: checksums %v differ across chunkings", sc, s)
		}
	}
	if len(sums) != 3 {
		t.Errorf("checksums for %d scenarios, want 3", len(sums))
	}
	pf, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Close()
	if _, err := png.Decode(pf); err != nil {
		t.Fatal(err)
	}
	left, _ := os.ReadDir(dir)
	for _, e := range left {
		if strings.HasPrefix(e.Name(), "ndchunk-bench-") {
			t.Errorf("temporary directory %s left behind", e.Name())
		}
	}
}

func TestBenchUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"bench", "--scenario", "nosuch"},
		{"bench", "--chunks", "a,b"},
		{"bench", "--workers", "0"},
		{"bench", "--peers", "spark"},
		{"bench", "--out", "r.txt"},
		{"bench", "--plot", "r.pdf"},
		{"bench", "--repeat", "0"},
		{"bench", "--scenario", "file-expr", "--file", "x.nc:v"},
	} {
		_, stderr, code := runBin(t, nil, args...)
		if code != 2 {
			t.Errorf("%v: exit %d, want 2\n%s", args, code, stderr)
		}
	}
}

// TestChallengeStillWorks checks the one-point command bench/core.sh uses.
func TestChallengeStillWorks(t *testing.T) {
	stdout, stderr, code := runBin(t, nil, "challenge", "-expr", "mean", "-n", "200", "-chunks", "50", "-memory", "64MiB")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Value float64 `json:"value"`
		Tasks int     `json:"tasks"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatal(err)
	}
	if res.Value < 0.45 || res.Value > 0.55 || res.Tasks == 0 {
		t.Errorf("challenge: %+v", res)
	}
}
