package expr

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	ndexec "github.com/ndchunk/ndchunk/exec"
	"github.com/ndchunk/ndchunk/ndarray"
)

// testInputs are the small arrays the tests evaluate expressions over,
// chunked in blocks of 2 along every axis so that expressions cross
// block boundaries.
func testInputs(t testing.TB) map[string]*chunk.Dense {
	t.Helper()
	mk := func(d *chunk.Dense, err error) *chunk.Dense {
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	a := make([]float64, 12)
	f := make([]float32, 12)
	for i := range a {
		a[i] = float64(i)*0.37 - 2.1
		f[i] = float32(a[i])
	}
	tt := make([]float64, 24)
	for i := range tt {
		tt[i] = float64(i)*0.1 - 1.1
	}
	u := make([]uint8, 12)
	for i := range u {
		u[i] = uint8(i * 20)
	}
	inf, nan := math.Inf(1), math.NaN()
	return map[string]*chunk.Dense{
		"a": mk(chunk.DenseOf([]int{3, 4}, a)),
		"b": mk(chunk.DenseOf([]int{4}, []float64{0.5, -1.25, 2, 0.1})),
		"c": mk(chunk.DenseOf([]int{3, 4}, []int64{-5, 3, 7, 1, 9, -2, 4, 11, 6, -8, 10, 12})),
		"w": mk(chunk.DenseOf([]int{3, 4}, []int32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})),
		"f": mk(chunk.DenseOf([]int{3, 4}, f)),
		"k": mk(chunk.DenseOf([]int{3, 4}, []bool{true, false, false, true, true, true, false, false, true, false, true, false})),
		"m": mk(chunk.DenseOf([]int{4, 2}, []float64{0.5, -1, 2, 0.25, -0.75, 1.5, 3, -2})),
		"t": mk(chunk.DenseOf([]int{2, 3, 4}, tt)),
		"n": mk(chunk.DenseOf([]int{3, 4}, []float64{1, nan, 3, -inf, 5, 6, nan, 8, inf, 10, -2, 0.5})),
		"u": mk(chunk.DenseOf([]int{3, 4}, u)),
	}
}

// testEnv wraps the inputs as arrays; created arrays get blocks of 2.
func testEnv(t testing.TB) Env {
	vars := map[string]ndarray.Array{}
	for name, d := range testInputs(t) {
		vars[name] = ndarray.FromDense(d, chunk.Regular(2))
	}
	return Env{Vars: vars, Chunks: func([]int, chunk.DType) chunk.Spec { return chunk.Regular(2) }}
}

// compute evaluates src with the engine.
func compute(t testing.TB, src string, env Env) (*chunk.Dense, error) {
	t.Helper()
	a, err := Compile(src, env)
	if err != nil {
		return nil, err
	}
	return ndexec.New(ndexec.Options{MemoryBudget: 64 << 20}).Compute(context.Background(), a)
}

// numpyCase is an expression evaluated by the engine and by NumPy. np,
// when set, is the NumPy spelling of the same computation (for the few
// functions NumPy 1.24 lacks or spells differently).
type numpyCase struct {
	src, np string
}

