package expr

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
	"github.com/ndchunk/ndchunk/ops"
)

// Env is the environment an expression is evaluated in.
type Env struct {
	// Vars binds input names to arrays. Reserved names (True, False, true,
	// false, None, newaxis, inf, nan, pi, np, numpy) cannot be rebound.
	Vars map[string]ndarray.Array
	// Chunks gives the default chunks of arrays the expression creates
	// (zeros, arange, random, array literals, ...) when the call has no
	// chunks= argument. nil means chunk.Auto(0).
	Chunks func(shape []int, dt chunk.DType) chunk.Spec
}

// Compile parses src and evaluates it in env (Parse, then Eval). On error
// the returned Array carries the same error.
func Compile(src string, env Env) (ndarray.Array, error) {
	n, err := Parse(src)
	if err != nil {
		return ndarray.Errorf("%w", err), err
	}
	return Eval(n, env)
}

// Eval builds the lazy array an expression stands for; it computes nothing.
// Constant results (1 + 2) become rank-0 arrays. Errors are *Error values
// located at the operation at fault; when an ndarray operation fails, the
// Error wraps its error, so errors.Is(err, chunk.ErrShape) and the like
// work. On error the returned Array carries the same error.
func Eval(n Node, env Env) (ndarray.Array, error) {
	ev := &evaluator{env: env}
	body := n
	if e, ok := n.(*Expr); ok {
		ev.src, body = e.Src, e.Body
	}
	if body == nil {
		err := ev.errf(1, ErrSyntax, "empty expression")
		return ndarray.Errorf("%w", err), err
	}
	v, err := ev.eval(body)
	if err == nil {
		var a ndarray.Array
		if a, err = ev.toArray(v, "the expression"); err == nil {
			return a, nil
		}
	}
	return ndarray.Errorf("%w", err), err
}

// reserved are the names of constants, which inputs cannot shadow: Names
// never reports them.
var reserved = map[string]bool{
	"True": true, "False": true, "true": true, "false": true, "None": true,
	"newaxis": true, "inf": true, "nan": true, "pi": true, "np": true, "numpy": true,
}

// Names returns the free variable names of an expression, in order of
// first appearance and without repeats: the inputs Eval will look up in
// Env.Vars. Function names, reserved constants, the np. module and dtype
// names in dtype arguments (astype(x, float32)) are not included.
func Names(n Node) []string {
	var out []string
	seen := map[string]bool{}
	var walk func(n Node)
	walk = func(n Node) {
		switch n := n.(type) {
		case *Expr:
			walk(n.Body)
		case *Name:
			if !reserved[n.Name] && !seen[n.Name] {
				seen[n.Name] = true
				out = append(out, n.Name)
			}
		case *Unary:
			walk(n.X)
		case *Binary:
			walk(n.X)
			walk(n.Y)
		case *Tuple:
			for _, e := range n.Elems {
				walk(e)
			}
		case *Attr:
			if _, ok := modulePath(n); !ok {
				walk(n.X)
			}
		case *Index:
			walk(n.X)
			for _, it := range n.Items {
				walk(it)
			}
		case *Slice:
			walk(n.Start)
			walk(n.Stop)
			walk(n.Step)
		case *Call:
			var b *builtin
			var recv *argItem
			switch f := n.Func.(type) {
			case *Name:
				b = builtins[f.Name]
			case *Attr:
				if path, ok := modulePath(f); ok {
					b = builtins[moduleFunc(path)]
				} else {
					walk(f.X)
					if methods[f.Name] {
						b, recv = builtins[f.Name], &argItem{pre: true, col: f.X.Col()}
					}
				}
			default:
				walk(n.Func)
			}
			// A bare name in a dtype argument is a dtype, not an input.
			skip := map[Node]bool{}
			if b != nil {
				if bd, err := bind(b, "", recv, n); err == nil {
					for i, p := range b.params {
						if a := bd.args[i]; a != nil && p.dtype {
							if _, ok := a.node.(*Name); ok {
								skip[a.node] = true
							}
						}
					}
				}
			}
			for _, a := range n.Args {
				if !skip[a] {
					walk(a)
				}
			}
			for _, k := range n.Keywords {
				if !skip[k.Value] {
					walk(k.Value)
				}
			}
		}
	}
	walk(n)
	return out
}

