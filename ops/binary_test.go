package ops

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
)

func TestBinaryNames(t *testing.T) {
	seen := map[string]bool{}
	for op := BinaryOp(1); op < numBinary; op++ {
		name := op.String()
		if name == "" || seen[name] {
			t.Errorf("%d: empty or duplicate name %q", op, name)
		}
		seen[name] = true
		if got, ok := ParseBinary(name); !ok || got != op {
			t.Errorf("ParseBinary(%q) = %v, %v", name, got, ok)
		}
		if sym := op.Symbol(); sym != "" {
			if got, ok := ParseBinary(sym); !ok || got != op {
				t.Errorf("ParseBinary(%q) = %v, %v; want %v", sym, got, ok, op)
			}
		}
	}
	symbols := map[BinaryOp]string{
		Add: "+", Sub: "-", Mul: "*", Div: "/", FloorDiv: "//", Mod: "%", Pow: "**",
		Equal: "==", NotEqual: "!=", Less: "<", LessEqual: "<=", Greater: ">", GreaterEqual: ">=",
		BitwiseAnd: "&", BitwiseOr: "|", BitwiseXor: "^",
	}
	for op := BinaryOp(1); op < numBinary; op++ {
		if got := op.Symbol(); got != symbols[op] {
			t.Errorf("%v.Symbol() = %q, want %q", op, got, symbols[op])
		}
	}
	for name, want := range map[string]BinaryOp{
		"sub": Sub, "mul": Mul, "div": Div, "true_divide": Div, "truediv": Div, "floordiv": FloorDiv,
		"mod": Mod, "pow": Pow, "atan2": Arctan2, "eq": Equal, "ne": NotEqual, "lt": Less,
		"le": LessEqual, "gt": Greater, "ge": GreaterEqual, " Floor_Divide ": FloorDiv,
	} {
		if got, ok := ParseBinary(name); !ok || got != want {
			t.Errorf("ParseBinary(%q) = %v, %v; want %v", name, got, ok, want)
		}
	}
	for _, name := range []string{"", "plus", "sqrt", "&&", "min"} {
		if op, ok := ParseBinary(name); ok {
			t.Errorf("ParseBinary(%q) = %v, want failure", name, op)
		}
	}
	if s := BinaryOp(99).String(); s != "BinaryOp(99)" {
		t.Errorf("String of an invalid op = %q", s)
	}
	if s := BinaryOp(99).Symbol(); s != "" {
		t.Errorf("Symbol of an invalid op = %q", s)
	}
}

// ewBinaryTypesNumPy holds, for every operand pair (a, b) with a and b in
// the order of chunk.DTypes (a major), the loop and result type characters,
// or "!!" when NumPy has no loop. From numpy 1.24.2:
// np.<f>.resolve_dtypes((np.dtype(a), np.dtype(b), None)), with float16
// written as f (float32).
var ewBinaryTypesNumPy = map[string]string{
	"add":           "??bbhhiillBBHHIILLffddbbbbhhiillhhiillddffddhhhhhhiillhhiillddffddiiiiiiiilliiiillddddddllllllllllllllllddddddBBhhhhiillBBHHIILLffddHHiiiiiillHHHHIILLffddIIllllllllIIIIIILLddddLLddddddddLLLLLLLLddddffffffddddffffddddffdddddddddddddddddddddddd",
	"subtract":      "!!bbhhiillBBHHIILLffddbbbbhhiillhhiillddffddhhhhhhiillhhiillddffddiiiiiiiilliiiillddddddllllllllllllllllddddddBBhhhhiillBBHHIILLffddHHiiiiiillHHHHIILLffddIIllllllllIIIIIILLddddLLddddddddLLLLLLLLddddffffffddddffffddddffdddddddddddddddddddddddd",
	"multiply":      "??bbhhiillBBHHIILLffddbbbbhhiillhhiillddffddhhhhhhiillhhiillddffddiiiiiiiilliiiillddddddllllllllllllllllddddddBBhhhhiillBBHHIILLffddHHiiiiiillHHHHIILLffddIIllllllllIIIIIILLddddLLddddddddLLLLLLLLddddffffffddddffffddddffdddddddddddddddddddddddd",
	"divide":        "ddddddddddddddddddffddddddddddddddddddddffddddddddddddddddddddffddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddffddddddddddddddddddddffddddddddddddddddddddddddddddddddddddddddddddddffffffddddffffddddffdddddddddddddddddddddddd",
	"floor_divide":  "bbbbhhiillBBHHIILLffddbbbbhhiillhhiillddffddhhhhhhiillhhiillddffddiiiiiiiilliiiillddddddllllllllllllllllddddddBBhhhhiillBBHHIILLffddHHiiiiiillHHHHIILLffddIIllllllllIIIIIILLddddLLddddddddLLLLLLLLddddffffffddddffffddddffdddddddddddddddddddddddd",
	"remainder":     "bbbbhhiillBBHHIILLffddbbbbhhiillhhiillddffddhhhhhhiillhhiillddffddiiiiiiiilliiiillddddddllllllllllllllllddddddBBhhhhiillBBHHIILLffddHHiiiiiillHHHHIILLffddIIllllllllIIIIIILLddddLLddddddddLLLLLLLLddddffffffddddffffddddffdddddddddddddddddddddddd",
	"power":         "bbbbhhiillBBHHIILLffddbbbbhhiillhhiillddffddhhhhhhiillhhiillddffddiiiiiiiilliiiillddddddllllllllllllllllddddddBBhhhhiillBBHHIILLffddHHiiiiiillHHHHIILLffddIIllllllllIIIIIILLddddLLddddddddLLLLLLLLddddffffffddddffffddddffdddddddddddddddddddddddd",
	"minimum":       "??bbhhiillBBHHIILLffddbbbbhhiillhhiillddffddhhhhhhiillhhiillddffddiiiiiiiilliiiillddddddllllllllllllllllddddddBBhhhhiillBBHHIILLffddHHiiiiiillHHHHIILLffddIIllllllllIIIIIILLddddLLddddddddLLLLLLLLddddffffffddddffffddddffdddddddddddddddddddddddd",
	"maximum":       "??bbhhiillBBHHIILLffddbbbbhhiillhhiillddffddhhhhhhiillhhiillddffddiiiiiiiilliiiillddddddllllllllllllllllddddddBBhhhhiillBBHHIILLffddHHiiiiiillHHHHIILLffddIIllllllllIIIIIILLddddLLddddddddLLLLLLLLddddffffffddddffffddddffdddddddddddddddddddddddd",
	"arctan2":       "ffffffddddffffddddffddffffffddddffffddddffddffffffddddffffddddffddddddddddddddddddddddddddddddddddddddddddddddffffffddddffffddddffddffffffddddffffddddffddddddddddddddddddddddddddddddddddddddddddddddffffffddddffffddddffdddddddddddddddddddddddd",
	"equal":         "??b?h?i?l?B?H?I?L?f?d?b?b?h?i?l?h?i?l?d?f?d?h?h?h?i?l?h?i?l?d?f?d?i?i?i?i?l?i?i?l?d?d?d?l?l?l?l?l?l?l?l?d?d?d?B?h?h?i?l?B?H?I?L?f?d?H?i?i?i?l?H?H?I?L?f?d?I?l?l?l?l?I?I?I?L?d?d?L?d?d?d?d?L?L?L?L?d?d?f?f?f?d?d?f?f?d?d?f?d?d?d?d?d?d?d?d?d?d?d?d?",
	"not_equal":     "??b?h?i?l?B?H?I?L?f?d?b?b?h?i?l?h?i?l?d?f?d?h?h?h?i?l?h?i?l?d?f?d?i?i?i?i?l?i?i?l?d?d?d?l?l?l?l?l?l?l?l?d?d?d?B?h?h?i?l?B?H?I?L?f?d?H?i?i?i?l?H?H?I?L?f?d?I?l?l?l?l?I?I?I?L?d?d?L?d?d?d?d?L?L?L?L?d?d?f?f?f?d?d?f?f?d?d?f?d?d?d?d?d?d?d?d?d?d?d?d?",
	"less":          "??b?h?i?l?B?H?I?L?f?d?b?b?h?i?l?h?i?l?d?f?d?h?h?h?i?l?h?i?l?d?f?d?i?i?i?i?l?i?i?l?d?d?d?l?l?l?l?l?l?l?l?d?d?d?B?h?h?i?l?B?H?I?L?f?d?H?i?i?i?l?H?H?I?L?f?d?I?l?l?l?l?I?I?I?L?d?d?L?d?d?d?d?L?L?L?L?d?d?f?f?f?d?d?f?f?d?d?f?d?d?d?d?d?d?d?d?d?d?d?d?",
	"less_equal":    "??b?h?i?l?B?H?I?L?f?d?b?b?h?i?l?h?i?l?d?f?d?h?h?h?i?l?h?i?l?d?f?d?i?i?i?i?l?i?i?l?d?d?d?l?l?l?l?l?l?l?l?d?d?d?B?h?h?i?l?B?H?I?L?f?d?H?i?i?i?l?H?H?I?L?f?d?I?l?l?l?l?I?I?I?L?d?d?L?d?d?d?d?L?L?L?L?d?d?f?f?f?d?d?f?f?d?d?f?d?d?d?d?d?d?d?d?d?d?d?d?",
	"greater":       "??b?h?i?l?B?H?I?L?f?d?b?b?h?i?l?h?i?l?d?f?d?h?h?h?i?l?h?i?l?d?f?d?i?i?i?i?l?i?i?l?d?d?d?l?l?l?l?l?l?l?l?d?d?d?B?h?h?i?l?B?H?I?L?f?d?H?i?i?i?l?H?H?I?L?f?d?I?l?l?l?l?I?I?I?L?d?d?L?d?d?d?d?L?L?L?L?d?d?f?f?f?d?d?f?f?d?d?f?d?d?d?d?d?d?d?d?d?d?d?d?",
	"greater_equal": "??b?h?i?l?B?H?I?L?f?d?b?b?h?i?l?h?i?l?d?f?d?h?h?h?i?l?h?i?l?d?f?d?i?i?i?i?l?i?i?l?d?d?d?l?l?l?l?l?l?l?l?d?d?d?B?h?h?i?l?B?H?I?L?f?d?H?i?i?i?l?H?H?I?L?f?d?I?l?l?l?l?I?I?I?L?d?d?L?d?d?d?d?L?L?L?L?d?d?f?f?f?d?d?f?f?d?d?f?d?d?d?d?d?d?d?d?d?d?d?d?",
	"logical_and":   "????????????????????????b???????????????????????h???????????????????????i???????????????????????l???????????????????????B???????????????????????H???????????????????????I???????????????????????L???????????????????????f???????????????????????d?",
	"logical_or":    "????????????????????????b???????????????????????h???????????????????????i???????????????????????l???????????????????????B???????????????????????H???????????????????????I???????????????????????L???????????????????????f???????????????????????d?",
	"logical_xor":   "????????????????????????b???????????????????????h???????????????????????i???????????????????????l???????????????????????B???????????????????????H???????????????????????I???????????????????????L???????????????????????f???????????????????????d?",
	"bitwise_and":   "??bbhhiillBBHHIILL!!!!bbbbhhiillhhiill!!!!!!hhhhhhiillhhiill!!!!!!iiiiiiiilliiiill!!!!!!llllllllllllllll!!!!!!BBhhhhiillBBHHIILL!!!!HHiiiiiillHHHHIILL!!!!IIllllllllIIIIIILL!!!!LL!!!!!!!!LLLLLLLL!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
	"bitwise_or":    "??bbhhiillBBHHIILL!!!!bbbbhhiillhhiill!!!!!!hhhhhhiillhhiill!!!!!!iiiiiiiilliiiill!!!!!!llllllllllllllll!!!!!!BBhhhhiillBBHHIILL!!!!HHiiiiiillHHHHIILL!!!!IIllllllllIIIIIILL!!!!LL!!!!!!!!LLLLLLLL!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
	"bitwise_xor":   "??bbhhiillBBHHIILL!!!!bbbbhhiillhhiill!!!!!!hhhhhhiillhhiill!!!!!!iiiiiiiilliiiill!!!!!!llllllllllllllll!!!!!!BBhhhhiillBBHHIILL!!!!HHiiiiiillHHHHIILL!!!!IIllllllllIIIIIILL!!!!LL!!!!!!!!LLLLLLLL!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
}

