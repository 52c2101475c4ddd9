package expr

import (
	"fmt"
	"math"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
)

// kind classifies the values expressions evaluate to. Besides arrays there
// are Python's constants (numbers, strings, None, tuples), which arguments
// such as axis= and shapes need as known values while the graph is built,
// and dtypes.
type kind uint8

const (
	kArray kind = iota
	kInt
	kFloat
	kBool
	kNone
	kTuple
	kStr
	kDType
	kEllipsis
)

// value is the result of evaluating a node. Number literals stay constants
// (folded with Python's rules) until they meet an array, where they become
// ndarray's weak scalars, so 2*x keeps x's dtype and axis=-1 is known while
// the graph is built.
type value struct {
	kind  kind
	arr   ndarray.Array // kArray: always without error
	i     int64         // kInt
	f     float64       // kFloat
	b     bool          // kBool
	s     string        // kStr
	dt    chunk.DType   // kDType
	elems []value       // kTuple
	list  bool          // kTuple written as [...]
	col   int           // where the value's expression starts, for errors
}

func (v value) isNumber() bool { return v.kind == kInt || v.kind == kFloat || v.kind == kBool }

// describe names the value for error messages.
func (v value) describe() string {
	switch v.kind {
	case kArray:
		return "an array"
	case kInt:
		return fmt.Sprintf("the int %d", v.i)
	case kFloat:
		return fmt.Sprintf("the float %g", v.f)
	case kBool:
		if v.b {
			return "True"
		}
		return "False"
	case kNone:
		return "None"
	case kTuple:
		if v.list {
			return "a list"
		}
		return "a tuple"
	case kStr:
		return fmt.Sprintf("the string %q", v.s)
	case kDType:
		return "the dtype " + v.dt.String()
	}
	return "..."
}

// asFloat returns a number constant as float64.
func (v value) asFloat() float64 {
	switch v.kind {
	case kInt:
		return float64(v.i)
	case kBool:
		if v.b {
			return 1
		}
		return 0
	}
	return v.f
}

// asInt returns an int or bool constant as int64 (Python's bools are ints).
func (v value) asInt() int64 {
	if v.kind == kBool {
		if v.b {
			return 1
		}
		return 0
	}
	return v.i
}

func intVal(i int64, col int) value     { return value{kind: kInt, i: i, col: col} }
func floatVal(f float64, col int) value { return value{kind: kFloat, f: f, col: col} }
func boolVal(b bool, col int) value     { return value{kind: kBool, b: b, col: col} }

// weak converts a number constant into ndarray's untyped scalar.
func (v value) weak() ndarray.Array {
	switch v.kind {
	case kInt:
		return ndarray.Int(v.i)
	case kBool:
		return ndarray.BoolScalar(v.b)
	}
	return ndarray.Float(v.f)
}

// errOverflow is the message for integer constants that leave int64, where
// Python would switch to big integers.
const errOverflow = "integer overflow in a constant expression (constants are limited to int64)"

// foldUnary applies a unary operator to a number constant. ~ of a bool is
// logical not, as NumPy's ~ on bool arrays (Python's ~True is -2).
func foldUnary(op string, x value) (value, string) {
	col := x.col
	switch op {
	case "-":
		switch x.kind {
		case kFloat:
			return floatVal(-x.f, col), ""
		default:
			i := x.asInt()
			if i == math.MinInt64 {
				return value{}, errOverflow
			}
			return intVal(-i, col), ""
		}
	case "+":
		if x.kind == kFloat {
			return x, ""
		}
		return intVal(x.asInt(), col), ""
	case "~":
		switch x.kind {
		case kBool:
			return boolVal(!x.b, col), ""
		case kInt:
			return intVal(^x.i, col), ""
		}
		return value{}, "bad operand for ~: a float"
	}
	return value{}, "unknown operator " + op
}

