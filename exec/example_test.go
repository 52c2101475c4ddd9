package exec_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/ndarray"
)

// The README's example at a small size: nothing is computed until Compute,
// and sin(x), cos(x.T) and their sum are never materialised.
func ExampleEngine_Compute() {
	x := ndarray.RandomUniform(42, []int{2000, 2000}, chunk.Float64, chunk.Regular(500, 500))
	total := x.Sin().Add(x.T().Cos()).Sum()
	eng := exec.New(exec.Options{MemoryBudget: 64 << 20, Workers: 2})
	v, err := eng.Compute(context.Background(), total)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%.4f\n", v.Scalar())
	rep := eng.LastReport()
	fmt.Println(rep.Tasks, "tasks; peak within budget:", rep.PeakLiveBytes <= rep.Budget)
	// Output:
	// 5204407.3469
	// 19 tasks; peak within budget: true
}

// Store streams blocks into a sink (here in memory; the file drivers in
// io/hdf5 and io/netcdf provide file sinks).
func ExampleEngine_Store() {
	a := ndarray.Arange(0, 12, 1, chunk.Int32, chunk.Regular(4)).Reshape(3, 4)
	sink := exec.NewMemorySink(chunk.Int32, []int{4, 3})
	eng := exec.New(exec.Options{MemoryBudget: 1 << 20, Workers: 2})
	if err := eng.Store(context.Background(), a.T().Mul(ndarray.Int(10)), sink); err != nil {
		log.Fatal(err)
	}
	fmt.Println(sink.Result())
	// Output: [[0, 40, 80], [10, 50, 90], [20, 60, 100], [30, 70, 110]]
}

// MapBlocks runs a Go function per block; it is told where the block lies.
func ExampleEngine_Compute_mapBlocks() {
	x := ndarray.Ones(chunk.Float64, []int{4, 4}, chunk.Regular(2, 2))
	offsets := ndarray.MapBlocks(func(_ context.Context, out *chunk.Dense, in []*chunk.Dense, info ndarray.BlockInfo) error {
		o, v := out.Float64s(), in[0].Float64s()
		for i := range o {
			o[i] = v[i] * float64(info.Region.Start[0]+info.Region.Start[1])
		}
		return nil
	}, "scale by block start", chunk.Float64, nil, x)
	eng := exec.New(exec.Options{MemoryBudget: 1 << 20, Workers: 2})
	v, err := eng.Compute(context.Background(), offsets)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(v)
	// Output: [[0, 0, 2, 2], [0, 0, 2, 2], [2, 2, 4, 4], [2, 2, 4, 4]]
}
