package mpi

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/planner"
)

func buildPlan(t *testing.T, arrays ...ndarray.Array) *planner.Plan {
	t.Helper()
	p, err := planner.Build(arrays, planner.Options{Budget: 256 << 20, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPlacementLeaves: tasks without inputs are cut into contiguous,
// balanced runs of their stage's blocks, one run per rank.
func TestPlacementLeaves(t *testing.T) {
	x := ndarray.RandomUniform(1, []int{900, 700}, chunk.Float64, chunk.Regular(100, 100))
	plan := buildPlan(t, x.Sum(), x.Mean(ndarray.Axes(0)))
	for _, size := range []int{1, 2, 3, 4, 7} {
		pl := place(plan, size)
		for _, s := range plan.Stages {
			counts := make([]int, size)
			last := 0
			for _, task := range s.Tasks {
				i := task.Order
				if !pl.leaf[i] {
					continue
				}
				o := int(pl.owner[i])
				if o < last {
					t.Fatalf("size %d, stage %s: leaf owners go back from %d to %d", size, s.Name, last, o)
				}
				last = o
				counts[o]++
			}
			if slices.Max(counts)-slices.Min(counts) > 1 && len(s.Tasks) >= size {
				t.Errorf("size %d, stage %s: leaves per rank %v", size, s.Name, counts)
			}
		}
	}
}

// TestPlacementLocality: a combine task runs on the rank holding most of
// its inputs, and no rank takes much more than its share of a stage.
func TestPlacementLocality(t *testing.T) {
	x := ndarray.RandomNormal(2, []int{800, 800}, chunk.Float64, chunk.Regular(50, 100))
	y := x.CumSum(0)
	plan := buildPlan(t, x.Sum(), y.Add(y.T().Rechunk(chunk.Regular(50, 100))).Mean(ndarray.Axes(1)))
	const size = 4
	pl := place(plan, size)
	for _, s := range plan.Stages {
		counts := make([]int, size)
		n := 0
		for _, task := range s.Tasks {
			if pl.leaf[task.Order] {
				continue
			}
			counts[pl.owner[task.Order]]++
			n++
			if s.Kind != planner.KindReduceCombine {
				continue
			}
			held := make([]int64, size)
			for _, d := range task.Deps {
				held[pl.owner[d.Order]] += d.OutBytes
			}
			if o := pl.owner[task.Order]; held[o] < slices.Max(held) && counts[o] <= (n+size-1)/size {
				t.Errorf("%s[%v] runs on rank %d holding %d input bytes, another holds %d", s.Name, task.Block, o, held[o], slices.Max(held))
			}
		}
		fair := (n + size - 1) / size
		if n > 0 && slices.Max(counts) > fair+fair/4+1 {
			t.Errorf("stage %s: %v tasks per rank, fair share %d", s.Name, counts, fair)
		}
	}
}

// TestPlacementNeeds: the writer needs every output block, a rank needs
// every input of the tasks it owns, and a value is sent to every rank
// needing it but its producer, unless the producer stole it.
func TestPlacementNeeds(t *testing.T) {
	x := ndarray.RandomUniform(3, []int{400, 400}, chunk.Float64, chunk.Regular(50, 50))
	y := x.CumSum(1)
	plan := buildPlan(t, y.Add(y.T()), y.Sum(ndarray.Axes(0)))
	const size = 3
	pl := place(plan, size)
	for _, out := range plan.Outputs {
		for _, task := range out.Tasks {
			if !pl.needed(task.Order, writerRank) {
				t.Errorf("the writer does not need output task %s", task)
			}
		}
	}
	for i, task := range plan.Tasks {
		for _, d := range task.Deps {
			if !pl.needed(d.Order, int(pl.owner[i])) {
				t.Errorf("rank %d runs %s but does not need its input %s", pl.owner[i], task, d)
			}
		}
		from := int(pl.owner[i])
		for _, d := range pl.dests(i, from, false) {
			if d == from {
				t.Errorf("%s is sent to its own producer", task)
			}
		}
		if got, want := len(pl.dests(i, from, true)), len(pl.needs[i]); got != want {
			t.Errorf("stolen %s goes to %d ranks, %d need it", task, got, want)
		}
	}
}

// TestFingerprint: the same arrays built again give the same plan
// fingerprint; different chunks give another.
func TestFingerprint(t *testing.T) {
	mk := func(c int) *planner.Plan {
		x := ndarray.RandomUniform(4, []int{300, 300}, chunk.Float64, chunk.Regular(c, c))
		return buildPlan(t, x.Add(x.T()).Std(ndarray.Axes(0)))
	}
	a, b, c := fingerprint(mk(60)), fingerprint(mk(60)), fingerprint(mk(50))
	if a != b {
		t.Errorf("same arrays, fingerprints %x and %x", a, b)
	}
	if a == c {
		t.Errorf("different chunks, same fingerprint %x", a)
	}
}

// TestLaunched reads the launchers' environment variables.
func TestLaunched(t *testing.T) {
	vars := []string{"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_NTASKS", "SLURM_PROCID"}
	for _, k := range vars {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	if Launched() {
		t.Error("launched with no launcher variable set")
	}
	for _, c := range []struct {
		set  []string
		want bool
	}{
		{[]string{"OMPI_COMM_WORLD_SIZE"}, true},
		{[]string{"PMI_SIZE"}, true},
		{[]string{"SLURM_NTASKS"}, false}, // a batch script, not a task of srun
		{[]string{"SLURM_NTASKS", "SLURM_PROCID"}, true},
	} {
		for _, k := range c.set {
			os.Setenv(k, "4")
		}
		if got := Launched(); got != c.want {
			t.Errorf("with %v: Launched() = %v, want %v", c.set, got, c.want)
		}
		for _, k := range c.set {
			os.Unsetenv(k)
		}
	}
}

// TestLocalFallback: outside an MPI job the engine is the local engine.
func TestLocalFallback(t *testing.T) {
	if Launched() {
		t.Skip("running under an MPI launcher")
	}
	ctx := context.Background()
	opts := exec.Options{MemoryBudget: 32 << 20, Workers: 2, KeepGoMemoryLimit: true}
	eng, err := New(Options{Options: opts})
	if err != nil {
		t.Fatal(err)
	}
	if eng.Rank() != 0 || eng.Size() != 1 || !eng.IsWriter() || Rank() != 0 || Size() != 1 {
		t.Errorf("rank %d of %d outside MPI", eng.Rank(), eng.Size())
	}
	x := ndarray.RandomNormal(5, []int{200, 300}, chunk.Float64, chunk.Regular(64, 64))
	a := x.Add(x.CumSum(0)).Var(ndarray.Axes(1))
	got, err := eng.Compute(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	want, err := exec.New(opts).Compute(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Bytes(), want.Bytes()) {
		t.Error("the fallback differs from the local engine")
	}
	if rep := eng.LastMPIReport(); rep.TasksDone != rep.Tasks || rep.Ranks != 1 || eng.LastReport().Tasks != rep.Tasks {
		t.Errorf("report %v", rep)
	}
	sink := exec.NewMemorySink(a.DType(), a.Shape())
	if err := eng.Store(ctx, a, sink); err != nil {
		t.Fatal(err)
	}
	if r := sink.Result(); r == nil || !slices.Equal(r.Bytes(), want.Bytes()) {
		t.Error("Store differs from Compute")
	}
	if err := eng.Agree(os.ErrNotExist); err != os.ErrNotExist {
		t.Errorf("Agree outside MPI returned %v", err)
	}
}

// TestPlacementPieces: a rank is sent only the part of a source block
// that its targets of a rechunk read; other readers get whole blocks.
func TestPlacementPieces(t *testing.T) {
	x := ndarray.RandomUniform(6, []int{40, 30, 20}, chunk.Float64, chunk.Regular(1, 30, 20)).Persist()
	plan := buildPlan(t, x.Rechunk(chunk.Regular(40, 10, 10)), x.Sum(ndarray.Axes(0)))
	const size = 3
	pl := place(plan, size)
	pieces := 0
	for i, task := range plan.Tasks {
		if task.Stage.Node != x.Node() {
			continue
		}
		own := task.Stage.Grid.BlockRegion(task.Block)
		for r := 0; r < size; r++ {
			reg, ok := pl.piece(i, r)
			needsWhole := false
			for _, c := range pl.cons[i] {
				if int(pl.owner[c]) != r {
					continue
				}
				ct := plan.Tasks[c]
				if ct.Stage.Kind != planner.KindBlocks {
					needsWhole = true // the sum reads whole blocks
					continue
				}
				over, _ := own.Intersect(ct.Stage.Grid.BlockRegion(ct.Block))
				if ok && !reg.Contains(over.Relative(own)) {
					t.Errorf("%s for rank %d: piece %v misses %v", task, r, reg, over.Relative(own))
				}
			}
			if ok {
				pieces++
				if needsWhole {
					t.Errorf("%s for rank %d: piece %v, but a reader needs the whole block", task, r, reg)
				}
				if reg.Size() >= own.Size() {
					t.Errorf("%s for rank %d: piece %v is the whole block", task, r, reg)
				}
			}
		}
	}
	if pieces == 0 {
		t.Error("no piece in a rechunk across three ranks")
	}
	// Without the sum, the readers of the other ranks are all rechunk
	// targets: pieces only.
	plan = buildPlan(t, x.Rechunk(chunk.Regular(40, 10, 10)))
	pl = place(plan, size)
	for i, task := range plan.Tasks {
		if task.Stage.Node != x.Node() {
			continue
		}
		for _, r := range pl.dests(i, int(pl.owner[i]), false) {
			if _, ok := pl.piece(i, r); !ok && r != writerRank {
				t.Errorf("%s goes whole to rank %d", task, r)
			}
		}
	}
}

// BenchmarkPlace measures the per-task cost of placing a plan and
// fingerprinting it (both done on every rank before a run), on a graph of
// 100,000 single-element blocks summed.
func BenchmarkPlace(b *testing.B) {
	x := ndarray.Ones(chunk.Float64, []int{100000}, chunk.Regular(1))
	plan, err := planner.Build([]ndarray.Array{x.Sum()}, planner.Options{Budget: 1 << 30, Workers: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		pl := place(plan, 64)
		_ = fingerprint(plan)
		_ = pl
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(plan.Tasks)), "ns/task")
}
