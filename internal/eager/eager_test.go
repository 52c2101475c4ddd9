package eager

import (
	"context"
	"math"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/ops"
)

var auto = chunk.Spec{}

func f64s(v ...float64) ndarray.Array { return ndarray.FromSlice(v, []int{len(v)}, auto) }

func evalT(t *testing.T, a ndarray.Array) *Result {
	t.Helper()
	if err := a.Err(); err != nil {
		t.Fatalf("building: %v", err)
	}
	r, err := EvalBounds(a.Node(), Options{})
	if err != nil {
		t.Fatalf("eval: %v", err)
	}
	return r
}

func bound(r *Result, i int) float64 {
	if r.Err == nil {
		return 0
	}
	return r.Err[i]
}

// exact checks a result element by element against want (float64 for
// floats, int64 for signed integers, uint64 for unsigned, bool), bitwise
// for floats with any NaN matching, and that every bound is 0.
func exact(t *testing.T, name string, a ndarray.Array, dt chunk.DType, shape []int, want any) {
	t.Helper()
	r := values(t, name, a, dt, shape, want)
	for i := 0; i < r.Value.Len(); i++ {
		if b := bound(r, i); b != 0 {
			t.Errorf("%s[%d]: bound %g, want 0", name, i, b)
		}
	}
}

// values is exact without the check of the bounds, for results whose
// engine value may legitimately differ (sums, approximate functions).
func values(t *testing.T, name string, a ndarray.Array, dt chunk.DType, shape []int, want any) *Result {
	t.Helper()
	r := evalT(t, a)
	d := r.Value
	if d.DType() != dt || !chunk.EqualInts(d.Shape(), shape) {
		t.Fatalf("%s: got %v%v, want %v%v", name, d.DType(), d.Shape(), dt, shape)
	}
	switch w := want.(type) {
	case []float64:
		for i, x := range w {
			y := d.Float64(i)
			if !(math.IsNaN(x) && math.IsNaN(y)) && math.Float64bits(x) != math.Float64bits(y) {
				t.Errorf("%s[%d] = %v, want %v", name, i, y, x)
			}
		}
	case []int64:
		for i, x := range w {
			if y := d.Int64(i); y != x {
				t.Errorf("%s[%d] = %d, want %d", name, i, y, x)
			}
		}
	case []uint64:
		for i, x := range w {
			if y := uint64(d.Int64(i)); y != x {
				t.Errorf("%s[%d] = %d, want %d", name, i, y, x)
			}
		}
	case []bool:
		for i, x := range w {
			if y := d.Bytes()[i] != 0; y != x {
				t.Errorf("%s[%d] = %v, want %v", name, i, y, x)
			}
		}
	default:
		t.Fatalf("%s: want of type %T", name, want)
	}
	return r
}

// close checks float results within 2 ulp of NumPy's (which is within 1
// ulp of the true value) and within the element's own bound.
func close(t *testing.T, name string, a ndarray.Array, want []float64) {
	t.Helper()
	r := evalT(t, a)
	for i, x := range want {
		y := r.Value.Float64(i)
		if math.IsNaN(x) || math.IsInf(x, 0) {
			if !(math.IsNaN(x) && math.IsNaN(y)) && x != y {
				t.Errorf("%s[%d] = %v, want %v", name, i, y, x)
			}
			continue
		}
		if d := math.Abs(x - y); d > 2*ulp(chunk.Float64, x) || d > bound(r, i) {
			t.Errorf("%s[%d] = %v, want %v (bound %g)", name, i, y, x, bound(r, i))
		}
	}
}

var (
	nan  = math.NaN()
	inf  = math.Inf(1)
	negz = math.Copysign(0, -1)
)

