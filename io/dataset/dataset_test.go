package dataset_test

import (
	"bytes"
	"errors"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
	_ "github.com/ndchunk/ndchunk/io/memio" // a second registered driver
)

// fakeMagic starts every file fakeDriver recognises.
var fakeMagic = []byte("NDFAKE01")

// fakeDriver recognises files starting with fakeMagic and records the
// paths it was asked to open.
type fakeDriver struct {
	mu     sync.Mutex
	opened []string
}

var errFakeOpen = errors.New("fake driver opened it")

func (d *fakeDriver) Name() string             { return "fake" }
func (d *fakeDriver) Sniff(header []byte) bool { return bytes.HasPrefix(header, fakeMagic) }
func (d *fakeDriver) Formats() []string        { return []string{"fakefmt"} }
func (d *fakeDriver) Open(path string, _ dataset.OpenOptions) (dataset.File, error) {
	d.mu.Lock()
	d.opened = append(d.opened, path)
	d.mu.Unlock()
	return nil, &dataset.Error{Path: path, Op: "open", Err: errFakeOpen}
}
func (d *fakeDriver) Create(path string, _ dataset.Spec, _ dataset.CreateOptions) (dataset.Writer, error) {
	return nil, &dataset.Error{Path: path, Op: "create", Err: errFakeOpen}
}

var fake = &fakeDriver{}

func init() { dataset.Register(fake) }

func TestRegistry(t *testing.T) {
	names := dataset.Drivers()
	if !slices.IsSorted(names) || !slices.Contains(names, "fake") || !slices.Contains(names, "memory") {
		t.Errorf("Drivers() = %q, want a sorted list with fake and memory", names)
	}
	if d, ok := dataset.Lookup("fake"); !ok || d != dataset.Driver(fake) {
		t.Errorf("Lookup(fake) = %v, %v", d, ok)
	}
	if _, ok := dataset.Lookup("nope"); ok {
		t.Errorf("Lookup(nope) found a driver")
	}
	if d, err := dataset.ForFormat("fakefmt"); err != nil || d != dataset.Driver(fake) {
		t.Errorf("ForFormat(fakefmt) = %v, %v", d, err)
	}
	_, err := dataset.ForFormat("zarr")
	if !errors.Is(err, chunk.ErrUnsupported) || !strings.Contains(err.Error(), `"zarr"`) || !strings.Contains(err.Error(), "fake, memory") {
		t.Errorf("ForFormat(zarr) = %v, want ErrUnsupported naming the format and the drivers", err)
	}
	// Create picks the driver by format, and wraps a missing one in an
	// *Error naming the path.
	if _, err := dataset.Create("out.fake", dataset.Spec{Format: "fakefmt"}, dataset.CreateOptions{}); !errors.Is(err, errFakeOpen) {
		t.Errorf("Create(fakefmt) = %v, want the fake driver's error", err)
	}
	_, err = dataset.Create("out.zarr", dataset.Spec{Format: "zarr"}, dataset.CreateOptions{})
	var de *dataset.Error
	if !errors.As(err, &de) || de.Path != "out.zarr" || de.Op != "create" || !errors.Is(err, chunk.ErrUnsupported) {
		t.Errorf("Create(zarr) = %#v, want an *Error for out.zarr wrapping ErrUnsupported", err)
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), "fake") {
			t.Errorf("second Register: recovered %v, want a panic naming the driver", r)
		}
	}()
	dataset.Register(&fakeDriver{})
}

