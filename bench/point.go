package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/io/dataset"
	_ "github.com/ndchunk/ndchunk/io/hdf5" // register the drivers
	_ "github.com/ndchunk/ndchunk/io/netcdf"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/ndarray/expr"
)

// Point is one measurement to make: a scenario at one shape, chunking,
// worker count and budget. It travels as JSON to the child process that
// runs it.
type Point struct {
	Scenario string `json:"scenario"`
	Shape    []int  `json:"shape"`
	// Chunks is the chunk shape (resolved against Shape).
	Chunks  []int `json:"chunks"`
	Workers int   `json:"workers"`
	Budget  int64 `json:"budget"`
	// Inputs are the file inputs as NAME=FILE:VAR (anomaly and rechunk
	// read the first; file-expr binds every NAME).
	Inputs []Input `json:"inputs,omitempty"`
	// Expr is file-expr's expression.
	Expr string `json:"expr,omitempty"`
	// OutDir receives output files (anomaly, rechunk, large file-expr
	// results); the caller removes them.
	OutDir string `json:"out_dir,omitempty"`
}

// Input is a file variable bound to a name.
type Input struct {
	Name string `json:"name"`
	Path string `json:"path"`
	Var  string `json:"var"`
}

// String formats the input as NAME=FILE:VAR.
func (in Input) String() string { return in.Name + "=" + in.Path + ":" + in.Var }

// ParseInput parses FILE:VAR or NAME=FILE:VAR; the name defaults to the
// variable's base name.
func ParseInput(s string) (Input, error) {
	var in Input
	rest := s
	if name, r, ok := strings.Cut(s, "="); ok && !strings.ContainsAny(name, "/:") {
		in.Name, rest = name, r
	}
	i := strings.LastIndex(rest, ":")
	if i <= 0 || i == len(rest)-1 {
		return in, fmt.Errorf("--file %q: want FILE:VAR or NAME=FILE:VAR", s)
	}
	in.Path, in.Var = rest[:i], rest[i+1:]
	if in.Name == "" {
		in.Name = in.Var[strings.LastIndex(in.Var, "/")+1:]
	}
	return in, nil
}

// Measurement is what one run of a point reports, from the process that
// ran it (ndchunk's child or a peer script). The parent adds the child's
// CPU time and peak RSS from its rusage.
type Measurement struct {
	// System names what ran, with its version ("ndchunk", "dask 2024.1").
	System string `json:"system"`
	// Wall is the measured computation, without process start-up,
	// imports and input generation, in seconds.
	Wall float64 `json:"wall_s"`
	// Tasks is the number of tasks in the plan (Dask: graph size).
	Tasks   int   `json:"tasks,omitempty"`
	Workers int   `json:"workers,omitempty"`
	Budget  int64 `json:"budget,omitempty"`
	// PeakLive is the engine's peak of live block bytes.
	PeakLive     int64 `json:"peak_live_bytes,omitempty"`
	BytesRead    int64 `json:"bytes_read,omitempty"`
	BytesWritten int64 `json:"bytes_written,omitempty"`
	// TaskTime is the sum of the tasks' running times, in seconds.
	TaskTime float64 `json:"task_time_s,omitempty"`
	// Checksum is the result's checksum: a scalar result itself, else
	// the sum of squares of the result's elements; nil when the result is
	// in OutFile (the parent computes it).
	Checksum *float64 `json:"checksum,omitempty"`
	// OutFile and OutVar name the output written, if any.
	OutFile string `json:"out_file,omitempty"`
	OutVar  string `json:"out_var,omitempty"`
	// Refused is why the plan was refused for the budget.
	Refused string `json:"refused,omitempty"`
	// PeakRSS is the process's own peak RSS, when it reports one.
	PeakRSS int64 `json:"peak_rss_bytes,omitempty"`
}

// ConvertStats is what a conversion reports.
type ConvertStats struct {
	Tasks                   int
	PeakLive                int64
	BytesRead, BytesWritten int64
	TaskTime                time.Duration
}

// Hooks lets the command substitute its own code for parts of a scenario.
type Hooks struct {
	// Convert rechunks variable v of in into out (NetCDF-4) with the
	// given storage chunks under budget bytes on workers workers. The
	// ndchunk command plugs in `ndchunk convert`'s code; nil uses
	// LibraryConvert.
	Convert func(ctx context.Context, in, v, out string, chunks []int, budget int64, workers int) (ConvertStats, error)
}