var numpyCases = []numpyCase{
	// Constants, folded with Python's rules.
	{src: "1 + 2 * 3"}, {src: "(1 + 2) * 3"}, {src: "-2**2"}, {src: "2**-1"}, {src: "2**3**2"},
	{src: "7 // 2"}, {src: "-7 // 2"}, {src: "7 // -2"}, {src: "-7 % 3"}, {src: "7 % -3"},
	{src: "7.5 // 2"}, {src: "-7.5 % 2"}, {src: "7.5 % -2"}, {src: "5 // 0.3"}, {src: "1 / 4"},
	{src: "True + True"}, {src: "3 > 2"}, {src: "1 | 2 ^ 3 & 4"}, {src: "~5"}, {src: "-(-3)"},
	{src: "2.0 ** 0.5"}, {src: "10 - 4 - 3"}, {src: "2 * 3 % 4"}, {src: "0x1f + 0b11 + 0o7"},
	{src: "1_000 * 3"}, {src: "1e-3 * 2"}, {src: "-inf"}, {src: "nan"}, {src: "pi / 2"},
	{src: "true & ~false", np: "True & (not False)"},

	// Operators on arrays.
	{src: "a + b"}, {src: "a - 2*b"}, {src: "-a**2"}, {src: "a ** 2"}, {src: "a * -b"},
	{src: "c // 3"}, {src: "c % 3"}, {src: "-c // 3"}, {src: "c % -3"}, {src: "a // 0.7"},
	{src: "a % 0.7"}, {src: "a / c"}, {src: "c / 2"}, {src: "w / 2"}, {src: "u / 2"},
	{src: "c ** 2"}, {src: "2 ** w"}, {src: "a > 0"}, {src: "(a > 0) & (b < 1)"}, {src: "~k"},
	{src: "k | (a > 0)"}, {src: "k ^ True"}, {src: "c & 6"}, {src: "c | 1"}, {src: "c ^ 5"},
	{src: "~c"}, {src: "~u"}, {src: "a == b"}, {src: "c != 3"}, {src: "a <= b"}, {src: "a >= 0.5"},
	{src: "+a"}, {src: "a @ m"}, {src: "a @ b"}, {src: "t @ m"}, {src: "b @ b"}, {src: "m.T @ a.T"},
	{src: "f + 1.5"}, {src: "f * a"}, {src: "c + 1.5"}, {src: "k + 1"}, {src: "c + True"},
	{src: "u + 1"}, {src: "u - 1"}, {src: "f + w"}, {src: "w * 2"}, {src: "k * 2.5"},
	{src: "a + [1, 2, 3, 4]"}, {src: "(1, 2, 3, 4) * a"},

	// Subscripts and attributes.
	{src: "a[1]"}, {src: "a[-1, ::-1]"}, {src: "a[:, 1:3]"}, {src: "a[..., None]"}, {src: "t[0, ..., 1]"},
	{src: "t[:, None, ::2]"}, {src: "a[::2, ::-2]"}, {src: "a[1:2]"}, {src: "b[None, :]"},
	{src: "a[(1, 2)]"}, {src: "t[-1, -2:, :-1]"}, {src: "a[5:]"}, {src: "a[:, newaxis, 1]"},
	{src: "a[a.shape[0] - 1]"}, {src: "a.T"}, {src: "t.T"}, {src: "t.mT", np: "swapaxes(t, -2, -1)"},
	{src: "a.shape[0] * 2 + a.ndim"}, {src: "a.size"}, {src: "a.shape[::-1]"}, {src: "len(a)"},
	{src: "a.nbytes + a.itemsize"}, {src: "shape(t)"}, {src: "ndim(t) + size(t)"},
	{src: "np.sin(a) + numpy.pi"}, {src: "a[np.newaxis]"}, {src: "a.astype(np.float32)"},

	// Reductions and scans.
	{src: "sum(a)"}, {src: "a.sum(axis=0)"}, {src: "a.mean(axis=1, keepdims=True)"},
	{src: "a.mean(axis=1, keepdims=true)", np: "a.mean(axis=1, keepdims=True)"},
	{src: "a.var(ddof=1)"}, {src: "std(t, axis=(0, 2))"}, {src: "min(a, axis=None)"}, {src: "a.max(0)"},
	{src: "argmax(a, axis=1)"}, {src: "argmin(a)"}, {src: "any(k, axis=0)"}, {src: "all(k)"},
	{src: "count_nonzero(k, axis=1)"}, {src: "nansum(n)"}, {src: "nanmean(n, axis=0)"}, {src: "nanmax(n)"},
	{src: "nanmin(n, axis=1)"}, {src: "nanvar(a)"}, {src: "nanstd(n[:, :3], axis=0, ddof=1)"},
	{src: "nanprod(n[:, 1:3])"}, {src: "prod(c, axis=0)"}, {src: "mean(c)"}, {src: "sum(k)"},
	{src: "sum(f)"}, {src: "f.mean()"}, {src: "f.sum(axis=0)"}, {src: "amin(t, axis=-1)"},
	{src: "amax(t, axis=(0, 1), keepdims=True)"}, {src: "sum(c, dtype=float32)"},
	{src: "mean(f, dtype=float64)"}, {src: "a.std(0, ddof=1, keepdims=True)"},
	{src: "sum(t, axis=1, split_every=2)", np: "sum(t, axis=1)"},
	{src: "nanmean(n, axis=1, keepdims=True)"}, {src: "sum(a, axis=())"}, {src: "a.any()"},
	{src: "a.all(axis=1)"}, {src: "a.argmax()"}, {src: "t.argmin(axis=2)"}, {src: "a.prod(axis=1)"},
	{src: "cumsum(a, axis=1)"}, {src: "cumprod(c, axis=0)"}, {src: "a.cumsum(0)"}, {src: "cumsum(a)"},
	{src: "cumsum(k, axis=0)"}, {src: "t.cumprod(axis=-1)"}, {src: "sum([1, 2, 3])"},

	// Elementwise functions.
	{src: "where(a > 0, a, 0)"}, {src: "where(k, c, -c)"}, {src: "where(c, 1.5, f)"},
	{src: "clip(a, -0.5, 0.5)"}, {src: "a.clip(0)"}, {src: "clip(c, 2, 8)"}, {src: "clip(a, None, 1)"},
	{src: "a.clip(min=-1, max=1)"}, {src: "astype(a, int32)", np: "a.astype('int32')"},
	{src: "a.astype(float32)"}, {src: "a.astype('int16')"}, {src: "c.astype(bool)", np: "c.astype(np.bool_)"}, {src: "float32(a) + 1"},
	{src: "sin(a) + cos(a)**2"}, {src: "sqrt(abs(a))"}, {src: "exp(a) - expm1(a)"}, {src: "log1p(abs(a))"},
	{src: "log10(abs(a) + 1)"}, {src: "log(abs(c))"}, {src: "arctan2(a, b)"}, {src: "atan2(a, 2)", np: "arctan2(a, 2)"},
	{src: "arcsin(clip(a, -1, 1))"}, {src: "asin(b / 4)", np: "arcsin(b / 4)"}, {src: "acos(b / 4)", np: "arccos(b / 4)"},
	{src: "atan(a)", np: "arctan(a)"}, {src: "floor(a)"}, {src: "ceil(a)"}, {src: "round(a * 10)"},
	{src: "around(a, 2)"}, {src: "round(a, -1)"}, {src: "f.round(1)"}, {src: "round(c, -1)"},
	{src: "round(c, 2)"}, {src: "rint(a * 3)"}, {src: "sign(a)"}, {src: "sign(c)"}, {src: "isnan(n)"},
	{src: "isinf(n)"}, {src: "isfinite(n)"}, {src: "logical_not(k)"}, {src: "invert(c)"},
	{src: "bitwise_not(k)"}, {src: "square(c)"}, {src: "negative(a)"}, {src: "absolute(c)"},
	{src: "tan(a)"}, {src: "sinh(a)"}, {src: "cosh(a)"}, {src: "tanh(a)"}, {src: "arccos(b / 4)"},
	{src: "arctan(c)"}, {src: "reciprocal(a)"}, {src: "positive(a)"}, {src: "degrees(a)"},
	{src: "radians(c)"}, {src: "rad2deg(f)"}, {src: "deg2rad(a)"}, {src: "sqrt(w)"}, {src: "sqrt(f)"},
	{src: "add(a, 1)"}, {src: "subtract(c, 1)"}, {src: "multiply(a, b)"}, {src: "divide(c, 2)"},
	{src: "true_divide(a, 3)"}, {src: "floor_divide(c, 4)"}, {src: "mod(c, 5)"}, {src: "remainder(a, 0.3)"},
	{src: "power(a, 2)"}, {src: "pow(c, 3)", np: "power(c, 3)"}, {src: "minimum(a, b)"}, {src: "maximum(a, 0)"},
	{src: "minimum(n, 2)"}, {src: "logical_and(k, a > 0)"}, {src: "logical_or(k, False)"},
	{src: "logical_xor(k, a > 0)"}, {src: "bitwise_and(c, 3)"}, {src: "bitwise_or(c, 8)"},
	{src: "bitwise_xor(c, 1)"}, {src: "equal(a, b)"}, {src: "not_equal(c, 2)"}, {src: "less(a, b)"},
	{src: "less_equal(c, 3)"}, {src: "greater(a, 0)"}, {src: "greater_equal(a, b)"},
	{src: "isclose(a, a + 1e-10)"}, {src: "isclose(n, n)"}, {src: "isclose(n, n, equal_nan=True)"},
	{src: "isclose(c, c + 1, atol=1)"}, {src: "allclose(a, a + 1e-10)"}, {src: "allclose(a, b)"},

	// Shapes and layout.
	{src: "transpose(t, (1, 0, 2))"}, {src: "t.transpose(2, 0, 1)"}, {src: "t.transpose((2, 0, 1))"},
	{src: "transpose(a)"}, {src: "swapaxes(t, 0, 2)"}, {src: "t.swapaxes(1, 2)"}, {src: "moveaxis(t, 0, -1)"},
	{src: "moveaxis(t, (0, 1), (2, 0))"}, {src: "reshape(a, (2, -1))"}, {src: "reshape(a, 6, 2)", np: "reshape(a, (6, 2))"},
	{src: "a.reshape(2, 6)"}, {src: "a.reshape((4, 3))"}, {src: "reshape(a, a.shape + (1,))"},
	{src: "ravel(t)"}, {src: "a.flatten()"}, {src: "expand_dims(a, 0)"}, {src: "expand_dims(a, (0, 2))"},
	{src: "expand_dims(b, -1)"}, {src: "squeeze(a[None])"}, {src: "squeeze(expand_dims(a, 1), axis=1)"},
	{src: "broadcast_to(b, (3, 4))"}, {src: "broadcast_to(2.5, 3)"}, {src: "concatenate((a, c), axis=0)"},
	{src: "concatenate([a, a], axis=1)"}, {src: "concatenate((a, c), axis=None)"}, {src: "concatenate([b, b, b])"},
	{src: "stack((a, c))"}, {src: "stack([a, a], axis=-1)"}, {src: "stack([b, b], 1)"},
	{src: "rechunk(a, (1, 3)) + 1"}, {src: "rechunk(a, chunks=3)"}, {src: "rechunk(t, 'auto')"},
	{src: "a.rechunk((3, 1)).sum(axis=1)"}, {src: "a.persist() * 2"},

	// Products.
	{src: "dot(a, b)"}, {src: "dot(a, m)"}, {src: "dot(b, 2)"}, {src: "a.dot(m)"}, {src: "matmul(a, m)"},
	{src: "tensordot(t, m, axes=1)"}, {src: "tensordot(t, a, axes=((1, 2), (0, 1)))"},
	{src: "tensordot(t, a)"}, {src: "tensordot(a, m, axes=([1], [0]))"}, {src: "tensordot(b, b, axes=0)"},

	// Creation.
	{src: "arange(5)"}, {src: "arange(1, 10, 3)"}, {src: "arange(0.5, 3)"}, {src: "arange(10, dtype=float32)"},
	{src: "arange(5, 0, -1)"}, {src: "arange(0, 1, 0.25)"}, {src: "arange(start=2, stop=6)"}, {src: "arange(3, dtype=uint8)"},
	{src: "linspace(0, 1, 5)"}, {src: "linspace(-1, 1, 4, endpoint=False)"}, {src: "linspace(2, 3)"},
	{src: "zeros((2, 3))"}, {src: "ones(3, dtype=int32)"}, {src: "full((2, 2), 7)"},
	{src: "full((3,), 2.5, dtype=float32)"}, {src: "full((2, 2), True)"}, {src: "zeros_like(a)"},
	{src: "ones_like(c, dtype=float32)"}, {src: "full_like(a, 3)"}, {src: "full_like(c, 2.7)"},
	{src: "zeros((2, 3), dtype='int8')"}, {src: "ones((2, 2), chunks=(1, 2))", np: "ones((2, 2))"},
	{src: "arange(6, chunks=4).reshape(2, 3)", np: "arange(6).reshape(2, 3)"},
	{src: "array([[1, 2], [3, 4]]) @ array([1.5, 2])"}, {src: "array([True, False])"}, {src: "array([1, 2.5])"},
	{src: "asarray(a, dtype=float32)"}, {src: "array(3)"}, {src: "array([])"}, {src: "array([[], []])"},
	{src: "array([b, b * 2])"}, {src: "linspace(0, 10, 5, dtype=int32)"}, {src: "arange(0, 1, 0.1)"},
	{src: "arange(-3, 3, 2, dtype=float32)"},

	// Edge cases of dtypes and special values.
	{src: "cumsum(c, dtype=int32)"}, {src: "sum(u)"}, {src: "mean(k)"}, {src: "a.max(axis=(0, 1))"},
	{src: "(a > 0).sum()"}, {src: "c.astype(uint8)"}, {src: "squeeze(a)"}, {src: "a[..., ::-1][0]"},
	{src: "expand_dims(a, -1)"}, {src: "where(n > 0, 1, 0)"}, {src: "clip(n, 0, 5)"}, {src: "minimum(n, nan)"},
	{src: "a ** 0.5"}, {src: "c ** 0"}, {src: "u // 7"}, {src: "u % 7"}, {src: "-u"}, {src: "abs(u)"},
	{src: "n // 2"}, {src: "n % 3"}, {src: "sign(n)"}, {src: "floor(n)"}, {src: "n > 2"}, {src: "n == n"},
	{src: "argmax(n)"}, {src: "max(n, axis=0)"}, {src: "cumprod(n, axis=1)"}, {src: "var(n)"},
	{src: "f.var(ddof=1)"}, {src: "prod(u)"}, {src: "w // -3"}, {src: "w % -3"}, {src: "1 / w"}, {src: "array([1, 2], dtype=float32)"}, // NumPy 1.24 makes np.float32(2.5) * 2 float64; NumPy 2's weak int
	// keeps float32, as ndchunk.
	{src: "float32(2.5) * 2", np: "float32(2.5) * float32(2)"},
}

