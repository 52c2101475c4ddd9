package expr

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
)

// Values pasted from NumPy, so the engine side is checked even where
// /usr/bin/python3 has no NumPy.
func TestPastedValues(t *testing.T) {
	// from numpy 1.24.2, with a = (arange(12)*0.37 - 2.1).reshape(3, 4),
	// b = [0.5, -1.25, 2, 0.1], c = [-5, 3, 7, 1, 9, -2, 4, 11, 6, -8, 10,
	// 12].reshape(3, 4), t = (arange(24)*0.1 - 1.1).reshape(2, 3, 4).
	cases := []struct {
		src  string
		dt   chunk.DType
		want []float64
	}{
		{"-2**2", chunk.Int64, []float64{-4}},
		{"-7 // 2", chunk.Int64, []float64{-4}},
		{"7.5 % -2", chunk.Float64, []float64{-0.5}},
		{"c // -3", chunk.Int64, []float64{1, -1, -3, -1, -3, 0, -2, -4, -2, 2, -4, -4}},
		{"c % 3", chunk.Int64, []float64{1, 0, 1, 1, 0, 1, 1, 2, 0, 1, 1, 0}},
		{"a.sum(axis=0)", chunk.Float64, []float64{-1.8600000000000003, -0.75, 0.35999999999999965, 1.4699999999999998}},
		{"a.var(ddof=1)", chunk.Float64, []float64{1.7797000000000003}},
		{"std(t, axis=(0, 2))", chunk.Float64, []float64{0.6103277807866851, 0.6103277807866851, 0.6103277807866851}},
		{"a[-1, ::-1]", chunk.Float64, []float64{1.9700000000000002, 1.6, 1.23, 0.8599999999999999}},
		{"cumsum(a, axis=1)[:, -1]", chunk.Float64, []float64{-6.180000000000001, -0.2600000000000007, 5.66}},
		{"sqrt(abs(a))[1]", chunk.Float64, []float64{0.7874007874011811, 0.5, 0.34641016151377496, 0.6999999999999998}},
		{"arctan2(a, b)[0]", chunk.Float64, []float64{-1.3370531459259951, -2.1964923820130573, -0.5971766580926776, -1.4701276746370677}},
		{"argmax(a * b, axis=1)", chunk.Int64, []float64{1, 1, 2}},
		{"around(a, 1)[2]", chunk.Float64, []float64{0.9, 1.2, 1.6, 2.0}},
		{"a @ b", chunk.Float64, []float64{-1.7065000000000006, 0.29149999999999926, 2.2895}},
		{"linspace(0, 1, 5)", chunk.Float64, []float64{0, 0.25, 0.5, 0.75, 1}},
	}
	env := testEnv(t)
	for _, c := range cases {
		d, err := compute(t, c.src, env)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if d.DType() != c.dt || d.Len() != len(c.want) {
			t.Errorf("%s: %s of %d elements, want %s of %d", c.src, d.DType(), d.Len(), c.dt, len(c.want))
			continue
		}
		for i, w := range c.want {
			if g := d.Float64(i); math.Abs(g-w) > 1e-12*math.Abs(w) {
				t.Errorf("%s: element %d = %v, want %v", c.src, i, g, w)
			}
		}
	}
}

