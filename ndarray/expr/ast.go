package expr

import "strings"

// Node is a node of the syntax tree. Col is its 1-based column in the
// source, counted in runes: the column errors about the node point at (the
// operator of a binary or unary operation, the function or method name of a
// call, the '[' of a subscript). String renders the node back as source,
// fully parenthesised, so it shows how the expression was grouped.
//
// The concrete types are *Expr, *Num, *Str, *Name, *Ellipsis, *Unary,
// *Binary, *Tuple, *Attr, *Call, *Index and *Slice.
type Node interface {
	Col() int
	String() string
	node()
}

// Expr is the root Parse returns: the source and its expression. Eval uses
// Src to fill in Error.Src.
type Expr struct {
	Src  string
	Body Node
}

// Num is a number literal: an integer when IsInt (value in Int), otherwise
// a float (value in Float).
type Num struct {
	Pos   int
	Text  string // as written
	IsInt bool
	Int   int64
	Float float64
}

// Str is a string literal ('auto', "float32").
type Str struct {
	Pos   int
	Value string
}

// Name is an identifier: an input, a constant (True, inf, pi, ...), or,
// as the callee of a Call, a function.
type Name struct {
	Pos  int
	Name string
}

// Ellipsis is "..." in a subscript.
type Ellipsis struct{ Pos int }

// Unary is a prefix operation: Op is "-", "+" or "~".
type Unary struct {
	Pos int // the operator
	Op  string
	X   Node
}

// Binary is an infix operation: Op is one of + - * / // % ** @ & | ^
// < <= > >= == !=.
type Binary struct {
	Pos  int // the operator
	Op   string
	X, Y Node
}

// Tuple is a parenthesised tuple (a, b) or, when List, a list [a, b].
type Tuple struct {
	Pos   int // the opening bracket
	Elems []Node
	List  bool
}

// Attr is an attribute reference X.Name (a.T, a.shape, np.pi), or the
// callee of a method call.
type Attr struct {
	Pos  int // the attribute name
	X    Node
	Name string
}

// Keyword is a keyword argument Name=Value of a Call.
type Keyword struct {
	Pos   int // the keyword name
	Name  string
	Value Node
}

// Call is a function or method call.
type Call struct {
	Pos      int // the function or method name
	Func     Node
	Args     []Node
	Keywords []*Keyword
}

// Index is a subscript X[Items...]; items are expressions, *Slice or
// *Ellipsis.
type Index struct {
	Pos   int // the '['
	X     Node
	Items []Node
}

// Slice is start:stop:step inside a subscript; omitted parts are nil.
type Slice struct {
	Pos               int
	Start, Stop, Step Node
}

// Col implements Node.
func (n *Expr) Col() int {
	if n.Body == nil {
		return 1
	}
	return n.Body.Col()
}

// Col implements Node.
func (n *Num) Col() int { return n.Pos }

// Col implements Node.
func (n *Str) Col() int { return n.Pos }

// Col implements Node.
func (n *Name) Col() int { return n.Pos }

// Col implements Node.
func (n *Ellipsis) Col() int { return n.Pos }

// Col implements Node.
func (n *Unary) Col() int { return n.Pos }

// Col implements Node.
func (n *Binary) Col() int { return n.Pos }

// Col implements Node.
func (n *Tuple) Col() int { return n.Pos }

// Col implements Node.
func (n *Attr) Col() int { return n.Pos }

// Col implements Node.
func (n *Call) Col() int { return n.Pos }

// Col implements Node.
func (n *Index) Col() int { return n.Pos }

// Col implements Node.
func (n *Slice) Col() int { return n.Pos }

func (*Expr) node()     {}
func (*Num) node()      {}
func (*Str) node()      {}
func (*Name) node()     {}
func (*Ellipsis) node() {}
func (*Unary) node()    {}
func (*Binary) node()   {}
func (*Tuple) node()    {}
func (*Attr) node()     {}
func (*Call) node()     {}
func (*Index) node()    {}
func (*Slice) node()    {}

// String implements Node.
func (n *Expr) String() string {
	if n.Body == nil {
		return ""
	}
	return n.Body.String()
}

// String implements Node.
func (n *Num) String() string { return n.Text }

// String implements Node. It quotes with the escapes the lexer reads
// back, so that parsing String gives the same tree.
func (n *Str) String() string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`, "\t", `\t`)
	return `"` + r.Replace(n.Value) + `"`
}

// String implements Node.
func (n *Name) String() string { return n.Name }

// String implements Node.
func (n *Ellipsis) String() string { return "..." }

// String implements Node.
func (n *Unary) String() string { return "(" + n.Op + n.X.String() + ")" }

// String implements Node.
func (n *Binary) String() string {
	return "(" + n.X.String() + " " + n.Op + " " + n.Y.String() + ")"
}

// String implements Node.
func (n *Tuple) String() string {
	parts := make([]string, len(n.Elems))
	for i, e := range n.Elems {
		parts[i] = e.String()
	}
	if n.List {
		return "[" + strings.Join(parts, ", ") + "]"
	}
	if len(parts) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// String implements Node. A number before the dot is parenthesised, as
// "1.real" would read as the number "1." followed by a name.
func (n *Attr) String() string {
	if _, ok := n.X.(*Num); ok {
		return "(" + n.X.String() + ")." + n.Name
	}
	return n.X.String() + "." + n.Name
}

// String implements Node.
func (n *Call) String() string {
	var parts []string
	for _, a := range n.Args {
		parts = append(parts, a.String())
	}
	for _, k := range n.Keywords {
		parts = append(parts, k.Name+"="+k.Value.String())
	}
	return n.Func.String() + "(" + strings.Join(parts, ", ") + ")"
}

// String implements Node.
func (n *Index) String() string {
	parts := make([]string, len(n.Items))
	for i, it := range n.Items {
		parts[i] = it.String()
	}
	return n.X.String() + "[" + strings.Join(parts, ", ") + "]"
}

// String implements Node.
func (n *Slice) String() string {
	f := func(x Node) string {
		if x == nil {
			return ""
		}
		return x.String()
	}
	s := f(n.Start) + ":" + f(n.Stop)
	if n.Step != nil {
		s += ":" + f(n.Step)
	}
	return s
}