func TestEagerCasts(t *testing.T) {
	// from numpy 1.24.2 on x86-64: np.array([...]).astype(...)
	exact(t, "i8", f64s(300.7, -300.7, nan, 1e10, -1.5, 127.9).AsType(chunk.Int8), chunk.Int8, []int{6}, []int64{44, -44, 0, 0, -1, 127})
	exact(t, "u8", f64s(300.7, -1.5, nan, 255.9, 256.0).AsType(chunk.Uint8), chunk.Uint8, []int{5}, []uint64{44, 255, 0, 255, 0})
	exact(t, "i32", f64s(3e9, -3e9, nan, inf, -2147483648.9).AsType(chunk.Int32), chunk.Int32, []int{5}, []int64{math.MinInt32, math.MinInt32, math.MinInt32, math.MinInt32, math.MinInt32})
	// NumPy's vectorised loop gives 2147483648 for NaN -> uint32 and its
	// scalar one 0; ops documents the scalar one.
	exact(t, "u32", f64s(-1.5, 4294967296.0, nan, 1e10).AsType(chunk.Uint32), chunk.Uint32, []int{4}, []uint64{4294967295, 0, 0, 0x540be400})
	exact(t, "i64", f64s(9.3e18, -9.3e18, nan, -inf).AsType(chunk.Int64), chunk.Int64, []int{4}, []int64{math.MinInt64, math.MinInt64, math.MinInt64, math.MinInt64})
	exact(t, "u64", f64s(-1.0, 1.8e19, 2e19, nan, -1e19, inf).AsType(chunk.Uint64), chunk.Uint64, []int{6}, []uint64{18446744073709551615, 18000000000000000000, 0, 1 << 63, 1 << 63, 0})
	exact(t, "bool", f64s(nan, negz, 0, 1e-300).AsType(chunk.Bool), chunk.Bool, []int{4}, []bool{true, false, false, true})
	exact(t, "f32", ndarray.FromSlice([]int64{1<<24 + 1, 1<<60 + 1<<36 + 1}, []int{2}, auto).AsType(chunk.Float32), chunk.Float32, []int{2}, []float64{16777216.0, 1.1529216420458004e+18})
	exact(t, "wrap", ndarray.FromSlice([]int16{300, -129}, []int{2}, auto).AsType(chunk.Int8), chunk.Int8, []int{2}, []int64{44, 127})
}

func TestEagerIntegerArithmetic(t *testing.T) {
	i8 := func(v ...int8) ndarray.Array { return ndarray.FromSlice(v, []int{len(v)}, auto) }
	// from numpy 1.24.2: np.floor_divide / np.remainder of int8 arrays
	exact(t, "floordiv", i8(-128, 7, -7, 7, 0).FloorDiv(i8(-1, 0, 2, -2, 0)), chunk.Int8, []int{5}, []int64{-128, 0, -4, -4, 0})
	exact(t, "mod", i8(-128, 7, -7, 7, 0).Mod(i8(-1, 0, 2, -2, 0)), chunk.Int8, []int{5}, []int64{0, 0, 1, -1, 0})
	// np.power(np.array([3, -2, 2, 0], np.int8), np.array([5, 3, 7, 0], np.int8))
	exact(t, "pow", i8(3, -2, 2, 0).Pow(i8(5, 3, 7, 0)), chunk.Int8, []int{4}, []int64{-13, -8, -128, 1})
	// ops' documented deviation (NumPy raises): negative powers truncate.
	exact(t, "pow neg", i8(1, -1, -1, 2, 0).Pow(i8(-3, -3, -2, -1, -1)), chunk.Int8, []int{5}, []int64{1, -1, 1, 0, 0})
	exact(t, "abs", i8(-128, 5).Abs(), chunk.Int8, []int{2}, []int64{-128, 5})
	exact(t, "invert", i8(0, -1, 5).Invert(), chunk.Int8, []int{3}, []int64{-1, 0, -6})
	exact(t, "invert u16", ndarray.FromSlice([]uint16{0, 5}, []int{2}, auto).Invert(), chunk.Uint16, []int{2}, []uint64{65535, 65530})
	// np.reciprocal(np.array([0, 1, -1, 2, -128], np.int8))
	exact(t, "reciprocal", ndarray.Unary(ops.Reciprocal, i8(0, 1, -1, 2, -128)), chunk.Int8, []int{5}, []int64{0, 1, -1, 0, 0})
	i32 := ndarray.FromSlice([]int32{-7, 7, -7, 7}, []int{4}, auto)
	exact(t, "mod i32", i32.Mod(ndarray.FromSlice([]int32{2, -2, -2, 0}, []int{4}, auto)), chunk.Int32, []int{4}, []int64{1, -1, -1, 0})
	u16 := ndarray.FromSlice([]uint16{7, 0}, []int{2}, auto)
	exact(t, "floordiv u16", u16.FloorDiv(ndarray.FromSlice([]uint16{2, 0}, []int{2}, auto)), chunk.Uint16, []int{2}, []uint64{3, 0})
	// np.clip(np.array([-3, 0, 5, 10], np.int16), -1, 6)
	exact(t, "clip", ndarray.Clip(ndarray.FromSlice([]int16{-3, 0, 5, 10}, []int{4}, auto), ndarray.Int(-1), ndarray.Int(6)), chunk.Int16, []int{4}, []int64{-1, 0, 5, 6})
	// uint8 - uint8 wraps; int8 + Int(3) stays int8 (weak scalar)
	exact(t, "u8 sub", ndarray.FromSlice([]uint8{1}, []int{1}, auto).Sub(ndarray.FromSlice([]uint8{2}, []int{1}, auto)), chunk.Uint8, []int{1}, []uint64{255})
	exact(t, "weak", i8(127).Add(ndarray.Int(3)), chunk.Int8, []int{1}, []int64{-126})
}