// modulePath returns "sin" for np.sin, "random.rand" for np.random.rand:
// the path under the np (or numpy) module that an attribute chain names.
func modulePath(n *Attr) (string, bool) {
	parts := []string{n.Name}
	x := n.X
	for {
		switch v := x.(type) {
		case *Attr:
			parts = append(parts, v.Name)
			x = v.X
			continue
		case *Name:
			if v.Name != "np" && v.Name != "numpy" {
				return "", false
			}
			for i, j := 0, len(parts)-1; i < j; i, j = i+1, j-1 {
				parts[i], parts[j] = parts[j], parts[i]
			}
			return strings.Join(parts, "."), true
		}
		return "", false
	}
}

type evaluator struct {
	src string
	env Env
}

func (ev *evaluator) errf(col int, err error, format string, args ...any) *Error {
	return errAt(ev.src, col, err, format, args...)
}

// check turns a failed ndarray operation into an Error at col. The
// operands of every operation are valid arrays, so an error in the result
// was caused by this operation.
func (ev *evaluator) check(col int, a ndarray.Array) (value, error) {
	if err := a.Err(); err != nil {
		return value{}, ev.arrayErr(col, err)
	}
	return value{kind: kArray, arr: a, col: col}, nil
}

// arrayErr wraps the error of an ndarray operation at col.
func (ev *evaluator) arrayErr(col int, err error) *Error {
	return &Error{Src: ev.src, Col: col, Msg: strings.ReplaceAll(err.Error(), "ndarray: ", ""), Err: err}
}

// defaultSpec is the chunk spec of a created array without chunks=.
func (ev *evaluator) defaultSpec(shape []int, dt chunk.DType) chunk.Spec {
	if ev.env.Chunks == nil {
		return chunk.Auto(0)
	}
	return ev.env.Chunks(shape, dt)
}

// toArray converts a value where an array is needed: numbers become weak
// scalars and (nested) tuples and lists become arrays as numpy.array does.
func (ev *evaluator) toArray(v value, what string) (ndarray.Array, error) {
	switch {
	case v.kind == kArray:
		return v.arr, nil
	case v.isNumber():
		return v.weak(), nil
	case v.kind == kTuple:
		return ev.tupleArray(v, chunk.Invalid, nil)
	}
	return ndarray.Array{}, ev.errf(v.col, ErrType, "%s must be an array or a number, not %s", what, v.describe())
}

func (ev *evaluator) eval(n Node) (value, error) {
	switch n := n.(type) {
	case *Expr:
		if n.Body == nil {
			return value{}, ev.errf(1, ErrSyntax, "empty expression")
		}
		return ev.eval(n.Body)
	case *Num:
		if n.IsInt {
			return intVal(n.Int, n.Pos), nil
		}
		return floatVal(n.Float, n.Pos), nil
	case *Str:
		return value{kind: kStr, s: n.Value, col: n.Pos}, nil
	case *Ellipsis:
		return value{kind: kEllipsis, col: n.Pos}, nil
	case *Name:
		return ev.name(n)
	case *Tuple:
		v := value{kind: kTuple, list: n.List, col: n.Pos, elems: make([]value, 0, len(n.Elems))}
		for _, e := range n.Elems {
			ev, err := ev.eval(e)
			if err != nil {
				return value{}, err
			}
			v.elems = append(v.elems, ev)
		}
		return v, nil
	case *Unary:
		return ev.unary(n)
	case *Binary:
		return ev.binary(n)
	case *Attr:
		return ev.attr(n)
	case *Call:
		return ev.call(n)
	case *Index:
		return ev.index(n)
	case *Slice:
		return value{}, ev.errf(n.Pos, ErrSyntax, "a slice is only allowed inside a subscript")
	case nil:
		return value{}, ev.errf(1, ErrSyntax, "missing expression")
	}
	return value{}, ev.errf(n.Col(), ErrSyntax, "unknown node %T", n)
}

