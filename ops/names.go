package ops

import (
	"fmt"
	"strings"
)

// ewUnaryNames holds NumPy's function name of every UnaryOp.
var ewUnaryNames = [numUnary]string{
	Neg: "negative", Abs: "absolute", Sqrt: "sqrt", Exp: "exp", Expm1: "expm1",
	Log: "log", Log1p: "log1p", Log10: "log10", Sin: "sin", Cos: "cos", Tan: "tan",
	Arcsin: "arcsin", Arccos: "arccos", Arctan: "arctan", Sinh: "sinh", Cosh: "cosh",
	Tanh: "tanh", Floor: "floor", Ceil: "ceil", Round: "round", Sign: "sign",
	IsNaN: "isnan", IsInf: "isinf", IsFinite: "isfinite", LogicalNot: "logical_not",
	Invert: "invert", Square: "square", Reciprocal: "reciprocal",
}

// ewBinaryNames holds NumPy's function name of every BinaryOp.
var ewBinaryNames = [numBinary]string{
	Add: "add", Sub: "subtract", Mul: "multiply", Div: "divide", FloorDiv: "floor_divide",
	Mod: "remainder", Pow: "power", Minimum: "minimum", Maximum: "maximum", Arctan2: "arctan2",
	Equal: "equal", NotEqual: "not_equal", Less: "less", LessEqual: "less_equal",
	Greater: "greater", GreaterEqual: "greater_equal", LogicalAnd: "logical_and",
	LogicalOr: "logical_or", LogicalXor: "logical_xor", BitwiseAnd: "bitwise_and",
	BitwiseOr: "bitwise_or", BitwiseXor: "bitwise_xor",
}

// ewBinarySymbols holds the Python operator of the binary functions that
// have one.
var ewBinarySymbols = [numBinary]string{
	Add: "+", Sub: "-", Mul: "*", Div: "/", FloorDiv: "//", Mod: "%", Pow: "**",
	Equal: "==", NotEqual: "!=", Less: "<", LessEqual: "<=", Greater: ">", GreaterEqual: ">=",
	BitwiseAnd: "&", BitwiseOr: "|", BitwiseXor: "^",
}

// ewUnaryAliases are the other spellings ParseUnary accepts: NumPy's own
// aliases (np.abs, np.bitwise_not, np.around) and the C / math-module names
// people type from habit.
var ewUnaryAliases = map[string]UnaryOp{
	"neg": Neg, "abs": Abs, "asin": Arcsin, "acos": Arccos, "atan": Arctan,
	"bitwise_not": Invert, "around": Round, "not": LogicalNot,
}

// ewBinaryAliases are the other spellings ParseBinary accepts: NumPy's
// aliases (true_divide, mod) and the operator module's names.
var ewBinaryAliases = map[string]BinaryOp{
	"sub": Sub, "mul": Mul, "div": Div, "true_divide": Div, "truediv": Div,
	"floordiv": FloorDiv, "mod": Mod, "pow": Pow, "atan2": Arctan2,
	"eq": Equal, "ne": NotEqual, "lt": Less, "le": LessEqual, "gt": Greater, "ge": GreaterEqual,
}

// String returns NumPy's name for the function ("negative", "sqrt", ...).
func (op UnaryOp) String() string {
	if op > 0 && op < numUnary {
		return ewUnaryNames[op]
	}
	return fmt.Sprintf("UnaryOp(%d)", uint8(op))
}

// ParseUnary returns the unary function with the given NumPy name, or one of
// the aliases "neg", "abs", "asin", "acos", "atan", "bitwise_not", "around"
// and "not". Case and surrounding space are ignored.
func ParseUnary(name string) (UnaryOp, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	for op := UnaryOp(1); op < numUnary; op++ {
		if ewUnaryNames[op] == name {
			return op, true
		}
	}
	op, ok := ewUnaryAliases[name]
	return op, ok
}

// String returns NumPy's name for the function ("add", "floor_divide", ...).
func (op BinaryOp) String() string {
	if op > 0 && op < numBinary {
		return ewBinaryNames[op]
	}
	return fmt.Sprintf("BinaryOp(%d)", uint8(op))
}

// Symbol returns the Python operator that spells op ("+", "//", "**", "&",
// ...), or "" for functions without one (minimum, arctan2, logical_and, ...).
func (op BinaryOp) Symbol() string {
	if op > 0 && op < numBinary {
		return ewBinarySymbols[op]
	}
	return ""
}

// ParseBinary returns the binary function with the given NumPy name, Python
// operator ("+", "//", "<=", "&", ...) or alias ("sub", "mul", "div",
// "true_divide", "truediv", "floordiv", "mod", "pow", "atan2", and the
// comparison names "eq", "ne", "lt", "le", "gt", "ge"). Case and surrounding
// space are ignored.
func ParseBinary(name string) (BinaryOp, bool) {
	name = strings.ToLower(strings.TrimSpace(name))
	for op := BinaryOp(1); op < numBinary; op++ {
		if ewBinaryNames[op] == name || (name != "" && ewBinarySymbols[op] == name) {
			return op, true
		}
	}
	op, ok := ewBinaryAliases[name]
	return op, ok
}