func TestEagerFloatArithmetic(t *testing.T) {
	// from numpy 1.24.2: np.floor_divide and np.remainder of float64
	a := f64s(1, -1, 0, negz, nan, inf, -7.5, 1, -1)
	b := f64s(0, 0, 0, 0, 1, 2, 2, 0.1, -inf)
	exact(t, "floordiv", a.FloorDiv(b), chunk.Float64, []int{9}, []float64{inf, -inf, nan, nan, nan, nan, -4, 9, 0})
	c := f64s(1, -1, 0, negz, nan, inf, -7.5, 1, -1, 1, negz)
	d := f64s(0, 0, 0, 0, 1, 2, 2, 0.1, inf, inf, 3)
	exact(t, "mod", c.Mod(d), chunk.Float64, []int{11}, []float64{nan, nan, nan, nan, nan, nan, 0.5, 0.09999999999999995, inf, 1, 0})
	f32 := func(v ...float32) ndarray.Array { return ndarray.FromSlice(v, []int{len(v)}, auto) }
	// np.floor_divide(np.float32([1, -7.5, 1]), np.float32([0, 2, 0.1]))
	exact(t, "floordiv f32", f32(1, -7.5, 1).FloorDiv(f32(0, 2, 0.1)), chunk.Float32, []int{3}, []float64{inf, -4, 9})
	// np.sign(np.array([-0.0, 0.0, nan, -3.0, inf]))
	exact(t, "sign", f64s(negz, 0, nan, -3, inf).Sign(), chunk.Float64, []int{5}, []float64{0, 0, nan, -1, 1})
	// np.round(np.array([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999999999999996]))
	exact(t, "round", f64s(0.5, 1.5, 2.5, -0.5, -1.5, 2.4999999999999996).Round(), chunk.Float64, []int{6}, []float64{0, 2, 2, negz, -2, 2})
	// np.power special cases (C99)
	values(t, "pow special", f64s(-8, 0, negz, inf, -inf, 1, nan, -1, 0.5).Pow(f64s(1.0/3, -1, -3, -0.5, 3, nan, 0, inf, -inf)),
		chunk.Float64, []int{9}, []float64{nan, inf, -inf, 0, -inf, 1, 1, 1, inf})
	// np.logical_and(np.array([nan, 0.0, -0.0]), 1.0): NaN is true
	exact(t, "logical", f64s(nan, 0, negz).LogicalAnd(ndarray.Float(1)), chunk.Bool, []int{3}, []bool{true, false, false})
	// ops' documented minimum and maximum: NaN propagates, -0.0 < +0.0.
	exact(t, "maximum", f64s(0, negz, nan, 1).Maximum(f64s(negz, 0, 1, nan)), chunk.Float64, []int{4}, []float64{0, 0, nan, nan})
	exact(t, "minimum", f64s(0, negz, nan, 1).Minimum(f64s(negz, 0, 1, nan)), chunk.Float64, []int{4}, []float64{negz, negz, nan, nan})
	exact(t, "comparisons", f64s(nan, 1, 2).Lt(f64s(1, nan, 3)), chunk.Bool, []int{3}, []bool{false, false, true})
	// float32 + Float(0.1) stays float32: 1 + 0.1 rounded to float32
	exact(t, "weak f32", f32(1).Add(ndarray.Float(0.1)), chunk.Float32, []int{1}, []float64{float64(float32(1) + float32(0.1))})
	// int + Float gives float64
	exact(t, "int+float", ndarray.FromSlice([]int8{1}, []int{1}, auto).Add(ndarray.Float(0.5)), chunk.Float64, []int{1}, []float64{1.5})
}

