package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDemoSmall runs make demo's script on a small sample: every step
// runs and the summary names what each cost.
func TestDemoSmall(t *testing.T) {
	dir := t.TempDir()
	r := ok(t, "demo", "--dir", dir, "--days", "40", "--lat", "19", "--lon", "36", "--pi-n", "100000", "--progress", "none")
	for _, w := range []string{"files in " + dir, "== generate sample.nc", "$ ndchunk info", "$ ndchunk convert", "$ ndchunk eval",
		"what each step cost", "generate sample.nc", "convert (rechunk + deflate)", "eval anomaly", "eval pi", "files left in " + dir} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("demo output lacks %q:\n%s", w, r.stdout)
		}
	}
	for _, f := range []string{demoSample, demoSeries, demoAnomaly} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("demo did not leave %s: %v", f, err)
		}
	}
	// The sample is CF: coordinates with units, a NaN fill value (a string
	// in JSON), time-major chunks.
	info := ok(t, "info", filepath.Join(dir, demoSample), "temperature", "time", "--json", "-q").stdout
	var doc struct {
		Vars []struct {
			Name      string         `json:"name"`
			Chunks    []int          `json:"chunks"`
			FillValue any            `json:"fill_value"`
			Attrs     map[string]any `json:"attrs"`
		} `json:"vars"`
	}
	if err := json.Unmarshal([]byte(info), &doc); err != nil || len(doc.Vars) != 2 {
		t.Fatalf("info --json: %v\n%s", err, info)
	}
	v := doc.Vars[0]
	if v.Name != "temperature" || v.FillValue != "NaN" || v.Attrs["units"] != "K" || v.Attrs["standard_name"] != "air_temperature" || len(v.Chunks) != 3 || v.Chunks[0] != 1 || v.Chunks[2] != 36 {
		t.Errorf("sample temperature: %+v", v)
	}
	if doc.Vars[1].Attrs["units"] != "days since 2000-01-01 00:00:00" {
		t.Errorf("sample time: %+v", doc.Vars[1])
	}
}

// TestDemoBudgetHolds runs the demo on a sample larger than the budget and
// checks that every step's peak resident size (the whole process: Go heap,
// the C libraries and their caches) stayed within --memory.
func TestDemoBudgetHolds(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 390 MB sample")
	}
	dir := t.TempDir()
	const budget = 256 << 20
	ok(t, "demo", "--dir", dir, "--days", "1500", "--memory", "256MiB", "--pi-n", "10000000", "--progress", "none")
	data, err := os.ReadFile(filepath.Join(dir, demoCosts))
	if err != nil {
		t.Fatal(err)
	}
	steps := 0
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var c costs
		if err := json.Unmarshal([]byte(line), &c); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		steps++
		if c.Budget != budget {
			t.Errorf("%s: budget %d, want %d", c.Command, c.Budget, budget)
		}
		if c.PeakRSS <= 0 || c.PeakRSS > c.Budget {
			t.Errorf("%s: peak RSS %d bytes, over the %d-byte budget", c.Command, c.PeakRSS, c.Budget)
		}
	}
	if steps < 4 {
		t.Errorf("%d steps in %s, want info, convert and two evals:\n%s", steps, demoCosts, data)
	}
}