func TestPrecedence(t *testing.T) {
	cases := []struct{ src, want string }{
		{"1 + 2 * 3", "(1 + (2 * 3))"},
		{"(1 + 2) * 3", "((1 + 2) * 3)"},
		{"-2**2", "(-(2 ** 2))"},
		{"2**-1", "(2 ** (-1))"},
		{"2**3**2", "(2 ** (3 ** 2))"},
		{"a ** -b ** c", "(a ** (-(b ** c)))"},
		{"-a**2", "(-(a ** 2))"},
		{"~a ** 2", "(~(a ** 2))"},
		{"- - a", "(-(-a))"},
		{"+-a", "(+(-a))"},
		{"a - b - c", "((a - b) - c)"},
		{"a / b * c", "((a / b) * c)"},
		{"a // b % c", "((a // b) % c)"},
		{"a @ b + c", "((a @ b) + c)"},
		{"a * b @ c", "((a * b) @ c)"},
		{"2 * -3", "(2 * (-3))"},
		{"a & b | c ^ d", "((a & b) | (c ^ d))"},
		{"a | b & c", "(a | (b & c))"},
		{"a ^ b | c", "((a ^ b) | c)"},
		{"a + b & c", "((a + b) & c)"},
		{"a < b + 1", "(a < (b + 1))"},
		{"a == b | c", "(a == (b | c))"},
		{"(a > 0) & (b < 1)", "((a > 0) & (b < 1))"},
		{"~a & b", "((~a) & b)"},
		{"-a.T", "(-a.T)"},
		{"-a[0]**2", "(-(a[0] ** 2))"},
		{"a.sum(axis=0)[1]", "a.sum(axis=0)[1]"},
		{"not_equal(a, -b)", "not_equal(a, (-b))"},
		{"a[1:, ::-1, ..., None]", "a[1:, ::(-1), ..., None]"},
		{"a[:]", "a[:]"},
		{"a[::]", "a[:]"},
		{"a[(1, 2)]", "a[1, 2]"},
		{"(a,)", "(a,)"},
		{"()", "()"},
		{"[a, b,]", "[a, b]"},
		{"f(a, b=1,)", "f(a, b=1)"},
		{"np.sin(x).T", "np.sin(x).T"},
		{"(1).real", "(1).real"},
		{"'it\\'s' + \"a\\\\b\"", `("it's" + "a\\b")`},
		{"x\n  + 1", "(x + 1)"},
	}
	for _, c := range cases {
		n, err := Parse(c.src)
		if err != nil {
			t.Errorf("%q: %v", c.src, err)
			continue
		}
		if got := n.String(); got != c.want {
			t.Errorf("%q parsed as %s, want %s", c.src, got, c.want)
		}
	}
}

// Precedence seen in values, against Python's.
func TestConstantFolding(t *testing.T) {
	cases := []struct {
		src  string
		dt   chunk.DType
		want float64
	}{
		{"-2**2", chunk.Int64, -4},
		{"2**3**2", chunk.Int64, 512},
		{"2**-1", chunk.Float64, 0.5},
		{"-7 // 2", chunk.Int64, -4},
		{"1 + 2 * 3", chunk.Int64, 7},
		{"10 - 4 - 3", chunk.Int64, 3},
		{"2 * 3 % 4", chunk.Int64, 2},
		{"1 | 2 ^ 3 & 4", chunk.Int64, 3},
		{"~True", chunk.Bool, 0}, // NumPy's ~ on bools, not Python's -2
		{"-True", chunk.Int64, -1},
		{"3 > 2", chunk.Bool, 1},
		{"nan == nan", chunk.Bool, 0},
		{"nan != nan", chunk.Bool, 1},
		{"-9223372036854775807 - 1", chunk.Int64, math.MinInt64},
		{"(-9223372036854775807 - 1) % -1", chunk.Int64, 0},
		{"3 ** 0", chunk.Int64, 1},
		{"(-2) ** 63", chunk.Int64, math.MinInt64},
		{"1e400", chunk.Float64, math.Inf(1)},
		{"1e-400", chunk.Float64, 0},
		{"np.float32 == np.float32", chunk.Bool, 1},
		{"1.5 < 2", chunk.Bool, 1},
		{"7 > 7.0", chunk.Bool, 0},
		{"2 >= True", chunk.Bool, 1},
		{"~0", chunk.Int64, -1},
		{"+True", chunk.Int64, 1},
		{"-1.5", chunk.Float64, -1.5},
		{"+1.5", chunk.Float64, 1.5},
		{"2.0 ** -1", chunk.Float64, 0.5},
		{"2 ** -2", chunk.Float64, 0.25},
		{"True & False | True", chunk.Bool, 1},
		{"6 ^ True", chunk.Int64, 7},
		{"-0.0 // 1", chunk.Float64, 0},
		{"5 % inf", chunk.Float64, 5},
		{"a.shape[-1] + t.shape[1:][0]", chunk.Int64, 7},
		{"len(t.shape[::-2])", chunk.Int64, 2},
		{"t.shape[::-2][1]", chunk.Int64, 2},
		{"len(a.shape[5:])", chunk.Int64, 0},
		{"'a' != 'b'", chunk.Bool, 1},
	}
	env := testEnv(t)
	for _, c := range cases {
		a, err := Compile(c.src, env)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if a.DType() != c.dt || a.Rank() != 0 {
			t.Errorf("%s: %s rank %d, want a %s scalar", c.src, a.DType(), a.Rank(), c.dt)
			continue
		}
		d, err := compute(t, c.src, env)
		if err != nil {
			t.Fatal(err)
		}
		if got := d.Float64(0); got != c.want {
			t.Errorf("%s = %v, want %v", c.src, got, c.want)
		}
	}
}