func TestEagerTranscendental(t *testing.T) {
	// from numpy 1.24.2 (glibc): values within 1 ulp of the true ones
	close(t, "sin", f64s(1e22, 0x1p63, 1e300).Sin(), []float64{-0.8522008497671888, 0.9999303766734422, -0.8178819121159085})
	close(t, "tan", f64s(0x1p63, 1e300).Tan(), []float64{84.73931296875567, 1.4214488238747243})
	close(t, "arccos", f64s(1-0x1p-53, -1+0x1p-53, 0.5).Arccos(), []float64{1.4901161193847656e-08, 3.141592638688632, 1.0471975511965976})
	close(t, "log10", f64s(1000, 1e15, 1e-300, 5e-324).Log10(), []float64{3, 15, -300, -323.3062153431158})
	close(t, "log", f64s(5e-324, 1e-310).Log(), []float64{-744.4400719213812, -713.8013788281542})
	close(t, "pow", f64s(3.152080853201245, 0.2590186872795561).Pow(f64s(168, 175)), []float64{5.812388314818923e+83, 2.1524950091368536e-103})
	// np.exp(709.55): math.Exp on amd64 overflows from 709.436 on
	close(t, "exp", f64s(709.55, 709.78, 709.79).Exp(), []float64{1.4244579534803427e+308, 1.7928227943945155e+308, inf})
	// np.sinh(710.4), np.cosh(-710.4): finite although exp(710.4) is not
	close(t, "sinh", f64s(710.4, -710.4).Sinh(), []float64{1.6663642832806496e+308, -1.6663642832806496e+308})
	close(t, "cosh", f64s(-710.4).Cosh(), []float64{1.6663642832806496e+308})
	// Approximate functions carry a bound of 4 ulp of float64.
	r := evalT(t, f64s(1).Exp())
	if b := bound(r, 0); b != 4*ulp(chunk.Float64, math.E) {
		t.Errorf("exp(1) bound %g, want 4 ulp", b)
	}
}

func TestEagerReductions(t *testing.T) {
	x := ndarray.FromSlice([]float64{1, 2, 3, 4, 2, 2, 2, nan, 1e10 + 1, 1e10 + 2, 1e10 + 3, 1e10 + 4}, []int{3, 4}, auto)
	// np.var(x, axis=1, ddof=1), np.nanvar(...), np.nanstd(x, axis=1, ddof=3)
	close(t, "var", x.Var(ndarray.Axes(1), ndarray.Ddof(1)), []float64{1.6666666666666667, nan, 1.6666666666666667})
	close(t, "nanvar", x.NanVar(ndarray.Axes(1), ndarray.Ddof(1)), []float64{1.6666666666666667, 0, 1.6666666666666667})
	close(t, "nanstd", x.NanStd(ndarray.Axes(-1), ndarray.Ddof(3)), []float64{2.23606797749979, nan, 2.23606797749979})
	// np.std(x, axis=0)
	close(t, "std", x.Std(ndarray.Axes(0)), []float64{4714045207.674615, 4714045207.910316, 4714045208.146019, nan})
	// np.nanvar of integers is np.var: ddof >= n gives inf, not nan
	close(t, "nanvar int", ndarray.FromSlice([]int64{1, 2}, []int{2}, auto).NanVar(ndarray.Ddof(2)), []float64{inf})
	// np.argmax([[1, nan, 3, nan], [5, 5, 1, 0]], axis=1)
	exact(t, "argmax", ndarray.FromSlice([]float64{1, nan, 3, nan, 5, 5, 1, 0}, []int{2, 4}, auto).ArgMax(ndarray.Axes(1)), chunk.Int64, []int{2}, []int64{1, 0})
	exact(t, "argmin", ndarray.FromSlice([]int32{2, 1, 1, 3, 0, 0, 0, 0}, []int{2, 4}, auto).ArgMin(ndarray.Axes(-1)), chunk.Int64, []int{2}, []int64{1, 0})
	exact(t, "argmin axis0", ndarray.FromSlice([]int64{3, 1, 2, 1, 1, 5, 0, 9, 2}, []int{3, 3}, auto).ArgMin(ndarray.Axes(0)), chunk.Int64, []int{3}, []int64{2, 0, 0})
	// y = np.arange(24).reshape(2, 3, 4); np.argmax(np.where(y % 7 == 3, 100, y))
	y := ndarray.Arange(0, 24, 1, chunk.Int64, chunk.Regular(5)).Reshape(2, 3, 4)
	yy := ndarray.Where(y.Mod(ndarray.Int(7)).Eq(ndarray.Int(3)), ndarray.Int(100), y)
	exact(t, "argmax all", yy.ArgMax(), chunk.Int64, []int{}, []int64{3})
	exact(t, "argmax keepdims", yy.ArgMax(ndarray.KeepDims()), chunk.Int64, []int{1, 1, 1}, []int64{3})
	// dtypes: sum of int8 is int64, of uint8 uint64; prod of uint8 [200, 200]
	exact(t, "sum i8", ndarray.FromSlice([]int8{100, 100, 100}, []int{3}, auto).Sum(), chunk.Int64, []int{}, []int64{300})
	exact(t, "prod u8", ndarray.FromSlice([]uint8{200, 200}, []int{2}, auto).Prod(), chunk.Uint64, []int{}, []uint64{40000})
	exact(t, "sum bool", ndarray.FromSlice([]bool{true, true, false}, []int{3}, auto).Sum(), chunk.Int64, []int{}, []int64{2})
	// np.mean(np.array([2**62, 2**62, 1], np.int64))
	close(t, "mean i64", ndarray.FromSlice([]int64{1 << 62, 1 << 62, 1}, []int{3}, auto).Mean(), []float64{3.0744573456182584e+18})
	exact(t, "nanmin", f64s(nan, 3, 1).NanMin(), chunk.Float64, []int{}, []float64{1})
	exact(t, "nanmax all nan", f64s(nan, nan).NanMax(), chunk.Float64, []int{}, []float64{nan})
	exact(t, "min ieee", f64s(0, negz).Min(), chunk.Float64, []int{}, []float64{negz})
	exact(t, "any", f64s(0, nan).Any(), chunk.Bool, []int{}, []bool{true})
	exact(t, "all", f64s(1, negz).All(), chunk.Bool, []int{}, []bool{false})
	exact(t, "count", f64s(0, negz, nan, 2).CountNonzero(), chunk.Int64, []int{}, []int64{2})
	exact(t, "sum empty", ndarray.Zeros(chunk.Float64, []int{0, 3}, auto).Sum(ndarray.Axes(0)), chunk.Float64, []int{3}, []float64{0, 0, 0})
	exact(t, "mean empty", ndarray.Zeros(chunk.Float64, []int{0}, auto).Mean(), chunk.Float64, []int{}, []float64{nan})
	// np.sum([-0.0]) is 0.0: NumPy's sum starts from +0
	exact(t, "sum -0", f64s(negz).Sum(), chunk.Float64, []int{}, []float64{0})
	exact(t, "prod -0", f64s(negz).Prod(), chunk.Float64, []int{}, []float64{negz})
	exact(t, "sum inf", f64s(inf, -inf).Sum(), chunk.Float64, []int{}, []float64{nan})
	exact(t, "prod 0*inf", f64s(0, inf).Prod(), chunk.Float64, []int{}, []float64{nan})
}