func TestBinaryTypesNumPy(t *testing.T) {
	if len(ewBinaryTypesNumPy) != int(numBinary)-1 {
		t.Fatalf("table has %d functions, want %d", len(ewBinaryTypesNumPy), numBinary-1)
	}
	n := len(chunk.DTypes)
	for name, codes := range ewBinaryTypesNumPy {
		op, ok := ParseBinary(name)
		if !ok {
			t.Fatalf("unknown function %q", name)
		}
		for i, a := range chunk.DTypes {
			for j, b := range chunk.DTypes {
				loop, out, err := BinaryTypes(op, a, b)
				c := codes[2*(i*n+j) : 2*(i*n+j)+2]
				if c == "!!" {
					if !errors.Is(err, chunk.ErrDType) {
						t.Errorf("BinaryTypes(%v, %v, %v) = %v, %v, %v; want an ErrDType error", op, a, b, loop, out, err)
					}
					continue
				}
				if err != nil {
					t.Errorf("BinaryTypes(%v, %v, %v): %v", op, a, b, err)
					continue
				}
				wantLoop := ewDTypeCodes[c[0]]
				if op == LogicalAnd || op == LogicalOr || op == LogicalXor {
					// NumPy casts mixed operands to bool first; ndchunk
					// loops in the promoted type, which tests the same
					// truthiness without a cast.
					wantLoop = chunk.Promote(a, b)
				}
				if loop != wantLoop || out != ewDTypeCodes[c[1]] {
					t.Errorf("BinaryTypes(%v, %v, %v) = %v, %v; want %v, %v (NumPy gives %s)", op, a, b, loop, out, wantLoop, ewDTypeCodes[c[1]], c)
				}
			}
		}
	}
}

func TestBinaryTypesErrors(t *testing.T) {
	_, _, err := BinaryTypes(Sub, chunk.Bool, chunk.Bool)
	if !errors.Is(err, chunk.ErrDType) || err.Error() != "ops: subtract does not support bool and bool (use logical_xor or bitwise_xor): unsupported dtype" {
		t.Errorf("bool - bool: %v", err)
	}
	if _, _, err := BinaryTypes(BitwiseAnd, chunk.Int64, chunk.Uint64); !errors.Is(err, chunk.ErrDType) {
		t.Errorf("int64 & uint64: %v", err)
	}
	if _, _, err := BinaryTypes(BitwiseOr, chunk.Float32, chunk.Int8); !errors.Is(err, chunk.ErrDType) {
		t.Errorf("float32 | int8: %v", err)
	}
	if _, _, err := BinaryTypes(Add, chunk.Invalid, chunk.Int8); !errors.Is(err, chunk.ErrDType) {
		t.Errorf("invalid + int8: %v", err)
	}
	if _, _, err := BinaryTypes(0, chunk.Int8, chunk.Int8); !errors.Is(err, chunk.ErrUnsupported) {
		t.Errorf("unknown op: %v", err)
	}
}

func TestBinaryPanics(t *testing.T) {
	mustPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s did not panic", name)
			}
		}()
		f()
	}
	for _, c := range []struct {
		op   BinaryOp
		loop chunk.DType
	}{{Sub, chunk.Bool}, {Div, chunk.Int32}, {FloorDiv, chunk.Bool}, {Arctan2, chunk.Int16}, {BitwiseAnd, chunk.Float64}, {numBinary, chunk.Int8}} {
		mustPanic(fmt.Sprintf("Binary(%v, %v)", c.op, c.loop), func() { Binary(c.op, c.loop) })
	}
	k := Binary(Add, chunk.Int8)
	mustPanic("mismatched operand lengths", func() { k(make([]byte, 4), make([]byte, 4), make([]byte, 3)) })
	mustPanic("two-element operand", func() { k(make([]byte, 4), make([]byte, 2), make([]byte, 4)) })
}

// ewBinaryEdgeIn are the operands of ewBinaryFloatEdges: every pair (a, b)
// in row-major order. The float32 rows see them rounded to float32.
var ewBinaryEdgeIn = []float64{ewNaN, ewInf, -ewInf, 0, ewNegZ, 1, -1, 2.5, -7.5, 0.1, 2}