// RunPoint runs one point in this process and measures it. A plan that
// cannot fit the budget is not an error: the measurement says Refused.
func RunPoint(ctx context.Context, p Point, h Hooks) (Measurement, error) {
	sc, err := Lookup(p.Scenario)
	if err != nil {
		return Measurement{}, err
	}
	m := Measurement{System: "ndchunk", Workers: p.Workers, Budget: p.Budget}
	eng := exec.New(exec.Options{MemoryBudget: p.Budget, Workers: p.Workers})
	m.Workers = eng.Workers()
	var a ndarray.Array
	switch sc.Name {
	case MeanRandom:
		a = ndarray.RandomUniform(42, p.Shape, chunk.Float64, chunk.Regular(p.Chunks...)).Mean()
	case SinCosTranspose:
		x := ndarray.RandomUniform(42, p.Shape, chunk.Float64, chunk.Regular(p.Chunks...))
		a = x.Sin().Add(x.T().Cos()).Sum()
	case Matmul:
		x := ndarray.RandomUniform(1, p.Shape, chunk.Float64, chunk.Regular(p.Chunks...))
		y := ndarray.RandomUniform(2, p.Shape, chunk.Float64, chunk.Regular(p.Chunks...))
		a = ndarray.Matmul(x, y).Sum()
	case Anomaly:
		return runAnomaly(ctx, eng, p, m)
	case Rechunk:
		return runRechunk(ctx, p, m, h)
	case FileExpr:
		return runFileExpr(ctx, eng, p, m)
	}
	return computeScalar(ctx, eng, a, m)
}

// computeScalar computes a scalar result and fills in the measurement.
func computeScalar(ctx context.Context, eng *exec.Engine, a ndarray.Array, m Measurement) (Measurement, error) {
	start := time.Now()
	v, err := eng.Compute(ctx, a)
	m.Wall = time.Since(start).Seconds()
	if refused(err, &m) {
		return m, nil
	}
	if err != nil {
		return m, err
	}
	fillReport(&m, eng.LastReport())
	c := Checksum(v)
	m.Checksum = &c
	return m, nil
}

// refused records a plan refused for the budget.
func refused(err error, m *Measurement) bool {
	if err != nil && errors.Is(err, chunk.ErrOverBudget) {
		m.Refused = err.Error()
		return true
	}
	return false
}

// finishStore completes the measurement of a run that stored out:var,
// started at start: its wall time and bytes, its report, or the refusal.
func finishStore(m Measurement, err error, eng *exec.Engine, start time.Time, read, written *atomic.Int64, out, outVar string) (Measurement, error) {
	m.Wall = time.Since(start).Seconds()
	m.BytesRead, m.BytesWritten = read.Load(), written.Load()
	if refused(err, &m) {
		return m, nil
	}
	if err != nil {
		return m, err
	}
	fillReport(&m, eng.LastReport())
	m.OutFile, m.OutVar = out, outVar
	return m, nil
}

func fillReport(m *Measurement, r exec.Report) {
	m.Tasks, m.PeakLive, m.TaskTime = r.Tasks, r.PeakLiveBytes, r.TaskTime.Seconds()
}

// Checksum returns a result's checksum: the value of a scalar, else the
// sum of the squares of the elements (so an anomaly, whose sum is zero,
// still has a telling checksum).
func Checksum(d *chunk.Dense) float64 {
	if d.Len() == 1 && d.Rank() == 0 {
		return d.Scalar()
	}
	var s, c float64 // Neumaier summation
	for i := 0; i < d.Len(); i++ {
		v := d.Float64(i)
		s, c = neumaier(s, c, v*v)
	}
	return s + c
}

func neumaier(s, c, v float64) (float64, float64) {
	t := s + v
	if math.Abs(s) >= math.Abs(v) {
		c += (s - t) + v
	} else {
		c += (v - t) + s
	}
	return t, c
}

