package ops

import (
	"math/rand/v2"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
)

// ewBenchN is the tile length the planner's fused loops run on: a few
// thousand elements, in cache.
const ewBenchN = 4096

// ewBenchTiles is how many different input tiles a benchmark cycles
// through. With a single tile, the branch predictor learns its 4096
// outcomes and branchy kernels look up to five times faster than they are
// on fresh data.
const ewBenchTiles = 16

// ewBenchFloat64s returns ewBenchTiles tiles of uniform values in [lo, hi).
func ewBenchFloat64s(seed uint64, lo, hi float64) []byte {
	r := rand.New(rand.NewPCG(seed, 7))
	x := make([]float64, ewBenchTiles*ewBenchN)
	for i := range x {
		x[i] = lo + (hi-lo)*r.Float64()
	}
	return chunk.AsBytes(x)
}

// ewTile returns tile k (mod ewBenchTiles) of a buffer of tiles, or the
// buffer itself when it holds a single element.
func ewTile(x []byte, k int) []byte {
	n := len(x) / ewBenchTiles
	if len(x) < ewBenchTiles*ewBenchN {
		return x
	}
	k %= ewBenchTiles
	return x[k*n : (k+1)*n]
}

// ewReportPerElem adds an ns/elem metric, the number to compare with other
// kernels and with NumPy's per-element cost.
func ewReportPerElem(b *testing.B) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/ewBenchN, "ns/elem")
}

func ewBenchBinary(b *testing.B, op BinaryOp, dt chunk.DType, x, y []byte) {
	k := Binary(op, dt)
	_, out, _ := BinaryTypes(op, dt, dt)
	dst := make([]byte, ewBenchN*out.Size())
	b.SetBytes(int64(ewBenchN * dt.Size()))
	i := 0
	for b.Loop() {
		k(dst, ewTile(x, i), ewTile(y, i))
		i++
	}
	ewReportPerElem(b)
}

func BenchmarkElemAddFloat64(b *testing.B) {
	ewBenchBinary(b, Add, chunk.Float64, ewBenchFloat64s(1, -1, 1), ewBenchFloat64s(2, -1, 1))
}

func BenchmarkElemAddFloat64Scalar(b *testing.B) {
	ewBenchBinary(b, Add, chunk.Float64, ewBenchFloat64s(1, -1, 1), chunk.AsBytes([]float64{0.5}))
}

func BenchmarkElemMulFloat64(b *testing.B) {
	ewBenchBinary(b, Mul, chunk.Float64, ewBenchFloat64s(1, -1, 1), ewBenchFloat64s(2, -1, 1))
}

func BenchmarkElemDivFloat64(b *testing.B) {
	ewBenchBinary(b, Div, chunk.Float64, ewBenchFloat64s(1, -1, 1), ewBenchFloat64s(2, 1, 2))
}

func BenchmarkElemMaximumFloat64(b *testing.B) {
	ewBenchBinary(b, Maximum, chunk.Float64, ewBenchFloat64s(1, -1, 1), ewBenchFloat64s(2, -1, 1))
}

func BenchmarkElemLessFloat64(b *testing.B) {
	ewBenchBinary(b, Less, chunk.Float64, ewBenchFloat64s(1, -1, 1), ewBenchFloat64s(2, -1, 1))
}

func BenchmarkElemLessFloat64Scalar(b *testing.B) {
	ewBenchBinary(b, Less, chunk.Float64, ewBenchFloat64s(1, -1, 1), chunk.AsBytes([]float64{0}))
}

func BenchmarkElemLogicalAndFloat64(b *testing.B) {
	x, y := ewBenchFloat64s(1, -1, 1), ewBenchFloat64s(2, -1, 1)
	for i, v := range chunk.Cast[float64](x) {
		if v < 0 {
			chunk.Cast[float64](x)[i] = 0 // half the elements false
		}
	}
	ewBenchBinary(b, LogicalAnd, chunk.Float64, x, y)
}

func BenchmarkElemLogicalAndBool(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 7))
	x, y := make([]bool, ewBenchTiles*ewBenchN), make([]bool, ewBenchTiles*ewBenchN)
	for i := range x {
		x[i], y[i] = r.IntN(2) == 1, r.IntN(2) == 1
	}
	ewBenchBinary(b, LogicalAnd, chunk.Bool, chunk.AsBytes(x), chunk.AsBytes(y))
}

func BenchmarkElemAddInt32(b *testing.B) {
	r := rand.New(rand.NewPCG(4, 7))
	x, y := make([]int32, ewBenchTiles*ewBenchN), make([]int32, ewBenchTiles*ewBenchN)
	for i := range x {
		x[i], y[i] = r.Int32(), r.Int32()
	}
	ewBenchBinary(b, Add, chunk.Int32, chunk.AsBytes(x), chunk.AsBytes(y))
}

