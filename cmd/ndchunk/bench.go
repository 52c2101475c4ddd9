package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ndchunk/ndchunk/bench"
	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
)

// benchFlags are the bench command's own flags.
type benchFlags struct {
	scenarios, size, chunks, workers, peers string
	expr, out, plot                         string
	files                                   []string
	repeat                                  int
}

// defaultBenchMemory is the bench budget when --memory is not given: the
// project's published figures use 1 GiB.
const defaultBenchMemory = "1GiB"

func (a *app) benchCommand() *cobra.Command {
	var fl benchFlags
	cmd := &cobra.Command{
		Use:   "bench [--scenario NAME,...] [--size N|SHAPE] [--chunks LIST] [--workers LIST] [--memory SIZE] [--repeat K] [--peers none|auto|LIST] [--file FILE:VAR] [--expr EXPR] [--out FILE] [--plot FILE]",
		Short: "Benchmark chunk shapes and worker counts, side by side with Dask, NumPy, xarray, nccopy and h5repack",
		Long: `bench sweeps chunk shapes (and worker counts) over a scenario and measures
every point in a child process, so each has its own peak RSS and CPU time:

  mean-random       mean of a uniform random float64 array (20000x20000)
  sincos-transpose  sum(sin(x) + cos(x.T)) (20000x20000)
  anomaly           x - mean(x, axis=0) of a 3-D float32 file, stored to NetCDF-4
  rechunk           convert a time-major 3-D file into time-series chunks
                    (the code of 'ndchunk convert --chunks DIM=N,...')
  matmul            sum(a @ b) of two square float64 matrices (4000x4000)
  file-expr         --expr over --file inputs (your own data)

File scenarios generate their input into a temporary directory (a
1000x600x600 float32 variable, 1.4 GB, stored in time-major chunks 1x600x600)
unless --file FILE:VAR is given. --chunks is a list of chunk sides (250,500,1000: square or cubic chunks) or of shapes separated by
semicolons (1x1000x1000;10x100x100), -1 meaning a whole axis. --workers is a
list of worker counts, --repeat the runs per point (the median is reported,
min and max kept). A point whose plan does not fit --memory (default 1GiB)
is reported as refused.

--peers auto runs the peers that are installed (Dask, xarray and NumPy with
/usr/bin/python3 or $NDCHUNK_PYTHON; nccopy and h5repack for rechunk) and
names those missing on stderr; runs alternate ndchunk, peers, ndchunk, ...
so drift hits all. The table goes to stdout; --out writes CSV or JSON and
--plot an SVG or PNG chart of wall time and peak memory against chunk size.
The run ends with the recommended chunk shape per scenario.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runBench(cmd.Context(), cmd.Flags(), fl)
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.scenarios, "scenario", bench.MeanRandom, "scenarios, comma-separated: "+strings.Join(bench.ScenarioNames(), ", "))
	f.StringVar(&fl.size, "size", "", "array side N or shape such as 365x400x400 (default: each scenario's)")
	f.StringVar(&fl.chunks, "chunks", "", "chunk sides (250,500) or shapes (1x1000x1000;10x100x100) to sweep (default: each scenario's)")
	f.StringVar(&fl.workers, "workers", "", "worker counts to sweep, e.g. 1,2 (default: the CPUs this process may use)")
	f.IntVar(&fl.repeat, "repeat", 3, "runs per point (median reported, min and max kept)")
	f.StringVar(&fl.peers, "peers", "auto", "peers: none, auto, or a list of "+strings.Join(bench.PeerNames, ","))
	f.StringArrayVar(&fl.files, "file", nil, "input FILE:VAR or NAME=FILE:VAR (repeatable; file-expr binds each NAME)")
	f.StringVar(&fl.expr, "expr", "", "file-expr's expression over the --file names (default: "+bench.DefaultFileExpr+" over a generated x)")
	f.StringVar(&fl.out, "out", "", "write the results to a .csv or .json file")
	f.StringVar(&fl.plot, "plot", "", "draw wall time and peak memory against chunk size to a .svg or .png file")
	return cmd
}

// benchPointCommand is the hidden child of bench: it runs one point given
// as JSON and prints its measurement as JSON.
func (a *app) benchPointCommand() *cobra.Command {
	return &cobra.Command{
		Use:    "bench-point POINT-JSON",
		Short:  "Run one bench point in this process and print it as JSON (bench's child)",
		Hidden: true,
		Args:   a.exactArgs(1, "the point as JSON"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return bench.ServePoint(cmd.Context(), args[0], a.stdout, bench.Hooks{Convert: convertHook})
		},
	}
}

func (a *app) runBench(ctx context.Context, flags *pflag.FlagSet, fl benchFlags) error {
	cfg := bench.Config{Size: fl.size, Chunks: fl.chunks, Repeat: fl.repeat, Peers: fl.peers, Expr: fl.expr, Version: version}
	for _, s := range splitList(fl.scenarios) {
		if _, err := bench.Lookup(s); err != nil {
			return usagef("--scenario: %v", err)
		}
		cfg.Scenarios = append(cfg.Scenarios, s)
	}
	if len(cfg.Scenarios) == 0 {
		return usagef("--scenario: name at least one of %s", strings.Join(bench.ScenarioNames(), ", "))
	}
	if fl.repeat < 1 {
		return usagef("--repeat %d: want at least 1", fl.repeat)
	}
	if fl.workers != "" {
		ws, err := bench.ParseIntList(fl.workers)
		if err != nil {
			return usagef("--workers: %v", err)
		}
		cfg.Workers = ws
	}
	if fl.chunks != "" {
		if _, err := bench.ParseChunkList(fl.chunks); err != nil {
			return usagef("--chunks: %v", err)
		}
	}
	if fl.size != "" {
		if _, err := bench.ParseShape(fl.size, 0); err != nil && !strings.Contains(err.Error(), "explicit shape") {
			return usagef("--size: %v", err)
		}
	}
	memory := a.memory
	if memory == "" {
		memory = defaultBenchMemory
	}
	budget, err := chunk.ParseBytes(memory)
	if err != nil {
		return usagef("--memory: %v", err)
	}
	cfg.Budget = budget
	for _, s := range fl.files {
		in, err := bench.ParseInput(s)
		if err != nil {
			return usageError{err}
		}
		cfg.Files = append(cfg.Files, in)
	}
	for _, s := range cfg.Scenarios {
		if s == bench.FileExpr && len(cfg.Files) > 0 && fl.expr == "" {
			return usagef("scenario file-expr with --file needs --expr")
		}
	}
	switch p := fl.peers; {
	case p == "none" || p == "auto":
	default:
		for _, n := range splitList(p) {
			if !contains(bench.PeerNames, n) {
				return usagef("--peers: unknown peer %q (want none, auto or some of %s)", n, strings.Join(bench.PeerNames, ","))
			}
		}
	}
	for _, path := range []string{fl.out, fl.plot} {
		if path == "" {
			continue
		}
		ext := strings.ToLower(filepath.Ext(path))
		if (path == fl.out && ext != ".csv" && ext != ".json") || (path == fl.plot && ext != ".svg" && ext != ".png") {
			return usagef("%s: --out wants .csv or .json, --plot .svg or .png", path)
		}
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench: finding this program to run its points: %w", err)
	}
	cfg.Self = []string{self, "bench-point"}
	if !a.quiet {
		cfg.Log = a.stderr
	}
	var cmdline []string
	flags.Visit(func(f *pflag.Flag) { cmdline = append(cmdline, "--"+f.Name+" "+shellQuote(f.Value.String())) })
	run, err := bench.Sweep(ctx, cfg)
	if err != nil {
		return err
	}
	run.Command = "ndchunk bench " + strings.Join(cmdline, " ")
	if err := run.WriteTable(a.stdout); err != nil {
		return err
	}
	if fl.out != "" {
		if err := run.Save(fl.out); err != nil {
			return err
		}
	}
	if fl.plot != "" {
		if err := run.Plot(fl.plot); err != nil {
			return err
		}
	}
	for _, r := range run.Results {
		if !r.Peer && r.Error != "" {
			return fmt.Errorf("%s chunks %s failed: %s", r.Scenario, r.Chunks, r.Error)
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// shellQuote quotes a flag value for the command line recorded in the
// results.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " ;'\"*$&|<>()") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// tasksRE finds the task count in a plan's summary line.
var tasksRE = regexp.MustCompile(`(\d+) tasks`)

// convertHook rechunks for the bench's rechunk scenario with the code of
// `ndchunk convert IN OUT --vars V --chunks DIM=N,...`, in this process:
// the plan is explained first (for the task count), then run.
func convertHook(ctx context.Context, in, v, out string, chunks []int, budget int64, workers int) (bench.ConvertStats, error) {
	var st bench.ConvertStats
	f, err := dataset.Open(in, dataset.OpenOptions{})
	if err != nil {
		return st, err
	}
	dims := fileDims(f.Info())[v]
	f.Close()
	if len(dims) != len(chunks) {
		return st, fmt.Errorf("rechunk %s:%s: chunks %v for %d dimensions", in, v, chunks, len(dims))
	}
	var spec []string
	for i, d := range dims {
		spec = append(spec, d+"="+strconv.Itoa(chunks[i]))
	}
	fl := convertFlags{vars: v, chunks: strings.Join(spec, ","), overwrite: true, explain: true}
	var plan bytes.Buffer
	sub := &app{stdout: &plan, stderr: io.Discard, memory: strconv.FormatInt(budget, 10), workers: workers, quiet: true, progress: "none", cmdName: "convert"}
	if err := sub.runConvert(ctx, in, out, fl); err != nil {
		return st, err
	}
	if m := tasksRE.FindStringSubmatch(plan.String()); m != nil {
		st.Tasks, _ = strconv.Atoi(m[1])
	}
	report := out + ".report.json"
	defer os.Remove(report)
	fl.explain = false
	sub = &app{stdout: io.Discard, stderr: io.Discard, memory: sub.memory, workers: workers, quiet: true, progress: "none", cmdName: "convert", reportJSON: report}
	if err := sub.runConvert(ctx, in, out, fl); err != nil {
		return st, err
	}
	b, err := os.ReadFile(report)
	if err != nil {
		return st, fmt.Errorf("rechunk: reading convert's report: %w", err)
	}
	var c costs
	if err := json.Unmarshal(b, &c); err != nil {
		return st, fmt.Errorf("rechunk: reading convert's report: %w", err)
	}
	st.PeakLive, st.BytesRead, st.BytesWritten = c.PeakEngine, c.BytesRead, c.BytesWritten
	return st, nil
}