// numpyScript evaluates each expression with NumPy in a namespace of
// NumPy's functions and the inputs, and prints the results as JSON (raw
// bytes in hex, so every bit of every dtype survives).
const numpyScript = `
import sys, json, warnings
import numpy as np
warnings.simplefilter('ignore')
inp = json.load(sys.stdin)
ns = {k: getattr(np, k) for k in dir(np) if not k.startswith('_')}
ns.update(np=np, numpy=np, true=True, false=False, len=len,
          rechunk=lambda x, *a, **k: x, astype=lambda x, dt: np.asarray(x).astype(dt))
for name, v in inp['vars'].items():
    ns[name] = np.frombuffer(bytes.fromhex(v['hex']), dtype=v['dtype']).reshape(v['shape'])
class A(np.ndarray):
    def rechunk(self, *a, **k): return self
    def persist(self): return self
for name in inp['vars']:
    ns[name] = ns[name].view(A)
out = []
for e in inp['exprs']:
    try:
        r = np.asarray(eval(e, {'__builtins__': __builtins__}, ns))
        out.append({'dtype': r.dtype.name, 'shape': list(r.shape), 'hex': np.ascontiguousarray(r).tobytes().hex()})
    except Exception as ex:
        out.append({'err': repr(ex)})
print(json.dumps({'version': np.__version__, 'results': out}))
`