func TestEagerScans(t *testing.T) {
	// np.cumsum(np.arange(-5.75, -5.15, 0.1).astype(np.float32)): float32 in order
	x := ndarray.Arange(-5.75, -5.15, 0.1, chunk.Float64, auto).AsType(chunk.Float32)
	r := evalT(t, x.CumSum(0))
	want := []float64{-5.75, -11.399999618530273, -16.950000762939453, -22.400001525878906, -27.750001907348633, -33.0}
	for i, w := range want {
		if g := r.Value.Float64(i); g != w {
			t.Errorf("cumsum f32[%d] = %v, want %v", i, g, w)
		}
	}
	if b := bound(r, 0); b != 0 {
		t.Errorf("cumsum's first element has bound %g, want 0", b)
	}
	if b := bound(r, 4); b == 0 || b > 1e-4 {
		t.Errorf("cumsum's fifth element has bound %g, want a few float32 ulps", b)
	}
	// np.cumprod(np.array([3, 5, 7, 11], np.int8)) accumulates in int64
	exact(t, "cumprod i8", ndarray.FromSlice([]int8{3, 5, 7, 11}, []int{4}, auto).CumProd(0), chunk.Int64, []int{4}, []int64{3, 15, 105, 1155})
	exact(t, "cumsum u8", ndarray.FromSlice([]uint8{200, 100}, []int{2}, auto).CumSum(-1), chunk.Uint64, []int{2}, []uint64{200, 300})
	exact(t, "cumsum axis0", ndarray.FromSlice([]int64{1, 2, 3, 4, 5, 6}, []int{3, 2}, chunk.Regular(1)).CumSum(0), chunk.Int64, []int{3, 2}, []int64{1, 2, 4, 6, 9, 12})
}