// constants are the values of the reserved names, also reachable as np.NAME
// (with np.e).
func constant(name string, col int) (value, bool) {
	switch name {
	case "True", "true":
		return boolVal(true, col), true
	case "False", "false":
		return boolVal(false, col), true
	case "None", "newaxis":
		return value{kind: kNone, col: col}, true
	case "inf":
		return floatVal(math.Inf(1), col), true
	case "nan":
		return floatVal(math.NaN(), col), true
	case "pi":
		return floatVal(math.Pi, col), true
	}
	return value{}, false
}

func (ev *evaluator) name(n *Name) (value, error) {
	if v, ok := constant(n.Name, n.Pos); ok {
		return v, nil
	}
	if n.Name == "np" || n.Name == "numpy" {
		return value{}, ev.errf(n.Pos, ErrType, "'%s' is a module: use its names, as in np.sin(x)", n.Name)
	}
	if a, ok := ev.env.Vars[n.Name]; ok {
		if err := a.Err(); err != nil {
			e := ev.arrayErr(n.Pos, err)
			e.Msg = fmt.Sprintf("input '%s': %s", n.Name, e.Msg)
			return value{}, e
		}
		return value{kind: kArray, arr: a, col: n.Pos}, nil
	}
	if builtins[n.Name] != nil {
		return value{}, ev.errf(n.Pos, ErrType, "'%s' is a function: call it, as in %s(...)", n.Name, n.Name)
	}
	inputs := make([]string, 0, len(ev.env.Vars))
	for k := range ev.env.Vars {
		inputs = append(inputs, k)
	}
	sort.Strings(inputs)
	cands := append(append([]string{}, inputs...), "True", "False", "None", "inf", "nan", "pi", "newaxis")
	msg := fmt.Sprintf("unknown name '%s'%s", n.Name, didYouMean(n.Name, cands))
	if len(inputs) == 0 {
		msg += "; no inputs are defined"
	} else {
		msg += "; inputs: " + strings.Join(inputs, ", ")
	}
	return value{}, ev.errf(n.Pos, ErrName, "%s", msg)
}

func (ev *evaluator) unary(n *Unary) (value, error) {
	x, err := ev.eval(n.X)
	if err != nil {
		return value{}, err
	}
	if x.isNumber() {
		x.col = n.Pos
		v, msg := foldUnary(n.Op, x)
		if msg != "" {
			return value{}, ev.errf(n.Pos, ErrType, "%s", msg)
		}
		return v, nil
	}
	a, err := ev.operand(x, n.Op)
	if err != nil {
		return value{}, err
	}
	switch n.Op {
	case "-":
		return ev.check(n.Pos, a.Neg())
	case "~":
		return ev.check(n.Pos, a.Invert())
	}
	return ev.check(n.Pos, a) // unary + is the identity, as numpy.positive
}

// operand converts an operator's operand to an array.
func (ev *evaluator) operand(v value, op string) (ndarray.Array, error) {
	if v.kind == kArray || v.isNumber() || v.kind == kTuple {
		return ev.toArray(v, "operand")
	}
	return ndarray.Array{}, ev.errf(v.col, ErrType, "unsupported operand for '%s': %s", op, v.describe())
}

// binaryOps maps operators to ndarray's elementwise functions.
var binaryOps = map[string]ops.BinaryOp{
	"+": ops.Add, "-": ops.Sub, "*": ops.Mul, "/": ops.Div, "//": ops.FloorDiv, "%": ops.Mod,
	"**": ops.Pow, "<": ops.Less, "<=": ops.LessEqual, ">": ops.Greater, ">=": ops.GreaterEqual,
	"==": ops.Equal, "!=": ops.NotEqual, "&": ops.BitwiseAnd, "|": ops.BitwiseOr, "^": ops.BitwiseXor,
}

