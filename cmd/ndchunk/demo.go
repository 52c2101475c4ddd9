package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/ndarray"
)

// The demo's files, in its directory.
const (
	demoSample  = "sample.nc"
	demoSeries  = "timeseries.nc"
	demoAnomaly = "anomaly.nc"
	demoCosts   = "costs.jsonl"
)

func (a *app) demoCommand() *cobra.Command {
	var dir string
	var days, nlat, nlon int
	var piN int64
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Generate a 1 GB climate-like NetCDF-4 sample and run info, convert and eval on it",
		Long: `demo shows ndchunk at work on a climate-like NetCDF-4 file of about 1 GB that
it generates: daily near-surface temperature on a 1-degree grid for ten
years (time, lat, lon with coordinate variables and CF attributes, stored in
time-major chunks of one day), with a seasonal cycle and noise. Then, with
the --memory budget (256MiB unless given) and a progress bar, it runs:

  ndchunk info sample.nc
  ndchunk convert sample.nc timeseries.nc --chunks time=DAYS,lat=16,lon=16 --compress deflate:1 --shuffle
  ndchunk eval 'x - mean(x, axis=0)' --in x=sample.nc:temperature --out anomaly.nc:anomaly
  ndchunk eval '4*mean(sum(random(N, 2, seed=1)**2, axis=1) < 1)'

and prints what each step cost (wall time, peak memory, bytes read and
written). The files stay in the directory it names (--dir, default a new
temporary directory).`,
		Args: a.exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if days <= 0 || nlat <= 1 || nlon <= 0 || piN <= 0 {
				return usagef("--days, --lat, --lon and --pi-n must be positive (--lat at least 2)")
			}
			if a.memory == "" {
				a.memory = "256MiB"
			}
			return a.runDemo(cmd.Context(), dir, days, nlat, nlon, piN)
		},
	}
	f := cmd.Flags()
	f.StringVar(&dir, "dir", "", "directory for the demo's files (default: a new temporary directory)")
	f.IntVar(&days, "days", 3652, "days in the sample (3652: ten years, about 1 GB)")
	f.IntVar(&nlat, "lat", 181, "latitudes in the sample")
	f.IntVar(&nlon, "lon", 360, "longitudes in the sample")
	f.Int64Var(&piN, "pi-n", 200_000_000, "points of the Monte-Carlo estimate of pi")
	return cmd
}

// demoStep is one step's costs, for the summary.
type demoStep struct {
	name string
	c    costs
}

func (a *app) runDemo(ctx context.Context, dir string, days, nlat, nlon int, piN int64) error {
	if dir == "" {
		d, err := os.MkdirTemp("", "ndchunk-demo-")
		if err != nil {
			return err
		}
		dir = d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, name := range []string{demoSample, demoSeries, demoAnomaly, demoCosts} {
		os.Remove(filepath.Join(dir, name))
	}
	fmt.Fprintf(a.stdout, "ndchunk demo: files in %s, budget %s, %d workers\n\n", dir, a.memory, max(a.workers, exec.AvailableCPUs()))
	sample := filepath.Join(dir, demoSample)
	costsFile := filepath.Join(dir, demoCosts)

	// Step 1, in this process: generate the sample.
	s, err := a.newSession()
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "== generate %s: %d days x %d lat x %d lon float32 (%s)\n", demoSample, days, nlat, nlon, chunk.FormatBytes(int64(days)*int64(nlat)*int64(nlon)*4))
	if err := generateSample(ctx, s, sample, days, nlat, nlon); err != nil {
		return err
	}
	s.outFiles = []string{sample}
	a.cmdName = "demo generate"
	a.reportJSON = costsFile
	if err := s.finish(); err != nil {
		return err
	}

	exe, err := os.Executable()
	if err != nil {
		return err
	}
	common := []string{"--memory", a.memory, "--progress", a.progress, "--report-json", costsFile}
	if a.workers > 0 {
		common = append(common, "--workers", fmt.Sprint(a.workers))
	}
	if a.quiet {
		common = append(common, "--quiet")
	}
	lat, lon := min(16, nlat), min(16, nlon)
	steps := []struct {
		title string
		args  []string
	}{
		{"info " + demoSample, []string{"info", sample}},
		{fmt.Sprintf("convert to time-series chunks (%d, %d, %d) with deflate:1 + shuffle", days, lat, lon),
			[]string{"convert", sample, filepath.Join(dir, demoSeries), "--chunks", fmt.Sprintf("time=%d,lat=%d,lon=%d", days, lat, lon), "--compress", "deflate:1", "--shuffle"}},
		{"eval anomaly against the time mean", []string{"eval", "x - mean(x, axis=0)", "--in", "x=" + sample + ":temperature", "--out", filepath.Join(dir, demoAnomaly) + ":anomaly"}},
		{fmt.Sprintf("eval Monte-Carlo pi with N = %d", piN), []string{"eval", fmt.Sprintf("4*mean(sum(random(%d, 2, seed=1)**2, axis=1) < 1)", piN)}},
	}
	for _, st := range steps {
		fmt.Fprintf(a.stdout, "\n== %s\n$ ndchunk %s\n", st.title, shellJoin(st.args))
		if f, ok := a.stdout.(interface{ Sync() error }); ok {
			f.Sync()
		}
		c := osexec.CommandContext(ctx, exe, append(st.args, common...)...)
		c.Stdout, c.Stderr = a.stdout, a.stderr
		c.Cancel = func() error { return c.Process.Signal(os.Interrupt) }
		c.WaitDelay = 5 * time.Second
		if err := c.Run(); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("demo step %q: %w", st.title, err)
		}
	}
	return printDemoSummary(a, costsFile, dir)
}