// foldBinary applies a binary operator to two number constants with
// Python's semantics: int arithmetic is exact (an error past int64), / is
// true division, // and % floor, ** of ints with a negative exponent gives
// a float, and division by zero is an error. Comparisons give bools; & | ^
// of bools give bools.
func foldBinary(op string, x, y value) (value, string) {
	col := x.col
	anyFloat := x.kind == kFloat || y.kind == kFloat
	switch op {
	case "<", "<=", ">", ">=", "==", "!=":
		var c int
		if anyFloat {
			a, b := x.asFloat(), y.asFloat()
			if math.IsNaN(a) || math.IsNaN(b) {
				return boolVal(op == "!=", col), ""
			}
			c = cmpFloat(a, b)
		} else {
			a, b := x.asInt(), y.asInt()
			c = cmpInt(a, b)
		}
		r := map[string]bool{"<": c < 0, "<=": c <= 0, ">": c > 0, ">=": c >= 0, "==": c == 0, "!=": c != 0}[op]
		return boolVal(r, col), ""
	case "&", "|", "^":
		if anyFloat {
			return value{}, fmt.Sprintf("unsupported operand for %s: a float", op)
		}
		if x.kind == kBool && y.kind == kBool {
			r := map[string]bool{"&": x.b && y.b, "|": x.b || y.b, "^": x.b != y.b}[op]
			return boolVal(r, col), ""
		}
		a, b := x.asInt(), y.asInt()
		r := map[string]int64{"&": a & b, "|": a | b, "^": a ^ b}[op]
		return intVal(r, col), ""
	case "@":
		return value{}, "matmul needs arrays, not numbers"
	}
	if anyFloat || op == "/" {
		a, b := x.asFloat(), y.asFloat()
		var r float64
		switch op {
		case "+":
			r = a + b
		case "-":
			r = a - b
		case "*":
			r = a * b
		case "/", "//", "%":
			if b == 0 {
				return value{}, "division by zero in a constant expression"
			}
			switch op {
			case "/":
				r = a / b
			case "//":
				r, _ = pyDivmod(a, b)
			default:
				_, r = pyDivmod(a, b)
			}
		case "**":
			if a == 0 && b < 0 {
				return value{}, "0 cannot be raised to a negative power"
			}
			r = math.Pow(a, b)
		}
		return floatVal(r, col), ""
	}
	a, b := x.asInt(), y.asInt()
	switch op {
	case "+":
		r := a + b
		if (a > 0 && b > 0 && r < 0) || (a < 0 && b < 0 && r >= 0) {
			return value{}, errOverflow
		}
		return intVal(r, col), ""
	case "-":
		r := a - b
		if (a >= 0 && b < 0 && r < 0) || (a < 0 && b > 0 && r >= 0) {
			return value{}, errOverflow
		}
		return intVal(r, col), ""
	case "*":
		r, ok := mulInt(a, b)
		if !ok {
			return value{}, errOverflow
		}
		return intVal(r, col), ""
	case "//", "%":
		if b == 0 {
			return value{}, "division by zero in a constant expression"
		}
		if a == math.MinInt64 && b == -1 {
			if op == "%" {
				return intVal(0, col), ""
			}
			return value{}, errOverflow
		}
		q, m := a/b, a%b
		if m != 0 && (m < 0) != (b < 0) {
			q--
			m += b
		}
		if op == "//" {
			return intVal(q, col), ""
		}
		return intVal(m, col), ""
	case "**":
		if b < 0 {
			if a == 0 {
				return value{}, "0 cannot be raised to a negative power"
			}
			return floatVal(math.Pow(float64(a), float64(b)), col), ""
		}
		r, base := int64(1), a
		for e := b; e > 0; e >>= 1 {
			var ok bool
			if e&1 == 1 {
				if r, ok = mulInt(r, base); !ok {
					return value{}, errOverflow
				}
			}
			if e > 1 {
				if base, ok = mulInt(base, base); !ok {
					return value{}, errOverflow
				}
			}
		}
		return intVal(r, col), ""
	}
	return value{}, "unknown operator " + op
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// mulInt multiplies, reporting whether the product fits in int64.
func mulInt(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	r := a * b
	if r/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	return r, true
}

// pyDivmod is Python's float divmod: the quotient floored and the remainder
// with the sign of the divisor, computed as CPython does so that a == q*b+m
// holds as closely as floats allow.
func pyDivmod(a, b float64) (q, m float64) {
	m = math.Mod(a, b)
	div := (a - m) / b
	if m != 0 {
		if (b < 0) != (m < 0) {
			m += b
			div--
		}
	} else {
		m = math.Copysign(0, b)
	}
	if div != 0 {
		q = math.Floor(div)
		if div-q > 0.5 {
			q++
		}
	} else {
		q = math.Copysign(0, a/b)
	}
	return q, m
}
