package expr

import (
	"errors"
	"math"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds are valid and invalid sources to start from.
func fuzzSeeds(f *testing.F) {
	for _, c := range numpyCases {
		f.Add(c.src)
	}
	for _, s := range []string{"a +", "(a + b", "a + b)", "1.2.3", "1e+", "0x", "'abc", "a[1:2:3:4]",
		"x\n+\t1", "é + bb", "a < b < c", "sum(a, axis=0, axis=1)", "f(*a)", "a[..., None, ::-1]",
		"'a\\'b\\\\c\\q'", "(1).T", "[]", "()", "a.b.c(d=1)[...]", "np.random.rand(2, seed=1)"} {
		f.Add(s)
	}
}

// checkError asserts the contract of errors: an *Error for src with a
// column inside it (or just past its end).
func checkError(t *testing.T, src string, err error) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("%q: error %T %v is not an *Error", src, err, err)
	}
	if e.Col < 1 || e.Col > utf8.RuneCountInString(src)+1 {
		t.Fatalf("%q: column %d outside the source (%v)", src, e.Col, err)
	}
	if e.Src != src {
		t.Fatalf("%q: Error.Src = %q", src, e.Src)
	}
	_ = e.Caret()
}

// FuzzParse checks that Parse never panics, that its errors carry a column
// within the source, and that a parsed tree renders (String) to source
// that parses back to the same tree.
func FuzzParse(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, src string) {
		n, err := Parse(src)
		if err != nil {
			checkError(t, src, err)
			return
		}
		Names(n)
		s := n.String()
		n2, err := Parse(s)
		if err != nil {
			// Full parenthesisation nests a long operator chain deeper
			// than the parser allows; nothing else may fail.
			if strings.Contains(err.Error(), "nested too deeply") {
				return
			}
			t.Fatalf("%q renders as %q, which does not parse: %v", src, s, err)
		}
		if s2 := n2.String(); s2 != s {
			t.Fatalf("%q renders as %q, which renders as %q", src, s, s2)
		}
	})
}

// FuzzEval checks that building arrays from any expression never panics
// and that failures are located errors, also carried by the returned
// array. Sources whose constants could make huge arrays (and so exhaust
// memory while the chunk grid is built) are skipped.
func FuzzEval(f *testing.F) {
	fuzzSeeds(f)
	env := testEnv(f)
	f.Fuzz(func(t *testing.T, src string) {
		n, err := Parse(src)
		if err != nil || !fuzzSmall(n) {
			return
		}
		a, err := Eval(n, env)
		if err != nil {
			checkError(t, src, err)
			if a.Err() == nil {
				t.Fatalf("%q: Eval failed (%v) but its array has no error", src, err)
			}
			return
		}
		if a.Err() != nil {
			t.Fatalf("%q: Eval succeeded but its array has error %v", src, a.Err())
		}
		_ = a.String()
	})
}

// fuzzSmall reports whether every number in the tree is small and no
// operator can multiply numbers into large ones.
func fuzzSmall(n Node) bool {
	ok := true
	var walk func(n Node)
	walk = func(n Node) {
		if !ok || n == nil {
			return
		}
		switch n := n.(type) {
		case *Expr:
			walk(n.Body)
		case *Num:
			v := math.Abs(n.Float)
			if n.IsInt {
				v = math.Abs(float64(n.Int))
			}
			ok = v <= 64 && (v == 0 || v >= 0.01)
		case *Unary:
			walk(n.X)
		case *Binary:
			switch n.Op {
			case "*", "/", "//", "**":
				ok = false
			}
			walk(n.X)
			walk(n.Y)
		case *Tuple:
			for _, e := range n.Elems {
				walk(e)
			}
		case *Attr:
			walk(n.X)
		case *Call:
			walk(n.Func)
			for _, a := range n.Args {
				walk(a)
			}
			for _, k := range n.Keywords {
				walk(k.Value)
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
		}
	}
	walk(n)
	return ok
}