// writeFile writes a file in a new temporary directory.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOpenSniffs(t *testing.T) {
	// The magic alone, and the magic followed by more than the 512 bytes
	// Open reads: both reach the fake driver.
	for _, data := range [][]byte{fakeMagic, append(slices.Clone(fakeMagic), make([]byte, 4096)...)} {
		path := writeFile(t, "x.fake", data)
		_, err := dataset.Open(path, dataset.OpenOptions{})
		if !errors.Is(err, errFakeOpen) {
			t.Errorf("Open of a fake file (%d bytes) = %v, want the fake driver's error", len(data), err)
		}
		fake.mu.Lock()
		if !slices.Contains(fake.opened, path) {
			t.Errorf("the fake driver was not asked to open %s", path)
		}
		fake.mu.Unlock()
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 1000)
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	cases := []struct {
		what string
		path string
		want error
		text string // must appear in the message
	}{
		{"a missing file", filepath.Join(dir, "missing.nc"), dataset.ErrNotExist, "no such file"},
		{"a file in a missing directory", filepath.Join(dir, "nodir", "x.h5"), dataset.ErrNotExist, "no such file"},
		{"an empty file", writeFile(t, "empty.nc", nil), dataset.ErrFormat, "empty file"},
		{"random bytes", writeFile(t, "random.h5", random), dataset.ErrFormat, "drivers: fake, memory"},
		{"a short text file", writeFile(t, "short.nc", []byte("CD")), dataset.ErrFormat, "drivers:"},
		{"the magic one byte short", writeFile(t, "cut.fake", fakeMagic[:len(fakeMagic)-1]), dataset.ErrFormat, "drivers:"},
	}
	for _, c := range cases {
		f, err := dataset.Open(c.path, dataset.OpenOptions{})
		if f != nil {
			t.Errorf("Open of %s returned a file", c.what)
		}
		var de *dataset.Error
		if !errors.Is(err, c.want) || !errors.As(err, &de) {
			t.Errorf("Open of %s = %v, want an *Error wrapping %v", c.what, err, c.want)
			continue
		}
		if de.Path != c.path || de.Op != "open" {
			t.Errorf("Open of %s: Error{Path: %q, Op: %q}, want the path and \"open\"", c.what, de.Path, de.Op)
		}
		if msg := err.Error(); !strings.HasPrefix(msg, c.path+": open: ") || !strings.Contains(msg, c.text) {
			t.Errorf("Open of %s: message %q, want it to start with the path and contain %q", c.what, msg, c.text)
		}
	}
	// A directory is not an array file: an error naming it, not a panic.
	if _, err := dataset.Open(dir, dataset.OpenOptions{}); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("Open of a directory = %v, want an error naming it", err)
	}
}

func TestErrorFormat(t *testing.T) {
	reason := errors.New("disk on fire")
	cases := []struct {
		err  dataset.Error
		want string
	}{
		{dataset.Error{Path: "a.nc", Var: "t2m", Op: "read", Err: reason}, "a.nc: variable t2m: read: disk on fire"},
		{dataset.Error{Path: "a.nc", Op: "open", Err: dataset.ErrNotExist}, "a.nc: open: no such file"},
		{dataset.Error{Path: "a.nc", Var: "t2m", Err: reason}, "a.nc: variable t2m: disk on fire"},
		{dataset.Error{Path: "/data/b.h5", Var: "/grp/v", Op: "write", Err: chunk.ErrShape}, "/data/b.h5: variable /grp/v: write: shape mismatch"},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.want {
			t.Errorf("Error() = %q, want %q", got, c.want)
		}
	}
	var err error = &dataset.Error{Path: "a.nc", Var: "v", Op: "read", Err: reason}
	if !errors.Is(err, reason) || errors.Unwrap(err) != reason {
		t.Errorf("the reason is not unwrapped")
	}
	info := &dataset.Info{Vars: []dataset.VarInfo{{Name: "lat"}, {Name: "lon"}, {Name: "/grp/t"}}}
	err = dataset.NoVariable("a.nc", "tas", info)
	if !errors.Is(err, dataset.ErrNoVariable) || err.Error() != "a.nc: variable tas: open: no such variable (variables: lat, lon, /grp/t)" {
		t.Errorf("NoVariable = %q", err)
	}
}