// Literals are weak scalars: they take the array's dtype (NumPy 2).
func TestWeakScalars(t *testing.T) {
	env := testEnv(t)
	cases := []struct {
		src string
		dt  chunk.DType
	}{
		{"f * 2", chunk.Float32}, {"f + 1.5", chunk.Float32}, {"w + 1", chunk.Int32}, {"u + 1", chunk.Uint8},
		{"k + 1", chunk.Int64}, {"w * 0.5", chunk.Float64}, {"k & True", chunk.Bool}, {"f * pi", chunk.Float32},
		{"where(k, f, 0)", chunk.Float32}, {"clip(f, 0, 1)", chunk.Float32}, {"2 * sin(1) * f", chunk.Float64},
		{"1 + 2", chunk.Int64}, {"1.5", chunk.Float64}, {"True", chunk.Bool}, {"random(2, dtype=float32) * 2", chunk.Float32},
	}
	for _, c := range cases {
		a, err := Compile(c.src, env)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if a.DType() != c.dt {
			t.Errorf("%s: dtype %s, want %s", c.src, a.DType(), c.dt)
		}
	}
}

func TestErrors(t *testing.T) {
	env := testEnv(t)
	env.Vars["bad"] = ndarray.Zeros(chunk.Float64, []int{-1}, chunk.Auto(0))
	cases := []struct {
		src  string
		col  int
		msg  string
		kind error
	}{
		// Syntax.
		{"a +", 4, "unexpected end of expression", ErrSyntax},
		{"(a + b", 1, "'(' was never closed", ErrSyntax},
		{"[1, 2", 1, "'[' was never closed", ErrSyntax},
		{"x.sum(", 6, "'(' was never closed", ErrSyntax},
		{"(a +", 1, "'(' was never closed", ErrSyntax},
		{"f(a, [1, (2", 10, "'(' was never closed", ErrSyntax},
		{"a[1:", 2, "'[' was never closed", ErrSyntax},
		{"a + b)", 6, "unmatched ')'", ErrSyntax},
		{"1.2.3 + a", 1, "bad number", ErrSyntax},
		{"1e + a", 1, "bad number", ErrSyntax},
		{"12abc", 1, "bad number", ErrSyntax},
		{"0123", 1, "leading zeros", ErrSyntax},
		{"1j", 1, "complex", ErrSyntax},
		{"'abc", 1, "unterminated string", ErrSyntax},
		{"a $ b", 3, "unexpected character", ErrSyntax},
		{"a < b < c", 7, "chained comparisons", ErrSyntax},
		{"sin(a b)", 7, "expected ')' or ','", ErrSyntax},
		{"a[1:2:3:4]", 8, "expected ']'", ErrSyntax},
		{"a = 1", 3, "unexpected '='", ErrSyntax},
		{"", 1, "empty expression", ErrSyntax},
		{"   ", 1, "empty expression", ErrSyntax},
		{"a[]", 2, "empty subscript", ErrSyntax},
		{"sum(a, axis=0, axis=1)", 16, "repeated", ErrSyntax},
		{"sum(axis=0, a)", 13, "positional argument follows keyword argument", ErrSyntax},
		{strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300), 201, "nested too deeply", ErrSyntax},
		{"9223372036854775808", 1, "too large", chunk.ErrUnsupported},
		{"a << 1", 3, "'<<' is not supported", chunk.ErrUnsupported},
		{"a and b", 3, "use & (or logical_and)", chunk.ErrUnsupported},
		{"not a", 1, "use ~", chunk.ErrUnsupported},
		{"a if k else b", 3, "use where", chunk.ErrUnsupported},
		{"{1: 2}", 1, "dicts", chunk.ErrUnsupported},
		{"sin(*a)", 5, "unpacking", chunk.ErrUnsupported},

		// Unknown names.
		{"xx + a", 1, "unknown name 'xx'; inputs: a, b, bad, c, f, k, m, n, t, u, w", ErrName},
		{"a + bb", 5, "unknown name 'bb' (did you mean 'b'?)", ErrName},
		{"a + αβ", 5, "unknown name 'αβ'", ErrName},
		{"αβ + a", 1, "unknown name 'αβ'", ErrName},
		{"sinn(a)", 1, "unknown function 'sinn' (did you mean 'sin'?)", ErrName},
		{"cumsun(a)", 1, "did you mean 'cumsum'?", ErrName},
		{"np.sinn(a)", 4, "unknown function 'sinn' (did you mean 'sin'?)", ErrName},
		{"np.foo", 4, "unknown name 'np.foo'", ErrName},
		{"a.foo", 3, "no attribute 'foo'", ErrName},
		{"a.shap", 3, "did you mean 'shape'?", ErrName},
		{"a.sinn()", 3, "no method 'sinn'", ErrName},
		{"a.sin()", 3, "use the function: sin(x)", ErrName},
		{"astype(a, flot32)", 11, "unknown dtype 'flot32' (did you mean 'float32'?)", ErrName},
		{"astype(a, 'f5')", 11, "unknown dtype", ErrName},

		// Calls and operand kinds.
		{"sum(a, axes=0)", 8, "unexpected keyword argument 'axes' (did you mean 'axis'?)", ErrType},
		{"where(a, b)", 1, "where() missing required argument 'y'", ErrType},
		{"sin(a, b)", 8, "sin() takes at most 1 positional argument (2 given)", ErrType},
		{"a.sum(0, None, None, False, 2, 3)", 32, "sum() takes at most 5 positional arguments (6 given)", ErrType},
		{"sum(a, 0, axis=1)", 11, "multiple values for argument 'axis'", ErrType},
		{"a.sum(axis='x')", 7, "axis must be an int or a tuple of ints", ErrType},
		{"a + 'str'", 5, "unsupported operand for '+'", ErrType},
		{"a[1.5]", 3, "an index must be", ErrType},
		{"a[0:1.5]", 5, "slice bounds must be constant ints", ErrType},
		{"1 // 0", 3, "division by zero", ErrType},
		{"1.0 / 0", 5, "division by zero", ErrType},
		{"2**64", 2, "integer overflow", ErrType},
		{"9223372036854775807 + 1", 21, "integer overflow", ErrType},
		{"-9223372036854775807 - 2", 22, "integer overflow", ErrType},
		{"4611686018427387904 * -4", 21, "integer overflow", ErrType},
		{"(-9223372036854775807 - 1) // -1", 28, "integer overflow", ErrType},
		{"-(-9223372036854775807 - 1)", 1, "integer overflow", ErrType},
		{"5 % 0", 3, "division by zero", ErrType},
		{"0 ** -1", 3, "negative power", ErrType},
		{"0.0 ** -1", 5, "negative power", ErrType},
		{"1.5 & 1", 5, "unsupported operand for &", ErrType},
		{"a.shape[0, 1]", 8, "one index", ErrType},
		{"a.shape[None]", 9, "must be an int", ErrType},
		{"a.shape[::0]", 9, "step cannot be zero", chunk.ErrIndex},
		{"'x'[0]", 4, "cannot be subscripted", ErrType},
		{"'x'.T", 5, "has no attribute", ErrType},
		{"'x'.sum()", 5, "has no method", ErrType},
		{"(a, b).T", 8, "has no attribute", ErrType},
		{"(1, 2)(3)", 1, "is not callable", ErrType},
		{"~1.5", 1, "bad operand for ~", ErrType},
		{"1 @ 2", 3, "matmul needs arrays", ErrType},
		{"sum", 1, "'sum' is a function", ErrType},
		{"np", 1, "is a module", ErrType},
		{"a.sum", 3, "'sum' is a method", ErrType},
		{"a(1)", 1, "'a' is an array, not a function", ErrType},
		{"a.dtype", 3, "must be an array or a number, not the dtype float64", ErrType},
		{"len(1)", 5, "len() of a 0-d array", ErrType},
		{"clip(a)", 1, "needs a_min or a_max", ErrType},
		{"arange()", 1, "missing required argument 'stop'", ErrType},
		{"linspace(a, 1)", 10, "start must be a constant number", ErrType},
		{"random(3, seed=-1)", 11, "seed must be >= 0", ErrType},
		{"random(3, 1.5)", 11, "shape must be constant ints", ErrType},
		{"concatenate(a)", 13, "arrays must be a tuple or list", ErrType},
		{"array([[1, 2], [3]])", 16, "ragged", ErrType},
		{"array(['x'])", 8, "holds numbers", ErrType},
		{"float32(a, b)", 1, "exactly one argument", ErrType},

		// ndarray's errors, at the operation that caused them.
		{"a + zeros((5, 7))", 3, "do not broadcast", chunk.ErrShape},
		{"sum(a, axis=3)", 1, "out of range", chunk.ErrIndex},
		{"a.sum(axis=3)", 3, "out of range", chunk.ErrIndex},
		{"1 + a.T.sum(axis=(0, 0))", 9, "repeated axis", chunk.ErrIndex},
		{"a[0, 0, 0]", 2, "too many indices", chunk.ErrIndex},
		{"a[None, None, 0, 0, 0]", 2, "too many indices", chunk.ErrIndex},
		{"a[::0]", 2, "step cannot be zero", chunk.ErrIndex},
		{"a[..., ...]", 2, "single ellipsis", chunk.ErrIndex},
		{"b @ a", 3, "not aligned", chunk.ErrShape},
		{"reshape(a, (5, -1))", 1, "cannot reshape", chunk.ErrShape},
		{"concatenate((a, b))", 1, "rank", chunk.ErrShape},
		{"a.shape[5]", 8, "out of range", chunk.ErrIndex},
		{"tensordot(a, b, axes=3)", 17, "axes=3", chunk.ErrShape},
		{"moveaxis(t, 0, 5)", 16, "out of bounds", chunk.ErrIndex},
		{"expand_dims(a, (0, 0))", 16, "repeated axis", chunk.ErrIndex},
		{"random(2, 3, dtype=int32)", 1, "float32 or float64", chunk.ErrDType},
		{"~a", 1, "invert", chunk.ErrDType},
		{"sum(a, split_every=1)", 1, "split_every", chunk.ErrChunks},
		{"zeros((2, 3), chunks=(0, 1))", 1, "chunk size 0", chunk.ErrChunks},
		{"rechunk(a, 'bogus')", 12, "bad size", chunk.ErrChunks},
		{"zeros((2, 3), chunks=(2, 3), dtype=float32).sum() + bad", 53, "input 'bad'", chunk.ErrShape},
		{"ones((1 << 62, 16))", 9, "'<<' is not supported", chunk.ErrUnsupported},
		{"ones((2**40, 2**40))", 6, "too large", chunk.ErrShape},
		{"sum(a, out=b)", 8, "out= is not supported", chunk.ErrUnsupported},
		{"a[k]", 3, "fancy or boolean indexing", chunk.ErrUnsupported},
		{"a[[0, 1]]", 3, "fancy or boolean indexing", chunk.ErrUnsupported},
		{"linspace(0, 1, retstep=True)", 16, "retstep", chunk.ErrUnsupported},
		{"reshape(a, 12, order='F')", 16, "order='C'", chunk.ErrUnsupported},
	}
	for _, c := range cases {
		a, err := Compile(c.src, env)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: error %v, want an *Error", c.src, err)
			continue
		}
		if e.Col != c.col || !strings.Contains(e.Msg, c.msg) || !errors.Is(err, c.kind) {
			t.Errorf("%q: got col %d %q (%v), want col %d containing %q wrapping %v", c.src, e.Col, e.Msg, e.Err, c.col, c.msg, c.kind)
		}
		if e.Src != c.src {
			t.Errorf("%q: Error.Src = %q", c.src, e.Src)
		}
		// What the language leaves out is also a language error.
		if errors.Is(err, chunk.ErrUnsupported) && !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrType) {
			t.Errorf("%q: unsupported but neither ErrSyntax nor ErrType: %v", c.src, err)
		}
		if !errors.Is(a.Err(), c.kind) {
			t.Errorf("%q: the returned array carries %v, want the error", c.src, a.Err())
		}
	}
}