// printDemoSummary prints the table of what each step cost.
func printDemoSummary(a *app, costsFile, dir string) error {
	f, err := os.Open(costsFile)
	if err != nil {
		return err
	}
	defer f.Close()
	names := []string{"generate sample.nc", "info", "convert (rechunk + deflate)", "eval anomaly", "eval pi"}
	var rows []demoStep
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c costs
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			return err
		}
		name := c.Command
		if i := len(rows); i < len(names) {
			name = names[i]
		}
		rows = append(rows, demoStep{name: name, c: c})
	}
	if err := sc.Err(); err != nil {
		return err
	}
	w := a.stdout
	fmt.Fprintf(w, "\n== what each step cost (budget %s)\n", a.memory)
	fmt.Fprintf(w, "%-28s %9s %11s %11s %11s %11s %11s\n", "step", "wall", "peak RSS", "in blocks", "read", "written", "on disk")
	for _, r := range rows {
		disk := ""
		if r.c.FileBytes > 0 {
			disk = chunk.FormatBytes(r.c.FileBytes)
		}
		fmt.Fprintf(w, "%-28s %8.2fs %11s %11s %11s %11s %11s\n", r.name, r.c.WallSeconds, chunk.FormatBytes(r.c.PeakRSS), chunk.FormatBytes(r.c.PeakEngine),
			chunk.FormatBytes(r.c.BytesRead), chunk.FormatBytes(r.c.BytesWritten), disk)
	}
	fmt.Fprintf(w, "\nfiles left in %s\n", dir)
	return nil
}

// shellJoin quotes arguments for display.
func shellJoin(args []string) string {
	out := make([]string, len(args))
	for i, s := range args {
		if strings.ContainsAny(s, " *()'\"<>|&;") {
			s = "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
		}
		out[i] = s
	}
	return strings.Join(out, " ")
}

