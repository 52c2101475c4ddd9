package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestInfoText(t *testing.T) {
	r := ok(t, "info", fixture("small.nc"))
	for _, w := range []string{
		"small.nc: format nc4", "time = 12 (unlimited)", "lat = 5",
		"float32 temp(time, lat, lon)", "shape (12, 5, 8)", "storage chunked (1, 5, 8)",
		"filters shuffle, deflate(level 4)", "fill value -999", `temp:units = "K"`, "temp:valid_range = 100, 400",
		"float64 time(time) [coordinate]", "uint8 u8(lat, lon)", "int64 big(time)",
		"unsupported: string variables are not supported",
		"global attributes:", `:title = "ndchunk test file"`, ":weights = 0.5, 1.5, 2.5",
	} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("info lacks %q:\n%s", w, r.stdout)
		}
	}
	r = ok(t, "info", fixture("plain.h5"))
	for _, w := range []string{"format hdf5", "groups: /, /grp", "float32 /a(dim0, dim1)", "storage chunked (3, 7)", "int16 /grp/b(dim3)",
		"filters lzf (not available in this library)", "unsupported: filter lzf", "unsupported: compound", `:origin = "h5py"`} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("info of the HDF5 file lacks %q:\n%s", w, r.stdout)
		}
	}
	// VAR arguments restrict the listing.
	r = ok(t, "info", fixture("small.nc"), "counts", "lat")
	if !strings.Contains(r.stdout, "int32 counts(lat, lon)") || !strings.Contains(r.stdout, "float32 lat(lat)") || strings.Contains(r.stdout, "temp(") {
		t.Errorf("info small.nc counts lat:\n%s", r.stdout)
	}
	r = ok(t, "info", fixture("classic.nc"), "-q")
	if !strings.Contains(r.stdout, "format nc3") || r.stderr != "" {
		t.Errorf("info classic.nc -q: %s / %s", r.stdout, r.stderr)
	}
}

func TestInfoJSON(t *testing.T) {
	r := ok(t, "info", fixture("small.nc"), "--json")
	var doc struct {
		Format string `json:"format"`
		Dims   []struct {
			Name      string `json:"name"`
			Len       int    `json:"len"`
			Unlimited bool   `json:"unlimited"`
		} `json:"dims"`
		Vars []struct {
			Name        string         `json:"name"`
			Dims        []string       `json:"dims"`
			Shape       []int          `json:"shape"`
			DType       string         `json:"dtype"`
			Chunks      []int          `json:"chunks"`
			Filters     []jsonFilter   `json:"filters"`
			FillValue   any            `json:"fill_value"`
			Unsupported string         `json:"unsupported"`
			Attrs       map[string]any `json:"attrs"`
		} `json:"vars"`
		Attrs map[string]any `json:"attrs"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("info --json is not JSON: %v\n%s", err, r.stdout)
	}
	if doc.Format != "nc4" || len(doc.Dims) != 3 || !doc.Dims[0].Unlimited || doc.Dims[1].Len != 5 {
		t.Errorf("format and dims: %+v", doc)
	}
	found := false
	for _, v := range doc.Vars {
		switch v.Name {
		case "temp":
			found = true
			if strings.Join(v.Dims, ",") != "time,lat,lon" || v.DType != "float32" || len(v.Chunks) != 3 || v.Chunks[0] != 1 ||
				len(v.Filters) != 2 || v.Filters[1].Name != "deflate" || v.FillValue != -999.0 || v.Attrs["units"] != "K" {
				t.Errorf("temp: %+v", v)
			}
			if vr, _ := v.Attrs["valid_range"].([]any); len(vr) != 2 {
				t.Errorf("temp valid_range: %v", v.Attrs["valid_range"])
			}
		case "names":
			if v.Unsupported == "" {
				t.Errorf("names: not marked unsupported")
			}
		}
	}
	if !found || doc.Attrs["title"] != "ndchunk test file" || doc.Attrs["version"] != 3.0 {
		t.Errorf("vars or global attributes: %+v", doc)
	}
}
