package ops

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
)

// flTestValues reads n elements of a dtype-dt buffer as float64.
func flTestValues(dt chunk.DType, buf []byte) []float64 {
	out := make([]float64, len(buf)/dt.Size())
	for i := range out {
		out[i] = chunk.LoadFloat64(dt, buf, i)
	}
	return out
}

func TestFillLinearNumPy(t *testing.T) {
	cases := []struct {
		name        string
		dt          chunk.DType
		start, step float64
		shape       []int
		r           chunk.Region
		want        []float64
	}{
		{
			// from numpy 1.24.2: np.arange(0, 1, 0.1)
			name: "arange(0, 1, 0.1)", dt: chunk.Float64, start: 0, step: 0.1, shape: []int{10},
			want: []float64{0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001, 0.7000000000000001, 0.8, 0.9},
		},
		{
			// from numpy 1.24.2: np.arange(0.1, 1.7, 0.3); NumPy steps by
			// (0.1+0.3)-0.1 = 0.30000000000000004, passed here as step.
			name: "arange(0.1, 1.7, 0.3)", dt: chunk.Float64, start: 0.1, step: 0.30000000000000004, shape: []int{6},
			want: []float64{0.1, 0.4, 0.7000000000000001, 1.0000000000000002, 1.3000000000000003, 1.6000000000000003},
		},
		{
			// from numpy 1.24.2: np.linspace(0, 1, 11) (step 1/10)
			name: "linspace(0, 1, 11)", dt: chunk.Float64, start: 0, step: 1.0 / 10, shape: []int{11},
			want: []float64{0.0, 0.1, 0.2, 0.30000000000000004, 0.4, 0.5, 0.6000000000000001, 0.7000000000000001, 0.8, 0.9, 1.0},
		},
		{
			// from numpy 1.24.2: np.linspace(0, 1, 7, dtype=np.float32)
			name: "linspace float32", dt: chunk.Float32, start: 0, step: 1.0 / 6, shape: []int{7},
			want: []float64{0.0, 0.1666666716337204, 0.3333333432674408, 0.5, 0.6666666865348816, 0.8333333134651184, 1.0},
		},
		{
			// from numpy 1.24.2: np.linspace(-1, 1, 5)[1:4]
			name: "linspace region", dt: chunk.Float64, start: -1, step: 0.5, shape: []int{5},
			r:    chunk.Region{Start: []int{1}, Shape: []int{3}},
			want: []float64{-0.5, 0.0, 0.5},
		},
		{
			// from numpy 1.24.2: (np.arange(20, dtype=float)*0.25 - 1).reshape(4, 5)[1:3, 2:5]
			name: "2-d region", dt: chunk.Float64, start: -1, step: 0.25, shape: []int{4, 5},
			r:    chunk.Region{Start: []int{1, 2}, Shape: []int{2, 3}},
			want: []float64{0.75, 1.0, 1.25, 2.0, 2.25, 2.5},
		},
		{
			// from numpy 1.24.2: np.array([-2.0, -1.0, 0.0, 1.0]).astype(np.uint8)
			name: "uint8 wraps", dt: chunk.Uint8, start: -2, step: 1, shape: []int{4},
			want: []float64{254, 255, 0, 1},
		},
		{
			// from numpy 1.24.2: np.array([-3.9, -1.9, 0.1, 2.1]).astype(np.int8)
			name: "int8 truncates", dt: chunk.Int8, start: -3.9, step: 2, shape: []int{4},
			want: []float64{-3, -1, 0, 2},
		},
		{
			// from numpy 1.24.2: np.arange(0, 2, dtype=bool)
			name: "bool", dt: chunk.Bool, start: 0, step: 1, shape: []int{2},
			want: []float64{0, 1},
		},
	}
	for _, c := range cases {
		r := c.r
		if r.Shape == nil {
			r = chunk.WholeRegion(c.shape)
		}
		dst := make([]byte, r.Size()*c.dt.Size())
		FillLinear(dst, c.dt, c.start, c.step, c.shape, r)
		if got := flTestValues(c.dt, dst); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
}

func TestFillLinearIntNumPy(t *testing.T) {
	cases := []struct {
		name        string
		dt          chunk.DType
		start, step int64
		n           int
		want        []float64
	}{
		// from numpy 1.24.2: np.arange(100, 140, 7, dtype=np.int8)
		{"int8 wraps", chunk.Int8, 100, 7, 6, []float64{100, 107, 114, 121, -128, -121}},
		// from numpy 1.24.2: np.arange(5, -5, -3, dtype=np.uint8)
		{"uint8 down", chunk.Uint8, 5, -3, 4, []float64{5, 2, 255, 252}},
		// from numpy 1.24.2: np.arange(-5, 1000000000000, 999999999999, dtype=np.int64)
		{"int64 large", chunk.Int64, -5, 999999999999, 2, []float64{-5, 999999999994}},
		// from numpy 1.24.2: np.arange(0, 3e9, 1e9, dtype=np.uint32)
		{"uint32", chunk.Uint32, 0, 1000000000, 3, []float64{0, 1000000000, 2000000000}},
		// from numpy 1.24.2: np.arange(0, 10, 3, dtype=np.float32)
		{"float32", chunk.Float32, 0, 3, 4, []float64{0, 3, 6, 9}},
		// from numpy 1.24.2: np.arange(-1, 2, 1, dtype=bool) is an error;
		// astype(bool) of np.arange(-1, 2): [True, False, True]
		{"bool", chunk.Bool, -1, 1, 3, []float64{1, 0, 1}},
	}
	for _, c := range cases {
		dst := make([]byte, c.n*c.dt.Size())
		FillLinearInt(dst, c.dt, c.start, c.step, []int{c.n}, chunk.WholeRegion([]int{c.n}))
		if got := flTestValues(c.dt, dst); fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	// Exactness beyond 2^53, where a float64 computation would round.
	dst := make([]int64, 3)
	FillLinearInt(chunk.AsBytes(dst), chunk.Int64, 1<<62, 1, []int{3}, chunk.WholeRegion([]int{3}))
	if dst[2] != 1<<62+2 {
		t.Errorf("int64 at 2^62: got %d", dst[2])
	}
}

// TestFillLinearRegions checks every dtype against a scalar reference, for
// random regions of random arrays, so runs, merged axes and offsets are
// covered.
func TestFillLinearRegions(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for iter := range 500 {
		dt := chunk.DTypes[iter%len(chunk.DTypes)]
		shape := cpTestShape(rng, rng.IntN(5), 6)
		r := rngTestRegion(rng, shape)
		start, step := rng.Float64()*20-10, rng.Float64()*4-2
		istart, istep := rng.Int64N(2000)-1000, rng.Int64N(200)-100
		got := make([]byte, r.Size()*dt.Size())
		FillLinear(got, dt, start, step, shape, r)
		gotInt := make([]byte, len(got))
		FillLinearInt(gotInt, dt, istart, istep, shape, r)
		want := make([]byte, len(got))
		wantInt := make([]byte, len(got))
		j := 0
		global := make([]int, len(shape))
		cpTestEach(r.Shape, func(idx []int) {
			for i := range idx {
				global[i] = r.Start[i] + idx[i]
			}
			g := cpTestFlat(global, shape)
			chunk.StoreFloat64(dt, want, j, start+float64(step*float64(g)))
			chunk.StoreFloat64(dt, wantInt, j, float64(istart+istep*int64(g)))
			j++
		})
		if string(got) != string(want) {
			t.Fatalf("FillLinear(%s, %g, %g, %v, %v): got %v, want %v", dt, start, step, shape, r, flTestValues(dt, got), flTestValues(dt, want))
		}
		if string(gotInt) != string(wantInt) {
			t.Fatalf("FillLinearInt(%s, %d, %d, %v, %v): got %v, want %v", dt, istart, istep, shape, r, flTestValues(dt, gotInt), flTestValues(dt, wantInt))
		}
	}
}

func TestFill(t *testing.T) {
	for _, dt := range chunk.DTypes {
		for _, v := range []float64{0, 1, -1.5, 300.7, 1e10, math.Inf(1)} {
			if math.IsInf(v, 0) && !dt.IsFloat() {
				continue // implementation-defined in Go
			}
			n := 37
			got := make([]byte, n*dt.Size())
			for i := range got {
				got[i] = 0xAA
			}
			Fill(got, dt, v)
			want := make([]byte, len(got))
			for i := range n {
				chunk.StoreFloat64(dt, want, i, v)
			}
			if string(got) != string(want) {
				t.Errorf("Fill(%s, %g): got %v, want %v", dt, v, flTestValues(dt, got), flTestValues(dt, want))
			}
		}
	}
	// from numpy 1.24.2: np.full(2, 300.7).astype(np.int8) -> [44, 44]
	got := make([]byte, 2)
	Fill(got, chunk.Int8, 300.7)
	if int8(got[0]) != 44 || int8(got[1]) != 44 {
		t.Errorf("Fill(int8, 300.7) = %v, want [44 44]", got)
	}
	nan := make([]float32, 3)
	Fill(chunk.AsBytes(nan), chunk.Float32, math.NaN())
	if !math.IsNaN(float64(nan[2])) {
		t.Errorf("Fill(float32, NaN) = %v", nan)
	}
}