// generateSample writes the demo's climate-like NetCDF-4 file: daily
// temperature T(time, lat, lon) = 288 K - 35 K sin²(lat) + a seasonal
// cycle of 12 K sin(lat) cos(2π(t - 196)/365.25) (warm Julys in the north,
// warm Januaries in the south) + 3 K cos(lon) + Gaussian noise of 1.5 K,
// stored in float32 in time-major chunks of one day.
func generateSample(ctx context.Context, s *session, path string, days, nlat, nlon int) error {
	slab := int64(nlat) * int64(nlon) * 4
	perBlock := max(1, int(s.blockBytes()/max(slab, 1)))
	blocks := chunk.Regular(perBlock, nlat, nlon)
	deg := math.Pi / 180
	t := ndarray.Arange(0, float64(days), 1, chunk.Float64, chunk.Regular(perBlock))
	lat := ndarray.Linspace(-90, 90, nlat, true, chunk.Float64, chunk.Regular(nlat))
	lon := ndarray.Arange(0, 360, 360/float64(nlon), chunk.Float64, chunk.Regular(nlon))
	sinLat := lat.Mul(ndarray.Float(deg)).Sin().Reshape(1, nlat, 1)
	season := t.Sub(ndarray.Float(196)).Mul(ndarray.Float(2*math.Pi/365.25)).Cos().Reshape(days, 1, 1)
	lonTerm := lon.Mul(ndarray.Float(deg)).Cos().Mul(ndarray.Float(3)).Reshape(1, 1, nlon)
	noise := ndarray.RandomNormal(42, []int{days, nlat, nlon}, chunk.Float32, blocks)
	temp := ndarray.Float(288).Sub(sinLat.Square().Mul(ndarray.Float(35))).
		Add(season.Mul(sinLat).Mul(ndarray.Float(12))).
		Add(lonTerm).
		Add(noise.Mul(ndarray.Float(1.5))).
		AsType(chunk.Float32).Rechunk(blocks)
	if err := temp.Err(); err != nil {
		return err
	}
	spec := dataset.Spec{
		Format: "nc4",
		Dims:   []dataset.Dim{{Name: "time", Len: days}, {Name: "lat", Len: nlat}, {Name: "lon", Len: nlon}},
		Vars: []dataset.VarSpec{
			{Name: "time", Dims: []string{"time"}, DType: chunk.Float64, Attrs: []dataset.Attr{
				{Name: "units", Value: "days since 2000-01-01 00:00:00"}, {Name: "calendar", Value: "standard"},
				{Name: "standard_name", Value: "time"}, {Name: "long_name", Value: "time"}, {Name: "axis", Value: "T"}}},
			{Name: "lat", Dims: []string{"lat"}, DType: chunk.Float32, Attrs: []dataset.Attr{
				{Name: "units", Value: "degrees_north"}, {Name: "standard_name", Value: "latitude"},
				{Name: "long_name", Value: "latitude"}, {Name: "axis", Value: "Y"}}},
			{Name: "lon", Dims: []string{"lon"}, DType: chunk.Float32, Attrs: []dataset.Attr{
				{Name: "units", Value: "degrees_east"}, {Name: "standard_name", Value: "longitude"},
				{Name: "long_name", Value: "longitude"}, {Name: "axis", Value: "X"}}},
			{Name: "temperature", Dims: []string{"time", "lat", "lon"}, DType: chunk.Float32, Chunks: []int{1, nlat, nlon},
				FillValue: []float32{float32(math.NaN())}, Attrs: []dataset.Attr{
					{Name: "units", Value: "K"}, {Name: "standard_name", Value: "air_temperature"},
					{Name: "long_name", Value: "near-surface air temperature"}, {Name: "cell_methods", Value: "time: mean"}}},
		},
		Attrs: []dataset.Attr{
			{Name: "title", Value: "ndchunk demo: synthetic daily near-surface air temperature"},
			{Name: "Conventions", Value: "CF-1.8"},
			{Name: "source", Value: "ndchunk demo: seasonal cycle, latitude and longitude terms and Gaussian noise (seed 42)"},
		},
	}
	w, err := dataset.Create(path, spec, dataset.CreateOptions{Overwrite: true, CacheBytes: s.writeCache})
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed {
			w.Abort()
		}
	}()
	arrays := []ndarray.Array{t, lat.AsType(chunk.Float32), lon.AsType(chunk.Float32), temp}
	sinks := make([]exec.Sink, len(arrays))
	for i, vs := range spec.Vars {
		sk, err := w.Sink(vs.Name)
		if err != nil {
			return err
		}
		sinks[i] = dataset.CountingSink{Sink: sk, N: &s.written}
	}
	s.prog.setLabel("generate " + filepath.Base(path))
	if err := s.eng.StoreMany(ctx, arrays, sinks); err != nil {
		return err
	}
	if err := w.Commit(ctx); err != nil {
		return err
	}
	committed = true
	return nil
}
