package bench

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/ndchunk/ndchunk/chunk"
)

// Result is one point of a sweep for one system, aggregated over its
// runs.
type Result struct {
	Scenario string `json:"scenario"`
	// System is "ndchunk" or the peer with its version.
	System string `json:"system"`
	// Peer is false for ndchunk's rows.
	Peer  bool   `json:"peer"`
	Shape string `json:"shape"`
	// Chunks is the chunk shape ("" for a peer that holds whole arrays).
	Chunks string `json:"chunks"`
	// Blocks is the number of chunks of the (first) input; ChunkBytes the
	// size of one.
	Blocks     int   `json:"blocks"`
	ChunkBytes int64 `json:"chunk_bytes"`
	Tasks      int   `json:"tasks"`
	Workers    int   `json:"workers"`
	// Budget is ndchunk's memory budget (0 for peers, which have none).
	Budget int64 `json:"budget_bytes"`
	Runs   int   `json:"runs"`
	// WallMin, WallMedian and WallMax are the measured computation's wall
	// times over the runs, in seconds.
	WallMin    float64 `json:"wall_min_s"`
	WallMedian float64 `json:"wall_median_s"`
	WallMax    float64 `json:"wall_max_s"`
	// CPU is the median of the child process's user + system time.
	CPU float64 `json:"cpu_s"`
	// PeakRSS is the highest peak RSS of the child process over the runs.
	PeakRSS int64 `json:"peak_rss_bytes"`
	// PeakLive is ndchunk's peak of live block bytes.
	PeakLive     int64 `json:"peak_live_bytes"`
	BytesRead    int64 `json:"bytes_read"`
	BytesWritten int64 `json:"bytes_written"`
	// Throughput is the logical input bytes over the median wall, in GB/s.
	Throughput float64 `json:"throughput_gb_s"`
	// OverheadPerTask is the worker time not spent inside tasks
	// (scheduling, admission, idle workers), per task, in microseconds.
	OverheadPerTask float64 `json:"overhead_per_task_us"`
	// Checksum is the result's checksum (see Checksum).
	Checksum *float64 `json:"checksum"`
	// WallRatio and RSSRatio are ndchunk's over this peer's at the same
	// point (below 1: ndchunk is faster or smaller); 0 when either is
	// missing.
	WallRatio float64 `json:"ndchunk_over_peer_wall"`
	RSSRatio  float64 `json:"ndchunk_over_peer_rss"`
	// Refused is why ndchunk refused the plan for the budget.
	Refused string `json:"refused,omitempty"`
	// Error is why the runs failed.
	Error string `json:"error,omitempty"`
}

// ok reports whether the result has measurements.
func (r Result) ok() bool { return r.Refused == "" && r.Error == "" && r.Runs > 0 && r.WallMedian > 0 }

// addRatios sets the peers' ratios against ndchunk's row at the same
// point (a chunk-free peer against ndchunk's fastest row).
func addRatios(rs []Result) {
	for i := range rs {
		p := &rs[i]
		if !p.Peer || !p.ok() {
			continue
		}
		var nd *Result
		for j := range rs {
			q := &rs[j]
			if q.Peer || !q.ok() || q.Scenario != p.Scenario || q.Shape != p.Shape || q.Workers != p.Workers && p.Workers != 1 {
				continue
			}
			if p.Chunks == "" {
				if nd == nil || q.WallMedian < nd.WallMedian {
					nd = q
				}
			} else if q.Chunks == p.Chunks && (nd == nil || q.Workers == p.Workers) {
				nd = q
			}
		}
		if nd == nil {
			continue
		}
		p.WallRatio = nd.WallMedian / p.WallMedian
		if p.PeakRSS > 0 {
			p.RSSRatio = float64(nd.PeakRSS) / float64(p.PeakRSS)
		}
	}
}

// checksumTolerance is the relative difference under which checksums
// agree: chunkings change the order of the sums.
const checksumTolerance = 1e-6

// sameChecksum reports whether two checksums agree.
func sameChecksum(a, b float64) bool {
	return math.Abs(a-b) <= checksumTolerance*math.Max(math.Abs(a), math.Abs(b)) || a == b
}

// checksumNotes compares the checksums of ndchunk's rows per scenario and
// shape, and the peers' on file inputs (where the data is the same; the
// peers' random numbers differ from ndchunk's).
func checksumNotes(rs []Result) []string {
	var notes []string
	type key struct{ sc, shape string }
	ref := map[key]*Result{}
	agree := map[key]int{}
	for i := range rs {
		r := &rs[i]
		if r.Peer || !r.ok() || r.Checksum == nil {
			continue
		}
		k := key{r.Scenario, r.Shape}
		if ref[k] == nil {
			ref[k] = r
			agree[k] = 1
			continue
		}
		if !sameChecksum(*ref[k].Checksum, *r.Checksum) {
			notes = append(notes, fmt.Sprintf("%s %s: checksum %.10g with chunks %s differs from %.10g with chunks %s",
				r.Scenario, r.Shape, *r.Checksum, r.Chunks, *ref[k].Checksum, ref[k].Chunks))
		} else {
			agree[k]++
		}
	}
	for i := range rs {
		r := &rs[i]
		k := key{r.Scenario, r.Shape}
		if !r.Peer || !r.ok() || r.Checksum == nil || ref[k] == nil || !mustScenario(r.Scenario).FileInput {
			continue
		}
		if !sameChecksum(*ref[k].Checksum, *r.Checksum) {
			notes = append(notes, fmt.Sprintf("%s %s: %s's checksum %.10g differs from ndchunk's %.10g",
				r.Scenario, r.Shape, r.System, *r.Checksum, *ref[k].Checksum))
		}
	}
	for k, n := range agree {
		if n > 1 {
			notes = append(notes, fmt.Sprintf("%s %s: ndchunk's checksums agree across %d chunkings (to %g relative)", k.sc, k.shape, n, checksumTolerance))
		}
	}
	return notes
}