func (ev *evaluator) binary(n *Binary) (value, error) {
	x, err := ev.eval(n.X)
	if err != nil {
		return value{}, err
	}
	y, err := ev.eval(n.Y)
	if err != nil {
		return value{}, err
	}
	switch {
	case x.isNumber() && y.isNumber():
		x.col = n.Pos
		v, msg := foldBinary(n.Op, x, y)
		if msg != "" {
			return value{}, ev.errf(n.Pos, ErrType, "%s", msg)
		}
		return v, nil
	case x.kind == kTuple && y.kind == kTuple && n.Op == "+" && x.list == y.list:
		// Tuple concatenation, for shapes such as a.shape + (1,).
		return value{kind: kTuple, list: x.list, col: x.col, elems: append(append([]value{}, x.elems...), y.elems...)}, nil
	case (n.Op == "==" || n.Op == "!=") && x.kind == y.kind && (x.kind == kDType || x.kind == kStr || x.kind == kNone):
		eq := x.dt == y.dt && x.s == y.s
		return boolVal(eq == (n.Op == "=="), n.Pos), nil
	}
	a, err := ev.operand(x, n.Op)
	if err != nil {
		return value{}, err
	}
	b, err := ev.operand(y, n.Op)
	if err != nil {
		return value{}, err
	}
	if n.Op == "@" {
		return ev.check(n.Pos, ndarray.Matmul(a, b))
	}
	return ev.check(n.Pos, ndarray.Binary(binaryOps[n.Op], a, b))
}

// arrayAttrs are the non-method attributes of arrays.
var arrayAttrs = []string{"T", "mT", "shape", "ndim", "size", "dtype", "nbytes", "itemsize", "chunks", "numblocks"}

func (ev *evaluator) attr(n *Attr) (value, error) {
	if path, ok := modulePath(n); ok {
		return ev.moduleAttr(n, path)
	}
	x, err := ev.eval(n.X)
	if err != nil {
		return value{}, err
	}
	if x.kind != kArray && !x.isNumber() {
		return value{}, ev.errf(n.Pos, ErrType, "%s has no attribute '%s'", x.describe(), n.Name)
	}
	a, _ := ev.toArray(x, "")
	ints := func(s []int) value {
		v := value{kind: kTuple, col: n.Pos, elems: []value{}}
		for _, k := range s {
			v.elems = append(v.elems, intVal(int64(k), n.Pos))
		}
		return v
	}
	switch n.Name {
	case "T":
		return ev.check(n.Pos, a.T())
	case "mT":
		return ev.check(n.Pos, a.SwapAxes(-2, -1))
	case "shape":
		return ints(a.Shape()), nil
	case "ndim":
		return intVal(int64(a.Rank()), n.Pos), nil
	case "size":
		return intVal(int64(a.Size()), n.Pos), nil
	case "dtype":
		return value{kind: kDType, dt: a.DType(), col: n.Pos}, nil
	case "nbytes":
		return intVal(a.NBytes(), n.Pos), nil
	case "itemsize":
		return intVal(int64(a.DType().Size()), n.Pos), nil
	case "chunks":
		v := value{kind: kTuple, col: n.Pos, elems: []value{}}
		for _, cs := range a.Chunks() {
			v.elems = append(v.elems, ints(cs))
		}
		return v, nil
	case "numblocks":
		var nb []int
		for _, cs := range a.Chunks() {
			nb = append(nb, len(cs))
		}
		return ints(nb), nil
	}
	if methods[n.Name] {
		return value{}, ev.errf(n.Pos, ErrType, "'%s' is a method: call it, as in x.%s()", n.Name, n.Name)
	}
	cands := append(append([]string{}, arrayAttrs...), methodNames()...)
	return value{}, ev.errf(n.Pos, ErrName, "arrays have no attribute '%s'%s", n.Name, didYouMean(n.Name, cands))
}

// moduleAttr evaluates np.NAME outside a call: a constant or a dtype.
func (ev *evaluator) moduleAttr(n *Attr, path string) (value, error) {
	if v, ok := constant(path, n.Pos); ok && path != "true" && path != "false" {
		return v, nil
	}
	if path == "e" {
		return floatVal(math.E, n.Pos), nil
	}
	if dt, err := chunk.ParseDType(path); err == nil {
		return value{kind: kDType, dt: dt, col: n.Pos}, nil
	}
	if builtins[path] != nil {
		return value{}, ev.errf(n.Pos, ErrType, "'np.%s' is a function: call it, as in np.%s(...)", path, path)
	}
	cands := append(functionNames(), "pi", "e", "inf", "nan", "newaxis")
	return value{}, ev.errf(n.Pos, ErrName, "unknown name 'np.%s'%s", path, didYouMean(path, cands))
}

