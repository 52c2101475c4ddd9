package exec_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/ops"
)

// wholeRandom generates a whole random array in memory, the reference the
// chunked computations are checked against.
func wholeRandom(seed uint64, shape []int) []float64 {
	d := make([]float64, chunk.Size(shape))
	ops.FillRandom(chunk.AsBytes(d), chunk.Float64, ops.Uniform, seed, shape, chunk.WholeRegion(shape))
	return d
}

// checkNoLeak fails if goroutines outlive a run or blocks stay allocated.
func checkNoLeak(t *testing.T, eng *exec.Engine, before int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after the run, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
	if st := eng.Allocator().Stats(); st.Live != 0 || st.Reserved != 0 {
		t.Errorf("allocator not empty after the run: %+v", st)
	}
}

func TestSinCosTransposeSum(t *testing.T) {
	const n = 600
	x := ndarray.RandomUniform(42, []int{n, n}, chunk.Float64, chunk.Regular(128, 96))
	total := x.Sin().Add(x.T().Cos()).Sum()
	eng := exec.New(exec.Options{MemoryBudget: 64 << 20, Workers: 3})
	before := runtime.NumGoroutine()
	got, err := eng.Compute(context.Background(), total)
	if err != nil {
		t.Fatal(err)
	}
	ref := wholeRandom(42, []int{n, n})
	want := 0.0
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			want += math.Sin(ref[i*n+j]) + math.Cos(ref[j*n+i])
		}
	}
	if rel := math.Abs(got.Scalar()-want) / want; rel > 1e-12 {
		t.Errorf("sum(sin(x)+cos(x.T)) = %v, want %v (rel %g)", got.Scalar(), want, rel)
	}
	checkNoLeak(t, eng, before)
	rep := eng.LastReport()
	if rep.PeakLiveBytes > rep.Budget {
		t.Errorf("peak live %d over budget %d", rep.PeakLiveBytes, rep.Budget)
	}
}

// TestOutOfCoreBudget reduces, transposes and sums arrays ten times the
// budget and checks the measured peak never exceeds it.
func TestOutOfCoreBudget(t *testing.T) {
	const budget = 16 << 20
	big := []int{4096, 5120} // 160 MiB per array: ten times the budget
	x := ndarray.RandomUniform(7, big, chunk.Float64, chunk.Regular(256, 256))
	y := ndarray.RandomNormal(8, []int{big[1], big[0]}, chunk.Float64, chunk.Regular(256, 512))
	cases := map[string]ndarray.Array{
		"sum":             x.Sum(),
		"mean axis 0":     x.Mean(ndarray.Axes(0)),
		"x + y.T summed":  x.Add(y.T()).Sum(ndarray.Axes(1)),
		"std keepdims":    x.Std(ndarray.Axes(1), ndarray.KeepDims()),
		"max of x*2-y.T":  x.Mul(ndarray.Float(2)).Sub(y.T()).Max(),
		"argmax axis=1":   x.ArgMax(ndarray.Axes(1)),
		"cumsum then sum": x.CumSum(0).Sum(ndarray.Axes(0)),
	}
	for name, a := range cases {
		t.Run(name, func(t *testing.T) {
			eng := exec.New(exec.Options{MemoryBudget: budget, Workers: 2})
			if _, err := eng.Compute(context.Background(), a); err != nil {
				t.Fatal(err)
			}
			rep := eng.LastReport()
			if rep.PeakLiveBytes+rep.ResultBytes > budget || rep.PeakReservedBytes > budget {
				t.Errorf("%s: peak live %s + result %s, reserved %s, budget %s", name,
					chunk.FormatBytes(rep.PeakLiveBytes), chunk.FormatBytes(rep.ResultBytes), chunk.FormatBytes(rep.PeakReservedBytes), chunk.FormatBytes(budget))
			}
			t.Logf("%s: %v", name, rep)
		})
	}
}

