package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	osexec "os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/io/dataset"
)

// Config describes a sweep.
type Config struct {
	// Scenarios to run (names from Scenarios).
	Scenarios []string
	// Size is --size: "" for each scenario's default, N, or a shape.
	Size string
	// Chunks is --chunks: "" for each scenario's default list.
	Chunks string
	// Workers are the worker counts to sweep (default: the CPUs this
	// process may use).
	Workers []int
	// Budget is ndchunk's memory budget in bytes.
	Budget int64
	// Repeat is the number of runs per point (default 1).
	Repeat int
	// Peers is --peers: none, auto or a comma-separated list.
	Peers string
	// Files are --file inputs (file-expr binds them all; anomaly and
	// rechunk read the first instead of a generated file).
	Files []Input
	// Expr is file-expr's expression (default DefaultFileExpr over a
	// generated x).
	Expr string
	// Self is the command that runs one ndchunk point in a child
	// process: the point's JSON is appended as the last argument, and the
	// child prints a Measurement as JSON (`ndchunk bench-point`).
	Self []string
	// Python runs the Python peers (default Python()).
	Python string
	// TempDir holds generated inputs and outputs (default os.TempDir()).
	TempDir string
	// Log receives progress and messages (stderr); nil discards them.
	Log io.Writer
	// Version is ndchunk's version, for the machine facts.
	Version string
}

// Run is a finished sweep: what was measured, on what.
type Run struct {
	Machine Machine  `json:"machine"`
	Command string   `json:"command,omitempty"`
	Results []Result `json:"results"`
	// Recommendations say, per scenario and worker count, which chunking
	// was fastest within the budget and why the slow ones were slow.
	Recommendations []string `json:"recommendations"`
	// Notes are peers skipped and checksum disagreements.
	Notes []string `json:"notes,omitempty"`
}

// sample is one run of a point by one system.
type sample struct {
	m       Measurement
	cpu     float64
	rss     int64
	errText string
}

// group collects the runs of one system at one point.
type group struct {
	p       Point
	system  string
	peer    bool
	input   int64 // logical bytes the computation reads
	samples []sample
}

