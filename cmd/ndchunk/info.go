package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ndchunk/ndchunk/chunk"
	"github.com/ndchunk/ndchunk/io/dataset"
)

func (a *app) infoCommand() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "info FILE [VAR...]",
		Short: "Show a file's groups, dimensions, variables (shape, dtype, storage chunks, filters, fill value, attributes) and global attributes",
		Long: `info shows what a NetCDF or HDF5 file holds, like ncdump -h and h5ls -rv
together: groups, dimensions, every variable or dataset with its dimensions,
shape, dtype, storage layout and chunks, filters, fill value and attributes,
and the global attributes. VAR arguments restrict the listing to those
variables. --json prints the same as one JSON document. Axes without a
dimension name (HDF5 datasets without dimension scales) are shown as dim0,
dim1, ...: the names convert gives them and --chunks DIM=N uses.`,
		Args: a.minArgs(1, "a FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := a.newSession()
			if err != nil {
				return err
			}
			f, err := dataset.Open(args[0], dataset.OpenOptions{})
			if err != nil {
				return err
			}
			defer f.Close()
			info := f.Info()
			vars := append([]dataset.VarInfo(nil), info.Vars...)
			if len(args) > 1 {
				vars = nil
				for _, name := range args[1:] {
					v, ok := info.Var(name)
					if !ok {
						return dataset.NoVariable(args[0], name, info)
					}
					vars = append(vars, v)
				}
			}
			// Unnamed axes (HDF5 datasets without dimension scales) show the
			// names convert gives them and --chunks DIM=N uses.
			names := fileDims(info)
			for i := range vars {
				vars[i].Dims = names[vars[i].Name]
			}
			var out bytes.Buffer
			if asJSON {
				if err := writeInfoJSON(&out, info, vars); err != nil {
					return err
				}
			} else {
				writeInfoText(&out, info, vars)
			}
			if _, err := a.stdout.Write(out.Bytes()); err != nil {
				return err
			}
			return s.finish()
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON document")
	return cmd
}

// tuple formats ints as "(1, 2, 3)".
func tuple(v []int) string {
	p := make([]string, len(v))
	for i, x := range v {
		p[i] = fmt.Sprint(x)
	}
	return "(" + strings.Join(p, ", ") + ")"
}

// filterText describes a filter: "deflate(level 4)", "shuffle", "lzf
// (not available)".
func filterText(f dataset.Filter) string {
	s := f.Name
	if s == "" {
		s = fmt.Sprintf("filter %d", f.ID)
	}
	if f.Name == "deflate" && len(f.Params) > 0 {
		s += fmt.Sprintf("(level %d)", f.Params[0])
	}
	if !f.Available {
		s += " (not available in this library)"
	}
	return s
}

// writeInfoText writes the listing in the style of ncdump -h.
func writeInfoText(b *bytes.Buffer, info *dataset.Info, vars []dataset.VarInfo) {
	fmt.Fprintf(b, "%s: format %s\n", info.Path, info.Format)
	if len(info.Groups) > 1 {
		fmt.Fprintf(b, "groups: %s\n", strings.Join(info.Groups, ", "))
	}
	if len(info.Dims) > 0 {
		b.WriteString("dimensions:\n")
		for _, d := range info.Dims {
			fmt.Fprintf(b, "\t%s = %d", d.Name, d.Len)
			if d.Unlimited {
				b.WriteString(" (unlimited)")
			}
			b.WriteString("\n")
		}
	}
	b.WriteString("variables:\n")
	for _, v := range vars {
		dims := v.Dims
		dt := v.DType.String()
		if !v.DType.Valid() {
			dt = v.Type
		}
		fmt.Fprintf(b, "\t%s %s(%s)", dt, v.Name, strings.Join(dims, ", "))
		if v.Coordinate {
			b.WriteString(" [coordinate]")
		}
		b.WriteString("\n")
		fmt.Fprintf(b, "\t\tshape %s, type %s", tuple(v.Shape), v.Type)
		if v.DType.Valid() {
			fmt.Fprintf(b, " (read as %s, %s)", v.DType, chunk.FormatBytes(int64(chunk.Size(v.Shape))*int64(v.DType.Size())))
		}
		b.WriteString("\n")
		storage := v.Layout
		if v.Layout == "chunked" && v.StorageChunks != nil {
			storage += " " + tuple(v.StorageChunks)
		}
		if storage != "" {
			fmt.Fprintf(b, "\t\tstorage %s", storage)
			if len(v.Filters) > 0 {
				fs := make([]string, len(v.Filters))
				for i, f := range v.Filters {
					fs[i] = filterText(f)
				}
				fmt.Fprintf(b, ", filters %s", strings.Join(fs, ", "))
			}
			if v.FillValue != nil {
				fmt.Fprintf(b, ", fill value %s", dataset.FormatValue(v.FillValue))
			}
			b.WriteString("\n")
		}
		if v.Unsupported != "" {
			fmt.Fprintf(b, "\t\tunsupported: %s\n", v.Unsupported)
		}
		for _, at := range v.Attrs {
			fmt.Fprintf(b, "\t\t%s:%s\n", v.Name, at)
		}
	}
	if len(info.Attrs) > 0 {
		b.WriteString("global attributes:\n")
		for _, at := range info.Attrs {
			fmt.Fprintf(b, "\t\t:%s\n", at)
		}
	}
}