func TestInfoLookups(t *testing.T) {
	info := &dataset.Info{
		Dims: []dataset.Dim{{Name: "x", Len: 3}},
		Vars: []dataset.VarInfo{{Name: "/t", Attrs: []dataset.Attr{{Name: "units", Value: "K"}}}, {Name: "/grp/u"}},
	}
	for _, name := range []string{"t", "/t"} {
		if v, ok := info.Var(name); !ok || v.Name != "/t" {
			t.Errorf("Var(%q) = %v, %v", name, v.Name, ok)
		}
	}
	if v, ok := info.Var("grp/u"); !ok || v.Name != "/grp/u" {
		t.Errorf("Var(grp/u) = %v, %v", v.Name, ok)
	}
	if _, ok := info.Var("u"); ok {
		t.Errorf("Var(u) found /grp/u: a name in a group must be given with its group")
	}
	if d, ok := info.Dim("x"); !ok || d.Len != 3 {
		t.Errorf("Dim(x) = %v, %v", d, ok)
	}
	if a, ok := info.Vars[0].Attr("units"); !ok || a.String() != `units = "K"` {
		t.Errorf("Attr(units) = %v, %v", a, ok)
	}
	if got := dataset.FormatValue("K"); got != `"K"` {
		t.Errorf("FormatValue(K) = %s", got)
	}
	if got := (dataset.Attr{Name: "valid_range", Value: []int16{0, 100}}).String(); got != "valid_range = 0, 100" {
		t.Errorf("Attr.String = %q", got)
	}
	if got := dataset.FormatValue([]float32{1.5}); got != "1.5" {
		t.Errorf("FormatValue([]float32{1.5}) = %q", got)
	}
}

func TestSpecShape(t *testing.T) {
	spec := dataset.Spec{Dims: []dataset.Dim{{Name: "t", Len: 0, Unlimited: true}, {Name: "x", Len: 4}}}
	if s, err := spec.Shape(dataset.VarSpec{Name: "v", Dims: []string{"t", "x", "x"}}); err != nil || !slices.Equal(s, []int{0, 4, 4}) {
		t.Errorf("Shape = %v, %v", s, err)
	}
	if s, err := spec.Shape(dataset.VarSpec{Name: "scalar"}); err != nil || len(s) != 0 {
		t.Errorf("Shape of a scalar = %v, %v", s, err)
	}
	_, err := spec.Shape(dataset.VarSpec{Name: "v", Dims: []string{"y"}})
	if !errors.Is(err, chunk.ErrShape) || !strings.Contains(err.Error(), "variable v") || !strings.Contains(err.Error(), `"y"`) {
		t.Errorf("Shape with an undeclared dimension = %v", err)
	}
}

// leftovers lists the temporary files TempPath made in dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, ".*.ndchunk-*.tmp"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestTempPath(t *testing.T) {
	dir := t.TempDir()
	dest := filepath.Join(dir, "out.nc")
	a, err := dataset.TempPath(dest)
	if err != nil {
		t.Fatal(err)
	}
	b, err := dataset.TempPath(dest)
	if err != nil {
		t.Fatal(err)
	}
	if a == b {
		t.Errorf("TempPath gave %s twice", a)
	}
	for _, p := range []string{a, b} {
		// Beside dest (so the rename is atomic) and hidden.
		if filepath.Dir(p) != dir || !strings.HasPrefix(filepath.Base(p), ".out.nc.ndchunk-") || !strings.HasSuffix(p, ".tmp") {
			t.Errorf("TempPath(%s) = %s", dest, p)
		}
	}
	if _, err := dataset.TempPath(filepath.Join(dir, "nodir", "out.nc")); err == nil {
		t.Errorf("TempPath in a missing directory succeeded")
	}
	// A bare name is relative to the working directory.
	t.Chdir(dir)
	p, err := dataset.TempPath("bare.h5")
	if err != nil || filepath.Dir(p) != "." && filepath.Dir(p) != dir {
		t.Errorf("TempPath(bare.h5) = %s, %v", p, err)
	}
}