// ewBinaryFloatEdges holds NumPy's results over all pairs of
// ewBinaryEdgeIn. From numpy 1.24.2: np.<f>(np.repeat(x, 11), np.tile(x,
// 11)) with x = np.array(ewBinaryEdgeIn, dtype).
var ewBinaryFloatEdges = []struct {
	op   BinaryOp
	dt   chunk.DType
	want []float64
}{
	{Add, chunk.Float64, []float64{ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewInf, ewNaN, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewNaN, ewNaN, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, ewNaN, ewInf, -ewInf, 0, 0, 1, -1, 2.5, -7.5, 0.1, 2, ewNaN, ewInf, -ewInf, 0, ewNegZ, 1, -1, 2.5, -7.5, 0.1, 2, ewNaN, ewInf, -ewInf, 1, 1, 2, 0, 3.5, -6.5, 1.1, 3, ewNaN, ewInf, -ewInf, -1, -1, 0, -2, 1.5, -8.5, -0.9, 1, ewNaN, ewInf, -ewInf, 2.5, 2.5, 3.5, 1.5, 5, -5, 2.6, 4.5, ewNaN, ewInf, -ewInf, -7.5, -7.5, -6.5, -8.5, -5, -15, -7.4, -5.5, ewNaN, ewInf, -ewInf, 0.1, 0.1, 1.1, -0.9, 2.6, -7.4, 0.2, 2.1, ewNaN, ewInf, -ewInf, 2, 2, 3, 1, 4.5, -5.5, 2.1, 4}},
	{Sub, chunk.Float64, []float64{ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewNaN, -ewInf, ewNaN, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, ewNaN, -ewInf, ewInf, 0, 0, -1, 1, -2.5, 7.5, -0.1, -2, ewNaN, -ewInf, ewInf, ewNegZ, 0, -1, 1, -2.5, 7.5, -0.1, -2, ewNaN, -ewInf, ewInf, 1, 1, 0, 2, -1.5, 8.5, 0.9, -1, ewNaN, -ewInf, ewInf, -1, -1, -2, 0, -3.5, 6.5, -1.1, -3, ewNaN, -ewInf, ewInf, 2.5, 2.5, 1.5, 3.5, 0, 10, 2.4, 0.5, ewNaN, -ewInf, ewInf, -7.5, -7.5, -8.5, -6.5, -10, 0, -7.6, -9.5, ewNaN, -ewInf, ewInf, 0.1, 0.1, -0.9, 1.1, -2.4, 7.6, 0, -1.9, ewNaN, -ewInf, ewInf, 2, 2, 1, 3, -0.5, 9.5, 1.9, 0}},
	{Mul, chunk.Float64, []float64{ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewInf, -ewInf, ewNaN, ewNaN, ewInf, -ewInf, ewInf, -ewInf, ewInf, ewInf, ewNaN, -ewInf, ewInf, ewNaN, ewNaN, -ewInf, ewInf, -ewInf, ewInf, -ewInf, -ewInf, ewNaN, ewNaN, ewNaN, 0, ewNegZ, 0, ewNegZ, 0, ewNegZ, 0, 0, ewNaN, ewNaN, ewNaN, ewNegZ, 0, ewNegZ, 0, ewNegZ, 0, ewNegZ, ewNegZ, ewNaN, ewInf, -ewInf, 0, ewNegZ, 1, -1, 2.5, -7.5, 0.1, 2, ewNaN, -ewInf, ewInf, ewNegZ, 0, -1, 1, -2.5, 7.5, -0.1, -2, ewNaN, ewInf, -ewInf, 0, ewNegZ, 2.5, -2.5, 6.25, -18.75, 0.25, 5, ewNaN, -ewInf, ewInf, ewNegZ, 0, -7.5, 7.5, -18.75, 56.25, -0.75, -15, ewNaN, ewInf, -ewInf, 0, ewNegZ, 0.1, -0.1, 0.25, -0.75, 0.010000000000000002, 0.2, ewNaN, ewInf, -ewInf, 0, ewNegZ, 2, -2, 5, -15, 0.2, 4}},
	{Div, chunk.Float64, []float64{ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewInf, -ewInf, ewInf, -ewInf, ewInf, -ewInf, ewInf, ewInf, ewNaN, ewNaN, ewNaN, -ewInf, ewInf, -ewInf, ewInf, -ewInf, ewInf, -ewInf, -ewInf, ewNaN, 0, ewNegZ, ewNaN, ewNaN, 0, ewNegZ, 0, ewNegZ, 0, 0, ewNaN, ewNegZ, 0, ewNaN, ewNaN, ewNegZ, 0, ewNegZ, 0, ewNegZ, ewNegZ, ewNaN, 0, ewNegZ, ewInf, -ewInf, 1, -1, 0.4, -0.13333333333333333, 10, 0.5, ewNaN, ewNegZ, 0, -ewInf, ewInf, -1, 1, -0.4, 0.13333333333333333, -10, -0.5, ewNaN, 0, ewNegZ, ewInf, -ewInf, 2.5, -2.5, 1, -0.3333333333333333, 25, 1.25, ewNaN, ewNegZ, 0, -ewInf, ewInf, -7.5, 7.5, -3, 1, -75, -3.75, ewNaN, 0, ewNegZ, ewInf, -ewInf, 0.1, -0.1, 0.04, -0.013333333333333334, 1, 0.05, ewNaN, 0, ewNegZ, ewInf, -ewInf, 2, -2, 0.8, -0.26666666666666666, 20, 1}},
	{FloorDiv, chunk.Float64, []float64{ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewInf, -ewInf, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, -ewInf, ewInf, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, 0, ewNegZ, ewNaN, ewNaN, 0, ewNegZ, 0, ewNegZ, 0, 0, ewNaN, ewNegZ, 0, ewNaN, ewNaN, ewNegZ, 0, ewNegZ, 0, ewNegZ, ewNegZ, ewNaN, 0, -1, ewInf, -ewInf, 1, -1, 0, -1, 9, 0, ewNaN, -1, 0, -ewInf, ewInf, -1, 1, -1, 0, -10, -1, ewNaN, 0, -1, ewInf, -ewInf, 2, -3, 1, -1, 24, 1, ewNaN, -1, 0, -ewInf, ewInf, -8, 7, -3, 1, -75, -4, ewNaN, 0, -1, ewInf, -ewInf, 0, -1, 0, -1, 1, 0, ewNaN, 0, -1, ewInf, -ewInf, 2, -2, 0, -1, 19, 1}},
	{Mod, chunk.Float64, []float64{ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, 0, ewNegZ, ewNaN, ewNaN, 0, ewNegZ, 0, ewNegZ, 0, 0, ewNaN, 0, ewNegZ, ewNaN, ewNaN, 0, ewNegZ, 0, ewNegZ, 0, 0, ewNaN, 1, -ewInf, ewNaN, ewNaN, 0, ewNegZ, 1, -6.5, 0.09999999999999995, 1, ewNaN, ewInf, -1, ewNaN, ewNaN, 0, ewNegZ, 1.5, -1, 5.551115123125783e-17, 1, ewNaN, 2.5, -ewInf, ewNaN, ewNaN, 0.5, -0.5, 0, -5, 0.09999999999999987, 0.5, ewNaN, ewInf, -7.5, ewNaN, ewNaN, 0.5, -0.5, 0, ewNegZ, 4.163336342344337e-16, 0.5, ewNaN, 0.1, -ewInf, ewNaN, ewNaN, 0.1, -0.9, 0.1, -7.4, 0, 0.1, ewNaN, 2, -ewInf, ewNaN, ewNaN, 0, ewNegZ, 2, -5.5, 0.0999999999999999, 0}},
	{Pow, chunk.Float64, []float64{ewNaN, ewNaN, ewNaN, 1, 1, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewInf, 0, 1, 1, ewInf, 0, ewInf, 0, ewInf, ewInf, ewNaN, ewInf, 0, 1, 1, -ewInf, ewNegZ, ewInf, 0, ewInf, ewInf, ewNaN, 0, ewInf, 1, 1, 0, ewInf, 0, ewInf, 0, 0, ewNaN, 0, ewInf, 1, 1, ewNegZ, -ewInf, 0, ewInf, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ewNaN, 1, 1, 1, 1, -1, -1, ewNaN, ewNaN, ewNaN, 1, ewNaN, ewInf, 0, 1, 1, 2.5, 0.39999999999999997, 9.882117688026185, 0.0010362151436839745, 1.0959582263852172, 6.25, ewNaN, ewInf, 0, 1, 1, -7.5, -0.13333333333333333, ewNaN, ewNaN, ewNaN, 56.25, ewNaN, 0, ewInf, 1, 1, 0.1, 9.999999999999998, 0.00316227766016838, 31622776.60168378, 0.7943282347242815, 0.01, ewNaN, ewInf, 0, 1, 1, 2, 0.5, 5.656854249492381, 0.005524271728019903, 1.0717734625362931, 4}},
	{Minimum, chunk.Float64, []float64{ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewInf, -ewInf, 0, ewNegZ, 1, -1, 2.5, -7.5, 0.1, 2, ewNaN, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, ewNaN, 0, -ewInf, 0, ewNegZ, 0, -1, 0, -7.5, 0, 0, ewNaN, ewNegZ, -ewInf, 0, ewNegZ, ewNegZ, -1, ewNegZ, -7.5, ewNegZ, ewNegZ, ewNaN, 1, -ewInf, 0, ewNegZ, 1, -1, 1, -7.5, 0.1, 1, ewNaN, -1, -ewInf, -1, -1, -1, -1, -1, -7.5, -1, -1, ewNaN, 2.5, -ewInf, 0, ewNegZ, 1, -1, 2.5, -7.5, 0.1, 2, ewNaN, -7.5, -ewInf, -7.5, -7.5, -7.5, -7.5, -7.5, -7.5, -7.5, -7.5, ewNaN, 0.1, -ewInf, 0, ewNegZ, 0.1, -1, 0.1, -7.5, 0.1, 0.1, ewNaN, 2, -ewInf, 0, ewNegZ, 1, -1, 2, -7.5, 0.1, 2}},
	{Maximum, chunk.Float64, []float64{ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewNaN, ewInf, -ewInf, 0, ewNegZ, 1, -1, 2.5, -7.5, 0.1, 2, ewNaN, ewInf, 0, 0, ewNegZ, 1, 0, 2.5, 0, 0.1, 2, ewNaN, ewInf, ewNegZ, 0, ewNegZ, 1, ewNegZ, 2.5, ewNegZ, 0.1, 2, ewNaN, ewInf, 1, 1, 1, 1, 1, 2.5, 1, 1, 2, ewNaN, ewInf, -1, 0, ewNegZ, 1, -1, 2.5, -1, 0.1, 2, ewNaN, ewInf, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, ewNaN, ewInf, -7.5, 0, ewNegZ, 1, -1, 2.5, -7.5, 0.1, 2, ewNaN, ewInf, 0.1, 0.1, 0.1, 1, 0.1, 2.5, 0.1, 0.1, 2, ewNaN, ewInf, 2, 2, 2, 2, 2, 2.5, 2, 2, 2}},
	{Arctan2, chunk.Float64, []float64{ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, 0.7853981633974483, 2.356194490192345, 1.5707963267948966, 1.5707963267948966, 1.5707963267948966, 1.5707963267948966, 1.5707963267948966, 1.5707963267948966, 1.5707963267948966, 1.5707963267948966, ewNaN, -0.7853981633974483, -2.356194490192345, -1.5707963267948966, -1.5707963267948966, -1.5707963267948966, -1.5707963267948966, -1.5707963267948966, -1.5707963267948966, -1.5707963267948966, -1.5707963267948966, ewNaN, 0, 3.141592653589793, 0, 3.141592653589793, 0, 3.141592653589793, 0, 3.141592653589793, 0, 0, ewNaN, ewNegZ, -3.141592653589793, ewNegZ, -3.141592653589793, ewNegZ, -3.141592653589793, ewNegZ, -3.141592653589793, ewNegZ, ewNegZ, ewNaN, 0, 3.141592653589793, 1.5707963267948966, 1.5707963267948966, 0.7853981633974483, 2.356194490192345, 0.3805063771123649, 3.009041121293119, 1.4711276743037345, 0.46364760900080615, ewNaN, ewNegZ, -3.141592653589793, -1.5707963267948966, -1.5707963267948966, -0.7853981633974483, -2.356194490192345, -0.3805063771123649, -3.009041121293119, -1.4711276743037345, -0.46364760900080615, ewNaN, 0, 3.141592653589793, 1.5707963267948966, 1.5707963267948966, 1.1902899496825317, 1.9513027039072615, 0.7853981633974483, 2.819842099193151, 1.5308176396716064, 0.8960553845713438, ewNaN, ewNegZ, -3.141592653589793, -1.5707963267948966, -1.5707963267948966, -1.4382447944982226, -1.7033478590915705, -1.2490457723982544, -2.356194490192345, -1.557463783500751, -1.3101939350475555, ewNaN, 0, 3.141592653589793, 1.5707963267948966, 1.5707963267948966, 0.09966865249116204, 3.0419240010986313, 0.039978687123290044, 3.1282601102956473, 0.7853981633974483, 0.049958395721942765, ewNaN, 0, 3.141592653589793, 1.5707963267948966, 1.5707963267948966, 1.1071487177940904, 2.0344439357957027, 0.6747409422235527, 2.8809902618424523, 1.5208379310729538, 0.7853981633974483}},
	{Add, chunk.Float32, []float64{ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewInf, ewNaN, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewNaN, ewNaN, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, ewNaN, ewInf, -ewInf, 0, 0, 1, -1, 2.5, -7.5, 0.10000000149011612, 2, ewNaN, ewInf, -ewInf, 0, ewNegZ, 1, -1, 2.5, -7.5, 0.10000000149011612, 2, ewNaN, ewInf, -ewInf, 1, 1, 2, 0, 3.5, -6.5, 1.100000023841858, 3, ewNaN, ewInf, -ewInf, -1, -1, 0, -2, 1.5, -8.5, -0.8999999761581421, 1, ewNaN, ewInf, -ewInf, 2.5, 2.5, 3.5, 1.5, 5, -5, 2.5999999046325684, 4.5, ewNaN, ewInf, -ewInf, -7.5, -7.5, -6.5, -8.5, -5, -15, -7.400000095367432, -5.5, ewNaN, ewInf, -ewInf, 0.10000000149011612, 0.10000000149011612, 1.100000023841858, -0.8999999761581421, 2.5999999046325684, -7.400000095367432, 0.20000000298023224, 2.0999999046325684, ewNaN, ewInf, -ewInf, 2, 2, 3, 1, 4.5, -5.5, 2.0999999046325684, 4}},
	{Sub, chunk.Float32, []float64{ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewNaN, -ewInf, ewNaN, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, ewNaN, -ewInf, ewInf, 0, 0, -1, 1, -2.5, 7.5, -0.10000000149011612, -2, ewNaN, -ewInf, ewInf, ewNegZ, 0, -1, 1, -2.5, 7.5, -0.10000000149011612, -2, ewNaN, -ewInf, ewInf, 1, 1, 0, 2, -1.5, 8.5, 0.8999999761581421, -1, ewNaN, -ewInf, ewInf, -1, -1, -2, 0, -3.5, 6.5, -1.100000023841858, -3, ewNaN, -ewInf, ewInf, 2.5, 2.5, 1.5, 3.5, 0, 10, 2.4000000953674316, 0.5, ewNaN, -ewInf, ewInf, -7.5, -7.5, -8.5, -6.5, -10, 0, -7.599999904632568, -9.5, ewNaN, -ewInf, ewInf, 0.10000000149011612, 0.10000000149011612, -0.8999999761581421, 1.100000023841858, -2.4000000953674316, 7.599999904632568, 0, -1.899999976158142, ewNaN, -ewInf, ewInf, 2, 2, 1, 3, -0.5, 9.5, 1.899999976158142, 0}},
	{Mul, chunk.Float32, []float64{ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewInf, -ewInf, ewNaN, ewNaN, ewInf, -ewInf, ewInf, -ewInf, ewInf, ewInf, ewNaN, -ewInf, ewInf, ewNaN, ewNaN, -ewInf, ewInf, -ewInf, ewInf, -ewInf, -ewInf, ewNaN, ewNaN, ewNaN, 0, ewNegZ, 0, ewNegZ, 0, ewNegZ, 0, 0, ewNaN, ewNaN, ewNaN, ewNegZ, 0, ewNegZ, 0, ewNegZ, 0, ewNegZ, ewNegZ, ewNaN, ewInf, -ewInf, 0, ewNegZ, 1, -1, 2.5, -7.5, 0.10000000149011612, 2, ewNaN, -ewInf, ewInf, ewNegZ, 0, -1, 1, -2.5, 7.5, -0.10000000149011612, -2, ewNaN, ewInf, -ewInf, 0, ewNegZ, 2.5, -2.5, 6.25, -18.75, 0.25, 5, ewNaN, -ewInf, ewInf, ewNegZ, 0, -7.5, 7.5, -18.75, 56.25, -0.75, -15, ewNaN, ewInf, -ewInf, 0, ewNegZ, 0.10000000149011612, -0.10000000149011612, 0.25, -0.75, 0.010000000707805157, 0.20000000298023224, ewNaN, ewInf, -ewInf, 0, ewNegZ, 2, -2, 5, -15, 0.20000000298023224, 4}},
	{Div, chunk.Float32, []float64{ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewInf, -ewInf, ewInf, -ewInf, ewInf, -ewInf, ewInf, ewInf, ewNaN, ewNaN, ewNaN, -ewInf, ewInf, -ewInf, ewInf, -ewInf, ewInf, -ewInf, -ewInf, ewNaN, 0, ewNegZ, ewNaN, ewNaN, 0, ewNegZ, 0, ewNegZ, 0, 0, ewNaN, ewNegZ, 0, ewNaN, ewNaN, ewNegZ, 0, ewNegZ, 0, ewNegZ, ewNegZ, ewNaN, 0, ewNegZ, ewInf, -ewInf, 1, -1, 0.4000000059604645, -0.13333334028720856, 10, 0.5, ewNaN, ewNegZ, 0, -ewInf, ewInf, -1, 1, -0.4000000059604645, 0.13333334028720856, -10, -0.5, ewNaN, 0, ewNegZ, ewInf, -ewInf, 2.5, -2.5, 1, -0.3333333432674408, 25, 1.25, ewNaN, ewNegZ, 0, -ewInf, ewInf, -7.5, 7.5, -3, 1, -75, -3.75, ewNaN, 0, ewNegZ, ewInf, -ewInf, 0.10000000149011612, -0.10000000149011612, 0.03999999910593033, -0.013333333656191826, 1, 0.05000000074505806, ewNaN, 0, ewNegZ, ewInf, -ewInf, 2, -2, 0.800000011920929, -0.2666666805744171, 20, 1}},
	{FloorDiv, chunk.Float32, []float64{ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewInf, -ewInf, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, -ewInf, ewInf, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, 0, ewNegZ, ewNaN, ewNaN, 0, ewNegZ, 0, ewNegZ, 0, 0, ewNaN, ewNegZ, 0, ewNaN, ewNaN, ewNegZ, 0, ewNegZ, 0, ewNegZ, ewNegZ, ewNaN, 0, -1, ewInf, -ewInf, 1, -1, 0, -1, 9, 0, ewNaN, -1, 0, -ewInf, ewInf, -1, 1, -1, 0, -10, -1, ewNaN, 0, -1, ewInf, -ewInf, 2, -3, 1, -1, 24, 1, ewNaN, -1, 0, -ewInf, ewInf, -8, 7, -3, 1, -75, -4, ewNaN, 0, -1, ewInf, -ewInf, 0, -1, 0, -1, 1, 0, ewNaN, 0, -1, ewInf, -ewInf, 2, -2, 0, -1, 19, 1}},
	{Mod, chunk.Float32, []float64{ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, 0, ewNegZ, ewNaN, ewNaN, 0, ewNegZ, 0, ewNegZ, 0, 0, ewNaN, 0, ewNegZ, ewNaN, ewNaN, 0, ewNegZ, 0, ewNegZ, 0, 0, ewNaN, 1, -ewInf, ewNaN, ewNaN, 0, ewNegZ, 1, -6.5, 0.09999998658895493, 1, ewNaN, ewInf, -1, ewNaN, ewNaN, 0, ewNegZ, 1.5, -1, 1.4901161193847656e-08, 1, ewNaN, 2.5, -ewInf, ewNaN, ewNaN, 0.5, -0.5, 0, -5, 0.09999996423721313, 0.5, ewNaN, ewInf, -7.5, ewNaN, ewNaN, 0.5, -0.5, 0, ewNegZ, 1.1175870895385742e-07, 0.5, ewNaN, 0.10000000149011612, -ewInf, ewNaN, ewNaN, 0.10000000149011612, -0.8999999761581421, 0.10000000149011612, -7.400000095367432, 0, 0.10000000149011612, ewNaN, 2, -ewInf, ewNaN, ewNaN, 0, ewNegZ, 2, -5.5, 0.09999997168779373, 0}},
	{Pow, chunk.Float32, []float64{ewNaN, ewNaN, ewNaN, 1, 1, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewInf, 0, 1, 1, ewInf, 0, ewInf, 0, ewInf, ewInf, ewNaN, ewInf, 0, 1, 1, -ewInf, ewNegZ, ewInf, 0, ewInf, ewInf, ewNaN, 0, ewInf, 1, 1, 0, ewInf, 0, ewInf, 0, 0, ewNaN, 0, ewInf, 1, 1, ewNegZ, -ewInf, 0, ewInf, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, ewNaN, 1, 1, 1, 1, -1, -1, ewNaN, ewNaN, ewNaN, 1, ewNaN, ewInf, 0, 1, 1, 2.5, 0.4000000059604645, 9.88211727142334, 0.0010362151078879833, 1.0959582328796387, 6.25, ewNaN, ewInf, 0, 1, 1, -7.5, -0.13333334028720856, ewNaN, ewNaN, ewNaN, 56.25, ewNaN, 0, ewInf, 1, 1, 0.10000000149011612, 9.999999046325684, 0.003162277862429619, 31622774, 0.7943282127380371, 0.009999999776482582, ewNaN, ewInf, 0, 1, 1, 2, 0.5, 5.656854152679443, 0.005524271633476019, 1.0717734098434448, 4}},
	{Minimum, chunk.Float32, []float64{ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewInf, -ewInf, 0, ewNegZ, 1, -1, 2.5, -7.5, 0.10000000149011612, 2, ewNaN, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, -ewInf, ewNaN, 0, -ewInf, 0, ewNegZ, 0, -1, 0, -7.5, 0, 0, ewNaN, ewNegZ, -ewInf, 0, ewNegZ, ewNegZ, -1, ewNegZ, -7.5, ewNegZ, ewNegZ, ewNaN, 1, -ewInf, 0, ewNegZ, 1, -1, 1, -7.5, 0.10000000149011612, 1, ewNaN, -1, -ewInf, -1, -1, -1, -1, -1, -7.5, -1, -1, ewNaN, 2.5, -ewInf, 0, ewNegZ, 1, -1, 2.5, -7.5, 0.10000000149011612, 2, ewNaN, -7.5, -ewInf, -7.5, -7.5, -7.5, -7.5, -7.5, -7.5, -7.5, -7.5, ewNaN, 0.10000000149011612, -ewInf, 0, ewNegZ, 0.10000000149011612, -1, 0.10000000149011612, -7.5, 0.10000000149011612, 0.10000000149011612, ewNaN, 2, -ewInf, 0, ewNegZ, 1, -1, 2, -7.5, 0.10000000149011612, 2}},
	{Maximum, chunk.Float32, []float64{ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewInf, ewNaN, ewInf, -ewInf, 0, ewNegZ, 1, -1, 2.5, -7.5, 0.10000000149011612, 2, ewNaN, ewInf, 0, 0, ewNegZ, 1, 0, 2.5, 0, 0.10000000149011612, 2, ewNaN, ewInf, ewNegZ, 0, ewNegZ, 1, ewNegZ, 2.5, ewNegZ, 0.10000000149011612, 2, ewNaN, ewInf, 1, 1, 1, 1, 1, 2.5, 1, 1, 2, ewNaN, ewInf, -1, 0, ewNegZ, 1, -1, 2.5, -1, 0.10000000149011612, 2, ewNaN, ewInf, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, ewNaN, ewInf, -7.5, 0, ewNegZ, 1, -1, 2.5, -7.5, 0.10000000149011612, 2, ewNaN, ewInf, 0.10000000149011612, 0.10000000149011612, 0.10000000149011612, 1, 0.10000000149011612, 2.5, 0.10000000149011612, 0.10000000149011612, 2, ewNaN, ewInf, 2, 2, 2, 2, 2, 2.5, 2, 2, 2}},
	{Arctan2, chunk.Float32, []float64{ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, ewNaN, 0.7853981852531433, 2.356194496154785, 1.5707963705062866, 1.5707963705062866, 1.5707963705062866, 1.5707963705062866, 1.5707963705062866, 1.5707963705062866, 1.5707963705062866, 1.5707963705062866, ewNaN, -0.7853981852531433, -2.356194496154785, -1.5707963705062866, -1.5707963705062866, -1.5707963705062866, -1.5707963705062866, -1.5707963705062866, -1.5707963705062866, -1.5707963705062866, -1.5707963705062866, ewNaN, 0, 3.1415927410125732, 0, 3.1415927410125732, 0, 3.1415927410125732, 0, 3.1415927410125732, 0, 0, ewNaN, ewNegZ, -3.1415927410125732, ewNegZ, -3.1415927410125732, ewNegZ, -3.1415927410125732, ewNegZ, -3.1415927410125732, ewNegZ, ewNegZ, ewNaN, 0, 3.1415927410125732, 1.5707963705062866, 1.5707963705062866, 0.7853981256484985, 2.356194496154785, 0.38050639629364014, 3.0090413093566895, 1.4711277484893799, 0.46364763379096985, ewNaN, ewNegZ, -3.1415927410125732, -1.5707963705062866, -1.5707963705062866, -0.7853981256484985, -2.356194496154785, -0.38050639629364014, -3.0090413093566895, -1.4711277484893799, -0.46364763379096985, ewNaN, 0, 3.1415927410125732, 1.5707963705062866, 1.5707963705062866, 1.1902899742126465, 1.9513027667999268, 0.7853981256484985, 2.8198421001434326, 1.5308176279067993, 0.8960554003715515, ewNaN, ewNegZ, -3.1415927410125732, -1.5707963705062866, -1.5707963705062866, -1.4382448196411133, -1.70334792137146, -1.2490458488464355, -2.356194496154785, -1.5574638843536377, -1.3101940155029297, ewNaN, 0, 3.1415927410125732, 1.5707963705062866, 1.5707963705062866, 0.09966865926980972, 3.041923999786377, 0.03997868299484253, 3.1282601356506348, 0.7853981256484985, 0.04995839297771454, ewNaN, 0, 3.1415927410125732, 1.5707963705062866, 1.5707963705062866, 1.1071487665176392, 2.0344438552856445, 0.6747409701347351, 2.8809902667999268, 1.5208380222320557, 0.7853981256484985}},
}