// jsonValue turns an attribute or fill value into JSON: strings as they
// are, one-element slices as a number, longer ones as a list, NaN and
// infinities as the strings "NaN", "Inf" and "-Inf".
func jsonValue(v any) any {
	if v == nil {
		return nil
	}
	if s, ok := v.(string); ok {
		return s
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return fmt.Sprint(v)
	}
	out := make([]any, rv.Len())
	for i := range out {
		out[i] = jsonNumber(rv.Index(i).Interface())
	}
	if len(out) == 1 {
		return out[0]
	}
	return out
}

// jsonNumber makes NaN and infinities JSON-safe.
func jsonNumber(x any) any {
	var f float64
	switch v := x.(type) {
	case float64:
		f = v
	case float32:
		f = float64(v)
	default:
		return x
	}
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	}
	return x
}

// orderedAttrs marshals attributes as a JSON object in file order.
type orderedAttrs []dataset.Attr

// MarshalJSON implements json.Marshaler.
func (o orderedAttrs) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, at := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(at.Name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(jsonValue(at.Value))
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

type jsonFilter struct {
	Name      string   `json:"name"`
	ID        int      `json:"id"`
	Params    []uint32 `json:"params"`
	Available bool     `json:"available"`
}

type jsonVar struct {
	Name        string       `json:"name"`
	Dims        []string     `json:"dims"`
	Shape       []int        `json:"shape"`
	DType       string       `json:"dtype"`
	Type        string       `json:"type"`
	Unsupported string       `json:"unsupported,omitempty"`
	Layout      string       `json:"layout"`
	Chunks      []int        `json:"chunks"`
	Filters     []jsonFilter `json:"filters"`
	FillValue   any          `json:"fill_value"`
	Coordinate  bool         `json:"coordinate"`
	Attrs       orderedAttrs `json:"attrs"`
	NBytes      int64        `json:"nbytes"`
}

type jsonDim struct {
	Name      string `json:"name"`
	Len       int    `json:"len"`
	Unlimited bool   `json:"unlimited"`
}

type jsonInfo struct {
	Path   string       `json:"path"`
	Format string       `json:"format"`
	Groups []string     `json:"groups"`
	Dims   []jsonDim    `json:"dims"`
	Vars   []jsonVar    `json:"vars"`
	Attrs  orderedAttrs `json:"attrs"`
}

// writeInfoJSON writes the listing as one JSON document.
func writeInfoJSON(b *bytes.Buffer, info *dataset.Info, vars []dataset.VarInfo) error {
	doc := jsonInfo{Path: info.Path, Format: info.Format, Groups: info.Groups, Dims: []jsonDim{}, Vars: []jsonVar{}, Attrs: orderedAttrs(info.Attrs)}
	if doc.Groups == nil {
		doc.Groups = []string{"/"}
	}
	for _, d := range info.Dims {
		doc.Dims = append(doc.Dims, jsonDim{Name: d.Name, Len: d.Len, Unlimited: d.Unlimited})
	}
	for _, v := range vars {
		jv := jsonVar{Name: v.Name, Dims: v.Dims, Shape: v.Shape, Type: v.Type, Unsupported: v.Unsupported,
			Layout: v.Layout, Chunks: v.StorageChunks, Filters: []jsonFilter{}, FillValue: jsonValue(v.FillValue),
			Coordinate: v.Coordinate, Attrs: orderedAttrs(v.Attrs)}
		if jv.Dims == nil {
			jv.Dims = []string{}
		}
		if jv.Shape == nil {
			jv.Shape = []int{}
		}
		if v.DType.Valid() {
			jv.DType = v.DType.String()
			jv.NBytes = int64(chunk.Size(v.Shape)) * int64(v.DType.Size())
		}
		for _, f := range v.Filters {
			jv.Filters = append(jv.Filters, jsonFilter{Name: f.Name, ID: f.ID, Params: f.Params, Available: f.Available})
		}
		doc.Vars = append(doc.Vars, jv)
	}
	enc := json.NewEncoder(b)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