// Recommend returns, per scenario, shape and worker count, the chunking
// that was fastest within the budget and why the others were slower.
func Recommend(rs []Result) []string {
	var out []string
	type key struct {
		sc, shape string
		w         int
	}
	var order []key
	rows := map[key][]Result{}
	for _, r := range rs {
		if r.Peer {
			continue
		}
		k := key{r.Scenario, r.Shape, r.Workers}
		if _, ok := rows[k]; !ok {
			order = append(order, k)
		}
		rows[k] = append(rows[k], r)
	}
	for _, k := range order {
		var best *Result
		for i := range rows[k] {
			r := &rows[k][i]
			if r.ok() && (best == nil || r.WallMedian < best.WallMedian) {
				best = r
			}
		}
		head := fmt.Sprintf("%s %s, %d workers", k.sc, k.shape, k.w)
		if best == nil {
			out = append(out, head+": no chunking ran within the budget; try smaller chunks or a larger --memory")
			continue
		}
		s := fmt.Sprintf("%s: use chunks %s (%s per chunk): fastest within the %s budget, %.3f s median, %d tasks, peak RSS %s.",
			head, best.Chunks, chunk.FormatBytes(best.ChunkBytes), chunk.FormatBytes(best.Budget), best.WallMedian, best.Tasks, chunk.FormatBytes(best.PeakRSS))
		var why []string
		for _, r := range rows[k] {
			if r.Chunks == best.Chunks {
				continue
			}
			why = append(why, "chunks "+r.Chunks+": "+explain(r, *best))
		}
		if len(why) > 0 {
			s += " " + strings.Join(why, "; ") + "."
		}
		out = append(out, s)
	}
	return out
}

// explain says why a point was slower than the best one.
func explain(r, best Result) string {
	switch {
	case r.Refused != "":
		return "over budget, refused (" + oneLine(r.Refused, 160) + ")"
	case r.Error != "":
		return "failed (" + oneLine(r.Error, 160) + ")"
	}
	slower := fmt.Sprintf("%.2fx slower", r.WallMedian/best.WallMedian)
	if r.WallMedian < 1.1*best.WallMedian {
		return fmt.Sprintf("%s, within the noise of the best", slower)
	}
	overhead := r.OverheadPerTask * float64(r.Tasks) / float64(max(r.Workers, 1)) / 1e6
	switch {
	case r.Blocks > 0 && r.Blocks < r.Workers:
		return fmt.Sprintf("%s: too little parallelism, %d blocks for %d workers", slower, r.Blocks, r.Workers)
	case r.Tasks > best.Tasks && overhead > 0.2*r.WallMedian:
		return fmt.Sprintf("%s: too many tasks (%d), per-task overhead %.0f µs dominates (%.2f s of %.2f s per worker)",
			slower, r.Tasks, r.OverheadPerTask, overhead, r.WallMedian)
	case r.Blocks > 0 && r.Blocks < 2*r.Workers:
		return fmt.Sprintf("%s: little parallelism, %d blocks for %d workers leave workers idle", slower, r.Blocks, r.Workers)
	case r.Tasks > best.Tasks:
		return fmt.Sprintf("%s: more, smaller tasks (%d vs %d) cost per-task overhead (%.0f µs each)", slower, r.Tasks, best.Tasks, r.OverheadPerTask)
	case r.ChunkBytes > best.ChunkBytes:
		return fmt.Sprintf("%s: larger blocks (%s, %d of them) leave fewer tasks to overlap I/O with compute and to balance over %d workers, and miss the CPU caches",
			slower, chunk.FormatBytes(r.ChunkBytes), r.Blocks, r.Workers)
	}
	return slower
}

