package netcdf

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ndchunk/ndchunk/io/dataset"
)

// libnetcdf reads a truncated classic-format file without complaint: its
// I/O layer fills whatever lies past the end of the file with zeros. So
// the driver reads the header itself (the format is a short, fixed
// grammar: "The NetCDF Classic Format Specification") and compares the
// file's size with the end of the last variable's data.

// classicEnd returns the smallest size a classic, 64-bit offset or CDF-5
// file with this header can have: the end of the data of its last
// variable (or last record), or of its header when it has no data. It
// returns -1 for a streaming file, whose record count is unknown.
func classicEnd(r io.Reader) (int64, error) {
	br := bufio.NewReader(r)
	var magic [4]byte
	if _, err := io.ReadFull(br, magic[:]); err != nil {
		return 0, err
	}
	version := magic[3]
	// Field widths: CDF-5 counts with 64-bit integers, 64-bit offset and
	// CDF-5 address with them.
	countSize, offsetSize := 4, 4
	switch version {
	case 1:
	case 2:
		offsetSize = 8
	case 5:
		countSize, offsetSize = 8, 8
	default:
		return 0, fmt.Errorf("unknown classic format version %d", version)
	}
	var pos int64 = 4
	readN := func(size int) (uint64, error) {
		var b [8]byte
		if _, err := io.ReadFull(br, b[:size]); err != nil {
			return 0, err
		}
		pos += int64(size)
		if size == 4 {
			return uint64(binary.BigEndian.Uint32(b[:4])), nil
		}
		return binary.BigEndian.Uint64(b[:8]), nil
	}
	skip := func(n uint64) error {
		if n > 1<<40 {
			return errors.New("implausible header field")
		}
		m, err := br.Discard(int(n))
		pos += int64(m)
		return err
	}
	pad4 := func(n uint64) uint64 { return (n + 3) &^ 3 }
	skipName := func() error {
		n, err := readN(countSize)
		if err != nil {
			return err
		}
		return skip(pad4(n))
	}
	typeSize := func(t uint64) (uint64, error) {
		switch t {
		case 1, 2, 7: // byte, char, ubyte
			return 1, nil
		case 3, 8: // short, ushort
			return 2, nil
		case 4, 5, 9: // int, float, uint
			return 4, nil
		case 6, 10, 11: // double, int64, uint64
			return 8, nil
		}
		return 0, fmt.Errorf("unknown type %d in the header", t)
	}
	skipAttrs := func() error {
		if _, err := readN(4); err != nil { // NC_ATTRIBUTE or ABSENT
			return err
		}
		n, err := readN(countSize)
		if err != nil {
			return err
		}
		for range n {
			if err := skipName(); err != nil {
				return err
			}
			t, err := readN(4)
			if err != nil {
				return err
			}
			size, err := typeSize(t)
			if err != nil {
				return err
			}
			nv, err := readN(countSize)
			if err != nil {
				return err
			}
			if err := skip(pad4(nv * size)); err != nil {
				return err
			}
		}
		return nil
	}

	numrecs, err := readN(countSize)
	if err != nil {
		return 0, err
	}
	streaming := (countSize == 4 && numrecs == 0xFFFFFFFF) || (countSize == 8 && numrecs == ^uint64(0))
	// Dimensions.
	if _, err := readN(4); err != nil {
		return 0, err
	}
	ndims, err := readN(countSize)
	if err != nil {
		return 0, err
	}
	if ndims > 1<<20 {
		return 0, errors.New("implausible dimension count")
	}
	dimLen := make([]uint64, ndims)
	for i := range dimLen {
		if err := skipName(); err != nil {
			return 0, err
		}
		if dimLen[i], err = readN(countSize); err != nil {
			return 0, err
		}
	}
	if err := skipAttrs(); err != nil {
		return 0, err
	}
	// Variables: remember where each one's data starts and how long one
	// instance (all of it, or one record) is.
	if _, err := readN(4); err != nil {
		return 0, err
	}
	nvars, err := readN(countSize)
	if err != nil {
		return 0, err
	}
	type varData struct {
		begin, size uint64 // size: of all the data, or of one record, unpadded
		record      bool
	}
	vars := make([]varData, 0, min(nvars, 1<<16))
	var recSize uint64
	nrec := 0
	for range nvars {
		if err := skipName(); err != nil {
			return 0, err
		}
		nd, err := readN(countSize)
		if err != nil {
			return 0, err
		}
		v := varData{size: 1}
		for j := range nd {
			id, err := readN(countSize)
			if err != nil {
				return 0, err
			}
			if id >= ndims {
				return 0, fmt.Errorf("variable uses dimension %d of %d", id, ndims)
			}
			if j == 0 && dimLen[id] == 0 {
				v.record = true // the unlimited dimension has length 0 in the header
				continue
			}
			v.size *= dimLen[id]
		}
		if err := skipAttrs(); err != nil {
			return 0, err
		}
		t, err := readN(4)
		if err != nil {
			return 0, err
		}
		tsize, err := typeSize(t)
		if err != nil {
			return 0, err
		}
		v.size *= tsize
		vsize, err := readN(countSize)
		if err != nil {
			return 0, err
		}
		if v.begin, err = readN(offsetSize); err != nil {
			return 0, err
		}
		if v.record {
			if countSize == 4 && vsize == 0xFFFFFFFF {
				vsize = pad4(v.size) // too large for the field
			}
			recSize += vsize
			nrec++
		}
		vars = append(vars, v)
	}
	if streaming {
		return -1, nil
	}
	if nrec == 1 {
		// A lone record variable's records are packed without padding.
		for _, v := range vars {
			if v.record {
				recSize = v.size
			}
		}
	}
	// The end of the last byte of data, padding left out: libnetcdf pads
	// the files it writes, other writers may not, and a reader needs none.
	end := uint64(pos)
	for _, v := range vars {
		e := v.begin + v.size
		if v.record {
			if numrecs == 0 {
				continue
			}
			e = v.begin + (numrecs-1)*recSize + v.size
		}
		end = max(end, e)
	}
	return int64(end), nil
}

// checkClassicSize fails with dataset.ErrFormat when the file at path is
// a classic-format file (by its first bytes) whose header is cut short or
// describes more data than the file holds. Other files pass.
func checkClassicSize(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	var magic [4]byte
	if _, err := io.ReadFull(f, magic[:]); err != nil || !isClassic(magic[:]) {
		return nil
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	end, err := classicEnd(f)
	if err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return fmt.Errorf("truncated: the header is cut short: %w", dataset.ErrFormat)
		}
		return fmt.Errorf("bad header: %v: %w", err, dataset.ErrFormat)
	}
	if end >= 0 && st.Size() < end {
		return fmt.Errorf("truncated: %d bytes, but the header describes %d: %w", st.Size(), end, dataset.ErrFormat)
	}
	return nil
}