func TestEagerMovement(t *testing.T) {
	z := ndarray.Arange(0, 10, 1, chunk.Int64, chunk.Regular(3))
	all := ndarray.Omit
	// z[::-2], z[7:1:-3], z[-3:]
	exact(t, "slice1", z.Slice(ndarray.Span(all, all, -2)), chunk.Int64, []int{5}, []int64{9, 7, 5, 3, 1})
	exact(t, "slice2", z.Slice(ndarray.Span(7, 1, -3)), chunk.Int64, []int{2}, []int64{7, 4})
	exact(t, "slice3", z.Slice(ndarray.Span(-3, all, all)), chunk.Int64, []int{3}, []int64{7, 8, 9})
	m := ndarray.Arange(0, 12, 1, chunk.Int64, auto).Reshape(3, 4)
	// np.arange(12).reshape(3, 4)[1, ::-1] and [None, -1:, 2]
	exact(t, "slice4", m.Slice(ndarray.At(1), ndarray.Span(all, all, -1)), chunk.Int64, []int{4}, []int64{7, 6, 5, 4})
	exact(t, "slice5", m.Slice(ndarray.NewAxis(), ndarray.Span(-1, all, all), ndarray.At(2)), chunk.Int64, []int{1, 1}, []int64{10})
	exact(t, "ellipsis", m.Slice(ndarray.Ellipsis(), ndarray.At(-1)), chunk.Int64, []int{3}, []int64{3, 7, 11})
	exact(t, "empty", m.Slice(ndarray.Span(2, 1, 1)), chunk.Int64, []int{0, 4}, []int64{})
	s6 := ndarray.Arange(0, 6, 1, chunk.Int64, auto)
	// np.arange(6).reshape(1, 2, 3).transpose(2, 0, 1)
	exact(t, "transpose", s6.Reshape(1, 2, 3).Transpose(2, 0, 1), chunk.Int64, []int{3, 1, 2}, []int64{0, 3, 1, 4, 2, 5})
	exact(t, "swapaxes", s6.Reshape(2, 3).SwapAxes(0, -1), chunk.Int64, []int{3, 2}, []int64{0, 3, 1, 4, 2, 5})
	exact(t, "broadcast", s6.Reshape(2, 1, 3).BroadcastTo(2, 2, 3), chunk.Int64, []int{2, 2, 3}, []int64{0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5})
	// np.concatenate([np.int8([-1]), np.uint8([255])]) promotes to int16
	exact(t, "concat", ndarray.Concatenate([]ndarray.Array{ndarray.FromSlice([]int8{-1}, []int{1}, auto), ndarray.FromSlice([]uint8{255}, []int{1}, auto)}, 0),
		chunk.Int16, []int{2}, []int64{-1, 255})
	exact(t, "stack", ndarray.Stack([]ndarray.Array{s6.Slice(ndarray.Span(0, 2, 1)), s6.Slice(ndarray.Span(4, 6, 1))}, 1), chunk.Int64, []int{2, 2}, []int64{0, 4, 1, 5})
	// np.where(np.array([True, False]), np.int8([[1, 2], [3, 4]]), 0.5)
	exact(t, "where", ndarray.Where(ndarray.FromSlice([]bool{true, false}, []int{2}, auto), ndarray.FromSlice([]int8{1, 2, 3, 4}, []int{2, 2}, auto), ndarray.Scalar(chunk.Float64, 0.5)),
		chunk.Float64, []int{2, 2}, []float64{1, 0.5, 3, 0.5})
	// np.linspace(-1, 2, 4), np.linspace(0, 1, 3, endpoint=False), np.arange(0.25, 1, 0.25, dtype=np.float32)
	exact(t, "linspace", ndarray.Linspace(-1, 2, 4, true, chunk.Float64, auto), chunk.Float64, []int{4}, []float64{-1, 0, 1, 2})
	exact(t, "linspace open", ndarray.Linspace(0, 1, 3, false, chunk.Float64, auto), chunk.Float64, []int{3}, []float64{0, 0.3333333333333333, 0.6666666666666666})
	exact(t, "arange f32", ndarray.Arange(0.25, 1, 0.25, chunk.Float32, auto), chunk.Float32, []int{3}, []float64{0.25, 0.5, 0.75})
	exact(t, "full", ndarray.Full(chunk.Uint8, []int{2}, 7.9, auto), chunk.Uint8, []int{2}, []uint64{7, 7})
}