// ewBinaryBoolEdges holds NumPy's bool results over all pairs of
// ewBinaryEdgeIn, T for true. From numpy 1.24.2, as ewBinaryFloatEdges.
var ewBinaryBoolEdges = []struct {
	op   BinaryOp
	dt   chunk.DType
	want string
}{
	{Equal, chunk.Float64, "FFFFFFFFFFFFTFFFFFFFFFFFTFFFFFFFFFFFTTFFFFFFFFFTTFFFFFFFFFFFTFFFFFFFFFFFTFFFFFFFFFFFTFFFFFFFFFFFTFFFFFFFFFFFTFFFFFFFFFFFT"},
	{NotEqual, chunk.Float64, "TTTTTTTTTTTTFTTTTTTTTTTTFTTTTTTTTTTTFFTTTTTTTTTFFTTTTTTTTTTTFTTTTTTTTTTTFTTTTTTTTTTTFTTTTTTTTTTTFTTTTTTTTTTTFTTTTTTTTTTTF"},
	{Less, chunk.Float64, "FFFFFFFFFFFFFFFFFFFFFFFTFTTTTTTTTFTFFFTFTFTTFTFFFTFTFTTFTFFFFFTFFTFTFTTTFTFTTFTFFFFFFFFFFTFTTTTTFTTFTFFFTFTFFTFTFFFFFTFFF"},
	{LessEqual, chunk.Float64, "FFFFFFFFFFFFTFFFFFFFFFFTTTTTTTTTTFTFTTTFTFTTFTFTTTFTFTTFTFFFTFTFFTFTFTTTTTFTTFTFFFFFTFFFFTFTTTTTTTTFTFFFTFTFTTFTFFFFFTFFT"},
	{Greater, chunk.Float64, "FFFFFFFFFFFFFTTTTTTTTTFFFFFFFFFFFFFTFFFTFTFFFFTFFFTFTFFFFTTTFTFTTFFFTFFFFFTFFFFTTTTTFTTTFFTFFFFFFFFFFTTTFTFTFFFFTTTTTFTTF"},
	{GreaterEqual, chunk.Float64, "FFFFFFFFFFFFTTTTTTTTTTFFTFFFFFFFFFFTTTFTFTFFFFTTTFTFTFFFFTTTTTFTTFFFTFFFTFTFFFFTTTTTTTTTFFTFFFFFTFFFFTTTFTFTTFFFTTTTTFTTT"},
	{LogicalAnd, chunk.Float64, "TTTFFTTTTTTTTTFFTTTTTTTTTFFTTTTTTFFFFFFFFFFFFFFFFFFFFFFTTTFFTTTTTTTTTFFTTTTTTTTTFFTTTTTTTTTFFTTTTTTTTTFFTTTTTTTTTFFTTTTTT"},
	{LogicalOr, chunk.Float64, "TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTFFTTTTTTTTTFFTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT"},
	{LogicalXor, chunk.Float64, "FFFTTFFFFFFFFFTTFFFFFFFFFTTFFFFFFTTTFFTTTTTTTTTFFTTTTTTFFFTTFFFFFFFFFTTFFFFFFFFFTTFFFFFFFFFTTFFFFFFFFFTTFFFFFFFFFTTFFFFFF"},
	{Equal, chunk.Float32, "FFFFFFFFFFFFTFFFFFFFFFFFTFFFFFFFFFFFTTFFFFFFFFFTTFFFFFFFFFFFTFFFFFFFFFFFTFFFFFFFFFFFTFFFFFFFFFFFTFFFFFFFFFFFTFFFFFFFFFFFT"},
	{NotEqual, chunk.Float32, "TTTTTTTTTTTTFTTTTTTTTTTTFTTTTTTTTTTTFFTTTTTTTTTFFTTTTTTTTTTTFTTTTTTTTTTTFTTTTTTTTTTTFTTTTTTTTTTTFTTTTTTTTTTTFTTTTTTTTTTTF"},
	{Less, chunk.Float32, "FFFFFFFFFFFFFFFFFFFFFFFTFTTTTTTTTFTFFFTFTFTTFTFFFTFTFTTFTFFFFFTFFTFTFTTTFTFTTFTFFFFFFFFFFTFTTTTTFTTFTFFFTFTFFTFTFFFFFTFFF"},
	{LessEqual, chunk.Float32, "FFFFFFFFFFFFTFFFFFFFFFFTTTTTTTTTTFTFTTTFTFTTFTFTTTFTFTTFTFFFTFTFFTFTFTTTTTFTTFTFFFFFTFFFFTFTTTTTTTTFTFFFTFTFTTFTFFFFFTFFT"},
	{Greater, chunk.Float32, "FFFFFFFFFFFFFTTTTTTTTTFFFFFFFFFFFFFTFFFTFTFFFFTFFFTFTFFFFTTTFTFTTFFFTFFFFFTFFFFTTTTTFTTTFFTFFFFFFFFFFTTTFTFTFFFFTTTTTFTTF"},
	{GreaterEqual, chunk.Float32, "FFFFFFFFFFFFTTTTTTTTTTFFTFFFFFFFFFFTTTFTFTFFFFTTTFTFTFFFFTTTTTFTTFFFTFFFTFTFFFFTTTTTTTTTFFTFFFFFTFFFFTTTFTFTTFFFTTTTTFTTT"},
	{LogicalAnd, chunk.Float32, "TTTFFTTTTTTTTTFFTTTTTTTTTFFTTTTTTFFFFFFFFFFFFFFFFFFFFFFTTTFFTTTTTTTTTFFTTTTTTTTTFFTTTTTTTTTFFTTTTTTTTTFFTTTTTTTTTFFTTTTTT"},
	{LogicalOr, chunk.Float32, "TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTFFTTTTTTTTTFFTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT"},
	{LogicalXor, chunk.Float32, "FFFTTFFFFFFFFFTTFFFFFFFFFTTFFFFFFTTTFFTTTTTTTTTFFTTTTTTFFFTTFFFFFFFFFTTFFFFFFFFFTTFFFFFFFFFTTFFFFFFFFFTTFFFFFFFFFTTFFFFFF"},
}