func TestCaret(t *testing.T) {
	cases := []struct{ src, want string }{
		{"a + bb", "a + bb\n    ^"},
		{"a +", "a +\n   ^"},
		{"a +\n\tbb", "\tbb\n\t^"},
		{"é + bb", "é + bb\n    ^"},
	}
	env := Env{Vars: map[string]ndarray.Array{"a": ndarray.Float(1), "é": ndarray.Float(1)}}
	for _, c := range cases {
		_, err := Compile(c.src, env)
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("%q: %v", c.src, err)
		}
		if got := e.Caret(); got != c.want {
			t.Errorf("%q: Caret =\n%s\nwant\n%s", c.src, got, c.want)
		}
	}
	if got := (&Error{Col: 3, Msg: "x"}).Caret(); got != "" {
		t.Errorf("Caret without source = %q", got)
	}
	if got := (&Error{Col: 3, Msg: "m"}).Error(); got != "col 3: m" {
		t.Errorf("Error() = %q", got)
	}
}

func TestNames(t *testing.T) {
	cases := []struct {
		src  string
		want []string
	}{
		{"a + b * a", []string{"a", "b"}},
		{"sum(x, axis=0) + y.T", []string{"x", "y"}},
		{"astype(x, float32) + y.astype(int32) + z.astype(dtype=f4)", []string{"x", "y", "z"}},
		{"np.sin(z) + pi + inf + True + np.e + np.float32(1)", []string{"z"}},
		{"where(c > 0, c, nan)[..., None]", []string{"c"}},
		{"x[i0:i1]", []string{"x", "i0", "i1"}},
		{"zeros((2, 2), dtype=float64)", nil},
		{"float32(x)", []string{"x"}},
		{"astype(x, dtype=y.dtype)", []string{"x", "y"}},
		{"e + 1", []string{"e"}},
		{"unknown_fn(x)", []string{"x"}},
		{"rechunk(x, chunks=n)", []string{"x", "n"}},
		{"np.random.rand(3, dtype=float32) + np.zeros(2, float32) + x", []string{"x"}},
		{"(a + b).sum(dtype=float64)", []string{"a", "b"}},
		{"sum(a, dtype=b, axis=c, bogus=d)", []string{"a", "b", "c", "d"}},
	}
	for _, c := range cases {
		n, err := Parse(c.src)
		if err != nil {
			t.Fatalf("%q: %v", c.src, err)
		}
		if got := Names(n); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Names(%q) = %q, want %q", c.src, got, c.want)
		}
	}
}

