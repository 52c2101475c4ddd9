package dataset

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// FileSniffer is implemented by drivers that need more than the first
// bytes to recognise their files: an HDF5 file may be a NetCDF-4 file,
// which the NetCDF driver claims and the HDF5 driver leaves alone.
type FileSniffer interface {
	SniffFile(path string, header []byte) bool
}

// Open opens a file with the registered driver that recognises its first
// bytes. A missing file fails with ErrNotExist, an empty or unrecognised
// one with ErrFormat.
func Open(path string, opts OpenOptions) (File, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &Error{Path: path, Op: "open", Err: ErrNotExist}
		}
		return nil, &Error{Path: path, Op: "open", Err: err}
	}
	header := make([]byte, 512)
	n, err := io.ReadFull(f, header)
	f.Close()
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, &Error{Path: path, Op: "open", Err: err}
	}
	header = header[:n]
	if n == 0 {
		return nil, &Error{Path: path, Op: "open", Err: fmt.Errorf("empty file: %w", ErrFormat)}
	}
	driversMu.RLock()
	names := sortedKeys(drivers)
	list := make([]Driver, len(names))
	for i, name := range names {
		list[i] = drivers[name]
	}
	driversMu.RUnlock()
	// FileSniffers may call into C libraries: ask them outside the lock.
	var match Driver
	for _, d := range list {
		ok := false
		if fs, isFS := d.(FileSniffer); isFS {
			ok = fs.SniffFile(path, header)
		} else {
			ok = d.Sniff(header)
		}
		if ok {
			match = d
			break
		}
	}
	if match == nil {
		return nil, &Error{Path: path, Op: "open", Err: fmt.Errorf("%w (drivers: %s)", ErrFormat, strings.Join(names, ", "))}
	}
	return match.Open(path, opts)
}

// TempPath returns a temporary name beside dest for writing it: same
// directory (so the final rename is atomic), hidden, unique.
func TempPath(dest string) (string, error) {
	dir, base := filepath.Split(dest)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".ndchunk-*.tmp")
	if err != nil {
		return "", err
	}
	name := f.Name()
	f.Close()
	return name, nil
}

// CheckDest fails with ErrExist if dest exists and may not be replaced, so
// a writer can refuse before doing any work.
func CheckDest(dest string, overwrite bool) error {
	if overwrite {
		return nil
	}
	if _, err := os.Lstat(dest); err == nil {
		return &Error{Path: dest, Op: "create", Err: fmt.Errorf("%w (CreateOptions.Overwrite replaces it)", ErrExist)}
	}
	return nil
}

// CommitFile fsyncs tmp, moves it to dest and fsyncs the directory, so dest
// is either the old file or the complete new one, even after a crash.
// Without overwrite the move is a hard link, which fails if dest appeared
// meanwhile, so two writers cannot both win. On failure tmp is removed and
// dest left as it was.
func CommitFile(tmp, dest string, overwrite bool) (err error) {
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()
	if err := CheckDest(dest, overwrite); err != nil {
		return err
	}
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return &Error{Path: dest, Op: "commit", Err: err}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return &Error{Path: dest, Op: "commit", Err: err}
	}
	if err := f.Close(); err != nil {
		return &Error{Path: dest, Op: "commit", Err: err}
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return &Error{Path: dest, Op: "commit", Err: err}
	}
	if overwrite {
		if err := os.Rename(tmp, dest); err != nil {
			return &Error{Path: dest, Op: "commit", Err: err}
		}
	} else {
		if err := os.Link(tmp, dest); err != nil {
			if errors.Is(err, fs.ErrExist) {
				return &Error{Path: dest, Op: "commit", Err: fmt.Errorf("%w (CreateOptions.Overwrite replaces it)", ErrExist)}
			}
			return &Error{Path: dest, Op: "commit", Err: err}
		}
		os.Remove(tmp)
	}
	if d, err := os.Open(filepath.Dir(dest)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