func ewAllPairs(dt chunk.DType, x []float64) (a, b []byte) {
	var va, vb []float64
	for _, u := range x {
		for _, v := range x {
			va, vb = append(va, u), append(vb, v)
		}
	}
	return ewFloatBytes(dt, va), ewFloatBytes(dt, vb)
}

func TestBinaryFloatEdgesNumPy(t *testing.T) {
	for _, c := range ewBinaryFloatEdges {
		a, b := ewAllPairs(c.dt, ewBinaryEdgeIn)
		dst := make([]byte, len(a))
		Binary(c.op, c.dt)(dst, a, b)
		tol := 0.0
		if c.op == Pow || c.op == Arctan2 {
			tol = ewNumPyULPs
		}
		va, vb := ewFloatsOf(c.dt, a), ewFloatsOf(c.dt, b)
		for i, got := range ewFloatsOf(c.dt, dst) {
			want := c.want[i]
			if (c.op == Minimum || c.op == Maximum) && va[i] == 0 && vb[i] == 0 {
				// The documented deviation: -0.0 < +0.0, where NumPy
				// returns b (its SIMD loop) or a (its scalar loop).
				want = ewZeroTie(c.op, va[i], vb[i])
			}
			if !ewSameFloat(c.dt, got, want, tol) {
				t.Errorf("%v(%v %v, %v) = %v, want %v (NumPy gives %v)", c.op, c.dt, va[i], vb[i], got, want, c.want[i])
			}
		}
	}
	for _, c := range ewBinaryBoolEdges {
		a, b := ewAllPairs(c.dt, ewBinaryEdgeIn)
		dst := make([]bool, len(c.want))
		Binary(c.op, c.dt)(chunk.AsBytes(dst), a, b)
		va, vb := ewFloatsOf(c.dt, a), ewFloatsOf(c.dt, b)
		for i, got := range dst {
			if want := c.want[i] == 'T'; got != want {
				t.Errorf("%v(%v %v, %v) = %v, NumPy gives %v", c.op, c.dt, va[i], vb[i], got, want)
			}
		}
	}
}

// ewDivmodPairsA and ewDivmodPairsB are operand pairs that exercise
// npy_divmod's corrections: remainders that need the divisor's sign,
// quotients just below an integer (1 // 0.1), infinite divisors, zero
// divisors and tiny remainders.
var (
	ewDivmodPairsA = []float64{-7.5, 7.5, 1, -1, 5, -5, 3, 1e300, -1e-300, 6, -6, 0, 1e300, -1e300, 1e-300, 0.5, -0.5, 3.5, -3.5, 1e16, 7, -7}
	ewDivmodPairsB = []float64{2, -2, 0.1, 0.1, 0, 0, ewInf, 1e-300, ewInf, -ewInf, ewInf, -3, -1e-300, 1e-300, 3, 0.1, 0.1, -0.25, 0.25, 3, 0.7, 0.7}
)

// ewDivmodPairsNumPy holds NumPy's results for those pairs. From numpy
// 1.24.2: np.<f>(np.array(ewDivmodPairsA, dtype), np.array(ewDivmodPairsB,
// dtype)).
var ewDivmodPairsNumPy = []struct {
	op   BinaryOp
	dt   chunk.DType
	want []float64
}{
	{FloorDiv, chunk.Float64, []float64{-4, -4, 9, -10, ewInf, -ewInf, 0, ewInf, -1, -1, -1, ewNegZ, -ewInf, -ewInf, 0, 4, -5, -14, -14, 3333333333333333, 10, -11}},
	{Mod, chunk.Float64, []float64{0.5, -0.5, 0.09999999999999995, 5.551115123125783e-17, ewNaN, ewNaN, 3, 4.891554850853602e-301, ewInf, -ewInf, ewInf, ewNegZ, -5.108445149146398e-301, 5.108445149146398e-301, 1e-300, 0.09999999999999998, 2.7755575615628914e-17, ewNegZ, 0, 1, 4.440892098500626e-16, 0.6999999999999995}},
	{Pow, chunk.Float64, []float64{56.25, 0.017777777777777778, 1, ewNaN, 1, 1, ewInf, 1, 0, 0, ewInf, ewInf, 1, ewNaN, 0, 0.9330329915368074, ewNaN, 0.7311104457090247, ewNaN, 9.999999999999999e+47, 3.9045287771227217, ewNaN}},
	{FloorDiv, chunk.Float32, []float64{-4, -4, 9, -10, ewInf, -ewInf, 0, ewInf, ewNegZ, -1, -1, ewNegZ, -ewInf, -ewInf, 0, 4, -5, -14, -14, 3333333513666560, 10, -11}},
	{Mod, chunk.Float32, []float64{0.5, -0.5, 0.09999998658895493, 1.4901161193847656e-08, ewNaN, ewNaN, 3, ewNaN, 0, -ewInf, ewInf, ewNegZ, ewNaN, ewNaN, 0, 0.09999999403953552, 7.450580596923828e-09, ewNegZ, 0, 2, 1.1920928955078125e-07, 0.6999998688697815}},
	{Pow, chunk.Float32, []float64{56.25, 0.017777778208255768, 1, ewNaN, 1, 1, ewInf, 1, 0, 0, ewInf, ewInf, 1, 1, 0, 0.9330329895019531, ewNaN, 0.7311104536056519, ewNaN, ewInf, 3.9045286178588867, ewNaN}},
}

func TestBinaryDivmodNumPy(t *testing.T) {
	for _, c := range ewDivmodPairsNumPy {
		a, b := ewFloatBytes(c.dt, ewDivmodPairsA), ewFloatBytes(c.dt, ewDivmodPairsB)
		dst := make([]byte, len(a))
		Binary(c.op, c.dt)(dst, a, b)
		tol := 0.0
		if c.op == Pow {
			tol = ewNumPyULPs
		}
		va, vb := ewFloatsOf(c.dt, a), ewFloatsOf(c.dt, b)
		for i, got := range ewFloatsOf(c.dt, dst) {
			if !ewSameFloat(c.dt, got, c.want[i], tol) {
				t.Errorf("%v(%v %v, %v) = %v, NumPy gives %v", c.op, c.dt, va[i], vb[i], got, c.want[i])
			}
		}
	}
}