// TestSpillKeepsBudget forces a materialised array whose blocks are each
// needed by many tasks far apart in time (a matrix product reads y's rows
// and columns) to spill.
func TestSpillKeepsBudget(t *testing.T) {
	const budget = 6 << 20
	n := 1536 // 18 MiB per array
	x := ndarray.RandomUniform(3, []int{n, n}, chunk.Float64, chunk.Regular(128, 128))
	y := x.CumSum(0)
	a := ndarray.Matmul(y, y).Sum()
	eng := exec.New(exec.Options{MemoryBudget: budget, Workers: 2, SpillDir: t.TempDir()})
	plan, err := eng.Plan(8, a)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	plan.Explain(&sb)
	if !strings.Contains(sb.String(), "spilled") {
		t.Fatalf("expected a spill in the plan:\n%s", sb.String())
	}
	got, err := eng.Compute(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	rep := eng.LastReport()
	if rep.BytesSpilled == 0 {
		t.Error("nothing spilled")
	}
	if rep.PeakLiveBytes > budget || rep.PeakReservedBytes > budget {
		t.Errorf("peak live %d reserved %d over budget %d", rep.PeakLiveBytes, rep.PeakReservedBytes, budget)
	}
	// Reference: sum(y @ y) = sum_k colsum(y)_k * rowsum(y)_k, y = cumsum(x, 0).
	ref := wholeRandom(3, []int{n, n})
	y64 := make([]float64, n*n)
	for j := 0; j < n; j++ {
		c := 0.0
		for i := 0; i < n; i++ {
			c += ref[i*n+j]
			y64[i*n+j] = c
		}
	}
	var want float64
	for k := 0; k < n; k++ {
		var col, row float64
		for i := 0; i < n; i++ {
			col += y64[i*n+k]
			row += y64[k*n+i]
		}
		want += col * row
	}
	if rel := math.Abs(got.Scalar()-want) / want; rel > 1e-9 {
		t.Errorf("got %v want %v", got.Scalar(), want)
	}
}

// TestTransposedReuseIsCheap: y + y.T reads every block of the
// materialised y twice, far apart in block order; the order places both
// readers as soon as both blocks exist, so y never piles up.
func TestTransposedReuseIsCheap(t *testing.T) {
	n := 1536
	x := ndarray.RandomUniform(3, []int{n, n}, chunk.Float64, chunk.Regular(128, 128))
	y := x.CumSum(0)
	eng := exec.New(exec.Options{MemoryBudget: 6 << 20, Workers: 2})
	if _, err := eng.Compute(context.Background(), y.Add(y.T()).Sum()); err != nil {
		t.Fatal(err)
	}
	if rep := eng.LastReport(); rep.BytesSpilled != 0 || rep.PeakLiveBytes > 4<<20 {
		t.Errorf("y + y.T held %s and spilled %s", chunk.FormatBytes(rep.PeakLiveBytes), chunk.FormatBytes(rep.BytesSpilled))
	}
}

func TestRefusesImpossiblePlan(t *testing.T) {
	x := ndarray.RandomUniform(42, []int{20000, 20000}, chunk.Float64, chunk.Regular(20000, 20000))
	eng := exec.New(exec.Options{MemoryBudget: 1 << 30, Workers: 2})
	_, err := eng.Compute(context.Background(), x.Mean())
	if !errors.Is(err, chunk.ErrOverBudget) {
		t.Fatalf("error %v, want ErrOverBudget", err)
	}
	for _, want := range []string{"random_uniform", "3.0 GiB", "1.0 GiB", "try chunks ("} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	if rep := eng.LastReport(); rep.TasksDone != 0 {
		t.Errorf("%d tasks ran before the refusal", rep.TasksDone)
	}
}

func TestResultOverBudget(t *testing.T) {
	x := ndarray.Ones(chunk.Float64, []int{1000, 1000}, chunk.Regular(100, 100))
	eng := exec.New(exec.Options{MemoryBudget: 4 << 20, Workers: 2})
	if _, err := eng.Compute(context.Background(), x); !errors.Is(err, chunk.ErrOverBudget) {
		t.Fatalf("error %v, want ErrOverBudget", err)
	}
}

// TestDeterministicAcrossWorkers checks identical bits for 1..8 workers.
func TestDeterministicAcrossWorkers(t *testing.T) {
	x := ndarray.RandomNormal(1, []int{700, 900}, chunk.Float64, chunk.Regular(70, 110))
	w := ndarray.RandomUniform(2, []int{900, 300}, chunk.Float64, chunk.Regular(110, 100))
	exprs := []ndarray.Array{
		x.Sum(), x.Var(ndarray.Ddof(1)), x.Mean(ndarray.Axes(0)), x.Exp().Sum(ndarray.Axes(1), ndarray.SplitEvery(3)),
		ndarray.Matmul(x, w).Sum(), x.CumSum(1).Sum(),
	}
	var first [][]byte
	for _, workers := range []int{1, 2, 4, 8} {
		eng := exec.New(exec.Options{MemoryBudget: 256 << 20, Workers: workers})
		res, err := eng.ComputeMany(context.Background(), exprs...)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res {
			b := append([]byte{}, r.Bytes()...)
			if first == nil || len(first) <= i {
				first = append(first, b)
				continue
			}
			if string(first[i]) != string(b) {
				t.Errorf("expr %d: %d workers differ from 1 worker", i, workers)
			}
		}
	}
}

func TestCancellationStopsPromptly(t *testing.T) {
	x := ndarray.RandomUniform(1, []int{40000, 40000}, chunk.Float64, chunk.Regular(1000, 1000))
	eng := exec.New(exec.Options{MemoryBudget: 256 << 20, Workers: 2})
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	start := time.Now()
	_, err := eng.Compute(ctx, x.Sin().Sum())
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("cancellation took %v", d)
	}
	checkNoLeak(t, eng, before)
}

