package h5

// #cgo pkg-config: hdf5
// #cgo LDFLAGS: -lhdf5_hl -lz
// #include "helpers.h"
import "C"

import (
	"errors"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"unsafe"

	"github.com/ndchunk/ndchunk/io/internal/clib"
)

func init() {
	// The library registers an atexit handler that closes whatever is
	// still open. Go programs never run it (os.Exit skips atexit), except
	// under the race detector, where it would touch files whose close had
	// already failed (a full disk) and crash: libhdf5 1.10 keeps the ID of
	// a file whose close failed, pointing at freed memory. Turning the
	// handler off makes every build exit the same way. It must come before
	// the library's first use (Do's quieting would be one), hence init and
	// the bare lock.
	clib.Lock()
	C.H5dont_atexit()
	clib.Unlock()
}

// Do runs fn holding the C library lock, on one OS thread, with libhdf5's
// automatic error printing off for that thread. The netcdf driver runs its
// libnetcdf calls through Do as well: libnetcdf calls libhdf5, which would
// otherwise print its error stacks from any thread that had not been
// quieted. fn must not call Do, clib.Do or any function of this package.
func Do(fn func()) {
	clib.Lock()
	runtime.LockOSThread()
	defer func() {
		runtime.UnlockOSThread()
		clib.Unlock()
	}()
	C.ndc_quiet()
	fn()
}

// Frame is one entry of libhdf5's error stack.
type Frame struct {
	Func  string // the library function that pushed it
	Desc  string // its description
	Major string // the major error class ("File accessibility", ...)
	Minor string // the minor error class ("Unable to open file", ...)
}

// Error is a failed libhdf5 call with the library's error stack.
type Error struct {
	Op     string  // what was being done, e.g. "H5Dread"
	Frames []Frame // the error stack, the API call first, the root cause last
}

// Error formats the error as the operation, the API call's description and
// the root cause's, e.g. "H5Fopen: unable to open file: file signature not
// found".
func (e *Error) Error() string {
	parts := []string{e.Op}
	add := func(s string) {
		s = tidy(s)
		if s == "" {
			return
		}
		for _, p := range parts {
			if p == s {
				return
			}
		}
		parts = append(parts, s)
	}
	if len(e.Frames) == 0 {
		add("failed (no error stack)")
	} else {
		add(e.Frames[0].Desc)
		if len(e.Frames) > 2 {
			// The frame above the root cause often says what was being
			// attempted ("can't read data", "filter returned failure").
			add(e.Frames[len(e.Frames)-2].Desc)
		}
		add(e.Frames[len(e.Frames)-1].Desc)
	}
	return strings.Join(parts, ": ")
}

// tidy shortens the library's descriptions, which embed timestamps, file
// names, descriptors and flags: the caller's error already names the file,
// and an operating-system failure is best said by its message alone.
func tidy(s string) string {
	const msg = "error message = '"
	if i := strings.Index(s, msg); i >= 0 {
		rest := s[i+len(msg):]
		if j := strings.IndexByte(rest, '\''); j >= 0 {
			return rest[:j]
		}
	}
	for _, noise := range []string{": time = ", ", time = ", ", name = ", ", file descriptor = ", ", flags = ", ", tent_flags = "} {
		if i := strings.Index(s, noise); i >= 0 {
			if j := strings.Index(s[i+len(noise):], ", "); j >= 0 && noise[0] == ',' {
				s = s[:i] + s[i+len(noise)+j:]
			} else {
				s = s[:i]
			}
		}
	}
	return strings.TrimSpace(s)
}

// Errno returns the operating-system error the library reported
// ("errno = 28" in a frame's description), or 0.
func (e *Error) Errno() syscall.Errno {
	for _, f := range e.Frames {
		i := strings.Index(f.Desc, "errno = ")
		if i < 0 {
			continue
		}
		s := f.Desc[i+len("errno = "):]
		j := 0
		for j < len(s) && s[j] >= '0' && s[j] <= '9' {
			j++
		}
		if n, err := strconv.Atoi(s[:j]); err == nil && n > 0 {
			return syscall.Errno(n)
		}
	}
	return 0
}