// WriteTable prints the results as a table, then the notes and the
// recommendations.
func (run *Run) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\tsystem\tshape\tchunks\ttasks\twkr\twall s (min-max)\tcpu s\tpeak RSS\tpeak live\tread\twritten\tGB/s\tµs/task\tchecksum\tnd/peer wall\tnd/peer RSS\t")
	for _, r := range run.Results {
		chunks := r.Chunks
		if chunks == "" {
			chunks = "whole"
		}
		pre := fmt.Sprintf("%s\t%s\t%s\t%s\t", r.Scenario, shortSystem(r.System), r.Shape, chunks)
		switch {
		case r.Refused != "":
			fmt.Fprintf(tw, "%s\t%d\trefused: over budget\t\t%s\t\t\t\t\t\t\t\t\t\n", pre, r.Workers, bytesOrDash(r.PeakRSS))
			continue
		case r.Error != "":
			fmt.Fprintf(tw, "%s\t%d\tfailed\t\t\t\t\t\t\t\t\t\t\t\n", pre, r.Workers)
			continue
		}
		fmt.Fprintf(tw, "%s%s\t%d\t%.3f (%.2f-%.2f)\t%.2f\t%s\t%s\t%s\t%s\t%.2f\t%s\t%s\t%s\t%s\t\n", pre, intOrDash(r.Tasks), r.Workers,
			r.WallMedian, r.WallMin, r.WallMax, r.CPU, bytesOrDash(r.PeakRSS), bytesOrDash(r.PeakLive), bytesOrDash(r.BytesRead), bytesOrDash(r.BytesWritten),
			r.Throughput, floatOrDash(r.OverheadPerTask, "%.1f"), checksumText(r.Checksum), floatOrDash(r.WallRatio, "%.2f"), floatOrDash(r.RSSRatio, "%.2f"))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range run.Results {
		if r.Error != "" {
			fmt.Fprintf(w, "failed: %s %s chunks %s: %s\n", r.Scenario, shortSystem(r.System), r.Chunks, oneLine(r.Error, 300))
		}
	}
	for _, n := range run.Notes {
		fmt.Fprintln(w, "note: "+n)
	}
	for _, s := range run.Recommendations {
		fmt.Fprintln(w, "recommendation: "+s)
	}
	return nil
}

// shortSystem keeps a peer's name and version, dropping long suffixes.
func shortSystem(s string) string {
	if len(s) > 28 {
		return s[:28]
	}
	return s
}

func intOrDash(n int) string {
	if n == 0 {
		return "-"
	}
	return strconv.Itoa(n)
}

func bytesOrDash(n int64) string {
	if n == 0 {
		return "-"
	}
	return chunk.FormatBytes(n)
}

func floatOrDash(v float64, format string) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf(format, v)
}

func checksumText(c *float64) string {
	if c == nil {
		return "-"
	}
	return strconv.FormatFloat(*c, 'g', 10, 64)
}

// csvHeader names the CSV columns, in Result's order.
var csvHeader = []string{"scenario", "system", "peer", "shape", "chunks", "blocks", "chunk_bytes", "tasks", "workers", "budget_bytes", "runs",
	"wall_min_s", "wall_median_s", "wall_max_s", "cpu_s", "peak_rss_bytes", "peak_live_bytes", "bytes_read", "bytes_written",
	"throughput_gb_s", "overhead_per_task_us", "checksum", "ndchunk_over_peer_wall", "ndchunk_over_peer_rss", "refused", "error"}

// WriteCSV writes the results as CSV, the machine facts first as comment
// lines ("# key: value"; read with encoding/csv's Comment = '#').
func (run *Run) WriteCSV(w io.Writer) error {
	for _, kv := range run.Machine.pairs() {
		if _, err := fmt.Fprintf(w, "# %s: %s\n", kv[0], kv[1]); err != nil {
			return err
		}
	}
	if run.Command != "" {
		fmt.Fprintf(w, "# command: %s\n", run.Command)
	}
	cw := csv.NewWriter(w)
	cw.Write(csvHeader)
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', 6, 64) }
	for _, r := range run.Results {
		cs := ""
		if r.Checksum != nil {
			cs = strconv.FormatFloat(*r.Checksum, 'g', 15, 64)
		}
		cw.Write([]string{r.Scenario, r.System, strconv.FormatBool(r.Peer), r.Shape, r.Chunks, strconv.Itoa(r.Blocks), strconv.FormatInt(r.ChunkBytes, 10),
			strconv.Itoa(r.Tasks), strconv.Itoa(r.Workers), strconv.FormatInt(r.Budget, 10), strconv.Itoa(r.Runs),
			f(r.WallMin), f(r.WallMedian), f(r.WallMax), f(r.CPU), strconv.FormatInt(r.PeakRSS, 10), strconv.FormatInt(r.PeakLive, 10),
			strconv.FormatInt(r.BytesRead, 10), strconv.FormatInt(r.BytesWritten, 10), f(r.Throughput), f(r.OverheadPerTask), cs,
			f(r.WallRatio), f(r.RSSRatio), oneLine(r.Refused, 1000), oneLine(r.Error, 1000)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteJSON writes the whole run (machine facts, results, notes and
// recommendations) as indented JSON.
func (run *Run) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(run)
}

// Save writes the run to path as CSV (.csv) or JSON (.json).
func (run *Run) Save(path string) error {
	var write func(io.Writer) error
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		write = run.WriteCSV
	case ".json":
		write = run.WriteJSON
	default:
		return fmt.Errorf("%s: want a .csv or .json file", path)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}