func TestPanicInMapBlocksNamesBlock(t *testing.T) {
	x := ndarray.Arange(0, 64, 1, chunk.Float64, chunk.Regular(16)).Reshape(8, 8).Rechunk(chunk.Regular(4, 4))
	boom := func(_ context.Context, out *chunk.Dense, in []*chunk.Dense, info ndarray.BlockInfo) error {
		if info.Index[0] == 1 && info.Index[1] == 1 {
			panic("boom")
		}
		copy(out.Bytes(), in[0].Bytes())
		return nil
	}
	eng := exec.New(exec.Options{MemoryBudget: 64 << 20, Workers: 2})
	before := runtime.NumGoroutine()
	_, err := eng.Compute(context.Background(), ndarray.MapBlocks(boom, "boom", chunk.Float64, nil, x).Sum())
	if err == nil || !strings.Contains(err.Error(), "map_blocks(boom) block [1 1]") || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("error %v, want one naming map_blocks(boom) block [1 1]", err)
	}
	checkNoLeak(t, eng, before)
	sentinel := errors.New("bad block")
	fails := func(context.Context, *chunk.Dense, []*chunk.Dense, ndarray.BlockInfo) error { return sentinel }
	if _, err := eng.Compute(context.Background(), ndarray.MapBlocks(fails, "fails", chunk.Float64, nil, x)); !errors.Is(err, sentinel) {
		t.Errorf("error %v does not wrap the function's error", err)
	}
}

func TestStoreToMemorySink(t *testing.T) {
	x := ndarray.Arange(0, 100, 1, chunk.Int32, chunk.Regular(7)).Reshape(10, 10).Rechunk(chunk.Regular(3, 4))
	y := x.T().Mul(ndarray.Int(2))
	eng := exec.New(exec.Options{MemoryBudget: 1 << 20, Workers: 2})
	sink := exec.NewMemorySink(chunk.Int32, []int{10, 10})
	if err := eng.Store(context.Background(), y, sink); err != nil {
		t.Fatal(err)
	}
	got := sink.Result()
	if got == nil {
		t.Fatal("sink not committed")
	}
	for i := 0; i < 10; i++ {
		for j := 0; j < 10; j++ {
			if v := got.At(i, j); v != float64(2*(j*10+i)) {
				t.Fatalf("y[%d,%d] = %v, want %d", i, j, v, 2*(j*10+i))
			}
		}
	}
	bad := exec.NewMemorySink(chunk.Float64, []int{10, 10})
	if err := eng.Store(context.Background(), y, bad); !errors.Is(err, chunk.ErrShape) || !bad.Aborted() {
		t.Errorf("mismatched sink: err %v, aborted %v", err, bad.Aborted())
	}
}

// bufferedSink is a memory sink whose writes claim to hold buf bytes of
// their own, as a compressing file writer's do.
type bufferedSink struct {
	*exec.MemorySink
	buf int64
}

func (s bufferedSink) WriteBufferBytes() int64 { return s.buf }