// Sweep runs every point of cfg, ndchunk and the peers interleaved (A B A
// B ...), each run in a child process, and returns the results. A point
// refused for the budget is a result, not an error; Sweep fails only on
// a bad configuration or when it cannot start ndchunk's child.
func Sweep(ctx context.Context, cfg Config) (*Run, error) {
	if cfg.Repeat <= 0 {
		cfg.Repeat = 1
	}
	if len(cfg.Workers) == 0 {
		cfg.Workers = []int{exec.AvailableCPUs()}
	}
	if cfg.Python == "" {
		cfg.Python = Python()
	}
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if len(cfg.Self) == 0 {
		return nil, fmt.Errorf("bench: no command to run ndchunk's points (Config.Self)")
	}
	if cfg.Budget <= 0 {
		return nil, fmt.Errorf("bench: the budget must be positive")
	}
	var scs []Scenario
	for _, name := range cfg.Scenarios {
		sc, err := Lookup(name)
		if err != nil {
			return nil, err
		}
		scs = append(scs, sc)
	}
	if len(scs) == 0 {
		return nil, fmt.Errorf("bench: no scenario")
	}
	tmp, err := os.MkdirTemp(cfg.TempDir, "ndchunk-bench-")
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(tmp)

	run := &Run{}
	avail, missing, err := findPeers(ctx, cfg.Peers, cfg.Python, cfg.Scenarios)
	if err != nil {
		return nil, err
	}
	for _, msg := range missing {
		fmt.Fprintln(cfg.Log, "bench: "+msg)
		run.Notes = append(run.Notes, msg)
	}
	script := ""
	for _, ap := range avail {
		if ap.python && script == "" {
			if script, err = writeScript(tmp); err != nil {
				return nil, err
			}
		}
	}
	var versions []string
	for _, ap := range avail {
		versions = append(versions, ap.version)
	}
	run.Machine = Facts(ctx, cfg.Version, versions)

	var groups []*group
	for _, sc := range scs {
		pts, input, dims, err := scenarioPoints(ctx, cfg, sc, tmp)
		if err != nil {
			return nil, err
		}
		for wi, pt := range pts {
			first := wi == 0 || pts[wi-1].Workers != pt.Workers
			nd := &group{p: pt, system: "ndchunk", input: input}
			groups = append(groups, nd)
			var ps []*group
			var pcs []availablePeer
			for _, ap := range avail {
				if !ap.scenarios[sc.Name] || (ap.chunkFree && !first) {
					continue
				}
				if ap.name == "numpy" {
					if ok, why := numpyFits(pt, sc.DType); !ok {
						fmt.Fprintln(cfg.Log, "bench: "+why)
						run.Notes = append(run.Notes, why)
						continue
					}
				}
				q := pt
				if ap.chunkFree {
					q.Chunks = nil
				}
				if ap.name == "nccopy" || ap.name == "h5repack" {
					q.Workers = 1
				}
				g := &group{p: q, system: ap.version, peer: true, input: input}
				ps = append(ps, g)
				pcs = append(pcs, ap)
				groups = append(groups, g)
			}
			for r := 0; r < cfg.Repeat; r++ {
				fmt.Fprintf(cfg.Log, "bench: %s %s chunks %s workers %d run %d/%d\n", sc.Name, FormatShape(pt.Shape), FormatShape(pt.Chunks), pt.Workers, r+1, cfg.Repeat)
				s, err := runNdchunk(ctx, cfg, pt)
				if err != nil {
					return nil, err
				}
				nd.samples = append(nd.samples, s)
				logSample(cfg.Log, "ndchunk", s)
				for i, ap := range pcs {
					q := ps[i].p
					argv, env, out, outVar, err := peerCommand(ap, q, cfg.Python, script, dims)
					var s sample
					if err != nil {
						s.errText = err.Error()
					} else {
						s = runPeer(ctx, argv, env, out, outVar, cfg.Budget)
					}
					if errors.Is(ctx.Err(), context.Canceled) {
						return nil, ctx.Err()
					}
					ps[i].samples = append(ps[i].samples, s)
					logSample(cfg.Log, ap.name, s)
				}
			}
		}
	}
	for _, g := range groups {
		run.Results = append(run.Results, g.result())
	}
	addRatios(run.Results)
	run.Recommendations = Recommend(run.Results)
	run.Notes = append(run.Notes, checksumNotes(run.Results)...)
	return run, nil
}

func logSample(w io.Writer, who string, s sample) {
	switch {
	case s.errText != "":
		fmt.Fprintf(w, "bench:   %s failed: %s\n", who, s.errText)
	case s.m.Refused != "":
		fmt.Fprintf(w, "bench:   %s refused: %s\n", who, oneLine(s.m.Refused, 200))
	default:
		fmt.Fprintf(w, "bench:   %s %.3f s, RSS %s\n", who, s.m.Wall, chunk.FormatBytes(s.rss))
	}
}