func BenchmarkElemFloorDivInt64(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 7))
	x, y := make([]int64, ewBenchTiles*ewBenchN), make([]int64, ewBenchTiles*ewBenchN)
	for i := range x {
		x[i], y[i] = r.Int64N(2001)-1000, r.Int64N(41)-20
	}
	ewBenchBinary(b, FloorDiv, chunk.Int64, chunk.AsBytes(x), chunk.AsBytes(y))
}

func BenchmarkElemModFloat64(b *testing.B) {
	ewBenchBinary(b, Mod, chunk.Float64, ewBenchFloat64s(1, -100, 100), ewBenchFloat64s(2, 1, 10))
}

func BenchmarkElemPowFloat64Square(b *testing.B) {
	ewBenchBinary(b, Pow, chunk.Float64, ewBenchFloat64s(1, -1, 1), chunk.AsBytes([]float64{2}))
}

func ewBenchUnary(b *testing.B, op UnaryOp, dt chunk.DType, x []byte) {
	k := Unary(op, dt)
	_, out, _ := UnaryTypes(op, dt)
	dst := make([]byte, ewBenchN*out.Size())
	b.SetBytes(int64(ewBenchN * dt.Size()))
	i := 0
	for b.Loop() {
		k(dst, ewTile(x, i))
		i++
	}
	ewReportPerElem(b)
}

func BenchmarkElemSinFloat64(b *testing.B) {
	ewBenchUnary(b, Sin, chunk.Float64, ewBenchFloat64s(1, -10, 10))
}

func BenchmarkElemCosFloat64(b *testing.B) {
	ewBenchUnary(b, Cos, chunk.Float64, ewBenchFloat64s(1, -10, 10))
}

func BenchmarkElemExpFloat64(b *testing.B) {
	ewBenchUnary(b, Exp, chunk.Float64, ewBenchFloat64s(1, -10, 10))
}

func BenchmarkElemSinFloat32(b *testing.B) {
	x := make([]float32, ewBenchTiles*ewBenchN)
	for i, v := range chunk.Cast[float64](ewBenchFloat64s(1, -10, 10)) {
		x[i] = float32(v)
	}
	ewBenchUnary(b, Sin, chunk.Float32, chunk.AsBytes(x))
}

func BenchmarkElemSignFloat64(b *testing.B) {
	ewBenchUnary(b, Sign, chunk.Float64, ewBenchFloat64s(1, -1, 1))
}

func BenchmarkElemSqrtFloat64(b *testing.B) {
	ewBenchUnary(b, Sqrt, chunk.Float64, ewBenchFloat64s(1, 0, 10))
}

func BenchmarkElemArccosFloat64(b *testing.B) {
	ewBenchUnary(b, Arccos, chunk.Float64, ewBenchFloat64s(1, -1, 1))
}

func BenchmarkElemLog10Float64(b *testing.B) {
	ewBenchUnary(b, Log10, chunk.Float64, ewBenchFloat64s(1, 0, 1000))
}

func ewBenchCast(b *testing.B, from, to chunk.DType, x []byte) {
	k := Cast(from, to)
	dst := make([]byte, ewBenchN*to.Size())
	b.SetBytes(int64(ewBenchN * from.Size()))
	i := 0
	for b.Loop() {
		k(dst, ewTile(x, i))
		i++
	}
	ewReportPerElem(b)
}

func BenchmarkElemCastFloat32ToFloat64(b *testing.B) {
	x := make([]float32, ewBenchTiles*ewBenchN)
	for i, v := range chunk.Cast[float64](ewBenchFloat64s(1, -10, 10)) {
		x[i] = float32(v)
	}
	ewBenchCast(b, chunk.Float32, chunk.Float64, chunk.AsBytes(x))
}

func BenchmarkElemCastFloat64ToInt32(b *testing.B) {
	ewBenchCast(b, chunk.Float64, chunk.Int32, ewBenchFloat64s(1, -1e6, 1e6))
}

func BenchmarkElemCastFloat64ToUint8(b *testing.B) {
	ewBenchCast(b, chunk.Float64, chunk.Uint8, ewBenchFloat64s(1, 0, 255))
}

func BenchmarkElemWhereFloat64(b *testing.B) {
	r := rand.New(rand.NewPCG(6, 7))
	c := make([]bool, ewBenchTiles*ewBenchN)
	for i := range c {
		c[i] = r.IntN(2) == 1
	}
	x, y := ewBenchFloat64s(1, -1, 1), ewBenchFloat64s(2, -1, 1)
	k := Where(chunk.Float64)
	dst := make([]byte, ewBenchN*8)
	b.SetBytes(int64(len(dst)))
	i := 0
	for b.Loop() {
		k(dst, ewTile(chunk.AsBytes(c), i), ewTile(x, i), ewTile(y, i))
		i++
	}
	ewReportPerElem(b)
}
