package expr

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/ndarray"
)

// param is one parameter of a builtin function.
type param struct {
	name    string
	aliases []string // other keyword spellings (NumPy renamed some)
	opt     bool     // may be left out
	rest    bool     // *args: collects the remaining positional arguments
	dtype   bool     // a bare name here is a dtype name, not an input
	kwOnly  bool     // after a rest parameter: only by keyword
}

// builtin is a function of the language. Methods (a.sum()) are builtins
// whose first parameter receives the array.
type builtin struct {
	params []param
	fn     func(c *callCtx) (value, error)
}

// builtins holds the functions by every name they are known by; methods
// the names also callable as methods. Both are filled by init in
// builtins.go and read-only afterwards.
var (
	builtins = map[string]*builtin{}
	methods  = map[string]bool{}
)

// sig parses a compact signature: comma-separated parameter names, "="
// after optional ones, ":d" before it for dtype parameters, "|" between a
// name and its keyword aliases, and "*" before a rest parameter, after
// which parameters are keyword-only, e.g.
// "a, axis=, dtype:d=, *shape|size, seed=".
func sig(spec string) []param {
	var ps []param
	afterRest := false
	for _, f := range strings.Split(spec, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		p := param{kwOnly: afterRest}
		if strings.HasPrefix(f, "*") {
			p.rest, p.opt, afterRest = true, true, true
			f = f[1:]
		}
		if strings.HasSuffix(f, "=") {
			p.opt = true
			f = strings.TrimSuffix(f, "=")
		}
		if strings.HasSuffix(f, ":d") {
			p.dtype = true
			f = strings.TrimSuffix(f, ":d")
		}
		names := strings.Split(f, "|")
		p.name, p.aliases = names[0], names[1:]
		ps = append(ps, p)
	}
	return ps
}

// def registers a builtin under each of the "|"-separated names.
func def(names, spec string, fn func(*callCtx) (value, error)) {
	b := &builtin{params: sig(spec), fn: fn}
	for _, n := range strings.Split(names, "|") {
		builtins[n] = b
	}
}