func TestEagerContractions(t *testing.T) {
	A := ndarray.Arange(0, 6, 1, chunk.Float64, auto).Reshape(2, 3)
	B := ndarray.Arange(0, 12, 1, chunk.Float64, chunk.Regular(5)).Reshape(2, 3, 2)
	// np.matmul(A[None], B): batch axes broadcast
	values(t, "matmul batch", ndarray.Matmul(A.ExpandDims(0), B), chunk.Float64, []int{2, 2, 2}, []float64{10, 13, 28, 40, 28, 31, 100, 112})
	values(t, "matmul vec", ndarray.Matmul(ndarray.Arange(0, 3, 1, chunk.Float64, auto), ndarray.Arange(0, 6, 1, chunk.Float64, auto).Reshape(3, 2)), chunk.Float64, []int{2}, []float64{10, 13})
	// np.tensordot(np.arange(24.).reshape(2,3,4), np.arange(12.).reshape(4,3), axes=([2,1],[0,1]))
	values(t, "tensordot", ndarray.Tensordot(ndarray.Arange(0, 24, 1, chunk.Float64, auto).Reshape(2, 3, 4), ndarray.Arange(0, 12, 1, chunk.Float64, auto).Reshape(4, 3), []int{2, 1}, []int{0, 1}),
		chunk.Float64, []int{2}, []float64{440, 1232})
	// np.dot(np.int8([100, 100]), np.int8([2, 1])) wraps in int8
	exact(t, "dot int8", ndarray.Dot(ndarray.FromSlice([]int8{100, 100}, []int{2}, auto), ndarray.FromSlice([]int8{2, 1}, []int{2}, auto)), chunk.Int8, []int{}, []int64{44})
	exact(t, "bool matmul", ndarray.Matmul(ndarray.FromSlice([]bool{true, false, false, false}, []int{2, 2}, auto), ndarray.FromSlice([]bool{false, true, true, true}, []int{2, 2}, auto)),
		chunk.Bool, []int{2, 2}, []bool{false, true, false, false})
	exact(t, "empty k", ndarray.Matmul(ndarray.Zeros(chunk.Float64, []int{2, 0}, auto), ndarray.Zeros(chunk.Float64, []int{0, 1}, auto)), chunk.Float64, []int{2, 1}, []float64{0, 0})
	// A product of 0 and Inf is left undetermined (BLAS may skip zeros).
	r := evalT(t, ndarray.Dot(f64s(0, 1), f64s(inf, 1)))
	if !math.IsInf(bound(r, 0), 1) {
		t.Errorf("dot([0, 1], [inf, 1]) bound %g, want +Inf", bound(r, 0))
	}
	r = evalT(t, ndarray.Dot(f64s(nan, 1), f64s(2, 1)))
	if !math.IsNaN(r.Value.Float64(0)) || bound(r, 0) != 0 {
		t.Errorf("dot([nan, 1], [2, 1]) = %v bound %g, want a certain NaN", r.Value.Float64(0), bound(r, 0))
	}
}

