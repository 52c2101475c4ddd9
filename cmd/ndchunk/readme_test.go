package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeExampleRuns extracts the Go program from README.md, builds it
// against this checkout and runs it, so the README's example always
// compiles and runs as written.
func TestReadmeExampleRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a separate program")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```go\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README.md has no ```go block")
	}
	dir := t.TempDir()
	gomod := "module readmeexample\n\ngo 1.26\n\nrequire github.com/ndchunk/ndchunk v0.0.0\n\nreplace github.com/ndchunk/ndchunk => " + root + "\n"
	sum, _ := os.ReadFile(filepath.Join(root, "go.sum"))
	for name, data := range map[string][]byte{"main.go": m[1], "go.mod": []byte(gomod), "go.sum": sum} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command("go", "run", "-mod=mod", ".")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("README example failed: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "sum = ") || !strings.Contains(string(out), "peak live") {
		t.Errorf("README example printed:\n%s", out)
	}
	t.Logf("README example:\n%s", out)
}
