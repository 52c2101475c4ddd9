package bench

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// childEnv makes the test binary the sweep's child: TestMain then runs
// the point given as the last argument instead of the tests.
const childEnv = "NDCHUNK_BENCH_TEST_CHILD"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		if err := ServePoint(context.Background(), os.Args[len(os.Args)-1], os.Stdout, Hooks{}); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestParseChunkList(t *testing.T) {
	for _, c := range []struct {
		in    string
		shape []int
		want  [][]int
	}{
		{"250,500,1000", []int{1000, 1000}, [][]int{{250, 250}, {500, 500}, {1000, 1000}}},
		{"5000", []int{1000, 300}, [][]int{{1000, 300}}},
		{"1x1000x1000;10x100x100;100x10x10", []int{50, 500, 500}, [][]int{{1, 500, 500}, {10, 100, 100}, {50, 10, 10}}},
		{"-1x10x10", []int{365, 40, 40}, [][]int{{365, 10, 10}}},
	} {
		cs, err := ParseChunkList(c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		var got [][]int
		for _, ch := range cs {
			r, err := ch.Resolve(c.shape)
			if err != nil {
				t.Fatalf("%q: %v", c.in, err)
			}
			got = append(got, r)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%q over %v: got %v, want %v", c.in, c.shape, got, c.want)
		}
	}
	for _, bad := range []string{"", "0", "a,b", "1x0x3", "250,-5", "1xax2"} {
		if _, err := ParseChunkList(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
	cs, _ := ParseChunkList("10x10")
	if _, err := cs[0].Resolve([]int{5, 5, 5}); err == nil {
		t.Error("rank mismatch: no error")
	}
}

func TestParseShapeAndInput(t *testing.T) {
	if s, err := ParseShape("300", 3); err != nil || !reflect.DeepEqual(s, []int{300, 300, 300}) {
		t.Errorf("ParseShape(300, 3) = %v, %v", s, err)
	}
	if s, err := ParseShape("365x40x50", 3); err != nil || !reflect.DeepEqual(s, []int{365, 40, 50}) {
		t.Errorf("ParseShape(365x40x50) = %v, %v", s, err)
	}
	if _, err := ParseShape("10x10", 3); err == nil {
		t.Error("rank mismatch: no error")
	}
	in, err := ParseInput("a/b.nc:grp/t2m")
	if err != nil || in != (Input{Name: "t2m", Path: "a/b.nc", Var: "grp/t2m"}) {
		t.Errorf("ParseInput = %+v, %v", in, err)
	}
	in, err = ParseInput("y=/x/f.h5:/data")
	if err != nil || in != (Input{Name: "y", Path: "/x/f.h5", Var: "/data"}) {
		t.Errorf("ParseInput = %+v, %v", in, err)
	}
	if _, err := ParseInput("nofile"); err == nil {
		t.Error("ParseInput(nofile): no error")
	}
}

// sweep runs a tiny sweep with the test binary as the child.
func sweep(t *testing.T, cfg Config) *Run {
	t.Helper()
	t.Setenv(childEnv, "1")
	cfg.Self = []string{os.Args[0]}
	cfg.TempDir = t.TempDir()
	var log bytes.Buffer
	cfg.Log = &log
	run, err := Sweep(context.Background(), cfg)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	return run
}

func TestSweepChecksumsAndRefusal(t *testing.T) {
	// 128x128 float64: blocks of 128x128 are 128 KiB, over a 96 KiB budget.
	run := sweep(t, Config{Scenarios: []string{MeanRandom, Matmul}, Size: "128", Chunks: "16,32,128", Budget: 96 << 10, Repeat: 2, Peers: "none", Workers: []int{2}})
	if len(run.Results) != 6 {
		t.Fatalf("got %d results, want 6", len(run.Results))
	}
	sums := map[string][]float64{}
	refused := 0
	for _, r := range run.Results {
		if r.Error != "" {
			t.Errorf("%s %s: %s", r.Scenario, r.Chunks, r.Error)
		}
		if r.Refused != "" {
			refused++
			if r.Chunks != "128x128" || !strings.Contains(r.Refused, "budget") {
				t.Errorf("%s refused at chunks %s: %s", r.Scenario, r.Chunks, r.Refused)
			}
			continue
		}
		if r.Runs != 2 || r.WallMin > r.WallMedian || r.WallMedian > r.WallMax || r.WallMin <= 0 {
			t.Errorf("%s %s: walls %v <= %v <= %v over %d runs", r.Scenario, r.Chunks, r.WallMin, r.WallMedian, r.WallMax, r.Runs)
		}
		if r.Tasks <= 0 || r.PeakRSS <= 0 || r.CPU <= 0 || r.PeakLive <= 0 || r.PeakLive > r.Budget || r.Checksum == nil {
			t.Errorf("%s %s: missing measurements: %+v", r.Scenario, r.Chunks, r)
			continue
		}
		sums[r.Scenario] = append(sums[r.Scenario], *r.Checksum)
	}
	if refused != 2 {
		t.Errorf("%d points refused, want 2 (chunks 128x128)", refused)
	}
	for sc, s := range sums {
		if len(s) != 2 || !sameChecksum(s[0], s[1]) {
			t.Errorf("%s: checksums %v differ across chunkings", sc, s)
		}
	}
	// The mean of uniform numbers on [0, 1).
	if m := sums[MeanRandom]; len(m) > 0 && (m[0] < 0.45 || m[0] > 0.55) {
		t.Errorf("mean-random checksum %v, want about 0.5", m[0])
	}
	rec := strings.Join(run.Recommendations, "\n")
	if !strings.Contains(rec, "refused") || !strings.Contains(rec, "use chunks") {
		t.Errorf("recommendations do not name the refused point and the best one:\n%s", rec)
	}
}

func TestSweepFileScenarios(t *testing.T) {
	run := sweep(t, Config{Scenarios: []string{Anomaly, Rechunk, FileExpr}, Size: "24x20x20", Chunks: "4x-1x-1;-1x5x5", Budget: 64 << 20, Peers: "none"})
	sums := map[string][]float64{}
	for _, r := range run.Results {
		if !r.ok() || r.Checksum == nil {
			t.Errorf("%s %s: %+v", r.Scenario, r.Chunks, r)
			continue
		}
		if r.BytesRead < 24*20*20*4 {
			t.Errorf("%s %s: read %d bytes, want the whole input at least", r.Scenario, r.Chunks, r.BytesRead)
		}
		sums[r.Scenario] = append(sums[r.Scenario], *r.Checksum)
	}
	for sc, s := range sums {
		if len(s) != 2 || !sameChecksum(s[0], s[1]) {
			t.Errorf("%s: checksums %v differ across chunkings", sc, s)
		}
	}
	// A rechunked copy holds the same numbers: the sum of squares of
	// uniform float32 numbers, about n/3.
	if s := sums[Rechunk]; len(s) > 0 && (s[0] < 24*20*20/3.5 || s[0] > 24*20*20/2.5) {
		t.Errorf("rechunk checksum %v, want about %v", s[0], 24*20*20/3)
	}
	// Without --file, file-expr needs no --expr; with --file it does.
	_, err := Sweep(context.Background(), Config{Scenarios: []string{FileExpr}, Files: []Input{{Name: "x", Path: "nofile.nc", Var: "v"}},
		Budget: 1 << 20, Self: []string{"true"}, TempDir: t.TempDir()})
	if err == nil {
		t.Error("file-expr over a missing file: no error")
	}
}

func TestOutputs(t *testing.T) {
	run := sweep(t, Config{Scenarios: []string{MeanRandom}, Size: "64", Chunks: "8,16,64", Budget: 24 << 10, Peers: "none"})
	dir := t.TempDir()
	csvPath, jsonPath := filepath.Join(dir, "r.csv"), filepath.Join(dir, "r.json")
	for _, p := range []string{csvPath, jsonPath} {
		if err := run.Save(p); err != nil {
			t.Fatal(err)
		}
	}
	f, err := os.Open(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	cr.Comment = '#'
	recs, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 || !reflect.DeepEqual(recs[0], csvHeader) {
		t.Errorf("CSV: %d records, header %v", len(recs), recs[0])
	}
	raw, _ := os.ReadFile(csvPath)
	if !bytes.Contains(raw, []byte("# cpu: ")) || !bytes.Contains(raw, []byte("# hdf5: ")) {
		t.Errorf("CSV lacks the machine facts:\n%s", raw)
	}
	var back Run
	raw, _ = os.ReadFile(jsonPath)
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if len(back.Results) != 3 || back.Machine.GoVersion == "" || back.Machine.CPUs <= 0 || back.Machine.Date == "" {
		t.Errorf("JSON: %d results, machine %+v", len(back.Results), back.Machine)
	}
	svg, pngPath := filepath.Join(dir, "p.svg"), filepath.Join(dir, "p.png")
	for _, p := range []string{svg, pngPath} {
		if err := run.Plot(p); err != nil {
			t.Fatal(err)
		}
	}
	checkSVG(t, svg)
	checkPNG(t, pngPath)
	var table bytes.Buffer
	if err := run.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(table.String(), "refused") || !strings.Contains(table.String(), "recommendation: ") {
		t.Errorf("table:\n%s", table.String())
	}
	if err := run.Save(filepath.Join(dir, "r.txt")); err == nil {
		t.Error("Save(.txt): no error")
	}
}

// checkSVG parses an SVG file as XML.
func checkSVG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	root := ""
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Errorf("%s: root element %q", path, root)
	}
}

// checkPNG decodes a PNG file.
func checkPNG(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() < 500 || b.Dy() < 200 {
		t.Errorf("%s: %v", path, b)
	}
}

func TestPeersMissing(t *testing.T) {
	dir := t.TempDir()
	// A python that lacks dask, and a PATH without nccopy and h5repack.
	py := filepath.Join(dir, "python")
	script := "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'dask'\" >&2\nexit 1\n"
	if err := os.WriteFile(py, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	found, missing, err := findPeers(context.Background(), "auto", py, []string{MeanRandom, Rechunk, Anomaly})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 0 {
		t.Errorf("found %v", found)
	}
	all := strings.Join(missing, "\n")
	for _, want := range []string{"dask", "numpy", "xarray", "nccopy", "h5repack", "No module named"} {
		if !strings.Contains(all, want) {
			t.Errorf("messages do not name %s:\n%s", want, all)
		}
	}
	if _, _, err := findPeers(context.Background(), "dask,spark", py, nil); err == nil {
		t.Error("unknown peer: no error")
	}
	if f, m, _ := findPeers(context.Background(), "none", py, []string{MeanRandom}); f != nil || m != nil {
		t.Errorf("none: %v %v", f, m)
	}
}

func TestRecommend(t *testing.T) {
	c := 1.0
	rs := []Result{
		{Scenario: MeanRandom, System: "ndchunk", Shape: "1000x1000", Chunks: "10x10", Blocks: 10000, Tasks: 10001, Workers: 2, Runs: 1,
			WallMedian: 2, OverheadPerTask: 300, Checksum: &c, ChunkBytes: 800},
		{Scenario: MeanRandom, System: "ndchunk", Shape: "1000x1000", Chunks: "100x100", Blocks: 100, Tasks: 101, Workers: 2, Runs: 1,
			WallMedian: 0.5, OverheadPerTask: 10, Checksum: &c, ChunkBytes: 80000},
		{Scenario: MeanRandom, System: "ndchunk", Shape: "1000x1000", Chunks: "1000x1000", Blocks: 1, Tasks: 2, Workers: 2, Runs: 1,
			WallMedian: 0.9, OverheadPerTask: 10, Checksum: &c, ChunkBytes: 8000000},
		{Scenario: MeanRandom, System: "ndchunk", Shape: "1000x1000", Chunks: "2000x2000", Workers: 2, Runs: 1, Refused: "over memory budget"},
	}
	rec := Recommend(rs)
	if len(rec) != 1 {
		t.Fatalf("%d recommendations", len(rec))
	}
	for _, want := range []string{"use chunks 100x100", "chunks 10x10: 4.00x slower: too many tasks", "chunks 1000x1000: 1.80x slower: too little parallelism, 1 blocks for 2 workers", "chunks 2000x2000: over budget, refused"} {
		if !strings.Contains(rec[0], want) {
			t.Errorf("recommendation lacks %q:\n%s", want, rec[0])
		}
	}
}