func (ev *evaluator) index(n *Index) (value, error) {
	x, err := ev.eval(n.X)
	if err != nil {
		return value{}, err
	}
	if x.kind == kTuple {
		return ev.indexTuple(n, x)
	}
	if x.kind != kArray {
		return value{}, ev.errf(n.Pos, ErrType, "%s cannot be subscripted", x.describe())
	}
	idx := make([]ndarray.Index, 0, len(n.Items))
	for _, it := range n.Items {
		switch it := it.(type) {
		case *Slice:
			var b [3]int
			for k, e := range []Node{it.Start, it.Stop, it.Step} {
				if b[k], err = ev.sliceBound(e); err != nil {
					return value{}, err
				}
			}
			idx = append(idx, ndarray.Span(b[0], b[1], b[2]))
		case *Ellipsis:
			idx = append(idx, ndarray.Ellipsis())
		default:
			v, err := ev.eval(it)
			if err != nil {
				return value{}, err
			}
			switch v.kind {
			case kNone:
				idx = append(idx, ndarray.NewAxis())
			case kEllipsis:
				idx = append(idx, ndarray.Ellipsis())
			case kInt:
				idx = append(idx, ndarray.At(notOmit(v.i)))
			case kArray, kTuple, kBool:
				return value{}, ev.errf(it.Col(), errUnsupportedArg,
					"indexing with %s (fancy or boolean indexing) is not supported; use where(cond, x, y) or slices", v.describe())
			default:
				return value{}, ev.errf(it.Col(), ErrType, "an index must be an int, a slice, None or ..., not %s", v.describe())
			}
		}
	}
	return ev.check(n.Pos, x.arr.Slice(idx...))
}

// notOmit keeps a (far out of range) index from colliding with ndarray's
// Omit marker, which has the same value as the smallest int.
func notOmit(i int64) int {
	if i == math.MinInt64 {
		return math.MinInt64 + 1
	}
	return int(i)
}

// sliceBound evaluates one part of start:stop:step: a constant int or None.
func (ev *evaluator) sliceBound(n Node) (int, error) {
	if n == nil {
		return ndarray.Omit, nil
	}
	v, err := ev.eval(n)
	if err != nil {
		return 0, err
	}
	switch v.kind {
	case kNone:
		return ndarray.Omit, nil
	case kInt:
		return notOmit(v.i), nil
	}
	return 0, ev.errf(n.Col(), ErrType, "slice bounds must be constant ints or None, not %s", v.describe())
}

// indexTuple subscripts a constant tuple (a.shape[0], a.shape[1:]).
func (ev *evaluator) indexTuple(n *Index, x value) (value, error) {
	if len(n.Items) != 1 {
		return value{}, ev.errf(n.Pos, ErrType, "a tuple takes one index, not %d", len(n.Items))
	}
	l := len(x.elems)
	if s, ok := n.Items[0].(*Slice); ok {
		var b [3]int
		for k, e := range []Node{s.Start, s.Stop, s.Step} {
			var err error
			if b[k], err = ev.sliceBound(e); err != nil {
				return value{}, err
			}
		}
		start, step, count, err := pySlice(b[0], b[1], b[2], l)
		if err != "" {
			return value{}, ev.errf(s.Pos, chunk.ErrIndex, "%s", err)
		}
		out := value{kind: kTuple, list: x.list, col: n.Pos, elems: []value{}}
		for k := 0; k < count; k++ {
			out.elems = append(out.elems, x.elems[start+k*step])
		}
		return out, nil
	}
	v, err := ev.eval(n.Items[0])
	if err != nil {
		return value{}, err
	}
	if v.kind != kInt {
		return value{}, ev.errf(v.col, ErrType, "a tuple index must be an int, not %s", v.describe())
	}
	i := v.i
	if i < 0 {
		i += int64(l)
	}
	if i < 0 || i >= int64(l) {
		return value{}, ev.errf(n.Pos, chunk.ErrIndex, "tuple index %d out of range for length %d", v.i, l)
	}
	return x.elems[i], nil
}

