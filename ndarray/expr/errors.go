package expr

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/ndchunk/ndchunk/chunk"
)

// Sentinel errors wrapped by Error, so callers can tell the kinds apart with
// errors.Is. Errors raised by package ndarray (shapes, axes, dtypes) wrap
// chunk's sentinels instead (chunk.ErrShape, chunk.ErrIndex, ...).
var (
	// ErrSyntax reports source that does not parse: an unexpected token, an
	// unclosed parenthesis, a malformed number or string.
	ErrSyntax = errors.New("syntax error")
	// ErrName reports an unknown name, function, method, attribute or dtype.
	ErrName = errors.New("unknown name")
	// ErrType reports a call or operation with the wrong number or kind of
	// arguments: a missing argument, an unknown keyword, a string where an
	// array is needed, an array where a constant axis is needed, a constant
	// division by zero.
	ErrType = errors.New("bad argument")
)

// Python features the language leaves out are language errors and
// unsupported at once: errors.Is finds both ErrSyntax (or ErrType) and
// chunk.ErrUnsupported, so a command line can treat every error in the
// expression as a usage error.
var (
	errUnsupportedSyntax = errors.Join(ErrSyntax, chunk.ErrUnsupported)
	errUnsupportedArg    = errors.Join(ErrType, chunk.ErrUnsupported)
)

// Error is an error in an expression, located at a column of its source.
// Every error Parse, Eval and Compile return is an *Error.
type Error struct {
	// Src is the whole source ("" when the tree was not made by Parse).
	Src string
	// Col is the 1-based column, counted in characters (runes) from the start
	// of Src, of the token or operation at fault. It is len(Src)+1 (in runes)
	// for errors at the end of the source.
	Col int
	// Msg describes the error.
	Msg string
	// Err is the underlying error: ErrSyntax, ErrName or ErrType (with
	// chunk.ErrUnsupported for Python features the language leaves out),
	// chunk.ErrIndex or chunk.ErrShape for a bad constant index or shape,
	// or the error of the ndarray operation that failed (which wraps
	// chunk.ErrShape, chunk.ErrIndex, ...).
	Err error
}

// Error returns "col N: message".
func (e *Error) Error() string { return fmt.Sprintf("col %d: %s", e.Col, e.Msg) }

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Caret returns the source line holding the error's column and, below it, a
// caret under that column, as two lines without a trailing newline:
//
//	a + zeros((5, 7))
//	  ^
//
// Tabs before the column are repeated in the caret line so the caret stays
// aligned in a terminal. Caret returns "" when Src is empty.
func (e *Error) Caret() string {
	if e.Src == "" {
		return ""
	}
	runes := []rune(e.Src)
	col := min(max(e.Col, 1), len(runes)+1)
	start := col - 1
	for start > 0 && runes[start-1] != '\n' {
		start--
	}
	end := start
	for end < len(runes) && runes[end] != '\n' {
		end++
	}
	var pad strings.Builder
	for _, r := range runes[start : col-1] {
		if r == '\t' {
			pad.WriteByte('\t')
		} else {
			pad.WriteByte(' ')
		}
	}
	return string(runes[start:end]) + "\n" + pad.String() + "^"
}

// errAt builds an *Error at col wrapping err.
func errAt(src string, col int, err error, format string, args ...any) *Error {
	return &Error{Src: src, Col: col, Msg: fmt.Sprintf(format, args...), Err: err}
}

// levenshtein is the edit distance between a and b, by runes.
func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// closest returns the candidate nearest to name by edit distance, or "" if
// none is near enough to be a plausible typo: at most a third of the
// longer name's length (and at least 1) edits away. Among equally near
// candidates the one sharing the longest prefix with name wins (a typo
// at the end is likelier: "sinn" is "sin" rather than "sign"), then the
// alphabetically first, so suggestions are deterministic.
func closest(name string, candidates []string) string {
	best, bestD, bestP := "", 0, 0
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	low := strings.ToLower(name)
	for _, c := range sorted {
		if c == name {
			continue
		}
		lc := strings.ToLower(c)
		d := levenshtein(low, lc)
		limit := max(1, max(utf8.RuneCountInString(name), utf8.RuneCountInString(c))/3)
		if d > limit {
			continue
		}
		p := commonPrefix(low, lc)
		if best == "" || d < bestD || (d == bestD && p > bestP) {
			best, bestD, bestP = c, d, p
		}
	}
	return best
}

// commonPrefix is the length in bytes of the longest common prefix.
func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// didYouMean formats a suggestion suffix (" (did you mean 'x'?)") or "".
func didYouMean(name string, candidates []string) string {
	if c := closest(name, candidates); c != "" {
		return fmt.Sprintf(" (did you mean '%s'?)", c)
	}
	return ""
}