// scenarioPoints returns a scenario's points (workers outer, chunks
// inner), the logical bytes each reads, and the input's dimension names;
// file scenarios get their input generated into tmp unless cfg.Files
// gives one.
func scenarioPoints(ctx context.Context, cfg Config, sc Scenario, tmp string) ([]Point, int64, []string, error) {
	shape := sc.DefaultShape
	if cfg.Size != "" {
		var err error
		if shape, err = ParseShape(cfg.Size, max(sc.Rank, len(sc.DefaultShape))); err != nil {
			return nil, 0, nil, fmt.Errorf("--size: %w", err)
		}
	}
	if sc.Square && (len(shape) != 2 || shape[0] != shape[1]) {
		return nil, 0, nil, fmt.Errorf("scenario %s needs a square shape, got %s", sc.Name, FormatShape(shape))
	}
	var inputs []Input
	var dims []string
	exprText := ""
	input := nbytes(shape, sc.DType)
	if sc.Name == Matmul {
		input *= 2
	}
	if sc.FileInput {
		if len(cfg.Files) > 0 {
			inputs = cfg.Files
			if sc.Name != FileExpr {
				inputs = cfg.Files[:1]
			}
			input = 0
			for i, in := range inputs {
				info, err := varInfo(in)
				if err != nil {
					return nil, 0, nil, err
				}
				if i == 0 {
					shape, dims = info.Shape, info.Dims
				}
				input += nbytes(info.Shape, info.DType)
			}
		} else {
			path := filepath.Join(tmp, "cube-"+FormatShape(shape)+".nc")
			if _, err := os.Stat(path); err != nil {
				fmt.Fprintf(cfg.Log, "bench: generating %s (%s float32, chunks 1x%dx%d)\n", path, FormatShape(shape), shape[1], shape[2])
				if err := GenerateCube(ctx, path, shape, cfg.Budget); err != nil {
					return nil, 0, nil, err
				}
			}
			name := "temp"
			if sc.Name == FileExpr {
				name = "x"
			}
			inputs = []Input{{Name: name, Path: path, Var: "temp"}}
			dims = []string{"t", "y", "x"}
		}
		if sc.Name == FileExpr {
			exprText = cfg.Expr
			if exprText == "" {
				if len(cfg.Files) > 0 {
					return nil, 0, nil, fmt.Errorf("scenario file-expr needs --expr over the --file inputs")
				}
				exprText = DefaultFileExpr
			}
		}
	}
	list := cfg.Chunks
	if list == "" {
		list = sc.DefaultChunks
	}
	choices, err := ParseChunkList(list)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("--chunks: %w", err)
	}
	var pts []Point
	for _, w := range cfg.Workers {
		for _, c := range choices {
			cs, err := c.Resolve(shape)
			if err != nil {
				return nil, 0, nil, fmt.Errorf("--chunks: %w", err)
			}
			out, err := os.MkdirTemp(tmp, "out-")
			if err != nil {
				return nil, 0, nil, err
			}
			pts = append(pts, Point{Scenario: sc.Name, Shape: shape, Chunks: cs, Workers: w, Budget: cfg.Budget,
				Inputs: inputs, Expr: exprText, OutDir: out})
		}
	}
	return pts, input, dims, nil
}

// varInfo describes a --file input.
func varInfo(in Input) (dataset.VarInfo, error) {
	f, err := dataset.Open(in.Path, dataset.OpenOptions{})
	if err != nil {
		return dataset.VarInfo{}, err
	}
	defer f.Close()
	v, err := f.Var(in.Var)
	if err != nil {
		return dataset.VarInfo{}, err
	}
	return v.Info(), nil
}

// childRun runs a command and returns its stdout, its rusage-based CPU
// seconds and peak RSS, and its wall time.
func childRun(ctx context.Context, argv, env []string) ([]byte, float64, int64, float64, error) {
	cmd := osexec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start).Seconds()
	var cpu float64
	var rss int64
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			cpu = tvSeconds(ru.Utime) + tvSeconds(ru.Stime)
			rss = ru.Maxrss * 1024 // kilobytes on Linux
		}
	}
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = strings.TrimSpace(stdout.String())
		}
		return nil, cpu, rss, wall, fmt.Errorf("%s: %w: %s", filepath.Base(argv[0]), err, oneLine(lastLines(msg, 3), 400))
	}
	return []byte(stdout.String()), cpu, rss, wall, nil
}

func tvSeconds(tv syscall.Timeval) float64 { return float64(tv.Sec) + float64(tv.Usec)/1e6 }

// runNdchunk runs one point in ndchunk's child. A child that fails is
// recorded as the sample's error; only a child that cannot start fails.
func runNdchunk(ctx context.Context, cfg Config, p Point) (sample, error) {
	js, err := json.Marshal(p)
	if err != nil {
		return sample{}, err
	}
	argv := append(append([]string(nil), cfg.Self...), string(js))
	out, cpu, rss, _, err := childRun(ctx, argv, nil)
	s := sample{cpu: cpu, rss: rss}
	if err != nil {
		var ee *osexec.ExitError
		if !errors.As(err, &ee) {
			return s, fmt.Errorf("bench: running %s: %w", cfg.Self[0], err)
		}
		s.errText = err.Error()
		return s, nil
	}
	if err := json.Unmarshal(lastJSONLine(out), &s.m); err != nil {
		s.errText = fmt.Sprintf("reading the point's JSON: %v", err)
		return s, nil
	}
	s.checkOutput(ctx, cfg.Budget)
	return s, nil
}