// FileChecksum returns the sum of the squares of a file variable's
// elements, computed with ndchunk under budget bytes.
func FileChecksum(ctx context.Context, path, v string, budget int64) (float64, error) {
	f, err := dataset.Open(path, dataset.OpenOptions{})
	if err != nil {
		return 0, err
	}
	defer f.Close()
	src, err := f.Var(v)
	if err != nil {
		return 0, err
	}
	x := ndarray.FromSource(src, chunk.Auto(0)).AsType(chunk.Float64)
	eng := exec.New(exec.Options{MemoryBudget: budget})
	d, err := eng.Compute(ctx, x.Mul(x).Sum())
	if err != nil {
		return 0, fmt.Errorf("checksum of %s:%s: %w", path, v, err)
	}
	return d.Scalar(), nil
}

// openVar opens an input variable, counting the bytes read.
func openVar(in Input, n *atomic.Int64) (dataset.File, dataset.Var, error) {
	f, err := dataset.Open(in.Path, dataset.OpenOptions{})
	if err != nil {
		return nil, nil, err
	}
	v, err := f.Var(in.Var)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, dataset.CountingVar{Var: v, N: n}, nil
}

// runAnomaly stores x - mean(x, axis=0) to a NetCDF-4 file in OutDir.
func runAnomaly(ctx context.Context, eng *exec.Engine, p Point, m Measurement) (Measurement, error) {
	if len(p.Inputs) == 0 || p.OutDir == "" {
		return m, fmt.Errorf("anomaly: the point needs an input and an output directory")
	}
	var read, written atomic.Int64
	f, v, err := openVar(p.Inputs[0], &read)
	if err != nil {
		return m, err
	}
	defer f.Close()
	x := ndarray.FromSource(v, chunk.Regular(p.Chunks...))
	out := filepath.Join(p.OutDir, "anomaly.nc")
	start := time.Now()
	err = StoreAnomaly(ctx, eng, x, out, &written)
	return finishStore(m, err, eng, start, &read, &written, out, "anom")
}

// StoreAnomaly writes x - mean(x, axis=0) to a NetCDF-4 file with dims
// dim0, dim1, ... and storage chunks of one slab along the first axis,
// counting the bytes written into written (if not nil). The mean reads x
// in blocks that span the whole first axis (a rechunk of a source costs
// nothing: it only changes the regions read), so it needs no combine tree.
func StoreAnomaly(ctx context.Context, eng *exec.Engine, x ndarray.Array, out string, written *atomic.Int64) error {
	shape := x.Shape()
	if len(shape) < 2 {
		return fmt.Errorf("anomaly: want an array of rank >= 2, got %v", shape)
	}
	across := make([]int, len(shape))
	for i := range across {
		across[i] = chunk.Whole
	}
	// Rows of axis 1 per block: about 32 MiB of input per block.
	rowBytes := x.NBytes() / int64(max(shape[1], 1))
	across[1] = int(min(int64(shape[1]), max(1, (32<<20)/max(rowBytes, 1))))
	mean := x.Rechunk(chunk.Regular(across...)).Mean(ndarray.Axes(0), ndarray.KeepDims())
	anom := x.Sub(mean)
	spec := dataset.Spec{Format: "nc4"}
	var dims []string
	storage := make([]int, len(shape))
	for i, n := range shape {
		name := fmt.Sprintf("dim%d", i)
		dims = append(dims, name)
		spec.Dims = append(spec.Dims, dataset.Dim{Name: name, Len: n})
		storage[i] = n
	}
	storage[0] = 1
	spec.Vars = []dataset.VarSpec{{Name: "anom", Dims: dims, DType: anom.DType(), Chunks: storage}}
	w, err := dataset.Create(out, spec, dataset.CreateOptions{Overwrite: true})
	if err != nil {
		return err
	}
	sink, err := w.Sink("anom")
	if err != nil {
		w.Abort()
		return err
	}
	if written != nil {
		sink = dataset.CountingSink{Sink: sink, N: written}
	}
	if err := eng.Store(ctx, anom, sink); err != nil {
		w.Abort()
		return err
	}
	return w.Commit(ctx)
}