// TestStoreHoldsWriteBuffers checks that Store keeps the writers' own
// buffers (exec.BufferedSink), one per worker, out of the blocks' budget:
// the reservation shows in the run's peak, blocks fit beside it, and a
// Store whose buffers alone exceed the budget is refused before writing.
func TestStoreHoldsWriteBuffers(t *testing.T) {
	const budget = 4 << 20
	x := ndarray.RandomUniform(3, []int{512, 512}, chunk.Float64, chunk.Regular(64, 512))
	eng := exec.New(exec.Options{MemoryBudget: budget, Workers: 2})
	sink := bufferedSink{exec.NewMemorySink(chunk.Float64, []int{512, 512}), 1 << 20}
	if err := eng.Store(context.Background(), x.Mul(ndarray.Float(2)), sink); err != nil {
		t.Fatal(err)
	}
	rep := eng.LastReport()
	if rep.PeakReservedBytes > budget || rep.PeakLiveBytes+2<<20 > budget {
		t.Errorf("peak reserved %s, live %s: blocks and the 2 MiB of write buffers must fit the %s budget together",
			chunk.FormatBytes(rep.PeakReservedBytes), chunk.FormatBytes(rep.PeakLiveBytes), chunk.FormatBytes(budget))
	}
	if sink.Result() == nil {
		t.Error("sink not committed")
	}
	huge := bufferedSink{exec.NewMemorySink(chunk.Float64, []int{512, 512}), 3 << 20}
	err := eng.Store(context.Background(), x, huge)
	if !errors.Is(err, chunk.ErrOverBudget) || !huge.Aborted() || huge.Written() != 0 {
		t.Errorf("write buffers over the budget: err %v, aborted %v, %d written", err, huge.Aborted(), huge.Written())
	}
}

func TestProgressEvents(t *testing.T) {
	var events []exec.Event
	var calls atomic.Int32
	eng := exec.New(exec.Options{MemoryBudget: 64 << 20, Workers: 2, ProgressInterval: time.Millisecond, Progress: func(e exec.Event) {
		calls.Add(1)
		events = append(events, e)
	}})
	x := ndarray.RandomUniform(5, []int{2000, 2000}, chunk.Float64, chunk.Regular(100, 100))
	if _, err := eng.Compute(context.Background(), x.Sum()); err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1]
	if !last.Done || last.TasksDone != last.TasksTotal || last.TasksTotal == 0 {
		t.Errorf("last event %+v", last)
	}
	for i := 1; i < len(events); i++ {
		if events[i].TasksDone < events[i-1].TasksDone {
			t.Errorf("progress went backwards: %+v then %+v", events[i-1], events[i])
		}
	}
}

// TestTaskOrderGolden pins the depth-first order of a small reduction: each
// combine follows its own partials, so a branch finishes before the next.
func TestTaskOrderGolden(t *testing.T) {
	x := ndarray.Ones(chunk.Float64, []int{4, 6}, chunk.Regular(2, 2))
	s := x.Sum(ndarray.SplitEvery(2))
	eng := exec.New(exec.Options{MemoryBudget: 1 << 20, Workers: 1})
	plan, err := eng.Plan(8, s)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, task := range plan.Tasks {
		got = append(got, fmt.Sprintf("%s%v", task.Stage.Kind, task.Block))
	}
	want := "reduce-partial[0 0] reduce-partial[0 1] reduce-combine[] reduce-partial[0 2] reduce-partial[1 0] reduce-combine[] reduce-combine[] reduce-partial[1 1] reduce-partial[1 2] reduce-combine[] reduce-combine[]"
	if strings.Join(got, " ") != want {
		t.Errorf("order\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	res, err := eng.Compute(context.Background(), s)
	if err != nil || res.Scalar() != 24 {
		t.Errorf("sum = %v, %v", res, err)
	}
}

// TestIntegerConstantsExact: untyped integer scalars keep all 64 bits
// (reference values from numpy 1.24.2: np.array([0]) + np.iinfo(np.int64).max).
func TestIntegerConstantsExact(t *testing.T) {
	eng := exec.New(exec.Options{MemoryBudget: 1 << 20, Workers: 1})
	cases := []struct {
		a    ndarray.Array
		want int64
	}{
		{ndarray.Zeros(chunk.Int64, []int{1}, chunk.Spec{}).Add(ndarray.Int(math.MaxInt64)), math.MaxInt64},
		{ndarray.Full(chunk.Int64, []int{1}, 1<<60, chunk.Spec{}).Add(ndarray.Int(1<<53 + 1)), 1<<60 + 1<<53 + 1},
		{ndarray.Full(chunk.Int8, []int{1}, 100, chunk.Spec{}).Add(ndarray.Int(100)), -56}, // int8 wraps, as numpy arrays do
	}
	for i, c := range cases {
		v, err := eng.Compute(context.Background(), c.a)
		if err != nil {
			t.Fatal(err)
		}
		if got := v.Int64(0); got != c.want {
			t.Errorf("case %d: %d, want %d", i, got, c.want)
		}
	}
}
