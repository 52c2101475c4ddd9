package chunk

import "errors"

// Sentinel errors. Functions across ndchunk wrap them with context, so
// callers test for them with errors.Is.
var (
	// ErrShape reports incompatible or invalid shapes.
	ErrShape = errors.New("shape mismatch")
	// ErrDType reports an unsupported or mismatched dtype.
	ErrDType = errors.New("unsupported dtype")
	// ErrChunks reports an invalid chunk specification.
	ErrChunks = errors.New("invalid chunks")
	// ErrOverBudget reports that work cannot fit the memory budget.
	ErrOverBudget = errors.New("over memory budget")
	// ErrUnsupported reports an operation or input ndchunk does not support.
	ErrUnsupported = errors.New("unsupported")
	// ErrIndex reports an index or axis out of range.
	ErrIndex = errors.New("index out of range")
)

// MaxRank is the largest number of axes an array may have, as in NumPy.
const MaxRank = 32
