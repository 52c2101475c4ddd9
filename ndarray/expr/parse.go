package expr

import (
	"errors"
	"strconv"
	"strings"
	"unicode"
)

// maxDepth bounds the nesting of the parser's recursion, so hostile input
// fails with an error instead of exhausting the stack (Python's own parser
// has a similar limit).
const maxDepth = 200

type tokKind uint8

const (
	tEOF tokKind = iota
	tNum
	tStr
	tName
	tOp
)

type token struct {
	kind tokKind
	text string // operator, name, or number as written; string value for tStr
	col  int
	num  *Num
}

// describe names a token for error messages.
func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tNum:
		return "number " + t.text
	case tStr:
		return "string " + strconv.Quote(t.text)
	case tName:
		return "name '" + t.text + "'"
	}
	return "'" + t.text + "'"
}

// The operators, longest first so that "**" is not read as two "*".
var (
	ops3 = []string{"..."}
	ops2 = []string{"**", "//", "<=", ">=", "==", "!=", "<<", ">>"}
	ops1 = "+-*/%@<>&|^~()[]{},:.="
)

// lex splits src into tokens, ending with a tEOF token one column past the
// end.
func lex(src string) ([]token, error) {
	r := []rune(src)
	var toks []token
	i := 0
	for i < len(r) {
		c := r[i]
		col := i + 1
		switch {
		case unicode.IsSpace(c):
			i++
		case unicode.IsDigit(c) || (c == '.' && i+1 < len(r) && unicode.IsDigit(r[i+1])):
			t, n, err := lexNumber(src, r, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i = n
		case c == '_' || unicode.IsLetter(c):
			j := i + 1
			for j < len(r) && (r[j] == '_' || unicode.IsLetter(r[j]) || unicode.IsDigit(r[j])) {
				j++
			}
			toks = append(toks, token{kind: tName, text: string(r[i:j]), col: col})
			i = j
		case c == '\'' || c == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(r) && r[j] != c && r[j] != '\n'; j++ {
				if r[j] == '\\' && j+1 < len(r) && r[j+1] != '\n' {
					j++
					switch r[j] {
					case 'n':
						b.WriteRune('\n')
					case 't':
						b.WriteRune('\t')
					case '\\', '\'', '"':
						b.WriteRune(r[j])
					default:
						b.WriteRune('\\')
						b.WriteRune(r[j])
					}
					continue
				}
				b.WriteRune(r[j])
			}
			if j >= len(r) || r[j] != c {
				return nil, errAt(src, col, ErrSyntax, "unterminated string")
			}
			toks = append(toks, token{kind: tStr, text: b.String(), col: col})
			i = j + 1
		default:
			op := ""
			for _, list := range [][]string{ops3, ops2} {
				for _, o := range list {
					if i+len(o) <= len(r) && string(r[i:i+len(o)]) == o {
						op = o
						break
					}
				}
				if op != "" {
					break
				}
			}
			if op == "" && strings.ContainsRune(ops1, c) {
				op = string(c)
			}
			if op == "" {
				return nil, errAt(src, col, ErrSyntax, "unexpected character %q", c)
			}
			toks = append(toks, token{kind: tOp, text: op, col: col})
			i += len([]rune(op))
		}
	}
	toks = append(toks, token{kind: tEOF, col: len(r) + 1})
	return toks, nil
}

// lexNumber reads a Python number literal starting at r[i]: a decimal,
// hexadecimal (0x), octal (0o) or binary (0b) integer, or a float with an
// optional fraction and exponent; underscores may separate digits.
func lexNumber(src string, r []rune, i int) (token, int, error) {
	col := i + 1
	j := i
	isInt := true
	digits := func(ok func(rune) bool) {
		for j < len(r) && (ok(r[j]) || (r[j] == '_' && j+1 < len(r) && ok(r[j+1]) && j > i && ok(r[j-1]))) {
			j++
		}
	}
	dec := func(c rune) bool { return c >= '0' && c <= '9' }
	prefixed := false
	if r[j] == '0' && j+1 < len(r) && strings.ContainsRune("xXoObB", r[j+1]) {
		prefixed = true
		j += 2
		start := j
		digits(func(c rune) bool {
			return dec(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
		})
		if j == start {
			return token{}, 0, errAt(src, col, ErrSyntax, "bad number %q", string(r[i:min(j+1, len(r))]))
		}
	} else {
		digits(dec)
		if j < len(r) && r[j] == '.' {
			isInt = false
			j++
			digits(dec)
		}
		if j < len(r) && (r[j] == 'e' || r[j] == 'E') {
			isInt = false
			j++
			if j < len(r) && (r[j] == '+' || r[j] == '-') {
				j++
			}
			start := j
			digits(dec)
			if j == start {
				return token{}, 0, errAt(src, col, ErrSyntax, "bad number %q: missing exponent digits", string(r[i:j]))
			}
		}
	}
	text := string(r[i:j])
	if j < len(r) && (r[j] == 'j' || r[j] == 'J') {
		return token{}, 0, errAt(src, col, ErrSyntax, "complex numbers are not supported: %s", string(r[i:j+1]))
	}
	if j < len(r) && (r[j] == '_' || r[j] == '.' || unicode.IsLetter(r[j]) || unicode.IsDigit(r[j])) {
		k := j
		for k < len(r) && (r[k] == '_' || r[k] == '.' || unicode.IsLetter(r[k]) || unicode.IsDigit(r[k])) {
			k++
		}
		return token{}, 0, errAt(src, col, ErrSyntax, "bad number %q", string(r[i:k]))
	}
	clean := strings.ReplaceAll(text, "_", "")
	n := &Num{Pos: col, Text: text, IsInt: isInt}
	if isInt {
		if !prefixed && len(clean) > 1 && clean[0] == '0' && strings.Trim(clean, "0") != "" {
			return token{}, 0, errAt(src, col, ErrSyntax, "bad number %q: leading zeros are not permitted in decimal integers", text)
		}
		v, err := strconv.ParseInt(clean, 0, 64)
		if err != nil {
			if errors.Is(err, strconv.ErrRange) {
				return token{}, 0, errAt(src, col, errUnsupportedSyntax, "integer literal %s is too large (the limit is int64)", text)
			}
			return token{}, 0, errAt(src, col, ErrSyntax, "bad number %q", text)
		}
		n.Int = v
	} else {
		// Overflow gives ±Inf and underflow 0, as Python's float().
		v, err := strconv.ParseFloat(clean, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return token{}, 0, errAt(src, col, ErrSyntax, "bad number %q", text)
		}
		n.Float = v
	}
	return token{kind: tNum, text: text, col: col, num: n}, j, nil
}

// Parse parses an expression. The result is an *Expr holding src. Errors
// are *Error values wrapping ErrSyntax (and also chunk.ErrUnsupported for
// Python syntax the language leaves out, such as shifts and complex
// numbers).
func Parse(src string) (Node, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	p := &parser{src: src, toks: toks}
	if p.peek().kind == tEOF {
		return nil, errAt(src, 1, ErrSyntax, "empty expression")
	}
	body, err := p.expr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tEOF {
		return nil, p.unexpected(t)
	}
	return &Expr{Src: src, Body: body}, nil
}

type parser struct {
	src   string
	toks  []token
	i     int
	depth int
	// open holds the brackets not yet closed, innermost last, so that an
	// expression cut short reports the bracket left open.
	open []token
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) isOp(ops ...string) bool {
	t := p.peek()
	if t.kind != tOp {
		return false
	}
	for _, o := range ops {
		if t.text == o {
			return true
		}
	}
	return false
}

// keywordHints explains Python keywords the language does not support.
var keywordHints = map[string]string{
	"and":    "'and' is not supported: use & (or logical_and)",
	"or":     "'or' is not supported: use | (or logical_or)",
	"not":    "'not' is not supported: use ~ (or logical_not)",
	"is":     "'is' is not supported: use ==",
	"in":     "'in' is not supported",
	"if":     "conditional expressions are not supported: use where(cond, a, b)",
	"else":   "conditional expressions are not supported: use where(cond, a, b)",
	"lambda": "'lambda' is not supported",
	"for":    "comprehensions are not supported",
}

// unexpected reports an unexpected token.
func (p *parser) unexpected(t token) error {
	switch {
	case t.kind == tEOF && len(p.open) > 0:
		o := p.open[len(p.open)-1]
		return errAt(p.src, o.col, ErrSyntax, "'%s' was never closed", o.text)
	case t.kind == tEOF:
		return errAt(p.src, t.col, ErrSyntax, "unexpected end of expression")
	case t.kind == tName && keywordHints[t.text] != "":
		return errAt(p.src, t.col, errUnsupportedSyntax, "%s", keywordHints[t.text])
	case t.kind == tOp && (t.text == ")" || t.text == "]" || t.text == "}"):
		return errAt(p.src, t.col, ErrSyntax, "unmatched '%s'", t.text)
	case t.kind == tOp && t.text == "=":
		return errAt(p.src, t.col, ErrSyntax, "unexpected '=' (use == to compare; assignments are not supported)")
	case t.kind == tOp && (t.text == "<<" || t.text == ">>"):
		return errAt(p.src, t.col, errUnsupportedSyntax, "operator '%s' is not supported", t.text)
	}
	return errAt(p.src, t.col, ErrSyntax, "unexpected %s", t.describe())
}

// expect consumes the closing bracket of a group opened at open (pushed on
// p.open), reporting an unclosed group at the opener when the source ends
// first.
func (p *parser) expect(closer string, open token) error {
	if p.isOp(closer) {
		p.next()
		p.open = p.open[:len(p.open)-1]
		return nil
	}
	t := p.peek()
	if t.kind == tEOF {
		return errAt(p.src, open.col, ErrSyntax, "'%s' was never closed", open.text)
	}
	if t.kind == tName && keywordHints[t.text] != "" {
		return p.unexpected(t)
	}
	return errAt(p.src, t.col, ErrSyntax, "expected '%s' or ',' but found %s", closer, t.describe())
}

func (p *parser) enter(col int) error {
	p.depth++
	if p.depth > maxDepth {
		return errAt(p.src, col, ErrSyntax, "expression is nested too deeply (more than %d levels)", maxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

var compareOps = []string{"<", "<=", ">", ">=", "==", "!="}

// expr parses a comparison, the lowest-precedence expression. Comparisons
// do not chain: Python's a < b < c means (a < b) and (b < c), which has no
// array meaning, so it is an error.
func (p *parser) expr() (Node, error) {
	x, err := p.binary(0)
	if err != nil {
		return nil, err
	}
	if p.isOp(compareOps...) {
		op := p.next()
		y, err := p.binary(0)
		if err != nil {
			return nil, err
		}
		x = &Binary{Pos: op.col, Op: op.text, X: x, Y: y}
		if p.isOp(compareOps...) {
			return nil, errAt(p.src, p.peek().col, ErrSyntax,
				"chained comparisons are not supported: write (a < b) & (b < c) (note & binds tighter than comparisons)")
		}
	}
	return x, nil
}

// levels holds the left-associative binary operators from the loosest
// (|) to the tightest (* @ / // %), as in Python.
var levels = [][]string{
	{"|"},
	{"^"},
	{"&"},
	{"<<", ">>"},
	{"+", "-"},
	{"*", "@", "/", "//", "%"},
}

// binary parses the left-associative operators of levels[lvl] and tighter.
func (p *parser) binary(lvl int) (Node, error) {
	if lvl == len(levels) {
		return p.factor()
	}
	x, err := p.binary(lvl + 1)
	if err != nil {
		return nil, err
	}
	for p.isOp(levels[lvl]...) {
		op := p.next()
		if op.text == "<<" || op.text == ">>" {
			return nil, p.unexpected(op)
		}
		y, err := p.binary(lvl + 1)
		if err != nil {
			return nil, err
		}
		x = &Binary{Pos: op.col, Op: op.text, X: x, Y: y}
	}
	return x, nil
}

// factor parses unary operators, which bind looser than ** on their right:
// -2**2 is -(2**2).
func (p *parser) factor() (Node, error) {
	if p.isOp("-", "+", "~") {
		op := p.next()
		if err := p.enter(op.col); err != nil {
			return nil, err
		}
		defer p.leave()
		x, err := p.factor()
		if err != nil {
			return nil, err
		}
		return &Unary{Pos: op.col, Op: op.text, X: x}, nil
	}
	return p.power()
}

// power parses primary ['**' factor]: ** is right-associative and its right
// operand may carry a unary sign (2**-1).
func (p *parser) power() (Node, error) {
	x, err := p.primary()
	if err != nil {
		return nil, err
	}
	if p.isOp("**") {
		op := p.next()
		if err := p.enter(op.col); err != nil {
			return nil, err
		}
		defer p.leave()
		y, err := p.factor()
		if err != nil {
			return nil, err
		}
		x = &Binary{Pos: op.col, Op: "**", X: x, Y: y}
	}
	return x, nil
}

// primary parses an atom followed by calls, subscripts and attributes.
func (p *parser) primary() (Node, error) {
	x, err := p.atom()
	if err != nil {
		return nil, err
	}
	for {
		switch {
		case p.isOp("("):
			x, err = p.call(x)
		case p.isOp("["):
			x, err = p.index(x)
		case p.isOp("."):
			p.next()
			t := p.next()
			if t.kind != tName {
				return nil, errAt(p.src, t.col, ErrSyntax, "expected an attribute name after '.' but found %s", t.describe())
			}
			x = &Attr{Pos: t.col, X: x, Name: t.text}
		default:
			return x, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func (p *parser) atom() (Node, error) {
	t := p.peek()
	switch t.kind {
	case tNum:
		p.next()
		return t.num, nil
	case tStr:
		p.next()
		return &Str{Pos: t.col, Value: t.text}, nil
	case tName:
		if keywordHints[t.text] != "" {
			return nil, p.unexpected(t)
		}
		p.next()
		return &Name{Pos: t.col, Name: t.text}, nil
	case tOp:
		switch t.text {
		case "...":
			p.next()
			return &Ellipsis{Pos: t.col}, nil
		case "(", "[":
			return p.group()
		case "{":
			return nil, errAt(p.src, t.col, errUnsupportedSyntax, "dicts and sets are not supported")
		case "*":
			return nil, errAt(p.src, t.col, errUnsupportedSyntax, "unpacking with '*' is not supported")
		}
	}
	return nil, p.unexpected(t)
}

// group parses a parenthesised expression, a tuple or a list.
func (p *parser) group() (Node, error) {
	open := p.next()
	if err := p.enter(open.col); err != nil {
		return nil, err
	}
	defer p.leave()
	p.open = append(p.open, open)
	closer, list := ")", open.text == "["
	if list {
		closer = "]"
	}
	tup := &Tuple{Pos: open.col, List: list}
	trailingComma := false
	for !p.isOp(closer) {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		tup.Elems = append(tup.Elems, e)
		trailingComma = false
		if !p.isOp(",") {
			break
		}
		p.next()
		trailingComma = true
	}
	if err := p.expect(closer, open); err != nil {
		return nil, err
	}
	if !list && len(tup.Elems) == 1 && !trailingComma {
		return tup.Elems[0], nil // (x) is x, (x,) a tuple
	}
	return tup, nil
}

// call parses the arguments of a call of fn; positional arguments come
// first, then keyword arguments.
func (p *parser) call(fn Node) (Node, error) {
	open := p.next()
	if err := p.enter(open.col); err != nil {
		return nil, err
	}
	defer p.leave()
	p.open = append(p.open, open)
	c := &Call{Pos: fn.Col(), Func: fn}
	seen := map[string]bool{}
	for !p.isOp(")") {
		if p.isOp("*", "**") {
			return nil, errAt(p.src, p.peek().col, errUnsupportedSyntax, "argument unpacking with '%s' is not supported", p.peek().text)
		}
		if t := p.peek(); t.kind == tName && p.toks[p.i+1].kind == tOp && p.toks[p.i+1].text == "=" {
			p.next()
			p.next()
			v, err := p.expr()
			if err != nil {
				return nil, err
			}
			if seen[t.text] {
				return nil, errAt(p.src, t.col, ErrSyntax, "keyword argument '%s' repeated", t.text)
			}
			seen[t.text] = true
			c.Keywords = append(c.Keywords, &Keyword{Pos: t.col, Name: t.text, Value: v})
		} else {
			col := p.peek().col
			v, err := p.expr()
			if err != nil {
				return nil, err
			}
			if len(c.Keywords) > 0 {
				return nil, errAt(p.src, col, ErrSyntax, "positional argument follows keyword argument")
			}
			c.Args = append(c.Args, v)
		}
		if !p.isOp(",") {
			break
		}
		p.next()
	}
	if err := p.expect(")", open); err != nil {
		return nil, err
	}
	return c, nil
}

// index parses a subscript: expressions, slices and ellipses separated by
// commas. x[(i, j)] is x[i, j], as in Python.
func (p *parser) index(x Node) (Node, error) {
	open := p.next()
	if err := p.enter(open.col); err != nil {
		return nil, err
	}
	defer p.leave()
	p.open = append(p.open, open)
	ix := &Index{Pos: open.col, X: x}
	for !p.isOp("]") {
		it, err := p.subscript()
		if err != nil {
			return nil, err
		}
		ix.Items = append(ix.Items, it)
		if !p.isOp(",") {
			break
		}
		p.next()
	}
	if err := p.expect("]", open); err != nil {
		return nil, err
	}
	if len(ix.Items) == 0 {
		return nil, errAt(p.src, open.col, ErrSyntax, "empty subscript")
	}
	if len(ix.Items) == 1 {
		if t, ok := ix.Items[0].(*Tuple); ok && !t.List {
			ix.Items = t.Elems
		}
	}
	return ix, nil
}

// subscript parses one subscript item: an expression or a slice.
func (p *parser) subscript() (Node, error) {
	col := p.peek().col
	var start Node
	if !p.isOp(":") {
		e, err := p.expr()
		if err != nil {
			return nil, err
		}
		if !p.isOp(":") {
			return e, nil
		}
		start = e
	}
	p.next() // the first ':'
	s := &Slice{Pos: col, Start: start}
	bound := func() (Node, error) {
		if p.isOp(":", ",", "]") {
			return nil, nil
		}
		return p.expr()
	}
	var err error
	if s.Stop, err = bound(); err != nil {
		return nil, err
	}
	if p.isOp(":") {
		p.next()
		if s.Step, err = bound(); err != nil {
			return nil, err
		}
	}
	return s, nil
}