type numpyResult struct {
	DType string `json:"dtype"`
	Shape []int  `json:"shape"`
	Hex   string `json:"hex"`
	Err   string `json:"err"`
}

// runNumpy evaluates the expressions with /usr/bin/python3's NumPy; ok is
// false (with the reason) when NumPy is unavailable.
func runNumpy(t *testing.T, exprs []string) (version string, res []numpyResult, reason string) {
	const python = "/usr/bin/python3"
	if _, err := os.Stat(python); err != nil {
		return "", nil, python + " not found"
	}
	vars := map[string]any{}
	for name, d := range testInputs(t) {
		vars[name] = map[string]any{"dtype": d.DType().String(), "shape": d.Shape(), "hex": hex.EncodeToString(d.Bytes())}
	}
	in, err := json.Marshal(map[string]any{"vars": vars, "exprs": exprs})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "-c", numpyScript)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if strings.Contains(stderr.String(), "No module named 'numpy'") {
			return "", nil, "numpy is not installed for " + python
		}
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	var parsed struct {
		Version string        `json:"version"`
		Results []numpyResult `json:"results"`
	}
	if err := json.Unmarshal(out, &parsed); err != nil {
		t.Fatalf("python output: %v\n%s", err, out)
	}
	return parsed.Version, parsed.Results, ""
}