func TestRandom(t *testing.T) {
	env := Env{}
	values := func(src string) []float64 {
		t.Helper()
		d, err := compute(t, src, env)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		out := make([]float64, d.Len())
		for i := range out {
			out[i] = d.Float64(i)
		}
		return out
	}
	base := values("random(30, 40, seed=1)")
	for _, src := range []string{"random((30, 40), seed=1)", "random(size=(30, 40), seed=1)",
		"random(30, 40, seed=1, chunks=(7, 9))", "np.random.rand(30, 40, seed=1)", "np.random.random((30, 40), seed=1)"} {
		if !reflect.DeepEqual(values(src), base) {
			t.Errorf("%s differs from random(30, 40, seed=1)", src)
		}
	}
	if reflect.DeepEqual(values("random(30, 40, seed=2)"), base) {
		t.Error("seeds 1 and 2 give the same values")
	}
	if !reflect.DeepEqual(values("random(5)"), values("random(5, seed=0)")) {
		t.Error("the default seed is not 0")
	}
	for _, v := range base {
		if v < 0 || v >= 1 {
			t.Fatalf("uniform value %v outside [0, 1)", v)
		}
	}
	normal := values("randn(20000, seed=3)")
	var sum, sq float64
	for _, v := range normal {
		sum += v
		sq += v * v
	}
	mean := sum / float64(len(normal))
	std := math.Sqrt(sq/float64(len(normal)) - mean*mean)
	if math.Abs(mean) > 0.05 || math.Abs(std-1) > 0.05 {
		t.Errorf("randn: mean %v, std %v", mean, std)
	}
	if reflect.DeepEqual(values("randn(5, seed=3)"), values("random(5, seed=3)")) {
		t.Error("randn gives the uniform values")
	}
	a, err := Compile("random()", env)
	if err != nil || a.Rank() != 0 {
		t.Errorf("random(): rank %d, %v", a.Rank(), err)
	}
	if a, _ := Compile("randn(2, dtype=float32)", env); a.DType() != chunk.Float32 {
		t.Errorf("randn(dtype=float32) gives %s", a.DType())
	}
}