// runRechunk converts the input into time-series chunks (the point's
// chunks) with the hook or LibraryConvert.
func runRechunk(ctx context.Context, p Point, m Measurement, h Hooks) (Measurement, error) {
	if len(p.Inputs) == 0 || p.OutDir == "" {
		return m, fmt.Errorf("rechunk: the point needs an input and an output directory")
	}
	conv := h.Convert
	if conv == nil {
		conv = LibraryConvert
	}
	in := p.Inputs[0]
	out := filepath.Join(p.OutDir, "rechunked.nc")
	start := time.Now()
	st, err := conv(ctx, in.Path, in.Var, out, p.Chunks, p.Budget, p.Workers)
	m.Wall = time.Since(start).Seconds()
	m.Tasks, m.PeakLive, m.BytesRead, m.BytesWritten, m.TaskTime = st.Tasks, st.PeakLive, st.BytesRead, st.BytesWritten, st.TaskTime.Seconds()
	if refused(err, &m) {
		return m, nil
	}
	if err != nil {
		return m, err
	}
	m.OutFile, m.OutVar = out, in.Var
	return m, nil
}

// LibraryConvert rechunks with the library alone: the engine reads the
// source in blocks of the target chunks and writes them to a NetCDF-4
// variable stored in those chunks. `ndchunk bench` uses `ndchunk
// convert`'s planned copy instead (see Hooks).
func LibraryConvert(ctx context.Context, in, v, out string, chunks []int, budget int64, workers int) (ConvertStats, error) {
	var st ConvertStats
	var read, written atomic.Int64
	f, src, err := openVar(Input{Path: in, Var: v}, &read)
	if err != nil {
		return st, err
	}
	defer f.Close()
	info := src.Info()
	x := ndarray.FromSource(src, chunk.Regular(chunks...))
	spec := dataset.Spec{Format: "nc4"}
	dims := make([]string, len(info.Shape))
	for i, n := range info.Shape {
		dims[i] = fmt.Sprintf("dim%d", i)
		if i < len(info.Dims) && info.Dims[i] != "" {
			dims[i] = info.Dims[i]
		}
		spec.Dims = append(spec.Dims, dataset.Dim{Name: dims[i], Len: n})
	}
	spec.Vars = []dataset.VarSpec{{Name: v, Dims: dims, DType: info.DType, Chunks: chunks}}
	w, err := dataset.Create(out, spec, dataset.CreateOptions{Overwrite: true})
	if err != nil {
		return st, err
	}
	sink, err := w.Sink(v)
	if err != nil {
		w.Abort()
		return st, err
	}
	eng := exec.New(exec.Options{MemoryBudget: budget, Workers: workers})
	err = eng.Store(ctx, x, dataset.CountingSink{Sink: sink, N: &written})
	r := eng.LastReport()
	st = ConvertStats{Tasks: r.Tasks, PeakLive: r.PeakLiveBytes, BytesRead: read.Load(), BytesWritten: written.Load(), TaskTime: r.TaskTime}
	if err != nil {
		w.Abort()
		return st, err
	}
	return st, w.Commit(ctx)
}

// runFileExpr evaluates the expression over the inputs; a result of up to
// a quarter of the budget is computed into memory, a larger one stored to
// a NetCDF-4 file in OutDir.
func runFileExpr(ctx context.Context, eng *exec.Engine, p Point, m Measurement) (Measurement, error) {
	if p.Expr == "" || len(p.Inputs) == 0 {
		return m, fmt.Errorf("file-expr: the point needs --expr and --file inputs")
	}
	var read, written atomic.Int64
	env := expr.Env{Vars: map[string]ndarray.Array{}}
	for _, in := range p.Inputs {
		f, v, err := openVar(in, &read)
		if err != nil {
			return m, err
		}
		defer f.Close()
		spec := chunk.Auto(0)
		if len(p.Chunks) == len(v.Shape()) {
			spec = chunk.Regular(p.Chunks...)
		}
		env.Vars[in.Name] = ndarray.FromSource(v, spec)
	}
	a, err := expr.Compile(p.Expr, env)
	if err != nil {
		return m, err
	}
	if a.NBytes() <= p.Budget/4 {
		start := time.Now()
		d, err := eng.Compute(ctx, a)
		m.Wall = time.Since(start).Seconds()
		m.BytesRead = read.Load()
		if refused(err, &m) {
			return m, nil
		}
		if err != nil {
			return m, err
		}
		fillReport(&m, eng.LastReport())
		c := Checksum(d)
		m.Checksum = &c
		return m, nil
	}
	if p.OutDir == "" {
		return m, fmt.Errorf("file-expr: the result (%s) needs an output directory", chunk.FormatBytes(a.NBytes()))
	}
	out := filepath.Join(p.OutDir, "result.nc")
	spec := dataset.Spec{Format: "nc4"}
	dims := make([]string, a.Rank())
	for i, n := range a.Shape() {
		dims[i] = fmt.Sprintf("dim%d", i)
		spec.Dims = append(spec.Dims, dataset.Dim{Name: dims[i], Len: n})
	}
	spec.Vars = []dataset.VarSpec{{Name: "result", Dims: dims, DType: a.DType(), Chunks: firstChunks(a.Grid())}}
	w, err := dataset.Create(out, spec, dataset.CreateOptions{Overwrite: true})
	if err != nil {
		return m, err
	}
	sink, err := w.Sink("result")
	if err != nil {
		w.Abort()
		return m, err
	}
	start := time.Now()
	err = eng.Store(ctx, a, dataset.CountingSink{Sink: sink, N: &written})
	if err == nil {
		err = w.Commit(ctx)
	} else {
		w.Abort()
	}
	return finishStore(m, err, eng, start, &read, &written, out, "result")
}