// sameValues compares a result with a reference: the same shape and dtype,
// ints and bools exactly, floats within a few units of rounding (both
// sides may round transcendental functions and sums differently) with NaN
// equal to NaN.
func sameValues(got, want *chunk.Dense) error {
	if !chunk.EqualInts(got.Shape(), want.Shape()) {
		return fmt.Errorf("shape %v, want %v", got.Shape(), want.Shape())
	}
	if got.DType() != want.DType() {
		return fmt.Errorf("dtype %s, want %s", got.DType(), want.DType())
	}
	rtol := 1e-12
	if got.DType() == chunk.Float32 {
		rtol = 1e-5
	}
	for i := 0; i < got.Len(); i++ {
		if !got.DType().IsFloat() {
			if got.Int64(i) != want.Int64(i) {
				return fmt.Errorf("element %d: %d, want %d", i, got.Int64(i), want.Int64(i))
			}
			continue
		}
		g, w := got.Float64(i), want.Float64(i)
		switch {
		case math.IsNaN(g) && math.IsNaN(w), g == w:
		case math.Abs(g-w) <= rtol*math.Abs(w)+1e-300:
		default:
			return fmt.Errorf("element %d: %v, want %v", i, g, w)
		}
	}
	return nil
}

func TestNumpy(t *testing.T) {
	env := testEnv(t)
	srcs := make([]string, len(numpyCases))
	for i, c := range numpyCases {
		srcs[i] = c.src
		if c.np != "" {
			srcs[i] = c.np
		}
	}
	// The engine's side runs even without NumPy: every expression must
	// evaluate.
	got := make([]*chunk.Dense, len(numpyCases))
	for i, c := range numpyCases {
		d, err := compute(t, c.src, env)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		got[i] = d
	}
	version, want, reason := runNumpy(t, srcs)
	if reason != "" {
		t.Skipf("NumPy comparison skipped: %s", reason)
	}
	t.Logf("compared %d expressions with NumPy %s", len(numpyCases), version)
	for i, c := range numpyCases {
		w := want[i]
		if w.Err != "" {
			t.Errorf("%s: NumPy failed: %s", srcs[i], w.Err)
			continue
		}
		if got[i] == nil {
			continue
		}
		dt, err := chunk.ParseDType(w.DType)
		if err != nil {
			t.Errorf("%s: NumPy dtype %s: %v", c.src, w.DType, err)
			continue
		}
		raw, err := hex.DecodeString(w.Hex)
		if err != nil {
			t.Fatal(err)
		}
		wd, err := chunk.WrapBytes(dt, w.Shape, raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := sameValues(got[i], wd); err != nil {
			t.Errorf("%s: %v\n got  %v\n want %v", c.src, err, got[i], wd)
		}
	}
}