func TestEagerBounds(t *testing.T) {
	tenth := ndarray.Full(chunk.Float64, []int{10}, 0.1, chunk.Regular(3))
	s := tenth.Sum()
	r := evalT(t, s)
	// The exact sum of ten float64 0.1 is 1.0000000000000000555, so the
	// reference is 1, and the bound allows any order's rounding.
	if v, b := r.Value.Float64(0), bound(r, 0); v != 1 || b <= 0 || b > 1e-14 {
		t.Errorf("sum(0.1 x 10) = %v bound %g, want 1 with a small bound", v, b)
	}
	// floor of it could be 0 or 1 in a correct engine.
	if b := bound(evalT(t, s.Floor()), 0); b < 1 {
		t.Errorf("floor(sum) bound %g, want at least 1", b)
	}
	// and its conversion to an integer is undetermined.
	if b := bound(evalT(t, s.Floor().AsType(chunk.Int64)), 0); !math.IsInf(b, 1) {
		t.Errorf("floor(sum) as int64 bound %g, want +Inf", b)
	}
	// A comparison far from the edge stays certain.
	if b := bound(evalT(t, s.Gt(ndarray.Float(0.5))), 0); b != 0 {
		t.Errorf("sum > 0.5 bound %g, want 0", b)
	}
	// argmax between a sum and an exact value equal to it is a near-tie.
	both := ndarray.Stack([]ndarray.Array{s, ndarray.Scalar(chunk.Float64, 1)}, 0)
	if b := bound(evalT(t, both.ArgMax()), 0); !math.IsInf(b, 1) {
		t.Errorf("argmax of a near tie bound %g, want +Inf", b)
	}
	// Exact operations of exact inputs have no bound.
	if r := evalT(t, f64s(1, 2).Mul(ndarray.Float(3)).Sqrt()); r.Err != nil {
		t.Errorf("sqrt(x*3) has bounds %v", r.Err)
	}
	// Integer constants are exact and wrap like array elements: uint64 5
	// + Int(-1) is 5 + (2^64-1) mod 2^64 = 4 (NumPy 2 raises OverflowError;
	// numpy 1.24 gives 4.0).
	u := ndarray.FromSlice([]uint64{5}, []int{1}, auto).Add(ndarray.Int(-1))
	if r := evalT(t, u); bound(r, 0) != 0 || r.Value.Int64(0) != 4 {
		t.Errorf("uint64 + Int(-1) = %v bound %g, want exactly 4", r.Value, bound(r, 0))
	}
	// A product with a factor that may be zero is bounded absolutely.
	z := tenth.Sum().Sub(ndarray.Float(1)) // exactly 0 in the reference, tiny in an engine
	r = evalT(t, ndarray.Stack([]ndarray.Array{z, ndarray.Scalar(chunk.Float64, 3)}, 0).Prod())
	if v, b := r.Value.Float64(0), bound(r, 0); v != 0 || b == 0 || b > 1e-13 {
		t.Errorf("prod([sum-1, 3]) = %v bound %g, want 0 with a small bound", v, b)
	}
	// Bounds pass through movement and reach sums.
	r = evalT(t, tenth.CumSum(0).Slice(ndarray.Span(ndarray.Omit, ndarray.Omit, -1)))
	if bound(r, 9) != 0 || bound(r, 0) == 0 {
		t.Errorf("reversed cumsum bounds %v, want the last element exact and the first not", r.Err)
	}
}

func TestEagerMapBlocks(t *testing.T) {
	x := ndarray.Arange(0, 10, 1, chunk.Int64, chunk.Irregular([]int{3, 3, 4}))
	var seen []ndarray.BlockInfo
	fn := func(_ context.Context, out *chunk.Dense, in []*chunk.Dense, info ndarray.BlockInfo) error {
		seen = append(seen, info)
		o, a := chunk.Values[int64](out), chunk.Values[int64](in[0])
		for i := range o {
			o[i] = a[i]*10 + int64(info.Index[0])
		}
		return nil
	}
	exact(t, "map_blocks", ndarray.MapBlocks(fn, "f", chunk.Int64, nil, x), chunk.Int64, []int{10}, []int64{0, 10, 20, 31, 41, 51, 62, 72, 82, 92})
	if len(seen) != 3 || seen[2].Region.Start[0] != 6 || seen[2].Region.Shape[0] != 4 || seen[1].Index[0] != 1 {
		t.Errorf("block infos %+v", seen)
	}
	// One output element per block (outChunks), as block sums.
	sum := func(_ context.Context, out *chunk.Dense, in []*chunk.Dense, info ndarray.BlockInfo) error {
		var s int64
		for _, v := range chunk.Values[int64](in[0]) {
			s += v
		}
		chunk.Values[int64](out)[0] = s
		return nil
	}
	exact(t, "block sums", ndarray.MapBlocks(sum, "sum", chunk.Int64, [][]int{{1, 1, 1}}, x), chunk.Int64, []int{3}, []int64{3, 12, 30})
}

func TestEagerUnaryTypes(t *testing.T) {
	// Every unary function over every dtype ndarray accepts evaluates with
	// the dtype ndarray gives it.
	for op := ops.UnaryOp(1); op <= ops.Reciprocal; op++ {
		for _, dt := range chunk.DTypes {
			a := ndarray.Unary(op, ndarray.Ones(dt, []int{2}, auto))
			if a.Err() != nil {
				continue
			}
			if _, err := EvalBounds(a.Node(), Options{}); err != nil {
				t.Errorf("%v of %v: %v", op, dt, err)
			}
		}
	}
	for op := ops.BinaryOp(1); op <= ops.BitwiseXor; op++ {
		for _, dt := range chunk.DTypes {
			a := ndarray.Binary(op, ndarray.Ones(dt, []int{2}, auto), ndarray.Ones(dt, []int{2}, auto))
			if a.Err() != nil {
				continue
			}
			if _, err := EvalBounds(a.Node(), Options{}); err != nil {
				t.Errorf("%v of %v: %v", op, dt, err)
			}
		}
	}
}
