package bench

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Plot draws, per scenario, the wall time and the peak memory against
// the chunk size, one line per system (a peer that holds whole arrays is
// a dashed horizontal line), on log axes where the values span a decade
// or more. The format follows the extension: .svg or .png.
func (run *Run) Plot(path string) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext != ".svg" && ext != ".png" {
		return fmt.Errorf("%s: want a .svg or .png file", path)
	}
	var scenarios []string
	seen := map[string]bool{}
	for _, r := range run.Results {
		if !seen[r.Scenario] {
			seen[r.Scenario] = true
			scenarios = append(scenarios, r.Scenario)
		}
	}
	if len(scenarios) == 0 {
		return fmt.Errorf("%s: no results to plot", path)
	}
	grid := make([][]*plot.Plot, len(scenarios))
	for i, sc := range scenarios {
		wall, mem, err := run.scenarioPlots(sc)
		if err != nil {
			return err
		}
		grid[i] = []*plot.Plot{wall, mem}
	}
	width := 11 * vg.Inch
	height := vg.Length(len(scenarios)) * 4.2 * vg.Inch
	var c vg.CanvasWriterTo
	if ext == ".svg" {
		c = vgsvg.New(width, height)
	} else {
		c = vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(width, height), vgimg.UseDPI(110))}
	}
	dc := draw.New(c)
	tiles := draw.Tiles{Rows: len(scenarios), Cols: 2, PadX: 8 * vg.Millimeter, PadY: 8 * vg.Millimeter,
		PadTop: 2 * vg.Millimeter, PadBottom: 2 * vg.Millimeter, PadLeft: 2 * vg.Millimeter, PadRight: 4 * vg.Millimeter}
	canvases := plot.Align(grid, tiles, dc)
	for i := range grid {
		for j := range grid[i] {
			grid[i][j].Draw(canvases[i][j])
		}
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := c.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// series is one line of a panel.
type series struct {
	name   string
	color  int // index of the system, so both panels agree
	xys    plotter.XYs
	flat   bool // a chunk-free peer: drawn across the x range
	dashed bool
}

// scenarioPlots builds a scenario's two panels.
func (run *Run) scenarioPlots(sc string) (*plot.Plot, *plot.Plot, error) {
	var rs []Result
	multiW := map[int]bool{}
	for _, r := range run.Results {
		if r.Scenario == sc {
			rs = append(rs, r)
			multiW[r.Workers] = true
		}
	}
	// x: the chunk side when every chunking is square, else MiB per chunk.
	square := true
	for _, r := range rs {
		if r.Chunks != "" && !isSquare(r.Chunks) {
			square = false
		}
	}
	xOf := func(r Result) float64 {
		if square {
			side, _ := strconv.Atoi(strings.Split(r.Chunks, "x")[0])
			return float64(side)
		}
		return float64(r.ChunkBytes) / (1 << 20)
	}
	name := func(r Result, what string) string {
		n, _, _ := strings.Cut(r.System, "+dfsg")
		if what != "" {
			n += " " + what
		}
		if len(multiW) > 1 {
			n += fmt.Sprintf(" (%d workers)", r.Workers)
		}
		return n
	}
	var walls, mems []*series
	colors := map[string]int{}
	find := func(list *[]*series, r Result, n string, flat, dashed bool) *series {
		for _, s := range *list {
			if s.name == n {
				return s
			}
		}
		key := name(r, "")
		if _, ok := colors[key]; !ok {
			colors[key] = len(colors)
		}
		s := &series{name: n, flat: flat, dashed: dashed, color: colors[key]}
		*list = append(*list, s)
		return s
	}
	var refusedAt []string
	var budget float64
	xmin, xmax := math.Inf(1), math.Inf(-1)
	for _, r := range rs {
		if r.Chunks != "" {
			x := xOf(r)
			xmin, xmax = math.Min(xmin, x), math.Max(xmax, x)
		}
		if r.Refused != "" {
			refusedAt = append(refusedAt, r.Chunks)
		}
		if !r.ok() {
			continue
		}
		if r.Budget > 0 {
			budget = float64(r.Budget)
		}
		flat := r.Chunks == ""
		x := 0.0
		if !flat {
			x = xOf(r)
		}
		w := find(&walls, r, name(r, ""), flat, flat)
		w.xys = append(w.xys, plotter.XY{X: x, Y: r.WallMedian})
		if r.PeakRSS > 0 {
			m := find(&mems, r, name(r, "peak RSS"), flat, flat)
			m.xys = append(m.xys, plotter.XY{X: x, Y: float64(r.PeakRSS) / (1 << 20)})
		}
		if r.PeakLive > 0 {
			m := find(&mems, r, name(r, "live blocks"), flat, true)
			m.xys = append(m.xys, plotter.XY{X: x, Y: float64(r.PeakLive) / (1 << 20)})
		}
	}
	if math.IsInf(xmin, 0) {
		xmin, xmax = 1, 10
	}
	xlabel := "chunk size (MiB per chunk)"
	if square {
		xlabel = "chunk side (elements; chunks are side x side)"
	}
	title := sc + " " + rs[0].Shape
	if len(refusedAt) > 0 {
		title += " (refused over budget: " + strings.Join(refusedAt, ", ") + ")"
	}
	wp, err := panel(title, xlabel, "wall time (s, median)", walls, xmin, xmax, 0)
	if err != nil {
		return nil, nil, err
	}
	mp, err := panel(sc+": peak memory", xlabel, "MiB", mems, xmin, xmax, budget/(1<<20))
	if err != nil {
		return nil, nil, err
	}
	return wp, mp, nil
}

// isSquare reports whether a chunk shape has equal sides.
func isSquare(s string) bool {
	parts := strings.Split(s, "x")
	for _, p := range parts {
		if p != parts[0] {
			return false
		}
	}
	return true
}

// panel draws lines on one plot; budget > 0 adds it as a horizontal line.
func panel(title, xlabel, ylabel string, ss []*series, xmin, xmax, budget float64) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	p.Legend.Top = true
	p.Legend.Left = false
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for _, s := range ss {
		for _, xy := range s.xys {
			ymin, ymax = math.Min(ymin, xy.Y), math.Max(ymax, xy.Y)
		}
	}
	if budget > 0 {
		ymin, ymax = math.Min(ymin, budget), math.Max(ymax, budget)
	}
	if xmax/xmin >= 8 {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
	}
	// Headroom above the lines for the legend.
	if ymin > 0 && ymax/ymin >= 10 {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
		p.Y.Min, p.Y.Max = ymin/1.5, ymax*math.Pow(10, 0.22*float64(len(ss)+1))
	} else if ymax > 0 {
		p.Y.Min, p.Y.Max = 0, ymax*(1.15+0.08*float64(len(ss)+1))
	}
	for _, s := range ss {
		i := s.color
		xys := s.xys
		if s.flat {
			y := xys[0].Y
			xys = plotter.XYs{{X: xmin, Y: y}, {X: xmax, Y: y}}
		} else {
			sort.Slice(xys, func(a, b int) bool { return xys[a].X < xys[b].X })
		}
		l, pts, err := plotter.NewLinePoints(xys)
		if err != nil {
			return nil, fmt.Errorf("plot %s: %w", s.name, err)
		}
		col := plotutil.Color(i)
		l.Color, pts.Color = col, col
		l.Width = vg.Points(1.5)
		pts.Shape = plotutil.Shape(i)
		if s.dashed {
			l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
		}
		if s.flat {
			p.Add(l)
			p.Legend.Add(s.name+" (whole arrays)", l)
			continue
		}
		p.Add(l, pts)
		p.Legend.Add(s.name, l, pts)
	}
	if budget > 0 {
		l, err := plotter.NewLine(plotter.XYs{{X: xmin, Y: budget}, {X: xmax, Y: budget}})
		if err != nil {
			return nil, err
		}
		l.Color = color.RGBA{R: 200, A: 255}
		l.Dashes = []vg.Length{vg.Points(2), vg.Points(2)}
		p.Add(l)
		p.Legend.Add("ndchunk budget", l)
	}
	p.Add(plotter.NewGrid())
	return p, nil
}

// logTicks labels 1, 2 and 5 times the powers of ten (gonum's LogTicks
// labels the powers only, which leaves short ranges bare).
type logTicks struct{}

// Ticks implements plot.Ticker.
func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	if lo <= 0 || hi <= lo {
		return plot.LogTicks{}.Ticks(lo, hi)
	}
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		base := math.Pow(10, e)
		for m := 1; m < 10; m++ {
			v := float64(m) * base
			if v < lo*(1-1e-9) || v > hi*(1+1e-9) {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'f', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}