// runPeer runs a peer's command; a wall time the peer does not report is
// measured around the process.
func runPeer(ctx context.Context, argv, env []string, outFile, outVar string, budget int64) sample {
	out, cpu, rss, wall, err := childRun(ctx, argv, env)
	s := sample{cpu: cpu, rss: rss}
	if err != nil {
		s.errText = err.Error()
		return s
	}
	if l := lastJSONLine(out); l != nil {
		if err := json.Unmarshal(l, &s.m); err != nil {
			s.errText = fmt.Sprintf("reading the peer's JSON: %v", err)
			return s
		}
	} else {
		// Tools (nccopy, h5repack) print nothing: time the process.
		s.m.Wall = wall
		s.m.OutFile, s.m.OutVar = outFile, outVar
		s.m.BytesRead = fileSize(argv[len(argv)-2])
		s.m.BytesWritten = fileSize(outFile)
	}
	s.checkOutput(ctx, budget)
	return s
}

// checkOutput computes the checksum of a result written to a file, then
// removes the file.
func (s *sample) checkOutput(ctx context.Context, budget int64) {
	if s.m.OutFile == "" || s.m.Refused != "" {
		return
	}
	if s.m.BytesWritten == 0 {
		s.m.BytesWritten = fileSize(s.m.OutFile)
	}
	c, err := FileChecksum(ctx, s.m.OutFile, s.m.OutVar, budget)
	if err != nil {
		s.errText = err.Error()
	} else {
		s.m.Checksum = &c
	}
	os.Remove(s.m.OutFile)
}

// result aggregates a group's samples: median wall (min and max kept),
// median CPU, the highest peak RSS.
func (g *group) result() Result {
	r := Result{Scenario: g.p.Scenario, System: g.system, Peer: g.peer, Shape: FormatShape(g.p.Shape), Workers: g.p.Workers,
		Runs: len(g.samples)}
	if g.p.Chunks != nil {
		r.Chunks = FormatShape(g.p.Chunks)
		r.Blocks = numBlocks(g.p.Shape, g.p.Chunks)
		r.ChunkBytes = nbytes(g.p.Chunks, mustScenario(g.p.Scenario).DType)
	}
	if !g.peer {
		r.Budget = g.p.Budget
	}
	var walls, cpus []float64
	var ok []sample
	for _, s := range g.samples {
		switch {
		case s.errText != "":
			r.Error = s.errText
		case s.m.Refused != "":
			r.Refused = s.m.Refused
		default:
			ok = append(ok, s)
			walls = append(walls, s.m.Wall)
			cpus = append(cpus, s.cpu)
		}
		r.PeakRSS = max(r.PeakRSS, s.rss)
	}
	if len(ok) == 0 {
		return r
	}
	r.Error, r.Refused = "", ""
	sort.Float64s(walls)
	r.WallMin, r.WallMax, r.WallMedian = walls[0], walls[len(walls)-1], median(walls)
	r.CPU = median(cpus)
	last := ok[len(ok)-1].m
	r.Tasks, r.PeakLive, r.BytesRead, r.BytesWritten = last.Tasks, last.PeakLive, last.BytesRead, last.BytesWritten
	if last.Workers > 0 {
		r.Workers = last.Workers
	}
	if last.Checksum != nil {
		c := *last.Checksum
		r.Checksum = &c
	}
	if r.WallMedian > 0 {
		r.Throughput = float64(g.input) / r.WallMedian / 1e9
	}
	if !g.peer && r.Tasks > 0 && last.TaskTime > 0 {
		var idle []float64
		for _, s := range ok {
			idle = append(idle, max(0, s.m.Wall*float64(r.Workers)-s.m.TaskTime)/float64(s.m.Tasks)*1e6)
		}
		r.OverheadPerTask = median(idle)
	}
	return r
}

func mustScenario(name string) Scenario {
	sc, _ := Lookup(name)
	return sc
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// oneLine joins lines and cuts a message to at most n bytes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