func TestChunks(t *testing.T) {
	env := testEnv(t)
	cases := []struct {
		src  string
		env  Env
		want [][]int
	}{
		{"zeros((4, 6), chunks=(2, 3))", env, [][]int{{2, 2}, {3, 3}}},
		{"zeros((4, 6), chunks=4)", env, [][]int{{4}, {4, 2}}},
		{"zeros((4, 6), chunks=((1, 3), (6,)))", env, [][]int{{1, 3}, {6}}},
		{"zeros((4, 6), chunks=(-1, 'auto'))", env, [][]int{{4}, {6}}},
		{"zeros((4, 6), chunks='auto')", env, [][]int{{4}, {6}}},
		{"zeros((4, 6), chunks='2,3')", env, [][]int{{2, 2}, {3, 3}}},
		{"zeros((4, 6), chunks='64KiB')", env, [][]int{{4}, {6}}},
		{"zeros((4, 6), chunks=None)", env, [][]int{{2, 2}, {2, 2, 2}}},
		{"zeros((4, 6))", env, [][]int{{2, 2}, {2, 2, 2}}},
		{"zeros((4, 6))", Env{}, [][]int{{4}, {6}}},
		{"arange(5, chunks=(3,))", env, [][]int{{3, 2}}},
		{"linspace(0, 1, 5, chunks=4)", env, [][]int{{4, 1}}},
		{"random(4, 4, chunks=(1, 4))", env, [][]int{{1, 1, 1, 1}, {4}}},
		{"array([[1, 2], [3, 4]], chunks=1)", env, [][]int{{1, 1}, {1, 1}}},
		{"array([b, b], chunks=(1, 4))", env, [][]int{{1, 1}, {4}}},
		{"full((3,), 1.5, chunks=1)", env, [][]int{{1, 1, 1}}},
		{"rechunk(a, (1, 4))", env, [][]int{{1, 1, 1}, {4}}},
		{"a.rechunk()", env, [][]int{{3}, {4}}},
		{"zeros_like(a)", env, [][]int{{2, 1}, {2, 2}}},
		{"ones_like(a, chunks=(3, 1))", env, [][]int{{3}, {1, 1, 1, 1}}},
	}
	for _, c := range cases {
		a, err := Compile(c.src, c.env)
		if err != nil {
			t.Errorf("%s: %v", c.src, err)
			continue
		}
		if got := a.Chunks(); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: chunks %v, want %v", c.src, got, c.want)
		}
	}
	d, err := compute(t, "a.chunks", env)
	if err != nil || d.Int64(0) != 2 || d.Int64(1) != 1 || d.Int64(2) != 2 || d.Int64(3) != 2 {
		t.Errorf("a.chunks = %v, %v; want [[2, 1], [2, 2]]", d, err)
	}
	if d, err := compute(t, "a.numblocks", env); err != nil || d.Int64(0) != 2 || d.Int64(1) != 2 {
		t.Errorf("a.numblocks = %v, %v", d, err)
	}
}

