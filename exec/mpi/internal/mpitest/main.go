// Command mpitest is the program the MPI backend's tests launch under
// mpirun: every rank computes each scenario with the MPI engine and, in
// the same process, with the local engine, and checks the results are the
// same bits. Rank 0 prints one "ok" line per scenario.
//
//	mpitest all DIR           every success scenario (DIR: scratch space)
//	mpitest fail-open DIR     rank 1's input file is missing
//	mpitest fail-read FILE    a corrupt chunk in FILE stops the run mid-way
//	mpitest fail-budget DIR   a plan over the budget, storing to DIR
//	mpitest fail-panic DIR    map_blocks panics on rank 1, storing to DIR
//	mpitest bench KIND ARGS   the figures of the closing note (see bench)
//
// Failures go through mpi.Exit: printed once, by rank 0, as
// "mpitest: rank R of N: ..." and every rank exits with status 1.
//
// For investigations: MPITEST_CPUPROFILE=PATH writes a CPU profile per
// rank (PATH.RANK), MPITEST_TRACE=1 timestamps each scenario's end on
// stderr (pass them through mpirun with -x). figures.sh runs the figures.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/exec/mpi"
	"github.com/ndchunk/ndchunk/io/dataset"
	_ "github.com/ndchunk/ndchunk/io/hdf5" // register the drivers
	_ "github.com/ndchunk/ndchunk/io/netcdf"
	"github.com/ndchunk/ndchunk/ndarray"
)

