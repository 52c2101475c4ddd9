package ops

// UnaryOp names an elementwise function of one array.
type UnaryOp uint8

// The unary functions, named as in NumPy.
const (
	Neg UnaryOp = iota + 1
	Abs
	Sqrt
	Exp
	Expm1
	Log
	Log1p
	Log10
	Sin
	Cos
	Tan
	Arcsin
	Arccos
	Arctan
	Sinh
	Cosh
	Tanh
	Floor
	Ceil
	Round // half to even, as numpy.round
	Sign
	IsNaN
	IsInf
	IsFinite
	LogicalNot
	Invert // bitwise not; logical not for bool (NumPy's ~)
	Square
	Reciprocal
	numUnary
)

// BinaryOp names an elementwise function of two arrays.
type BinaryOp uint8

// The binary functions, named as in NumPy.
const (
	Add BinaryOp = iota + 1
	Sub
	Mul
	Div      // true division
	FloorDiv // //
	Mod      // %, the sign of the divisor (numpy.remainder)
	Pow
	Minimum // NaN-propagating
	Maximum // NaN-propagating
	Arctan2
	Equal
	NotEqual
	Less
	LessEqual
	Greater
	GreaterEqual
	LogicalAnd
	LogicalOr
	LogicalXor
	BitwiseAnd // NumPy's & (logical on bool)
	BitwiseOr  // NumPy's | (logical on bool)
	BitwiseXor // NumPy's ^ (logical on bool)
	numBinary
)

// UnaryKernel computes dst[i] = f(x[i]) over raw buffers: x holds elements
// of the kernel's loop dtype, dst of its result dtype, the same count.
type UnaryKernel func(dst, x []byte)

// BinaryKernel computes dst[i] = f(a[i], b[i]). a and b hold elements of the
// loop dtype, dst of the result dtype. Either operand may hold exactly one
// element, which is then broadcast against every element of dst.
type BinaryKernel func(dst, a, b []byte)

// CastKernel converts every element of src (one dtype) into dst (another),
// with NumPy's astype semantics.
type CastKernel func(dst, src []byte)

// WhereKernel computes dst[i] = cond[i] ? a[i] : b[i]; cond holds bool,
// a, b and dst the same dtype. Any of cond, a, b may hold one element.
type WhereKernel func(dst, cond, a, b []byte)

// ReduceOp names a reduction.
type ReduceOp uint8

// The reductions, named as in NumPy.
const (
	Sum ReduceOp = iota + 1
	Prod
	Mean
	Var
	Std
	Min
	Max
	ArgMin
	ArgMax
	Any
	All
	CountNonzero
	NanSum
	NanProd
	NanMean
	NanVar
	NanStd
	NanMin
	NanMax
	numReduce
)

// ScanOp names a cumulative operation along one axis.
type ScanOp uint8

// The cumulative operations.
const (
	CumSum ScanOp = iota + 1
	CumProd
)