func TestCheckDest(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.nc")
	existing := writeFile(t, "existing.nc", []byte("old"))
	dangling := filepath.Join(dir, "dangling.nc")
	if err := os.Symlink(missing, dangling); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path      string
		overwrite bool
		exist     bool
	}{
		{missing, false, false},
		{missing, true, false},
		{existing, false, true},
		{existing, true, false},
		// A dangling symlink is something at dest: refusing is safer than
		// writing through it.
		{dangling, false, true},
	} {
		err := dataset.CheckDest(c.path, c.overwrite)
		if c.exist != errors.Is(err, dataset.ErrExist) || (!c.exist && err != nil) {
			t.Errorf("CheckDest(%s, %v) = %v", filepath.Base(c.path), c.overwrite, err)
		}
		if c.exist && !strings.HasPrefix(err.Error(), c.path+": create: ") {
			t.Errorf("CheckDest error %q does not start with the path", err)
		}
	}
}

func TestCommitFile(t *testing.T) {
	dir := t.TempDir()
	dest := filepath.Join(dir, "out.nc")
	commit := func(content string, overwrite bool) (string, error) {
		tmp, err := dataset.TempPath(dest)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return tmp, dataset.CommitFile(tmp, dest, overwrite)
	}
	check := func(when, want string) {
		t.Helper()
		got, err := os.ReadFile(dest)
		if err != nil || string(got) != want {
			t.Errorf("%s: dest holds %q (%v), want %q", when, got, err, want)
		}
		if l := leftovers(t, dir); len(l) > 0 {
			t.Errorf("%s: temporary files left: %q", when, l)
			for _, p := range l {
				os.Remove(p) // report each leftover once
			}
		}
	}

	// Success: dest appears complete, with ordinary permissions, and the
	// temporary name is gone.
	if _, err := commit("first", false); err != nil {
		t.Fatal(err)
	}
	check("after the first commit", "first")
	if st, err := os.Stat(dest); err != nil || st.Mode().Perm() != 0o644 {
		t.Errorf("dest mode = %v, %v; want 0644", st.Mode(), err)
	}

	// Refused: dest exists and may not be replaced. It keeps the old
	// contents and the temporary file is removed.
	_, err := commit("second", false)
	if !errors.Is(err, dataset.ErrExist) {
		t.Errorf("commit over an existing file = %v, want ErrExist", err)
	}
	check("after the refused commit", "first")

	// Overwrite replaces it.
	if _, err := commit("third", true); err != nil {
		t.Fatal(err)
	}
	check("after the overwrite", "third")

	// A rename that fails (dest is a non-empty directory) leaves dest and
	// removes the temporary file.
	blocked := filepath.Join(dir, "blocked")
	if err := os.MkdirAll(filepath.Join(blocked, "inside"), 0o755); err != nil {
		t.Fatal(err)
	}
	tmp, err := dataset.TempPath(blocked)
	if err != nil {
		t.Fatal(err)
	}
	err = dataset.CommitFile(tmp, blocked, true)
	var de *dataset.Error
	if !errors.As(err, &de) || de.Path != blocked || de.Op != "commit" {
		t.Errorf("commit onto a directory = %v, want an *Error for it", err)
	}
	if st, err := os.Stat(blocked); err != nil || !st.IsDir() {
		t.Errorf("the directory in the way was replaced")
	}
	if l := leftovers(t, dir); len(l) > 0 {
		t.Errorf("after the failed rename: temporary files left: %q", l)
	}

	// A missing temporary file is an error, not a silent success.
	err = dataset.CommitFile(filepath.Join(dir, ".gone.tmp"), filepath.Join(dir, "other.nc"), false)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("commit of a missing temporary file = %v, want fs.ErrNotExist", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "other.nc")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("commit of a missing temporary file created the destination")
	}
}
