// Package expr parses NumPy-like expressions and evaluates them into lazy
// ndarray.Arrays: the language of "ndchunk eval EXPR" and "ndchunk plan
// EXPR". An expression is Python expression syntax over named input arrays
// with NumPy's function names:
//
//	sqrt(x**2 + y**2).mean(axis=0)
//	where(t > 273.15, t - 273.15, nan)[..., ::2].astype(float32)
//	random(1000, 1000, seed=1, chunks=(250, 250)) @ ones((1000, 1))
//
// Compile (Parse then Eval) builds the array graph and computes nothing;
// an engine (package exec) computes it. The package must never evaluate
// data or do I/O: everything it needs while building (axes, shapes, the
// bounds of arange) comes from constants in the expression and the arrays'
// shapes and dtypes.
//
// # Grammar
//
// From loosest to tightest binding, as in Python:
//
//	expr       = bitor [compare bitor]       // one comparison; a < b < c is an error
//	compare    = "<" | "<=" | ">" | ">=" | "==" | "!="
//	bitor      = bitxor {"|" bitxor}
//	bitxor     = bitand {"^" bitand}
//	bitand     = arith {"&" arith}
//	arith      = term {("+" | "-") term}
//	term       = factor {("*" | "@" | "/" | "//" | "%") factor}
//	factor     = ("-" | "+" | "~") factor | power
//	power      = primary ["**" factor]       // right-associative; -2**2 == -4, 2**-1 == 0.5
//	primary    = atom {"(" args ")" | "[" subscripts "]" | "." NAME}
//	atom       = NUMBER | STRING | NAME | "..." | "(" [expr {"," expr} [","]] ")" | "[" [expr {"," expr} [","]] "]"
//	args       = [arg {"," arg} [","]]       // positional before keyword
//	arg        = expr | NAME "=" expr
//	subscripts = subscript {"," subscript} [","]
//	subscript  = expr | [expr] ":" [expr] [":" [expr]]
//
// Numbers are Python's: 3, 1_000, 0x1f, 2.5, 1e-3, .5. Strings are quoted
// with ' or ". Whitespace, newlines included, separates tokens. Shifts,
// and, or, not, if-else, lambdas, comprehensions, dicts and complex
// numbers are not supported.
//
// # Names and values
//
// A name is an input (Env.Vars) or one of the reserved constants True,
// False (also true, false), None, newaxis, inf, nan and pi. np.NAME and
// numpy.NAME reach the functions and constants too (np.sin, np.pi, np.e,
// np.float32, np.newaxis, np.random.rand).
//
// Integer literals become ndarray.Int and float literals ndarray.Float:
// weak scalars that take the other operand's dtype (NumPy 2's rules), so
// 2*x keeps float32 x float32. Operations on constants alone are folded
// with Python's semantics (7 // -2 == -4, 1 / 2 == 0.5, 2**-1 == 0.5),
// exactly in int64; results beyond int64 and division by zero are errors.
// Unlike Python, ~True is False (NumPy's ~ on bools), and float constants
// follow IEEE arithmetic as NumPy's float64 (overflow gives inf, a negative
// base to a fractional power nan). Constants, tuples such as x.shape, and
// dtypes are values too, where arguments need them: axis=, shapes,
// chunks=, dtype=. A tuple or list of numbers used as an operand becomes
// an array, as in NumPy ([1, 2] + x). A bare dtype name (float32, int,
// bool) is read as a dtype in dtype arguments (astype(x, float32),
// dtype=int32); elsewhere write np.float32 or "float32".
//
// Operators are NumPy's: + - * / // % ** (arithmetic, true division),
// & | ^ ~ (bitwise on integers, logical on bools), comparisons, unary -
// and +, and @ (matmul). Subscripts take ints, slices with constant bounds
// (negative steps too), ..., None/newaxis; indexing with arrays is not
// supported (use where). Attributes: x.T, x.mT, x.shape, x.ndim, x.size,
// x.dtype, x.nbytes, x.itemsize, x.chunks, x.numblocks.
//
// # Functions
//
// Every elementwise function of the engine by its NumPy name: negative,
// absolute/abs, sqrt, exp, expm1, log, log1p, log10, sin, cos, tan,
// arcsin/asin, arccos/acos, arctan/atan, sinh, cosh, tanh, floor, ceil,
// round/around (with decimals), rint, sign, isnan, isinf, isfinite,
// logical_not, invert/bitwise_not, square, reciprocal, positive,
// degrees/rad2deg, radians/deg2rad; add, subtract, multiply, divide/
// true_divide, floor_divide, remainder/mod, power/pow, minimum, maximum,
// arctan2/atan2, equal, not_equal, less, less_equal, greater,
// greater_equal, logical_and/or/xor, bitwise_and/or/xor; and where(c, a,
// b), clip(a, lo, hi), isclose, allclose, astype(a, dtype).
//
// Reductions with NumPy's keywords axis= (int, tuple or None), keepdims=,
// ddof= (var and std), dtype= (sum, prod, mean, var, std and the nan
// variants) and Dask's split_every=: sum, prod, mean, var, std, min/amin,
// max/amax, argmin, argmax, any, all, count_nonzero, nansum, nanprod,
// nanmean, nanvar, nanstd, nanmin, nanmax; scans cumsum and cumprod
// (axis=None flattens).
//
// Shapes: transpose(a[, axes]), swapaxes, moveaxis, expand_dims (int or
// tuple), squeeze, reshape(a, (3, -1)) or reshape(a, 3, -1), ravel,
// broadcast_to, concatenate(seq, axis=0|None), stack, rechunk(a, chunks),
// persist. Products: matmul, dot, tensordot(a, b, axes=2 or ((1,), (0,))).
// Creation: arange, linspace, zeros, ones, full, zeros_like, ones_like,
// full_like, array/asarray, and the counter-based generators random/rand
// (uniform in [0, 1)) and randn (standard normal), which take the shape as
// random(3, 4) or random((3, 4)) and seed= (default 0). Every creating
// call takes chunks=: an int, a tuple of sizes (-1 for a whole axis,
// "auto"), a tuple of tuples, or a string ("auto", "auto:64MiB", "64MiB");
// without it Env.Chunks decides. Queries giving constants: len, shape,
// ndim, size.
//
// Methods mirror the functions, with the array first: all, any, argmax,
// argmin, astype, clip, cumprod, cumsum, dot, flatten, max, mean, min,
// prod, ravel, reshape, round, squeeze, std, sum, swapaxes, transpose,
// var, and Dask's rechunk and persist. Calling a dtype name converts:
// float32(x) is x.astype(float32).
//
// # Errors
//
// Errors are *Error values with the 1-based column of the token or
// operation at fault and Caret for display. Shape, axis and dtype errors
// of ndarray are wrapped, so errors.Is(err, chunk.ErrShape) holds;
// ErrSyntax, ErrName and ErrType classify the language's own errors.
package expr