// functionNames lists the builtin names, sorted.
func functionNames() []string {
	out := make([]string, 0, len(builtins))
	for n := range builtins {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// methodNames lists the method names, sorted.
func methodNames() []string {
	out := make([]string, 0, len(methods))
	for n := range methods {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// argItem is an argument of a call: a node to evaluate, or a method's
// receiver, already evaluated.
type argItem struct {
	node Node
	val  value
	pre  bool
	col  int
}

// binding assigns a call's arguments to a builtin's parameters.
type binding struct {
	args []*argItem // per parameter; nil when not given
	rest []*argItem
}

// bind matches the arguments of call (after recv, a method's receiver) to
// b's parameters with Python's rules. name is the function's name for
// messages. The Error has no Src; the caller sets it.
func bind(b *builtin, name string, recv *argItem, call *Call) (*binding, *Error) {
	bd := &binding{args: make([]*argItem, len(b.params))}
	var items []*argItem
	if recv != nil {
		items = append(items, recv)
	}
	for _, a := range call.Args {
		items = append(items, &argItem{node: a, col: a.Col()})
	}
	npos, hasRest := 0, false
	for _, p := range b.params {
		if p.rest {
			hasRest = true
			break
		}
		npos++
	}
	for k, it := range items {
		switch {
		case k < npos:
			bd.args[k] = it
		case hasRest:
			bd.rest = append(bd.rest, it)
		default:
			self := 0
			if recv != nil {
				self = 1
			}
			return nil, errAt("", it.col, ErrType, "%s() takes at most %d positional argument%s (%d given)",
				name, npos-self, plural(npos-self), len(items)-self)
		}
	}
	for _, kw := range call.Keywords {
		idx := -1
		var all []string
		for i, p := range b.params {
			all = append(all, p.name)
			all = append(all, p.aliases...)
			if p.name == kw.Name || contains(p.aliases, kw.Name) {
				idx = i
			}
		}
		if idx < 0 {
			return nil, errAt("", kw.Pos, ErrType, "%s() got an unexpected keyword argument '%s'%s", name, kw.Name, didYouMean(kw.Name, all))
		}
		it := &argItem{node: kw.Value, col: kw.Pos}
		if b.params[idx].rest {
			if len(bd.rest) > 0 {
				return nil, errAt("", kw.Pos, ErrType, "%s() got multiple values for argument '%s'", name, kw.Name)
			}
			bd.rest = []*argItem{it}
			continue
		}
		if bd.args[idx] != nil {
			return nil, errAt("", kw.Pos, ErrType, "%s() got multiple values for argument '%s'", name, kw.Name)
		}
		bd.args[idx] = it
	}
	for i, p := range b.params {
		if !p.opt && bd.args[i] == nil {
			return nil, errAt("", call.Pos, ErrType, "%s() missing required argument '%s'", name, p.name)
		}
	}
	return bd, nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// callCtx is a call being evaluated: the builtin and its arguments' values.
type callCtx struct {
	ev   *evaluator
	name string // the function's name as called, for messages
	col  int    // the call's column: errors of the operation point here
	b    *builtin
	vals []value
	has  []bool
	cols []int
	rest []value
}

// qualifiedAliases maps np.random's generators (np.random.rand(...)) to
// the builtins.
var qualifiedAliases = map[string]string{
	"random.random": "random", "random.rand": "rand", "random.random_sample": "random",
	"random.randn": "randn", "random.standard_normal": "randn",
}

// moduleFunc returns the builtin name of a function under np: the path
// itself, or the generator np.random.NAME stands for.
func moduleFunc(path string) string {
	if q, ok := qualifiedAliases[path]; ok {
		return q
	}
	return path
}

func (ev *evaluator) call(n *Call) (value, error) {
	switch f := n.Func.(type) {
	case *Name:
		return ev.callName(n, f.Name)
	case *Attr:
		if path, ok := modulePath(f); ok {
			return ev.callName(n, moduleFunc(path))
		}
		x, err := ev.eval(f.X)
		if err != nil {
			return value{}, err
		}
		if x.kind != kArray && !x.isNumber() {
			return value{}, ev.errf(f.Pos, ErrType, "%s has no method '%s'", x.describe(), f.Name)
		}
		if !methods[f.Name] {
			hint := didYouMean(f.Name, append(methodNames(), arrayAttrs...))
			if builtins[f.Name] != nil {
				hint = fmt.Sprintf(" (use the function: %s(x))", f.Name)
			}
			return value{}, ev.errf(f.Pos, ErrName, "arrays have no method '%s'%s", f.Name, hint)
		}
		a, _ := ev.toArray(x, "")
		recv := &argItem{pre: true, col: f.X.Col(), val: value{kind: kArray, arr: a, col: x.col}}
		return ev.invoke(n, builtins[f.Name], f.Name, recv)
	}
	return value{}, ev.errf(n.Pos, ErrType, "%s is not callable", n.Func.String())
}

// callName calls the function named name: a builtin, or a dtype name,
// which converts (float32(x) is x.astype(float32)).
func (ev *evaluator) callName(n *Call, name string) (value, error) {
	if b := builtins[name]; b != nil {
		return ev.invoke(n, b, name, nil)
	}
	if dt, err := chunk.ParseDType(name); err == nil {
		if len(n.Args) != 1 || len(n.Keywords) != 0 {
			return value{}, ev.errf(n.Pos, ErrType, "%s() takes exactly one argument", name)
		}
		x, err := ev.eval(n.Args[0])
		if err != nil {
			return value{}, err
		}
		a, err := ev.toArray(x, name+"() argument")
		if err != nil {
			return value{}, err
		}
		return ev.check(n.Pos, a.AsType(dt))
	}
	if _, ok := ev.env.Vars[name]; ok {
		return value{}, ev.errf(n.Pos, ErrType, "'%s' is an array, not a function", name)
	}
	return value{}, ev.errf(n.Pos, ErrName, "unknown function '%s'%s", name, didYouMean(name, functionNames()))
}

// invoke binds and evaluates the arguments and runs the builtin.
func (ev *evaluator) invoke(n *Call, b *builtin, name string, recv *argItem) (value, error) {
	bd, berr := bind(b, name, recv, n)
	if berr != nil {
		berr.Src = ev.src
		return value{}, berr
	}
	c := &callCtx{ev: ev, name: name, col: n.Pos, b: b,
		vals: make([]value, len(b.params)), has: make([]bool, len(b.params)), cols: make([]int, len(b.params))}
	for i, it := range bd.args {
		if it == nil {
			continue
		}
		c.has[i], c.cols[i] = true, it.col
		switch {
		case it.pre:
			c.vals[i] = it.val
		case b.params[i].dtype:
			v, err := ev.dtypeValue(it.node)
			if err != nil {
				return value{}, err
			}
			c.vals[i] = v
		default:
			v, err := ev.eval(it.node)
			if err != nil {
				return value{}, err
			}
			c.vals[i] = v
		}
	}
	for _, it := range bd.rest {
		v, err := ev.eval(it.node)
		if err != nil {
			return value{}, err
		}
		c.rest = append(c.rest, v)
	}
	// f((3, 4)) and f(shape=(3, 4)) are f(3, 4), as NumPy's reshape and
	// transpose methods allow; f(None) is f().
	if len(c.rest) == 1 {
		switch c.rest[0].kind {
		case kTuple:
			c.rest = c.rest[0].elems
		case kNone:
			c.rest = nil
		}
	}
	v, err := b.fn(c)
	if err != nil {
		return value{}, err
	}
	if v.kind == kArray {
		return ev.check(n.Pos, v.arr)
	}
	return v, nil
}

// dtypeValue evaluates a dtype argument: a bare name is a dtype name
// (float32, int, bool), anything else is evaluated (np.float32, x.dtype,
// "f4").
func (ev *evaluator) dtypeValue(n Node) (value, error) {
	name, ok := n.(*Name)
	if !ok {
		return ev.eval(n)
	}
	if name.Name == "None" {
		return value{kind: kNone, col: name.Pos}, nil
	}
	dt, err := chunk.ParseDType(name.Name)
	if err != nil {
		return value{}, ev.errf(name.Pos, ErrName, "unknown dtype '%s'%s", name.Name, didYouMean(name.Name, dtypeNames()))
	}
	return value{kind: kDType, dt: dt, col: name.Pos}, nil
}

func dtypeNames() []string {
	out := make([]string, len(chunk.DTypes))
	for i, d := range chunk.DTypes {
		out[i] = d.String()
	}
	return out
}

// idx returns the index of a declared parameter.
func (c *callCtx) idx(name string) int {
	for i, p := range c.b.params {
		if p.name == name {
			return i
		}
	}
	panic("expr: builtin " + c.name + " has no parameter " + name)
}

// declared reports whether the builtin has the parameter.
func (c *callCtx) declared(name string) bool {
	for _, p := range c.b.params {
		if p.name == name {
			return true
		}
	}
	return false
}

// arg returns an argument; ok is false when it was not given or is None.
func (c *callCtx) arg(name string) (value, bool) {
	i := c.idx(name)
	if !c.has[i] || c.vals[i].kind == kNone {
		return value{}, false
	}
	return c.vals[i], true
}

// errf reports an error at the argument name (at the call for "").
func (c *callCtx) errf(name string, err error, format string, args ...any) error {
	col := c.col
	if name != "" {
		if i := c.idx(name); c.has[i] {
			col = c.cols[i]
		}
	}
	return c.ev.errf(col, err, "%s(): %s", c.name, fmt.Sprintf(format, args...))
}

// result checks the array an operation built.
func (c *callCtx) result(a ndarray.Array) (value, error) { return c.ev.check(c.col, a) }

// array returns an argument as an array.
func (c *callCtx) array(name string) (ndarray.Array, error) {
	i := c.idx(name)
	v := c.vals[i]
	if !c.has[i] {
		v = value{kind: kNone, col: c.col}
	}
	if v.kind == kArray || v.isNumber() || v.kind == kTuple {
		return c.ev.toArray(v, "")
	}
	return ndarray.Array{}, c.errf(name, ErrType, "argument '%s' must be an array, not %s", name, v.describe())
}

// intArg returns a constant int argument, or def when it is absent or None.
func (c *callCtx) intArg(name string, def int) (int, error) {
	v, ok := c.arg(name)
	if !ok {
		return def, nil
	}
	if v.kind != kInt {
		return 0, c.errf(name, ErrType, "%s must be a constant int, not %s", name, v.describe())
	}
	return int(v.i), nil
}

// floatArg returns a constant number argument, or def.
func (c *callCtx) floatArg(name string, def float64) (float64, error) {
	v, ok := c.arg(name)
	if !ok {
		return def, nil
	}
	if !v.isNumber() {
		return 0, c.errf(name, ErrType, "%s must be a constant number, not %s", name, v.describe())
	}
	return v.asFloat(), nil
}

// boolArg returns a constant truth value (a bool or an int), or def.
func (c *callCtx) boolArg(name string, def bool) (bool, error) {
	v, ok := c.arg(name)
	if !ok {
		return def, nil
	}
	if v.kind != kBool && v.kind != kInt {
		return false, c.errf(name, ErrType, "%s must be True or False, not %s", name, v.describe())
	}
	return v.asInt() != 0, nil
}

// dtypeArg returns a dtype argument; ok is false when absent or None.
func (c *callCtx) dtypeArg(name string) (chunk.DType, bool, error) {
	v, ok := c.arg(name)
	if !ok {
		return chunk.Invalid, false, nil
	}
	switch v.kind {
	case kDType:
		return v.dt, true, nil
	case kStr:
		dt, err := chunk.ParseDType(v.s)
		if err != nil {
			return chunk.Invalid, false, c.errf(name, ErrName, "unknown dtype %q%s", v.s, didYouMean(v.s, dtypeNames()))
		}
		return dt, true, nil
	}
	return chunk.Invalid, false, c.errf(name, ErrType, "%s must be a dtype (float32, 'int64', x.dtype), not %s", name, v.describe())
}

// ints converts a constant int or tuple of ints.
func (c *callCtx) ints(name string, v value) ([]int, error) {
	if v.kind == kInt {
		return []int{int(v.i)}, nil
	}
	if v.kind == kTuple {
		out := make([]int, len(v.elems))
		for i, e := range v.elems {
			if e.kind != kInt {
				return nil, c.errf(name, ErrType, "%s must hold constant ints, not %s", name, e.describe())
			}
			out[i] = int(e.i)
		}
		return out, nil
	}
	return nil, c.errf(name, ErrType, "%s must be an int or a tuple of ints, not %s", name, v.describe())
}

// axesArg returns an axis argument (an int or a tuple of ints); given is
// false when it is absent or None (all axes).
func (c *callCtx) axesArg(name string) (axes []int, given bool, err error) {
	v, ok := c.arg(name)
	if !ok {
		return nil, false, nil
	}
	axes, err = c.ints(name, v)
	return axes, err == nil, err
}

// shapeArg returns a shape argument (an int or a tuple of ints).
func (c *callCtx) shapeArg(name string) ([]int, error) {
	v, ok := c.arg(name)
	if !ok {
		return nil, c.errf(name, ErrType, "%s must be an int or a tuple of ints, not None", name)
	}
	s, err := c.ints(name, v)
	if err != nil {
		return nil, err
	}
	return s, c.checkShape(name, s)
}

// restInts returns the rest arguments as ints: f(3, 4), f((3, 4)) and
// f(shape=(3, 4)) all give [3 4].
func (c *callCtx) restInts(name string) ([]int, error) {
	out := make([]int, len(c.rest))
	for i, v := range c.rest {
		if v.kind != kInt {
			return nil, c.ev.errf(v.col, ErrType, "%s(): %s must be constant ints, not %s", c.name, name, v.describe())
		}
		out[i] = int(v.i)
	}
	return out, nil
}

// checkShape rejects shapes whose size overflows an int, which would
// otherwise wrap silently in size arithmetic.
func (c *callCtx) checkShape(name string, shape []int) error {
	size := int64(1)
	for _, n := range shape {
		if n < 0 {
			continue // ndarray reports negative lengths
		}
		var ok bool
		if size, ok = mulInt(size, int64(n)); !ok || size > math.MaxInt64/16 {
			return c.errf(name, chunk.ErrShape, "shape %v is too large", shape)
		}
	}
	return nil
}

// spec returns the chunks= argument as a chunk spec, or the environment's
// default for an array of that shape and dtype. Accepted: an int (every
// axis), a tuple of sizes (ints, -1 for a whole axis, "auto"), a tuple of
// tuples (explicit chunks per axis), or a string for chunk.ParseSpec
// ("auto", "auto:64MiB", "100,100") or a byte size ("64MiB": automatic
// chunks of about that size, as Dask).
func (c *callCtx) spec(shape []int, dt chunk.DType) (chunk.Spec, error) {
	v, ok := c.arg("chunks")
	if !ok {
		return c.ev.defaultSpec(shape, dt), nil
	}
	return c.specOf(v)
}

func (c *callCtx) specOf(v value) (chunk.Spec, error) {
	switch v.kind {
	case kInt:
		return chunk.Regular(int(v.i)), nil
	case kStr:
		s, err := chunk.ParseSpec(v.s)
		if err == nil {
			return s, nil
		}
		if n, berr := chunk.ParseBytes(v.s); berr == nil && strings.TrimLeft(strings.TrimSpace(v.s), "0123456789. ") != "" {
			return chunk.Auto(n), nil
		}
		return chunk.Spec{}, c.errf("chunks", chunk.ErrChunks, "%v", strings.TrimPrefix(err.Error(), "chunk: "))
	case kTuple:
		if len(v.elems) > 0 && v.elems[0].kind == kTuple {
			axes := make([][]int, len(v.elems))
			for i, e := range v.elems {
				cs, err := c.ints("chunks", e)
				if err != nil {
					return chunk.Spec{}, err
				}
				axes[i] = cs
			}
			return chunk.Irregular(axes...), nil
		}
		sizes := make([]int, len(v.elems))
		for i, e := range v.elems {
			switch {
			case e.kind == kInt:
				sizes[i] = int(e.i)
			case e.kind == kStr && strings.EqualFold(e.s, "auto"):
				sizes[i] = chunk.AutoAxis
			default:
				return chunk.Spec{}, c.errf("chunks", ErrType, "chunks entries must be ints, -1 or 'auto', not %s", e.describe())
			}
		}
		return chunk.Regular(sizes...), nil
	}
	return chunk.Spec{}, c.errf("chunks", ErrType, "chunks must be an int, a tuple or a string, not %s", v.describe())
}

// noOut rejects out= (results are new lazy arrays).
func (c *callCtx) noOut() error {
	if !c.declared("out") {
		return nil
	}
	if _, ok := c.arg("out"); ok {
		return c.errf("out", errUnsupportedArg, "out= is not supported (arrays are immutable)")
	}
	return nil
}