// pySlice is Python's slice.indices for a sequence of length n, with
// ndarray.Omit for missing parts.
func pySlice(start, stop, step, n int) (first, st, count int, err string) {
	if step == ndarray.Omit {
		step = 1
	}
	if step == 0 {
		return 0, 0, 0, "slice step cannot be zero"
	}
	lo, hi := 0, n
	if step < 0 {
		lo, hi = -1, n-1
	}
	norm := func(v, def int) int {
		if v == ndarray.Omit {
			return def
		}
		if v < 0 {
			v += n
		}
		return min(max(v, lo), hi)
	}
	if step > 0 {
		s, e := norm(start, 0), norm(stop, n)
		return s, step, max(0, (e-s+step-1)/step), ""
	}
	s, e := norm(start, n-1), norm(stop, -1)
	return s, step, max(0, (s-e-step-1)/(-step)), ""
}

// tupleArray converts nested tuples and lists to an array as numpy.array
// does: constants give a bool, int64 or float64 array (dt, when valid,
// converts it); sequences holding arrays are stacked. spec nil means the
// environment's default chunks.
func (ev *evaluator) tupleArray(v value, dt chunk.DType, spec *chunk.Spec) (ndarray.Array, error) {
	if hasArray(v) {
		parts := make([]ndarray.Array, len(v.elems))
		for i, e := range v.elems {
			var err error
			switch e.kind {
			case kTuple:
				parts[i], err = ev.tupleArray(e, chunk.Invalid, spec)
			default:
				parts[i], err = ev.toArray(e, "an element of an array literal")
			}
			if err != nil {
				return ndarray.Array{}, err
			}
		}
		out := ndarray.Stack(parts, 0)
		if dt.Valid() {
			out = out.AsType(dt)
		}
		if err := out.Err(); err != nil {
			return ndarray.Array{}, ev.arrayErr(v.col, err)
		}
		return out, nil
	}
	var shape []int
	var leaves []value
	var walk func(x value, depth int) error
	walk = func(x value, depth int) error {
		if x.kind != kTuple {
			if !x.isNumber() {
				return ev.errf(x.col, ErrType, "an array literal holds numbers, not %s", x.describe())
			}
			if depth != len(shape) {
				return ev.errf(x.col, ErrType, "array literal is ragged (nested sequences of different lengths)")
			}
			leaves = append(leaves, x)
			return nil
		}
		if depth == len(shape) && len(leaves) == 0 {
			shape = append(shape, len(x.elems))
		} else if depth >= len(shape) || shape[depth] != len(x.elems) {
			return ev.errf(x.col, ErrType, "array literal is ragged (nested sequences of different lengths)")
		}
		for _, e := range x.elems {
			if err := walk(e, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(v, 0); err != nil {
		return ndarray.Array{}, err
	}
	if len(shape) > chunk.MaxRank {
		return ndarray.Array{}, ev.errf(v.col, chunk.ErrShape, "array literal has more than %d dimensions", chunk.MaxRank)
	}
	inferred := chunk.Bool
	for _, l := range leaves {
		switch {
		case l.kind == kFloat:
			inferred = chunk.Float64
		case l.kind == kInt && inferred == chunk.Bool:
			inferred = chunk.Int64
		}
	}
	if len(leaves) == 0 {
		inferred = chunk.Float64
	}
	final := inferred
	if dt.Valid() {
		final = dt
	}
	s := ev.defaultSpec(shape, final)
	if spec != nil {
		s = *spec
	}
	var out ndarray.Array
	switch inferred {
	case chunk.Bool:
		data := make([]bool, len(leaves))
		for i, l := range leaves {
			data[i] = l.b
		}
		out = ndarray.FromSlice(data, shape, s)
	case chunk.Int64:
		data := make([]int64, len(leaves))
		for i, l := range leaves {
			data[i] = l.asInt()
		}
		out = ndarray.FromSlice(data, shape, s)
	default:
		data := make([]float64, len(leaves))
		for i, l := range leaves {
			data[i] = l.asFloat()
		}
		out = ndarray.FromSlice(data, shape, s)
	}
	if final != inferred {
		out = out.AsType(final)
	}
	if err := out.Err(); err != nil {
		return ndarray.Array{}, ev.arrayErr(v.col, err)
	}
	return out, nil
}

// hasArray reports whether a nested tuple holds an array.
func hasArray(v value) bool {
	if v.kind == kArray {
		return true
	}
	for _, e := range v.elems {
		if hasArray(e) {
			return true
		}
	}
	return false
}