// Eval works on trees built by hand, without a source.
func TestEvalTree(t *testing.T) {
	n := &Binary{Pos: 1, Op: "+", X: &Name{Pos: 1, Name: "x"}, Y: &Num{Pos: 1, Text: "1", IsInt: true, Int: 1}}
	x := ndarray.Arange(0, 3, 1, chunk.Int32, chunk.Auto(0))
	a, err := Eval(n, Env{Vars: map[string]ndarray.Array{"x": x}})
	if err != nil || a.DType() != chunk.Int32 || a.Size() != 3 {
		t.Fatalf("Eval: %v, %v", a, err)
	}
	_, err = Eval(&Name{Pos: 1, Name: "y"}, Env{})
	var e *Error
	if !errors.As(err, &e) || e.Src != "" || e.Col != 1 {
		t.Errorf("unknown name in a tree: %v", err)
	}
	if _, err := Eval(&Expr{}, Env{}); !errors.Is(err, ErrSyntax) {
		t.Errorf("empty Expr: %v", err)
	}
	if _, err := Eval(&Slice{Pos: 2}, Env{}); !errors.Is(err, ErrSyntax) {
		t.Errorf("bare slice: %v", err)
	}
}

func TestSuggest(t *testing.T) {
	cands := []string{"sin", "sign", "sinh", "sum", "cumsum", "axis"}
	cases := map[string]string{"sinn": "sin", "axes": "axis", "cumsun": "cumsum", "summ": "sum", "zzz": "", "SIN": "sin"}
	for name, want := range cases {
		if got := closest(name, cands); got != want {
			t.Errorf("closest(%q) = %q, want %q", name, got, want)
		}
	}
}
