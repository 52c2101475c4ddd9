package hdf5

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/ndchunk/ndchunk/io/dataset"
	"github.com/ndchunk/ndchunk/io/internal/h5"
)

// Driver is the HDF5 driver, registered as "hdf5".
type Driver struct{}

var _ dataset.Driver = Driver{}

func init() { dataset.Register(Driver{}) }

// Name implements dataset.Driver.
func (Driver) Name() string { return "hdf5" }

// Formats implements dataset.Driver: the driver writes "h5".
func (Driver) Formats() []string { return []string{"h5"} }

// Sniff implements dataset.Driver: the header starts with the HDF5
// signature and shows none of netCDF-4's markers. Files with a user block
// (the signature at 512, 1024, ... bytes) and netCDF-4 files whose markers
// lie beyond the header need the file itself: see SniffFile.
func (Driver) Sniff(header []byte) bool {
	return h5.HasSignature(header) && !h5.IsNetCDF4(header, "")
}

// SniffFile is Sniff with the file at hand: it finds the signature after a
// user block too, and looks inside the file for netCDF-4's markers (the
// _NCProperties attribute, the attributes netCDF-C puts on dimension
// scales), leaving netCDF-4 files to the netcdf driver.
func (Driver) SniffFile(path string, header []byte) bool {
	return h5.SignatureOffset(path) >= 0 && !h5.IsNetCDF4(header, path)
}

// defaultCache is the chunk cache per open variable when the caller sets
// none: small, because the engine's reads are mostly whole chunks, which
// the library does not cache anyway.
const defaultCache = 1 << 20

// Open implements dataset.Driver.
func (Driver) Open(path string, opts dataset.OpenOptions) (dataset.File, error) {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, &dataset.Error{Path: path, Op: "open", Err: dataset.ErrNotExist}
	case err != nil:
		return nil, &dataset.Error{Path: path, Op: "open", Err: err}
	case st.IsDir():
		return nil, &dataset.Error{Path: path, Op: "open", Err: fmt.Errorf("is a directory: %w", dataset.ErrFormat)}
	case st.Size() == 0:
		return nil, &dataset.Error{Path: path, Op: "open", Err: fmt.Errorf("empty file: %w", dataset.ErrFormat)}
	}
	if h5.SignatureOffset(path) < 0 {
		return nil, &dataset.Error{Path: path, Op: "open", Err: fmt.Errorf("no HDF5 signature: %w", dataset.ErrFormat)}
	}
	hf, err := h5.Open(path, false)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &dataset.Error{Path: path, Op: "open", Err: dataset.ErrNotExist}
		}
		return nil, &dataset.Error{Path: path, Op: "open", Err: fmt.Errorf("%w (the file is damaged or truncated: %v)", dataset.ErrFormat, err)}
	}
	if opts.CacheBytes <= 0 {
		opts.CacheBytes = defaultCache
	}
	f := &file{path: path, h: hf, opts: opts, ds: map[string]h5.DatasetInfo{}, broken: map[string]error{}}
	if err := f.load(); err != nil {
		hf.Close()
		return nil, err
	}
	return f, nil
}