// ewBinaryIntEdges holds NumPy's results over all pairs (a, b) of extreme
// values, a major; uint64 values are written as their int64 bit patterns.
// From numpy 1.24.2: np.<f>(np.repeat(x, n), np.tile(x, n)).
var ewBinaryIntEdges = []struct {
	dt   chunk.DType
	x    []int64
	want map[BinaryOp][]int64
}{
	{chunk.Int8, []int64{-128, -7, -1, 0, 1, 2, 7, 127}, map[BinaryOp][]int64{
		Add:      {0, 121, 127, -128, -127, -126, -121, -1, 121, -14, -8, -7, -6, -5, 0, 120, 127, -8, -2, -1, 0, 1, 6, 126, -128, -7, -1, 0, 1, 2, 7, 127, -127, -6, 0, 1, 2, 3, 8, -128, -126, -5, 1, 2, 3, 4, 9, -127, -121, 0, 6, 7, 8, 9, 14, -122, -1, 120, 126, 127, -128, -127, -122, -2},
		Sub:      {0, -121, -127, -128, 127, 126, 121, 1, 121, 0, -6, -7, -8, -9, -14, 122, 127, 6, 0, -1, -2, -3, -8, -128, -128, 7, 1, 0, -1, -2, -7, -127, -127, 8, 2, 1, 0, -1, -6, -126, -126, 9, 3, 2, 1, 0, -5, -125, -121, 14, 8, 7, 6, 5, 0, -120, -1, -122, -128, 127, 126, 125, 120, 0},
		Mul:      {0, -128, -128, 0, -128, 0, -128, -128, -128, 49, 7, 0, -7, -14, -49, -121, -128, 7, 1, 0, -1, -2, -7, -127, 0, 0, 0, 0, 0, 0, 0, 0, -128, -7, -1, 0, 1, 2, 7, 127, 0, -14, -2, 0, 2, 4, 14, -2, -128, -49, -7, 0, 7, 14, 49, 121, -128, -121, -127, 0, 127, -2, 121, 1},
		FloorDiv: {1, 18, -128, 0, -128, -64, -19, -2, 0, 1, 7, 0, -7, -4, -1, -1, 0, 0, 1, 0, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, 0, 1, 0, 0, 0, -1, -1, -2, 0, 2, 1, 0, 0, -1, -1, -7, 0, 7, 3, 1, 0, -1, -19, -127, 0, 127, 63, 18, 1},
		Mod:      {0, -2, 0, 0, 0, 0, 5, 126, -7, 0, 0, 0, 0, 1, 0, 120, -1, -1, 0, 0, 0, 1, 6, 126, 0, 0, 0, 0, 0, 0, 0, 0, -127, -6, 0, 0, 0, 1, 1, 1, -126, -5, 0, 0, 0, 0, 2, 2, -121, 0, 0, 0, 0, 1, 0, 7, -1, -6, 0, 0, 0, 1, 1, 0},
		Minimum:  {-128, -128, -128, -128, -128, -128, -128, -128, -128, -7, -7, -7, -7, -7, -7, -7, -128, -7, -1, -1, -1, -1, -1, -1, -128, -7, -1, 0, 0, 0, 0, 0, -128, -7, -1, 0, 1, 1, 1, 1, -128, -7, -1, 0, 1, 2, 2, 2, -128, -7, -1, 0, 1, 2, 7, 7, -128, -7, -1, 0, 1, 2, 7, 127},
	}},
	{chunk.Uint8, []int64{0, 1, 2, 7, 128, 255}, map[BinaryOp][]int64{
		Add:      {0, 1, 2, 7, 128, 255, 1, 2, 3, 8, 129, 0, 2, 3, 4, 9, 130, 1, 7, 8, 9, 14, 135, 6, 128, 129, 130, 135, 0, 127, 255, 0, 1, 6, 127, 254},
		Sub:      {0, 255, 254, 249, 128, 1, 1, 0, 255, 250, 129, 2, 2, 1, 0, 251, 130, 3, 7, 6, 5, 0, 135, 8, 128, 127, 126, 121, 0, 129, 255, 254, 253, 248, 127, 0},
		Mul:      {0, 0, 0, 0, 0, 0, 0, 1, 2, 7, 128, 255, 0, 2, 4, 14, 0, 254, 0, 7, 14, 49, 128, 249, 0, 128, 0, 128, 0, 128, 0, 255, 254, 249, 128, 1},
		FloorDiv: {0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 1, 0, 0, 0, 0, 7, 3, 1, 0, 0, 0, 128, 64, 18, 1, 0, 0, 255, 127, 36, 1, 1},
		Mod:      {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 2, 2, 2, 0, 0, 1, 0, 7, 7, 0, 0, 0, 2, 0, 128, 0, 0, 1, 3, 127, 0},
		Minimum:  {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 1, 2, 2, 2, 2, 0, 1, 2, 7, 7, 7, 0, 1, 2, 7, 128, 128, 0, 1, 2, 7, 128, 255},
	}},
	{chunk.Int64, []int64{-9223372036854775808, -7, -1, 0, 1, 3, 9223372036854775807}, map[BinaryOp][]int64{
		Add:      {0, 9223372036854775801, 9223372036854775807, -9223372036854775808, -9223372036854775807, -9223372036854775805, -1, 9223372036854775801, -14, -8, -7, -6, -4, 9223372036854775800, 9223372036854775807, -8, -2, -1, 0, 2, 9223372036854775806, -9223372036854775808, -7, -1, 0, 1, 3, 9223372036854775807, -9223372036854775807, -6, 0, 1, 2, 4, -9223372036854775808, -9223372036854775805, -4, 2, 3, 4, 6, -9223372036854775806, -1, 9223372036854775800, 9223372036854775806, 9223372036854775807, -9223372036854775808, -9223372036854775806, -2},
		Sub:      {0, -9223372036854775801, -9223372036854775807, -9223372036854775808, 9223372036854775807, 9223372036854775805, 1, 9223372036854775801, 0, -6, -7, -8, -10, 9223372036854775802, 9223372036854775807, 6, 0, -1, -2, -4, -9223372036854775808, -9223372036854775808, 7, 1, 0, -1, -3, -9223372036854775807, -9223372036854775807, 8, 2, 1, 0, -2, -9223372036854775806, -9223372036854775805, 10, 4, 3, 2, 0, -9223372036854775804, -1, -9223372036854775802, -9223372036854775808, 9223372036854775807, 9223372036854775806, 9223372036854775804, 0},
		Mul:      {0, -9223372036854775808, -9223372036854775808, 0, -9223372036854775808, -9223372036854775808, -9223372036854775808, -9223372036854775808, 49, 7, 0, -7, -21, -9223372036854775801, -9223372036854775808, 7, 1, 0, -1, -3, -9223372036854775807, 0, 0, 0, 0, 0, 0, 0, -9223372036854775808, -7, -1, 0, 1, 3, 9223372036854775807, -9223372036854775808, -21, -3, 0, 3, 9, 9223372036854775805, -9223372036854775808, -9223372036854775801, -9223372036854775807, 0, 9223372036854775807, 9223372036854775805, 1},
		FloorDiv: {1, 1317624576693539401, -9223372036854775808, 0, -9223372036854775808, -3074457345618258603, -2, 0, 1, 7, 0, -7, -3, -1, 0, 0, 1, 0, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, -1, -1, -1, 0, 1, 0, 0, -1, -1, -3, 0, 3, 1, 0, -1, -1317624576693539401, -9223372036854775807, 0, 9223372036854775807, 3074457345618258602, 1},
		Mod:      {0, -1, 0, 0, 0, 1, 9223372036854775806, -7, 0, 0, 0, 0, 2, 9223372036854775800, -1, -1, 0, 0, 0, 2, 9223372036854775806, 0, 0, 0, 0, 0, 0, 0, -9223372036854775807, -6, 0, 0, 0, 1, 1, -9223372036854775805, -4, 0, 0, 0, 0, 3, -1, 0, 0, 0, 0, 1, 0},
		Minimum:  {-9223372036854775808, -9223372036854775808, -9223372036854775808, -9223372036854775808, -9223372036854775808, -9223372036854775808, -9223372036854775808, -9223372036854775808, -7, -7, -7, -7, -7, -7, -9223372036854775808, -7, -1, -1, -1, -1, -1, -9223372036854775808, -7, -1, 0, 0, 0, 0, -9223372036854775808, -7, -1, 0, 1, 1, 1, -9223372036854775808, -7, -1, 0, 1, 3, 3, -9223372036854775808, -7, -1, 0, 1, 3, 9223372036854775807},
	}},
	{chunk.Uint64, []int64{0, 1, 3, -9223372036854775808, -1}, map[BinaryOp][]int64{
		Add:      {0, 1, 3, -9223372036854775808, -1, 1, 2, 4, -9223372036854775807, 0, 3, 4, 6, -9223372036854775805, 2, -9223372036854775808, -9223372036854775807, -9223372036854775805, 0, 9223372036854775807, -1, 0, 2, 9223372036854775807, -2},
		Sub:      {0, -1, -3, -9223372036854775808, 1, 1, 0, -2, -9223372036854775807, 2, 3, 2, 0, -9223372036854775805, 4, -9223372036854775808, 9223372036854775807, 9223372036854775805, 0, -9223372036854775807, -1, -2, -4, 9223372036854775807, 0},
		Mul:      {0, 0, 0, 0, 0, 0, 1, 3, -9223372036854775808, -1, 0, 3, 9, -9223372036854775808, -3, 0, -9223372036854775808, -9223372036854775808, 0, -9223372036854775808, 0, -1, -3, -9223372036854775808, 1},
		FloorDiv: {0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 3, 1, 0, 0, 0, -9223372036854775808, 3074457345618258602, 1, 0, 0, -1, 6148914691236517205, 1, 1},
		Mod:      {0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 3, 3, 0, 0, 2, 0, -9223372036854775808, 0, 0, 0, 9223372036854775807, 0},
		Minimum:  {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 1, 3, 3, 3, 0, 1, 3, -9223372036854775808, -9223372036854775808, 0, 1, 3, -9223372036854775808, -1},
	}},
}

// ewPowIntEdges holds NumPy's x ** e for x in the extremes and e in 0, 1,
// 2, 3, 7 (x major). From numpy 1.24.2: np.power(np.repeat(x, 5),
// np.tile(e, len(x))).
var ewPowIntEdges = []struct {
	dt   chunk.DType
	x    []int64
	want []int64
}{
	{chunk.Int8, []int64{-128, -7, -1, 0, 1, 2, 7, 127}, []int64{1, -128, 0, 0, 0, 1, -7, 49, -87, 9, 1, -1, 1, -1, -1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 4, 8, -128, 1, 7, 49, 87, -9, 1, 127, 1, 127, 127}},
	{chunk.Uint8, []int64{0, 1, 2, 7, 128, 255}, []int64{1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 2, 4, 8, 128, 1, 7, 49, 87, 247, 1, 128, 0, 0, 0, 1, 255, 1, 255, 255}},
	{chunk.Int64, []int64{-9223372036854775808, -7, -1, 0, 1, 3, 9223372036854775807}, []int64{1, -9223372036854775808, 0, 0, 0, 1, -7, 49, -343, -823543, 1, -1, 1, -1, -1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 3, 9, 27, 2187, 1, 9223372036854775807, 1, 9223372036854775807, 9223372036854775807}},
	{chunk.Uint64, []int64{0, 1, 3, -9223372036854775808, -1}, []int64{1, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 3, 9, 27, 2187, 1, -9223372036854775808, 0, 0, 0, 1, -1, 1, -1, -1}},
}

func TestBinaryIntEdgesNumPy(t *testing.T) {
	for _, c := range ewBinaryIntEdges {
		var va, vb []int64
		for _, u := range c.x {
			for _, v := range c.x {
				va, vb = append(va, u), append(vb, v)
			}
		}
		a, b := ewIntBytes(c.dt, va), ewIntBytes(c.dt, vb)
		for op, want := range c.want {
			dst := make([]byte, len(a))
			Binary(op, c.dt)(dst, a, b)
			for i := range want {
				if got := ewIntAt(c.dt, dst, i); got != want[i] {
					t.Errorf("%v(%v %d, %d) = %d, NumPy gives %d", op, c.dt, va[i], vb[i], got, want[i])
				}
			}
		}
	}
	for _, c := range ewPowIntEdges {
		var va, vb []int64
		for _, u := range c.x {
			for _, e := range []int64{0, 1, 2, 3, 7} {
				va, vb = append(va, u), append(vb, e)
			}
		}
		a, b := ewIntBytes(c.dt, va), ewIntBytes(c.dt, vb)
		dst := make([]byte, len(a))
		Binary(Pow, c.dt)(dst, a, b)
		for i := range c.want {
			if got := ewIntAt(c.dt, dst, i); got != c.want[i] {
				t.Errorf("power(%v %d, %d) = %d, NumPy gives %d", c.dt, va[i], vb[i], got, c.want[i])
			}
		}
	}
}

// TestBinaryPowNegativeExponent pins the documented deviation: NumPy
// raises, ndchunk truncates the real result.
func TestBinaryPowNegativeExponent(t *testing.T) {
	a := []int8{1, 1, -1, -1, 2, -2, 0, 127, -128}
	b := []int8{-1, -128, -1, -2, -1, -3, -1, -1, -127}
	want := []int8{1, 1, -1, 1, 0, 0, 0, 0, 0}
	got := make([]int8, len(a))
	Binary(Pow, chunk.Int8)(chunk.AsBytes(got), chunk.AsBytes(a), chunk.AsBytes(b))
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d ** %d = %d, want %d", a[i], b[i], got[i], want[i])
		}
	}
}

// ewModes are the operand shapes a BinaryKernel accepts: full operands, or
// one element of a, of b, or of both, broadcast against dst.
var ewModes = []struct {
	name   string
	sa, sb bool
}{{"vv", false, false}, {"sv", true, false}, {"vs", false, true}, {"ss", true, true}}

// ewForModes runs k over n elements in every operand shape and calls check
// with the element indexes each dst element was computed from; check
// returns "" when the element is right.
func ewForModes(t *testing.T, k BinaryKernel, n int, dt, out chunk.DType, a, b []byte, check func(dst []byte, i, ia, ib int) string) {
	t.Helper()
	for _, m := range ewModes {
		x, y := a, b
		if m.sa {
			x = a[:dt.Size()]
		}
		if m.sb {
			y = b[:dt.Size()]
		}
		dst := make([]byte, n*out.Size())
		k(dst, x, y)
		errs := 0
		for i := 0; i < n && errs < 10; i++ {
			ia, ib := i, i
			if m.sa {
				ia = 0
			}
			if m.sb {
				ib = 0
			}
			if msg := check(dst, i, ia, ib); msg != "" {
				t.Errorf("%s: %s", m.name, msg)
				errs++
			}
		}
	}
}

