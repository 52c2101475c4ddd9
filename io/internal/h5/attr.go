package h5

// #include "helpers.h"
import "C"

import (
	"fmt"
	"strings"
	"unsafe"

	"github.com/ndchunk/ndchunk/chunk"
)

// Attr is an attribute as read from a file.
type Attr struct {
	Name string
	// Value is a string (for a string array, its first element: ndchunk's
	// attribute model has no string arrays), a slice of a chunk.Elem type
	// (a scalar is a slice of one), or nil for a type ndchunk does not
	// read (compound, reference, ...).
	Value any
	Type  Type
	// Strings is the number of strings of a string attribute; more than
	// one means Value kept only the first.
	Strings int
}

// readAttrs reads every attribute of the object id; call inside Do.
func readAttrs(id C.hid_t) ([]Attr, error) {
	var b C.ndc_buf
	defer C.free(unsafe.Pointer(b.p))
	if C.ndc_attr_names(id, &b) < 0 {
		return nil, stackError("H5Aiterate")
	}
	names := splitNul(C.GoStringN(b.p, C.int(b.n)))
	out := make([]Attr, 0, len(names))
	for _, name := range names {
		a, err := readAttr(id, name)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// hasAttr reports whether object id has the attribute name; call inside
// Do.
func hasAttr(id C.hid_t, name string) (bool, error) {
	cn := cstr(name)
	defer C.free(unsafe.Pointer(cn))
	r := C.H5Aexists(id, cn)
	if r < 0 {
		return false, stackError("H5Aexists " + name)
	}
	return r > 0, nil
}

// readAttr reads the attribute name of object id; call inside Do.
func readAttr(id C.hid_t, name string) (Attr, error) {
	cn := cstr(name)
	defer C.free(unsafe.Pointer(cn))
	a := C.H5Aopen(id, cn, C.H5P_DEFAULT)
	if a < 0 {
		return Attr{}, stackError("H5Aopen " + name)
	}
	defer C.H5Aclose(a)
	t := C.H5Aget_type(a)
	if t < 0 {
		return Attr{}, stackError("H5Aget_type " + name)
	}
	defer C.H5Tclose(t)
	s := C.H5Aget_space(a)
	if s < 0 {
		return Attr{}, stackError("H5Aget_space " + name)
	}
	defer C.H5Sclose(s)
	np := C.H5Sget_simple_extent_npoints(s)
	if np < 0 {
		return Attr{}, stackError("H5Sget_simple_extent_npoints " + name)
	}
	n := int(np)
	out := Attr{Name: name, Type: describeType(t)}
	switch {
	case out.Type.Class == String:
		v, count, err := readStringAttr(a, t, s, n, out.Type)
		if err != nil {
			return Attr{}, fmt.Errorf("attribute %s: %w", name, err)
		}
		out.Value, out.Strings = v, count
	case out.Type.DType.Valid():
		mt, owned := memType(out.Type.DType)
		if owned {
			defer C.H5Tclose(mt)
		}
		v, p := elemSlice(out.Type.DType, n)
		if n > 0 && C.H5Aread(a, mt, p) < 0 {
			return Attr{}, stackError("H5Aread " + name)
		}
		out.Value = v
	}
	return out, nil
}

// readStringAttr reads a string attribute: the first string and the
// number of strings.
func readStringAttr(a, t, s C.hid_t, n int, ty Type) (string, int, error) {
	if n == 0 {
		return "", 0, nil
	}
	cset := C.H5Tget_cset(t)
	if ty.VarString {
		mt := C.ndc_string_type(0, C.int(cset))
		if mt < 0 {
			return "", 0, stackError("H5Tcopy")
		}
		defer C.H5Tclose(mt)
		var b C.ndc_buf
		defer C.free(unsafe.Pointer(b.p))
		if C.ndc_read_vlen_strings(a, mt, s, &b) < 0 {
			return "", 0, stackError("H5Aread")
		}
		strs := strings.Split(C.GoStringN(b.p, C.int(b.n)), "\x00")
		return strs[0], n, nil
	}
	size := ty.Size
	mt := C.ndc_string_type(C.size_t(size), C.int(cset))
	if mt < 0 {
		return "", 0, stackError("H5Tcopy")
	}
	defer C.H5Tclose(mt)
	// Keep the file's padding so the bytes read are the stored ones.
	C.H5Tset_strpad(mt, C.H5Tget_strpad(t))
	buf := make([]byte, n*size)
	if C.H5Aread(a, mt, unsafe.Pointer(&buf[0])) < 0 {
		return "", 0, stackError("H5Aread")
	}
	first := buf[:size]
	if i := strings.IndexByte(string(first), 0); i >= 0 {
		first = first[:i]
	}
	str := string(first)
	if C.H5Tget_strpad(t) == C.H5T_STR_SPACEPAD {
		str = strings.TrimRight(str, " ")
	}
	return str, n, nil
}

// writeAttr creates attribute name on object id; call inside Do.
func writeAttr(id C.hid_t, name string, value any) error {
	cn := cstr(name)
	defer C.free(unsafe.Pointer(cn))
	if s, ok := value.(string); ok {
		if strings.IndexByte(s, 0) >= 0 {
			return fmt.Errorf("attribute %s: string holds a NUL byte: %w", name, chunk.ErrUnsupported)
		}
		cs := cstr(s)
		defer C.free(unsafe.Pointer(cs))
		if C.ndc_write_vlen_string(id, cn, cs) < 0 {
			return stackError("H5Acreate " + name)
		}
		return nil
	}
	b, dt, n, ok := ElemBytes(value)
	if !ok {
		return fmt.Errorf("attribute %s: value of Go type %T (want a string or a numeric slice): %w", name, value, chunk.ErrDType)
	}
	ft, fown := fileType(dt)
	if fown {
		defer C.H5Tclose(ft)
	}
	mt, mown := memType(dt)
	if mown {
		defer C.H5Tclose(mt)
	}
	var p unsafe.Pointer
	if n > 0 {
		p = unsafe.Pointer(&b[0])
	}
	if C.ndc_write_attr(id, cn, ft, mt, C.hsize_t(n), p) < 0 {
		return stackError("H5Acreate " + name)
	}
	return nil
}