// Unwrap returns the operating-system error, if any, so that
// errors.Is(err, fs.ErrNotExist) and errors.Is(err, syscall.ENOSPC) work.
func (e *Error) Unwrap() error {
	if n := e.Errno(); n != 0 {
		return n
	}
	return nil
}

// Contains reports whether any frame's description or minor class
// contains s.
func (e *Error) Contains(s string) bool {
	for _, f := range e.Frames {
		if strings.Contains(f.Desc, s) || strings.Contains(f.Minor, s) {
			return true
		}
	}
	return false
}

// stackError collects the calling thread's error stack; call it inside Do
// right after the failing call.
func stackError(op string) *Error {
	var b C.ndc_buf
	C.ndc_error_stack(&b)
	defer C.free(unsafe.Pointer(b.p))
	e := &Error{Op: op}
	if b.n == 0 {
		return e
	}
	for _, rec := range strings.Split(C.GoStringN(b.p, C.int(b.n)), "\x1e") {
		if rec == "" {
			continue
		}
		f := strings.Split(rec, "\x1f")
		for len(f) < 4 {
			f = append(f, "")
		}
		e.Frames = append(e.Frames, Frame{Func: f[0], Desc: f[1], Major: f[2], Minor: f[3]})
	}
	return e
}

// clearStack drops the thread's error stack after a failure that is
// expected and handled.
func clearStack() { C.H5Eclear2(C.H5E_DEFAULT) }

// cstr returns s as a C string the caller frees.
func cstr(s string) *C.char { return C.CString(s) }

// File is an open HDF5 file. Its methods are safe for concurrent use.
type File struct {
	id     C.hid_t
	path   string
	closed bool // guarded by the C library lock
	// open are the datasets opened from f, closed with it; guarded by
	// the C library lock.
	open map[*Dataset]struct{}
	// raw reads datasets' bytes without the library (direct.go); nil
	// unless the file is open read-only on the sec2 driver.
	raw *rawFile
}

// Open opens an existing file, read-only unless write is set.
func Open(path string, write bool) (*File, error) {
	cp := cstr(path)
	defer C.free(unsafe.Pointer(cp))
	w := C.int(0)
	if write {
		w = 1
	}
	var f *File
	var err error
	Do(func() {
		id := C.ndc_fopen(cp, w)
		if id < 0 {
			err = stackError("H5Fopen")
			return
		}
		f = &File{id: id, path: path, open: map[*Dataset]struct{}{}}
		if !write {
			f.openRaw()
		}
	})
	return f, err
}

// Create creates path, replacing any file there. Its groups track the
// creation order of links and attributes.
func Create(path string) (*File, error) {
	cp := cstr(path)
	defer C.free(unsafe.Pointer(cp))
	var id C.hid_t
	var err error
	Do(func() {
		if id = C.ndc_fcreate(cp); id < 0 {
			err = stackError("H5Fcreate")
		}
	})
	if err != nil {
		return nil, err
	}
	return &File{id: id, path: path, open: map[*Dataset]struct{}{}}, nil
}

// Path returns the file's name.
func (f *File) Path() string { return f.path }

// ErrClosed reports a call on a file or dataset already closed.
var ErrClosed = errors.New("h5: file or dataset is closed")

// Close closes the datasets opened from f and then f. Closing twice is a
// no-op.
func (f *File) Close() error {
	var err error
	Do(func() {
		if f.closed {
			return
		}
		f.closed = true
		for d := range f.open {
			if e := d.closeLocked(); e != nil && err == nil {
				err = e
			}
		}
		f.open = nil
		if C.H5Fclose(f.id) < 0 && err == nil {
			err = stackError("H5Fclose")
		}
	})
	if f.raw != nil {
		// Direct reads still running fail with ErrClosed.
		f.raw.f.Close()
	}
	return err
}