const prog = "mpitest"

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: mpitest all|fail-open|fail-read|fail-budget|fail-panic|bench ARGS")
		os.Exit(2)
	}
	ctx := context.Background()
	var err error
	if pf := os.Getenv("MPITEST_CPUPROFILE"); pf != "" {
		f, _ := os.Create(fmt.Sprintf("%s.%d", pf, mpi.Rank()))
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	switch os.Args[1] {
	case "all":
		err = runAll(ctx, os.Args[2])
	case "fail-open":
		err = failOpen(ctx, os.Args[2])
	case "fail-read":
		err = failRead(ctx, os.Args[2])
	case "fail-budget":
		err = failBudget(ctx, os.Args[2])
	case "fail-panic":
		err = failPanic(ctx, os.Args[2])
	case "bench":
		err = bench(ctx, os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	pprof.StopCPUProfile()
	mpi.Exit(prog, err)
}

// engines returns the MPI engine under test, with a progress counter,
// and the local engine it is compared with.
func engines(budget int64) (*mpi.Engine, *exec.Engine, *progress, error) {
	p := &progress{}
	eng, err := mpi.New(mpi.Options{Options: exec.Options{MemoryBudget: budget, Workers: 2, Progress: p.event, ProgressInterval: 5 * time.Millisecond}})
	if err != nil {
		return nil, nil, nil, err
	}
	return eng, exec.New(exec.Options{MemoryBudget: budget, Workers: 2}), p, nil
}

// progress records the progress events rank 0 receives.
type progress struct {
	events atomic.Int64
	last   atomic.Pointer[exec.Event]
}

func (p *progress) event(e exec.Event) {
	p.events.Add(1)
	p.last.Store(&e)
}

// check verifies the last run's progress and report.
func (p *progress) check(eng *mpi.Engine) error {
	rep := eng.LastMPIReport()
	if rep.TasksDone != rep.Tasks {
		return fmt.Errorf("%d of %d tasks done", rep.TasksDone, rep.Tasks)
	}
	var sum int64
	for _, n := range rep.TasksPerRank {
		sum += n
	}
	if sum != int64(rep.Tasks) {
		return fmt.Errorf("tasks per rank %v do not add up to %d", rep.TasksPerRank, rep.Tasks)
	}
	if rep.PeakLiveBytes > rep.Budget || rep.PeakReservedBytes > rep.Budget {
		return fmt.Errorf("peak live %d, reserved %d over the budget %d", rep.PeakLiveBytes, rep.PeakReservedBytes, rep.Budget)
	}
	if eng.Rank() == 0 {
		last := p.last.Load()
		if last == nil || !last.Done || last.TasksDone != rep.Tasks || last.TasksTotal != rep.Tasks {
			return fmt.Errorf("last progress event %+v, want done with %d tasks", last, rep.Tasks)
		}
		p.last.Store(nil)
	} else if p.events.Load() != 0 {
		return fmt.Errorf("rank %d received %d progress events", eng.Rank(), p.events.Load())
	}
	return nil
}

// sameBits compares results bit for bit.
func sameBits(what string, got, want []*chunk.Dense) error {
	for i := range want {
		if got[i].DType() != want[i].DType() || !chunk.EqualInts(got[i].Shape(), want[i].Shape()) {
			return fmt.Errorf("%s: result %d is %s%v, want %s%v", what, i, got[i].DType(), got[i].Shape(), want[i].DType(), want[i].Shape())
		}
		if !bytes.Equal(got[i].Bytes(), want[i].Bytes()) {
			return fmt.Errorf("%s: result %d differs from the local engine's", what, i)
		}
	}
	return nil
}

// scenario is a set of arrays computed both ways.
type scenario struct {
	name   string
	arrays func() []ndarray.Array
}

func scenarios() []scenario {
	x := func() ndarray.Array {
		return ndarray.RandomNormal(11, []int{300, 260}, chunk.Float64, chunk.Regular(40, 50))
	}
	sq := func() ndarray.Array {
		return ndarray.RandomUniform(12, []int{240, 240}, chunk.Float64, chunk.Regular(50, 50))
	}
	return []scenario{
		{"reductions", func() []ndarray.Array {
			a := x()
			return []ndarray.Array{
				a.Sum(), a.Mean(ndarray.Axes(0)), a.Var(ndarray.Axes(1)), a.Std(ndarray.Axes(0), ndarray.KeepDims()),
				a.ArgMax(ndarray.Axes(1)), a.ArgMin(), a.Max(ndarray.Axes(0)),
				a.Mul(ndarray.Float(3)).Add(a.Square()).Sum(ndarray.Axes(0), ndarray.SplitEvery(2)),
				a.AsType(chunk.Float32).Mean(ndarray.Axes(1)), a.Gt(ndarray.Float(0)).CountNonzero(ndarray.Axes(0)),
			}
		}},
		{"transposes", func() []ndarray.Array {
			a := sq()
			y := a.CumSum(0) // materialised: y.T moves blocks between ranks
			return []ndarray.Array{a.Add(a.T()), y.Add(y.T()), y.Sub(y.T()).Sum(ndarray.Axes(1))}
		}},
		{"rechunks", func() []ndarray.Array {
			// Blocks of 72 KiB, above the inline size: ranks send each
			// other pieces, strided (column strips) and contiguous (rows).
			a := ndarray.RandomNormal(14, []int{400, 360}, chunk.Float64, chunk.Regular(100, 90))
			g, err := chunk.NewGrid([]int{400, 360}, [][]int{{400}, {7, 60, 60, 60, 60, 60, 53}})
			if err != nil {
				return []ndarray.Array{ndarray.Errorf("%v", err)}
			}
			p := a.Persist()
			return []ndarray.Array{p.RechunkGrid(g), p.Rechunk(chunk.Regular(13, 360)).Mean(ndarray.Axes(1)), x().CumSum(1).Rechunk(chunk.Regular(100, 30))}
		}},
		{"matmul", func() []ndarray.Array {
			a := sq()
			b := ndarray.RandomNormal(13, []int{240, 180}, chunk.Float64, chunk.Regular(50, 60))
			c := a.CumSum(1) // materialised operand
			return []ndarray.Array{ndarray.Matmul(a, b), ndarray.Matmul(c, b).Sum(ndarray.Axes(0)), ndarray.Matmul(c.T(), c)}
		}},
		{"map_blocks", func() []ndarray.Array {
			a := x()
			m := ndarray.MapBlocks(blockFn, "scale-by-block", chunk.Float64, nil, a, a.CumSum(0))
			return []ndarray.Array{m, m.Sum(ndarray.Axes(0))}
		}},
		{"cumsum", func() []ndarray.Array {
			a := x()
			return []ndarray.Array{a.CumSum(0), a.CumSum(1), a.AsType(chunk.Int64).CumSum(0).Sum(ndarray.Axes(1)), a.CumProd(0).Max()}
		}},
	}
}

// blockFn is a deterministic user function: each output element mixes the
// two inputs and the block's index.
func blockFn(_ context.Context, out *chunk.Dense, in []*chunk.Dense, info ndarray.BlockInfo) error {
	o, a, b := out.Float64s(), in[0].Float64s(), in[1].Float64s()
	k := float64(info.Index[0]*7 + info.Index[1])
	for i := range o {
		o[i] = a[i]*k + math.Sin(b[i])
	}
	return nil
}

// runAll runs every success scenario, then the file conversion.
func runAll(ctx context.Context, dir string) error {
	eng, local, p, err := engines(64 << 20)
	if err != nil {
		return err
	}
	for _, sc := range scenarios() {
		arrays := sc.arrays()
		got, err := eng.ComputeMany(ctx, arrays...)
		if err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		want, err := local.ComputeMany(ctx, arrays...)
		if err != nil {
			return fmt.Errorf("%s (local): %w", sc.name, err)
		}
		if err := sameBits(sc.name, got, want); err != nil {
			return err
		}
		if err := p.check(eng); err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		say(eng, sc.name)
	}
	// Under a tight budget: ranks wait for memory and for each other, and
	// a materialised array read far apart in time is spilled.
	tight, tightLocal, tp, err := engines(3 << 20)
	if err != nil {
		return err
	}
	for _, sc := range []scenario{
		{"tight", func() []ndarray.Array {
			a := ndarray.RandomUniform(7, []int{1024, 1024}, chunk.Float64, chunk.Regular(128, 128))
			b := ndarray.RandomNormal(8, []int{1024, 1024}, chunk.Float64, chunk.Regular(128, 256))
			y := a.CumSum(0)
			return []ndarray.Array{a.Add(b.T()).Sum(ndarray.Axes(1)), y.Add(y.T()).Mean(ndarray.Axes(0)), a.CumSum(1).Std()}
		}},
		{"spill", func() []ndarray.Array {
			y := ndarray.RandomUniform(3, []int{768, 768}, chunk.Float64, chunk.Regular(128, 128)).CumSum(0)
			return []ndarray.Array{ndarray.Matmul(y, y).Sum()}
		}},
	} {
		arrays := sc.arrays()
		got, err := tight.ComputeMany(ctx, arrays...)
		if err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		want, err := tightLocal.ComputeMany(ctx, arrays...)
		if err != nil {
			return fmt.Errorf("%s (local): %w", sc.name, err)
		}
		if err := sameBits(sc.name, got, want); err != nil {
			return err
		}
		if err := tp.check(tight); err != nil {
			return fmt.Errorf("%s: %w", sc.name, err)
		}
		if sc.name == "spill" && tight.LastReport().BytesSpilled == 0 {
			return fmt.Errorf("spill: nothing was spilled (%v)", tight.LastMPIReport())
		}
		say(tight, sc.name)
	}
	if err := convert(ctx, eng, local, p, dir); err != nil {
		return fmt.Errorf("convert: %w", err)
	}
	say(eng, "convert")
	return nil
}

// say prints a scenario's success line on rank 0.
func say(eng *mpi.Engine, name string) {
	if os.Getenv("MPITEST_TRACE") != "" {
		fmt.Fprintf(os.Stderr, "%s rank %d done %s\n", time.Now().Format("15:04:05.000"), eng.Rank(), name)
	}
	if eng.Rank() == 0 {
		fmt.Printf("ok %s: %v\n", name, eng.LastMPIReport())
	}
}

// convert turns a generated NetCDF-4 file (time-major storage chunks)
// into an HDF5 file chunked for time series, with the MPI engine and with
// the local engine, and checks both outputs hold the input's bits.
func convert(ctx context.Context, eng *mpi.Engine, local *exec.Engine, p *progress, dir string) error {
	// Time steps of 80 KB, above the inline size: pieces cross ranks.
	shape := []int{24, 100, 100}
	in := filepath.Join(dir, "in.nc")
	src := ndarray.RandomNormal(21, shape, chunk.Float64, chunk.Regular(1, 100, 100))
	// The input is written once, by rank 0, with the local engine.
	var werr error
	if eng.IsWriter() {
		werr = writeFile(ctx, local, in, "nc4", "t", src, []int{1, 100, 100})
	}
	if err := eng.Agree(werr); err != nil {
		return err
	}
	f, err := dataset.Open(in, dataset.OpenOptions{})
	if err != nil {
		return err
	}
	defer f.Close()
	v, err := f.Var("t")
	if err != nil {
		return err
	}
	a := ndarray.FromSource(v, chunk.Regular(1, 100, 100)).Persist().Rechunk(chunk.Regular(24, 10, 10))
	out := filepath.Join(dir, "out.h5")
	var w dataset.Writer
	var sinks []exec.Sink
	var cerr error
	if eng.IsWriter() {
		w, cerr = dataset.Create(out, spec("h5", "t", a.DType(), shape, []int{24, 10, 10}), dataset.CreateOptions{Overwrite: true})
		if cerr == nil {
			var s exec.Sink
			s, cerr = w.Sink("t")
			sinks = []exec.Sink{s}
		}
	}
	if err := eng.Agree(cerr); err != nil {
		return err
	}
	if err := eng.StoreMany(ctx, []ndarray.Array{a}, sinks); err != nil {
		return err
	}
	if err := p.check(eng); err != nil {
		return err
	}
	if eng.IsWriter() {
		cerr = w.Commit(ctx)
	}
	if err := eng.Agree(cerr); err != nil {
		return err
	}
	// Compare on every rank: the MPI output, the local engine's output of
	// the same conversion, and the generated input, bit for bit.
	localOut := filepath.Join(dir, fmt.Sprintf("local-%d.h5", eng.Rank()))
	if err := writeFile(ctx, local, localOut, "h5", "t", a, []int{24, 10, 10}); err != nil {
		return err
	}
	defer os.Remove(localOut)
	want, err := local.Compute(ctx, src)
	if err != nil {
		return err
	}
	for _, path := range []string{out, localOut} {
		got, err := readAll(ctx, path, "t")
		if err != nil {
			return err
		}
		if err := sameBits(path, []*chunk.Dense{got}, []*chunk.Dense{want}); err != nil {
			return err
		}
	}
	return nil
}

// spec describes a file of one variable.
func spec(format, name string, dt chunk.DType, shape, chunks []int) dataset.Spec {
	s := dataset.Spec{Format: format}
	var dims []string
	for i, n := range shape {
		d := fmt.Sprintf("d%d", i)
		dims = append(dims, d)
		s.Dims = append(s.Dims, dataset.Dim{Name: d, Len: n})
	}
	s.Vars = []dataset.VarSpec{{Name: name, Dims: dims, DType: dt, Chunks: chunks}}
	return s
}

// writeFile stores a into a new file with the local engine.
func writeFile(ctx context.Context, eng *exec.Engine, path, format, name string, a ndarray.Array, chunks []int) error {
	w, err := dataset.Create(path, spec(format, name, a.DType(), a.Shape(), chunks), dataset.CreateOptions{Overwrite: true})
	if err != nil {
		return err
	}
	s, err := w.Sink(name)
	if err != nil {
		w.Abort()
		return err
	}
	if err := eng.Store(ctx, a, s); err != nil {
		w.Abort()
		return err
	}
	return w.Commit(ctx)
}

// readAll reads a whole variable.
func readAll(ctx context.Context, path, name string) (*chunk.Dense, error) {
	f, err := dataset.Open(path, dataset.OpenOptions{})
	if err != nil {
		return nil, err
	}
	defer f.Close()
	v, err := f.Var(name)
	if err != nil {
		return nil, err
	}
	d := chunk.NewDense(v.DType(), v.Shape())
	return d, v.ReadRegion(ctx, chunk.WholeRegion(v.Shape()), d.Bytes())
}

// storeTo creates DIR/out.h5 on the writer rank and stores a into it.
func storeTo(ctx context.Context, eng *mpi.Engine, dir string, a ndarray.Array) error {
	var w dataset.Writer
	var sinks []exec.Sink
	var err error
	if eng.IsWriter() {
		w, err = dataset.Create(filepath.Join(dir, "out.h5"), spec("h5", "v", a.DType(), a.Shape(), nil), dataset.CreateOptions{})
		if err == nil {
			var s exec.Sink
			if s, err = w.Sink("v"); err != nil {
				w.Abort()
			}
			sinks = []exec.Sink{s}
		}
	}
	if err := eng.Agree(err); err != nil {
		return err
	}
	if err := eng.StoreMany(ctx, []ndarray.Array{a}, sinks); err != nil {
		if w != nil {
			w.Abort()
		}
		return err
	}
	if eng.IsWriter() {
		err = w.Commit(ctx)
	}
	return eng.Agree(err)
}

// failOpen: every rank opens its input, and rank 1's is missing (as if
// its node did not see the file): every rank stops before any work.
func failOpen(ctx context.Context, dir string) error {
	eng, local, _, err := engines(64 << 20)
	if err != nil {
		return err
	}
	in := filepath.Join(dir, "in.nc")
	var werr error
	if eng.IsWriter() {
		werr = writeFile(ctx, local, in, "nc4", "t", ndarray.RandomUniform(1, []int{64, 64}, chunk.Float64, chunk.Regular(16, 64)), []int{16, 64})
	}
	if err := eng.Agree(werr); err != nil {
		return err
	}
	if eng.Rank() == 1 {
		in = filepath.Join(dir, "missing.nc")
	}
	f, err := dataset.Open(in, dataset.OpenOptions{})
	if err := eng.Agree(err); err != nil {
		return err
	}
	defer f.Close()
	v, err := f.Var("t")
	if err != nil {
		return err
	}
	return storeTo(ctx, eng, dir, ndarray.FromSource(v, chunk.Regular(16, 64)).Sqrt())
}

// failRead stores a file's variable elsewhere; one of its chunks is
// corrupt, so the rank reading it fails part way through the run.
func failRead(ctx context.Context, path string) error {
	eng, _, _, err := engines(64 << 20)
	if err != nil {
		return err
	}
	f, err := dataset.Open(path, dataset.OpenOptions{})
	if err := eng.Agree(err); err != nil {
		return err
	}
	defer f.Close()
	v, err := f.Var("v")
	if err := eng.Agree(err); err != nil {
		return err
	}
	return storeTo(ctx, eng, filepath.Dir(path), ndarray.FromSource(v, chunk.Regular(32, 32)).Add(ndarray.Float(1)))
}

// failBudget stores an array whose blocks cannot fit the budget.
func failBudget(ctx context.Context, dir string) error {
	eng, _, _, err := engines(8 << 20)
	if err != nil {
		return err
	}
	a := ndarray.RandomUniform(1, []int{4000, 4000}, chunk.Float64, chunk.Regular(2000, 2000))
	return storeTo(ctx, eng, dir, a.Add(a.T()))
}

// failPanic stores a map_blocks whose function panics on rank 1.
func failPanic(ctx context.Context, dir string) error {
	eng, _, _, err := engines(64 << 20)
	if err != nil {
		return err
	}
	rank := eng.Rank()
	fn := func(_ context.Context, out *chunk.Dense, in []*chunk.Dense, info ndarray.BlockInfo) error {
		if rank == 1 {
			panic(fmt.Sprintf("injected failure in block %v", info.Index))
		}
		copy(out.Bytes(), in[0].Bytes())
		return nil
	}
	a := ndarray.RandomUniform(3, []int{400, 400}, chunk.Float64, chunk.Regular(50, 50))
	return storeTo(ctx, eng, dir, ndarray.MapBlocks(fn, "boom", chunk.Float64, nil, a))
}

// benchResult is one figure, printed as JSON by rank 0.
type benchResult struct {
	Kind      string  `json:"kind"`
	Ranks     int     `json:"ranks"`
	Workers   int     `json:"workers_per_rank"`
	Wall      float64 `json:"wall_s"`
	Run       float64 `json:"run_s"`
	Plan      float64 `json:"plan_s"`
	Tasks     int     `json:"tasks"`
	PerTaskUs float64 `json:"run_per_task_us"`
	Messages  int64   `json:"messages"`
	Bytes     int64   `json:"bytes_moved"`
	Stolen    int64   `json:"stolen"`
	PerRank   []int64 `json:"tasks_per_rank"`
	Value     float64 `json:"value,omitempty"`
}

// bench runs one figure: "mean N CHUNK", "trivial-sum N", "trivial-map N"
// or "convert IN OUT" (a rechunk of a file written by "make-input").
func bench(ctx context.Context, args []string) error {
	if len(args) < 2 {
		return errors.New("bench KIND ARGS")
	}
	workers := 0
	if w := os.Getenv("WORKERS"); w != "" {
		workers, _ = strconv.Atoi(w)
	}
	eng, err := mpi.New(mpi.Options{Options: exec.Options{MemoryBudget: 2 << 30, Workers: workers}, NoStealing: os.Getenv("NOSTEAL") != ""})
	if err != nil {
		return err
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	var a ndarray.Array
	kind := args[0]
	switch kind {
	case "mean":
		n, c := atoi(args[1]), atoi(args[2])
		a = ndarray.RandomUniform(42, []int{n, n}, chunk.Float64, chunk.Regular(c, c)).Mean()
	case "trivial-sum":
		n := atoi(args[1])
		a = ndarray.Ones(chunk.Float64, []int{n}, chunk.Regular(1)).Sum()
	case "trivial-map":
		n := atoi(args[1])
		a = ndarray.Ones(chunk.Float64, []int{n}, chunk.Regular(1)).Add(ndarray.Float(1))
	case "make-input":
		// make-input PATH T Y X: a NetCDF-4 file with one time step per chunk.
		t, y, x := atoi(args[2]), atoi(args[3]), atoi(args[4])
		src := ndarray.RandomNormal(5, []int{t, y, x}, chunk.Float64, chunk.Regular(1, y, x))
		return writeFile(ctx, eng.Local(), args[1], "nc4", "t", src, []int{1, y, x})
	case "convert":
		// convert IN OUT CY CX: rechunk to whole time series of CY x CX.
		f, err := dataset.Open(args[1], dataset.OpenOptions{})
		if err != nil {
			return err
		}
		defer f.Close()
		v, err := f.Var("t")
		if err != nil {
			return err
		}
		sh := v.Shape()
		target := []int{sh[0], atoi(args[3]), atoi(args[4])}
		x := ndarray.FromSource(v, chunk.Regular(1, sh[1], sh[2])).Persist().Rechunk(chunk.Regular(target...))
		start := time.Now()
		if err := storeFile(ctx, eng, args[2], x, target); err != nil {
			return err
		}
		return report(eng, kind, time.Since(start), 0)
	default:
		return fmt.Errorf("unknown bench %q", kind)
	}
	start := time.Now()
	d, err := eng.Compute(ctx, a)
	if err != nil {
		return err
	}
	return report(eng, kind, time.Since(start), d.Float64(0))
}

// storeFile stores a into a new HDF5 file created on the writer rank.
func storeFile(ctx context.Context, eng *mpi.Engine, path string, a ndarray.Array, chunks []int) error {
	var w dataset.Writer
	var sinks []exec.Sink
	var err error
	if eng.IsWriter() {
		if w, err = dataset.Create(path, spec("h5", "t", a.DType(), a.Shape(), chunks), dataset.CreateOptions{Overwrite: true}); err == nil {
			var s exec.Sink
			s, err = w.Sink("t")
			sinks = []exec.Sink{s}
		}
	}
	if err := eng.Agree(err); err != nil {
		return err
	}
	if err := eng.StoreMany(ctx, []ndarray.Array{a}, sinks); err != nil {
		return err
	}
	if eng.IsWriter() {
		err = w.Commit(ctx)
	}
	return eng.Agree(err)
}

// report prints a bench result on rank 0.
func report(eng *mpi.Engine, kind string, wall time.Duration, value float64) error {
	if eng.Rank() != 0 {
		return nil
	}
	rep := eng.LastMPIReport()
	res := benchResult{Kind: kind, Ranks: eng.Size(), Workers: eng.Workers(), Wall: wall.Seconds(), Tasks: rep.Tasks,
		Run: rep.Wall.Seconds(), Plan: rep.PlanTime.Seconds(), PerTaskUs: rep.Wall.Seconds() * 1e6 / float64(max(rep.Tasks, 1)), Messages: rep.Messages, Bytes: rep.BytesMoved,
		Stolen: rep.Stolen, PerRank: rep.TasksPerRank, Value: value}
	return json.NewEncoder(os.Stdout).Encode(res)
}