// GenerateCube writes the file scenarios' input: a NetCDF-4 file with a
// float32 variable temp(t, y, x) of uniform random numbers, stored
// uncompressed in time-major chunks (1, y, x), as model output is.
func GenerateCube(ctx context.Context, path string, shape []int, budget int64) error {
	if len(shape) != 3 {
		return fmt.Errorf("generate %s: want a 3-D shape, got %s", path, FormatShape(shape))
	}
	names := []string{"t", "y", "x"}
	spec := dataset.Spec{Format: "nc4"}
	for i, n := range shape {
		spec.Dims = append(spec.Dims, dataset.Dim{Name: names[i], Len: n})
	}
	storage := []int{1, shape[1], shape[2]}
	spec.Vars = []dataset.VarSpec{{Name: "temp", Dims: names, DType: chunk.Float32, Chunks: storage}}
	w, err := dataset.Create(path, spec, dataset.CreateOptions{Overwrite: true})
	if err != nil {
		return fmt.Errorf("generate %s: %w", path, err)
	}
	sink, err := w.Sink("temp")
	if err != nil {
		w.Abort()
		return fmt.Errorf("generate %s: %w", path, err)
	}
	// Blocks of whole slabs, several per block when the slabs are small.
	slab := int64(shape[1]) * int64(shape[2]) * 4
	per := int(max(1, min(int64(shape[0]), (8<<20)/max(slab, 1))))
	x := ndarray.RandomUniform(7, shape, chunk.Float32, chunk.Regular(per, chunk.Whole, chunk.Whole))
	eng := exec.New(exec.Options{MemoryBudget: max(budget, 64<<20)})
	if err := eng.Store(ctx, x, sink); err != nil {
		w.Abort()
		return fmt.Errorf("generate %s: %w", path, err)
	}
	if err := w.Commit(ctx); err != nil {
		return fmt.Errorf("generate %s: %w", path, err)
	}
	return nil
}

// fileSize returns the size of a file, 0 if it cannot be read.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// firstChunks returns the shape of a grid's first block (its largest on
// every axis), at least 1 on each axis.
func firstChunks(g chunk.Grid) []int {
	out := make([]int, g.Rank())
	for i := range out {
		out[i] = 1
		if c := g.AxisChunks(i); len(c) > 0 {
			out[i] = max(c[0], 1)
		}
	}
	return out
}

// ServePoint is the child side of a sweep: it decodes a Point from its
// JSON, runs it with RunPoint and writes the Measurement as one JSON line
// to w.
func ServePoint(ctx context.Context, pointJSON string, w io.Writer, h Hooks) error {
	var p Point
	if err := json.Unmarshal([]byte(pointJSON), &p); err != nil {
		return fmt.Errorf("bench: reading the point: %w", err)
	}
	m, err := RunPoint(ctx, p, h)
	if err != nil {
		return fmt.Errorf("bench: %s %s chunks %s: %w", p.Scenario, FormatShape(p.Shape), FormatShape(p.Chunks), err)
	}
	return json.NewEncoder(w).Encode(m)
}