// TestBinaryRandom runs every function on every loop dtype it supports,
// over random operands in every broadcast shape, against a scalar
// reference.
func TestBinaryRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for op := BinaryOp(1); op < numBinary; op++ {
		for _, dt := range chunk.DTypes {
			if loop, _, err := BinaryTypes(op, dt, dt); err != nil || loop != dt {
				continue
			}
			t.Run(op.String()+"/"+dt.String(), func(t *testing.T) {
				switch dt {
				case chunk.Bool:
					ewCheckBinaryBool(t, r, op)
				case chunk.Int8:
					ewCheckBinaryInt[int8](t, r, op)
				case chunk.Int16:
					ewCheckBinaryInt[int16](t, r, op)
				case chunk.Int32:
					ewCheckBinaryInt[int32](t, r, op)
				case chunk.Int64:
					ewCheckBinaryInt[int64](t, r, op)
				case chunk.Uint8:
					ewCheckBinaryInt[uint8](t, r, op)
				case chunk.Uint16:
					ewCheckBinaryInt[uint16](t, r, op)
				case chunk.Uint32:
					ewCheckBinaryInt[uint32](t, r, op)
				case chunk.Uint64:
					ewCheckBinaryInt[uint64](t, r, op)
				default:
					ewCheckBinaryFloat(t, r, op, dt)
				}
			})
		}
	}
}

// ewPredicate is the reference of the functions with a bool result, on
// values already known to compare like the loop dtype's.
func ewPredicate[T chunk.Number](op BinaryOp, a, b T) bool {
	switch op {
	case Equal:
		return a == b
	case NotEqual:
		return a != b
	case Less:
		return a < b
	case LessEqual:
		return a <= b
	case Greater:
		return a > b
	case GreaterEqual:
		return a >= b
	case LogicalAnd:
		return a != 0 && b != 0
	case LogicalOr:
		return a != 0 || b != 0
	}
	return (a != 0) != (b != 0) // LogicalXor
}

func ewCheckBinaryBool(t *testing.T, r *rand.Rand, op BinaryOp) {
	x, y := make([]uint8, ewRandN), make([]uint8, ewRandN)
	for i := range x {
		x[i], y[i] = uint8(r.IntN(2)), uint8(r.IntN(2))
	}
	ewForModes(t, Binary(op, chunk.Bool), ewRandN, chunk.Bool, chunk.Bool, x, y, func(dst []byte, i, ia, ib int) string {
		a, b := x[ia], y[ib]
		var want bool
		switch op {
		case Add, Maximum, BitwiseOr:
			want = a == 1 || b == 1
		case Mul, Minimum, BitwiseAnd:
			want = a == 1 && b == 1
		case BitwiseXor:
			want = a != b
		default:
			want = ewPredicate(op, a, b)
		}
		if got := chunk.Cast[bool](dst)[i]; got != want {
			return fmt.Sprintf("%v(%v, %v) = %v, want %v", op, a == 1, b == 1, got, want)
		}
		return ""
	})
}

// ewBig converts an integer of any width to a big.Int.
func ewBig[T ewInt](v T) *big.Int {
	if ^T(0) < 0 {
		return big.NewInt(int64(v))
	}
	return new(big.Int).SetUint64(uint64(v))
}

// ewWrap reduces z modulo 2^64 and converts it to T, two's complement
// truncation.
func ewWrap[T ewInt](z *big.Int) T {
	m := new(big.Int).Lsh(big.NewInt(1), 64)
	return T(new(big.Int).Mod(z, m).Uint64())
}

// ewBinaryIntRef computes the integer functions exactly in big.Int and
// wraps the result to T. Floor division of a by b is Euclidean division of
// a*sgn(b) by |b|.
func ewBinaryIntRef[T ewInt](op BinaryOp, a, b T) T {
	x, y := ewBig(a), ewBig(b)
	z := new(big.Int)
	switch op {
	case Add:
		z.Add(x, y)
	case Sub:
		z.Sub(x, y)
	case Mul:
		z.Mul(x, y)
	case FloorDiv, Mod:
		if y.Sign() == 0 {
			return 0
		}
		q := new(big.Int)
		if y.Sign() > 0 {
			q.Div(x, y)
		} else {
			q.Div(new(big.Int).Neg(x), new(big.Int).Neg(y))
		}
		if op == FloorDiv {
			z = q
		} else {
			z.Sub(x, q.Mul(q, y))
		}
	case Pow:
		if y.Sign() < 0 {
			switch {
			case x.IsInt64() && x.Int64() == 1:
				return 1
			case x.IsInt64() && x.Int64() == -1:
				return ewWrap[T](big.NewInt(1 - 2*int64(y.Bit(0))))
			}
			return 0
		}
		z.Exp(x, y, new(big.Int).Lsh(big.NewInt(1), 64))
	case Minimum:
		if a < b {
			return a
		}
		return b
	case Maximum:
		if a > b {
			return a
		}
		return b
	case BitwiseAnd:
		return a & b
	case BitwiseOr:
		return a | b
	case BitwiseXor:
		return a ^ b
	}
	return ewWrap[T](z)
}

func ewCheckBinaryInt[T ewInt](t *testing.T, r *rand.Rand, op BinaryOp) {
	dt := chunk.DTypeOf[T]()
	_, out, _ := BinaryTypes(op, dt, dt)
	x, y := ewRandInts[T](r, ewRandN), ewRandInts[T](r, ewRandN)
	if op == Pow {
		// Mostly small exponents, where the results are not all 0 or 1.
		for i := range y {
			if r.IntN(4) > 0 {
				y[i] = T(r.IntN(12))
			}
		}
	}
	ewForModes(t, Binary(op, dt), ewRandN, dt, out, chunk.AsBytes(x), chunk.AsBytes(y), func(dst []byte, i, ia, ib int) string {
		a, b := x[ia], y[ib]
		if out == chunk.Bool {
			if got, want := chunk.Cast[bool](dst)[i], ewPredicate(op, a, b); got != want {
				return fmt.Sprintf("%v(%v, %v) = %v, want %v", op, a, b, got, want)
			}
			return ""
		}
		if got, want := chunk.Cast[T](dst)[i], ewBinaryIntRef(op, a, b); got != want {
			return fmt.Sprintf("%v(%v, %v) = %v, want %v", op, a, b, got, want)
		}
		return ""
	})
}

// ewDivmodRef is the reference of float floor_divide and remainder: the
// exact floor of a/b and the exact remainder, in big.Rat, rounded once to
// dt; NumPy's special values elsewhere. ok is false when the quotient is
// too large for npy_divmod to be exact (2^50 for float64, 2^20 for float32),
// where NumPy's result is an approximation the test does not model.
func ewDivmodRef(a, b float64, dt chunk.DType) (div, mod float64, ok bool) {
	switch {
	case b == 0:
		return a / b, ewNaN, true
	case math.IsNaN(a) || math.IsNaN(b) || math.IsInf(a, 0):
		return ewNaN, ewNaN, true
	case math.IsInf(b, 0):
		switch {
		case math.Signbit(a) == math.Signbit(b):
			return 0, a, true // a is +-0 or has b's sign: a/b is +0
		case a == 0:
			return ewNegZ, math.Copysign(0, b), true
		}
		return -1, b, true
	}
	limit := 0x1p50
	if dt == chunk.Float32 {
		limit = 0x1p20
	}
	if math.Abs(a/b) >= limit {
		return 0, 0, false
	}
	x, y := new(big.Rat).SetFloat64(a), new(big.Rat).SetFloat64(b)
	quo := new(big.Rat).Quo(x, y)
	q := new(big.Int).Div(quo.Num(), quo.Denom()) // Euclidean, Denom > 0: the floor
	rem := new(big.Rat).Sub(x, new(big.Rat).Mul(new(big.Rat).SetInt(q), y))
	if dt == chunk.Float32 {
		f, _ := rem.Float32()
		mod = float64(f)
	} else {
		mod, _ = rem.Float64()
	}
	if mod == 0 {
		mod = math.Copysign(0, b)
	}
	div = float64(q.Int64())
	if div == 0 && math.Signbit(a) != math.Signbit(b) {
		div = ewNegZ
	}
	return div, mod, true
}

// ewBinaryFloatRef is the reference of the float functions with a float
// result: computed in float64 (exact or correctly rounded for +, -, *, /
// of float32 operands, so rounding once more to float32 gives float32
// arithmetic), and the tolerance in ulps.
func ewBinaryFloatRef(op BinaryOp, a, b float64, dt chunk.DType) (want, tol float64, ok bool) {
	switch op {
	case Add:
		return a + b, 0, true
	case Sub:
		return a - b, 0, true
	case Mul:
		return a * b, 0, true
	case Div:
		return a / b, 0, true
	case FloorDiv:
		div, _, ok := ewDivmodRef(a, b, dt)
		return div, 0, ok
	case Mod:
		_, mod, ok := ewDivmodRef(a, b, dt)
		return mod, 0, ok
	case Pow:
		return ewPowRef(a, b), 1, true
	case Minimum:
		switch {
		case math.IsNaN(a) || math.IsNaN(b):
			return ewNaN, 0, true
		case a == 0 && b == 0:
			return ewZeroTie(op, a, b), 0, true
		case a < b:
			return a, 0, true
		}
		return b, 0, true
	case Maximum:
		switch {
		case math.IsNaN(a) || math.IsNaN(b):
			return ewNaN, 0, true
		case a == 0 && b == 0:
			return ewZeroTie(op, a, b), 0, true
		case a > b:
			return a, 0, true
		}
		return b, 0, true
	}
	return math.Atan2(a, b), 0, true // Arctan2
}

// ewPowRef is x**y correctly rounded (but for ties): C99's special values
// from math.Pow, whose special cases are exact, and otherwise
// ±exp(y*log|x|) in 320-bit arithmetic, with log|x| = e*ln2 + 2 atanh(s),
// s = (m-1)/(m+1), by the series of atanh, and exp by Taylor's series
// after removing a multiple of ln2.
func ewPowRef(x, y float64) float64 {
	switch {
	case y == 0 || x == 1:
		return 1
	case math.IsNaN(x) || math.IsNaN(y) || x == 0 || math.IsInf(x, 0) || math.IsInf(y, 0):
		return math.Pow(x, y)
	case x < 0 && y != math.Trunc(y):
		return math.NaN()
	}
	const prec = 320
	ln2 := ewPowLn2()
	m, e := math.Frexp(math.Abs(x))
	if m < math.Sqrt2/2 {
		m, e = 2*m, e-1
	}
	bm := ewBigN(prec).SetFloat64(m)
	s := ewBigN(prec).Quo(ewBigN(prec).Sub(bm, ewBigN(prec).SetInt64(1)), ewBigN(prec).Add(bm, ewBigN(prec).SetInt64(1)))
	l := ewBigAtanh(s)
	l.Mul(l, ewBigN(prec).SetInt64(2))
	l.Add(l, ewBigN(prec).Mul(ln2, ewBigN(prec).SetInt64(int64(e))))
	t := l.Mul(l, ewBigN(prec).SetFloat64(y))
	var v float64
	switch {
	case t.Cmp(big.NewFloat(710)) > 0:
		v = math.Inf(1)
	case t.Cmp(big.NewFloat(-746)) < 0:
		v = 0
	default:
		tf, _ := t.Float64()
		k := math.Round(tf / math.Ln2)
		r := ewBigN(prec).Sub(t, ewBigN(prec).Mul(ln2, ewBigN(prec).SetFloat64(k)))
		ex := ewBigSeries(ewBigN(prec).SetInt64(1), r, func(k int64) int64 { return k })
		v, _ = ex.SetMantExp(ex, int(k)).Float64()
	}
	if x < 0 && math.Mod(y, 2) != 0 {
		v = -v
	}
	return v
}

// ewBigAtanh is atanh(s) = s + s^3/3 + s^5/5 + ... for |s| <= 1/3, in the
// precision of s.
func ewBigAtanh(s *big.Float) *big.Float {
	prec := s.Prec()
	s2 := ewBigN(prec).Mul(s, s)
	sum, p := ewBigN(prec).Set(s), ewBigN(prec).Set(s)
	for k := int64(3); p.Sign() != 0 && p.MantExp(nil) > -int(prec); k += 2 {
		p.Mul(p, s2)
		sum.Add(sum, ewBigN(prec).Quo(p, ewBigN(prec).SetInt64(k)))
	}
	return sum
}