// Flush writes the file's buffers and metadata to the operating system.
func (f *File) Flush() error {
	var err error
	Do(func() {
		if f.closed {
			err = ErrClosed
			return
		}
		if C.H5Fflush(f.id, C.H5F_SCOPE_GLOBAL) < 0 {
			err = stackError("H5Fflush")
		}
	})
	return err
}

// ObjectKind is the kind of an object in a file.
type ObjectKind byte

// The object kinds.
const (
	GroupObject     ObjectKind = 'g'
	DatasetObject   ObjectKind = 'd'
	NamedTypeObject ObjectKind = 't'
	OtherObject     ObjectKind = 'o'
)

// Object is an object reachable from the root group.
type Object struct {
	Path string // absolute: "/", "/group/name"
	Kind ObjectKind
}

// Objects lists every object of the file once (an object with several
// hard links under the first name found), the root group first, in
// creation order where the file tracks it, else in name order.
func (f *File) Objects() ([]Object, error) {
	var out []Object
	var err error
	Do(func() {
		if f.closed {
			err = ErrClosed
			return
		}
		var b C.ndc_buf
		defer C.free(unsafe.Pointer(b.p))
		if C.ndc_visit(f.id, &b) < 0 {
			err = stackError("H5Ovisit")
			return
		}
		for _, rec := range splitNul(C.GoStringN(b.p, C.int(b.n))) {
			if rec == "" {
				continue
			}
			name := rec[1:]
			switch name {
			case ".":
				name = "/"
			default:
				name = "/" + name
			}
			out = append(out, Object{Path: name, Kind: ObjectKind(rec[0])})
		}
	})
	return out, err
}

// splitNul splits NUL-terminated records.
func splitNul(s string) []string {
	s = strings.TrimSuffix(s, "\x00")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\x00")
}

// CreateGroup creates the group at path and any missing parents.
func (f *File) CreateGroup(path string) error {
	cp := cstr(path)
	defer C.free(unsafe.Pointer(cp))
	var err error
	Do(func() {
		if f.closed {
			err = ErrClosed
			return
		}
		g := C.ndc_create_group(f.id, cp)
		if g < 0 {
			err = stackError("H5Gcreate " + path)
			return
		}
		C.H5Gclose(g)
	})
	return err
}

// withObject runs fn (inside Do) on the object at path, opened for the
// call.
func (f *File) withObject(op, path string, fn func(id C.hid_t) error) error {
	cp := cstr(path)
	defer C.free(unsafe.Pointer(cp))
	var err error
	Do(func() {
		if f.closed {
			err = ErrClosed
			return
		}
		id := C.H5Oopen(f.id, cp, C.H5P_DEFAULT)
		if id < 0 {
			err = stackError(op + " " + path)
			return
		}
		err = fn(id)
		C.H5Oclose(id)
	})
	return err
}

// Attrs reads the attributes of the object (group or dataset) at path.
func (f *File) Attrs(path string) ([]Attr, error) {
	var out []Attr
	err := f.withObject("H5Oopen", path, func(id C.hid_t) error {
		var err error
		out, err = readAttrs(id)
		return err
	})
	return out, err
}

// HasAttr reports whether the object at path has the named attribute.
func (f *File) HasAttr(path, name string) (bool, error) {
	var ok bool
	err := f.withObject("H5Oopen", path, func(id C.hid_t) error {
		var err error
		ok, err = hasAttr(id, name)
		return err
	})
	return ok, err
}

// SetAttr creates the attribute name on the object at path. value is a
// string (stored as a variable-length UTF-8 string) or a slice of a
// chunk.Elem type (stored as a one-dimensional array in little-endian
// order; []bool as h5py's bool enum).
func (f *File) SetAttr(path, name string, value any) error {
	return f.withObject("H5Oopen", path, func(id C.hid_t) error { return writeAttr(id, name, value) })
}