// ewPowLn2 is ln 2 = 2 atanh(1/3) in 320 bits.
var ewPowLn2 = sync.OnceValue(func() *big.Float {
	l := ewBigAtanh(ewBigN(320).Quo(ewBigN(320).SetInt64(1), ewBigN(320).SetInt64(3)))
	return l.Mul(l, ewBigN(320).SetInt64(2))
})

// ewPowNumPy holds pairs where math.Pow was far off (the first: 6e4 ulp)
// or that exercise C99's special cases, overflow and underflow, with
// NumPy's results. From numpy 1.24.2: np.power(a, b) on float64 arrays,
// and on the same arrays cast to float32 (where 3.152080853201245**168
// overflows and 1e-310 is 0).
var ewPowNumPy = struct {
	a, b, want64, want32 []float64
}{
	a: []float64{3.152080853201245, -2, -2, 2.5, 1e-310, 1.0000001, -1.5, -1.5, 0, ewNegZ, ewInf, ewNaN, 1, 7, 10},
	b: []float64{168, 1025, -1075, -807.3, -0.9, 1e9, 3, 0.5, -1, -3, -2, 0, ewNaN, -382.7, 308},
	want64: []float64{5.812388314818923e+83, -ewInf, ewNegZ, 5.53e-322, 1.0000000000000186e+279, 2.6881038582144643e+43,
		-3.375, ewNaN, ewInf, -ewInf, 0, 1, 1, 5e-324, 1e+308},
	want32: []float64{ewInf, -ewInf, ewNegZ, 0, ewInf, ewInf, -3.375, ewNaN, ewInf, -ewInf, 0, 1, 1, 0, ewInf},
}

// TestBinaryPowNumPy checks ewPowNumPy in float64 and float32, with both
// operands vectors and with the exponent broadcast, and pins ewPowRef,
// the reference of TestBinaryRandom, to the same values.
func TestBinaryPowNumPy(t *testing.T) {
	c := ewPowNumPy
	for i := range c.a {
		if want := ewPowRef(c.a[i], c.b[i]); !ewSameFloat(chunk.Float64, want, c.want64[i], 1) || c.want64[i] == 0 && !ewSameFloat(chunk.Float64, want, c.want64[i], 0) {
			t.Errorf("ewPowRef(%v, %v) = %v, NumPy gives %v", c.a[i], c.b[i], want, c.want64[i])
		}
	}
	for _, dt := range []chunk.DType{chunk.Float64, chunk.Float32} {
		want := c.want64
		if dt == chunk.Float32 {
			want = c.want32
		}
		a, b := ewFloatBytes(dt, c.a), ewFloatBytes(dt, c.b)
		dst := make([]byte, len(a))
		Binary(Pow, dt)(dst, a, b)
		for i, got := range ewFloatsOf(dt, dst) {
			// Bit for bit where NumPy's result is special, else 1 ulp.
			tol := 1.0
			if want[i] == 0 || math.IsInf(want[i], 0) || math.IsNaN(want[i]) || math.Abs(want[i]) == 1 {
				tol = 0
			}
			if !ewSameFloat(dt, got, want[i], tol) {
				t.Errorf("%v: power(%v, %v) = %v, NumPy gives %v", dt, c.a[i], c.b[i], got, want[i])
			}
		}
		// x**168 with the exponent broadcast, over 37 elements (the vector
		// kernel and its tail).
		x := make([]float64, 37)
		for i := range x {
			x[i] = 3.152080853201245
		}
		dst = make([]byte, len(x)*dt.Size())
		Binary(Pow, dt)(dst, ewFloatBytes(dt, x), ewFloatBytes(dt, []float64{168}))
		for i, got := range ewFloatsOf(dt, dst) {
			if !ewSameFloat(dt, got, want[0], 1) {
				t.Fatalf("%v: power(x, 168)[%d] = %v, NumPy gives %v", dt, i, got, want[0])
			}
		}
	}
}

// BenchmarkBinaryPowFloat64 and BenchmarkBinaryPowFloat32 time power with
// both operands arrays (bases in (0, 10), exponents in (-20, 20)) and with
// a scalar exponent other than 2.
func BenchmarkBinaryPowFloat64(b *testing.B) {
	b.Run("array", func(b *testing.B) {
		ewBenchBinary(b, Pow, chunk.Float64, ewBenchFloat64s(1, 0, 10), ewBenchFloat64s(2, -20, 20))
	})
	b.Run("scalar", func(b *testing.B) {
		ewBenchBinary(b, Pow, chunk.Float64, ewBenchFloat64s(1, 0, 10), chunk.AsBytes([]float64{2.5}))
	})
}

func BenchmarkBinaryPowFloat32(b *testing.B) {
	f32 := func(x []byte) []byte {
		v := chunk.Cast[float64](x)
		s := make([]float32, len(v))
		for i := range v {
			s[i] = float32(v[i])
		}
		return chunk.AsBytes(s)
	}
	b.Run("array", func(b *testing.B) {
		ewBenchBinary(b, Pow, chunk.Float32, f32(ewBenchFloat64s(1, 0, 10)), f32(ewBenchFloat64s(2, -20, 20)))
	})
	b.Run("scalar", func(b *testing.B) {
		ewBenchBinary(b, Pow, chunk.Float32, f32(ewBenchFloat64s(1, 0, 10)), chunk.AsBytes([]float32{2.5}))
	})
}

// ewZeroTie is minimum or maximum of two zeros under IEEE 754's ordering
// -0.0 < +0.0.
func ewZeroTie(op BinaryOp, a, b float64) float64 {
	neg := math.Signbit(a) || math.Signbit(b) // minimum: -0.0 if either is
	if op == Maximum {
		neg = math.Signbit(a) && math.Signbit(b) // maximum: +0.0 if either is
	}
	if neg {
		return ewNegZ
	}
	return 0
}

func ewCheckBinaryFloat(t *testing.T, r *rand.Rand, op BinaryOp, dt chunk.DType) {
	_, out, _ := BinaryTypes(op, dt, dt)
	a, b := ewFloatBytes(dt, ewRandFloats(r, ewRandN)), ewFloatBytes(dt, ewRandFloats(r, ewRandN))
	va, vb := ewFloatsOf(dt, a), ewFloatsOf(dt, b)
	checked := 0
	ewForModes(t, Binary(op, dt), ewRandN, dt, out, a, b, func(dst []byte, i, ia, ib int) string {
		x, y := va[ia], vb[ib]
		if out == chunk.Bool {
			if got, want := chunk.Cast[bool](dst)[i], ewPredicate(op, x, y); got != want {
				return fmt.Sprintf("%v(%v, %v) = %v, want %v", op, x, y, got, want)
			}
			return ""
		}
		want, tol, ok := ewBinaryFloatRef(op, x, y, dt)
		if !ok {
			return ""
		}
		checked++
		if dt == chunk.Float32 {
			want = float64(float32(want))
		}
		if got := ewFloatsOf(dt, dst)[i]; !ewSameFloat(dt, got, want, tol) {
			return fmt.Sprintf("%v(%v, %v) = %v, want %v", op, x, y, got, want)
		}
		return ""
	})
	if out != chunk.Bool && checked < 2*ewRandN {
		t.Errorf("only %d of %d results checked", checked, 4*ewRandN)
	}
}

// TestBinaryFmod checks the fused multiply-add fmod against math.Mod,
// bit for bit, on random operands and on quotients just below and above
// integers, where a/b rounds to the integer.
func TestBinaryFmod(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	check := func(a, b float64) {
		t.Helper()
		got, want := ewFmod(a, b), math.Mod(a, b)
		if math.Float64bits(got) != math.Float64bits(want) && !(math.IsNaN(got) && math.IsNaN(want)) {
			t.Errorf("fmod(%v, %v) = %v, want %v", a, b, got, want)
		}
	}
	x, y := ewRandFloats(r, 20000), ewRandFloats(r, 20000)
	for i := range x {
		check(x[i], y[i])
	}
	for range 20000 {
		b := (r.Float64() + 0.5) * math.Exp(20*r.Float64()-10)
		k := float64(r.Int64N(1 << uint(r.IntN(53))))
		a := k * b // rounded, so a/b is an integer give or take an ulp
		for _, v := range []float64{a, math.Nextafter(a, 0), math.Nextafter(a, ewInf)} {
			check(v, b)
			check(-v, b)
			check(v, -b)
		}
	}
}

func TestBinaryInPlace(t *testing.T) {
	x := []float64{1, 2, 3, 4, 5}
	y := []float64{10, 20, 30, 40, 50}
	Binary(Sub, chunk.Float64)(chunk.AsBytes(x), chunk.AsBytes(x), chunk.AsBytes(y))
	Binary(Mul, chunk.Float64)(chunk.AsBytes(y), chunk.AsBytes([]float64{2}), chunk.AsBytes(y))
	for i := range x {
		if x[i] != float64(i+1)-float64(10*(i+1)) || y[i] != float64(20*(i+1)) {
			t.Errorf("element %d: %v, %v", i, x[i], y[i])
		}
	}
}

func TestBinaryEmpty(t *testing.T) {
	for op := BinaryOp(1); op < numBinary; op++ {
		for _, dt := range chunk.DTypes {
			if loop, _, err := BinaryTypes(op, dt, dt); err == nil && loop == dt {
				k := Binary(op, dt)
				k(nil, nil, nil)
				k(nil, make([]byte, dt.Size()), nil) // a one-element a against no elements
			}
		}
	}
}

// TestWhere checks every element size in every broadcast shape of cond, a
// and b, and that the selection moves bits unchanged (NaN payloads, -0.0).
func TestWhere(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	const n = 257
	for _, dt := range chunk.DTypes {
		sz := dt.Size()
		cond := make([]byte, n)
		for i := range cond {
			cond[i] = byte(r.IntN(2))
		}
		a, b := make([]byte, n*sz), make([]byte, n*sz)
		for i := range a {
			a[i], b[i] = byte(r.Uint32()), byte(r.Uint32())
		}
		k := Where(dt)
		for mode := range 8 {
			sc, sa, sb := mode&4 != 0, mode&2 != 0, mode&1 != 0
			c, x, y := cond, a, b
			if sc {
				c = cond[:1]
			}
			if sa {
				x = a[:sz]
			}
			if sb {
				y = b[:sz]
			}
			dst := make([]byte, n*sz)
			k(dst, c, x, y)
			for i := range n {
				ic, ia, ib := i, i, i
				if sc {
					ic = 0
				}
				if sa {
					ia = 0
				}
				if sb {
					ib = 0
				}
				want := b[ib*sz : (ib+1)*sz]
				if cond[ic] != 0 {
					want = a[ia*sz : (ia+1)*sz]
				}
				if got := dst[i*sz : (i+1)*sz]; string(got) != string(want) {
					t.Errorf("where %v mode %03b element %d = %x, want %x", dt, mode, i, got, want)
					break
				}
			}
		}
	}
	nan := math.Float64frombits(0x7ff8000000000123)
	dst := make([]float64, 2)
	Where(chunk.Float64)(chunk.AsBytes(dst), chunk.AsBytes([]bool{true, false}), chunk.AsBytes([]float64{nan, 1}), chunk.AsBytes([]float64{2, ewNegZ}))
	if math.Float64bits(dst[0]) != 0x7ff8000000000123 || math.Float64bits(dst[1]) != math.Float64bits(ewNegZ) {
		t.Errorf("where changed bits: %x %x", math.Float64bits(dst[0]), math.Float64bits(dst[1]))
	}
	defer func() {
		if recover() == nil {
			t.Error("where with a short cond did not panic")
		}
	}()
	Where(chunk.Int8)(make([]byte, 4), make([]byte, 3), make([]byte, 4), make([]byte, 4))
}
