package main

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/preflight-dev/preflight/imagecheck"
)

// rgbaPNG is a w×h PNG, transparent but for an opaque red top-left quarter.
func rgbaPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h / 2 {
		for x := range w / 2 {
			m.SetNRGBA(x, y, color.NRGBA{R: 255, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestFixImage(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.png")
	if err := os.WriteFile(in, rgbaPNG(t, 120, 60), 0o644); err != nil {
		t.Fatal(err)
	}
	notImage := writeFile(t, dir, "req.json", validReq)
	out := filepath.Join(dir, "out.png")

	code, stdout, stderr := run(t, "", nil, "fix-image", in, "-o", out, "--model", "wan-2-5-video")
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	for _, want := range []string{"before: PNG 120×60", "flattened transparency onto white", "resized 120×60 to 480×240",
		"after:  PNG 480×240", `nearest allowed: "16:9"`, "checks: passed"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
	written, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	f := imagecheck.Sniff(written)
	f.Size, f.SizeKnown = int64(len(written)), true
	spec := imagecheck.Spec{MinPixels: 240, MaxPixels: 8000, NoAlpha: true, MaxFileBytes: 20 << 20}
	if v, ps := imagecheck.Evaluate(f, spec); v != imagecheck.OK || f.HasAlpha || f.Width != 480 {
		t.Errorf("written image: %+v, %v %+v", f, v, ps)
	}

	// JSON for scripts; the image goes to standard output, the report to
	// standard error.
	code, stdout, stderr = run(t, string(rgbaPNG(t, 40, 20)), nil, "fix-image", "-", "-o", "-", "--format", "jpeg", "--report", "json", "--model", "flux2")
	if code != ExitOK {
		t.Fatalf("stdin to stdout: exit %d, %s", code, stderr)
	}
	if imagecheck.SniffFormat([]byte(stdout)) != "jpeg" {
		t.Errorf("standard output is not a JPEG")
	}
	var rep struct {
		OK    bool   `json:"ok"`
		Model string `json:"model"`
		After struct {
			Format string `json:"format"`
			Bytes  int    `json:"bytes"`
		} `json:"after"`
		Quality     int      `json:"quality"`
		Actions     []string `json:"actions"`
		AspectRatio struct {
			Image, Match string
		} `json:"aspectRatio"`
	}
	if err := json.Unmarshal([]byte(stderr), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, stderr)
	}
	if !rep.OK || rep.Model != "flux-2" || rep.After.Format != "jpeg" || rep.After.Bytes != len(stdout) || rep.Quality != 95 ||
		len(rep.Actions) == 0 || rep.AspectRatio.Image != "2:1" {
		t.Errorf("report: %+v", rep)
	}

	tests := []struct {
		name string
		args []string
		want int
	}{
		{"no output", []string{"fix-image", in}, ExitUsage},
		{"two inputs", []string{"fix-image", in, in, "-o", out}, ExitUsage},
		{"bad format", []string{"fix-image", in, "-o", out, "--format", "webp"}, ExitUsage},
		{"bad report", []string{"fix-image", in, "-o", out, "--report", "xml"}, ExitUsage},
		{"unknown model", []string{"fix-image", in, "-o", out, "--model", "flux"}, ExitUsage},
		{"no image field", []string{"fix-image", in, "-o", out, "--model", "suno"}, ExitUsage},
		{"not an image", []string{"fix-image", notImage, "-o", out}, ExitFindings},
		{"over the pixel budget", []string{"fix-image", in, "-o", out, "--max-pixels", "100"}, ExitFindings},
		{"missing input", []string{"fix-image", filepath.Join(dir, "nope.png"), "-o", out}, ExitFailure},
		{"a directory", []string{"fix-image", dir, "-o", out}, ExitFailure},
		{"unwritable output", []string{"fix-image", in, "-o", filepath.Join(dir, "no", "such", "dir.png")}, ExitFailure},
		{"private URL", []string{"fix-image", "http://127.0.0.1:1/x.png", "-o", out}, ExitFailure},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, _, stderr := run(t, "", nil, tt.args...); code != tt.want {
				t.Errorf("exit %d, want %d; stderr %s", code, tt.want, stderr)
			}
		})
	}
}

// A URL is fetched with imagecheck's guarded fetcher: a loopback test
// server only with --allow-host, and the fetch is bounded.
func TestFixImageURL(t *testing.T) {
	body := rgbaPNG(t, 300, 300)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(body)
	}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "out.jpg")
	code, stdout, stderr := run(t, "", nil, "fix-image", srv.URL+"/a.png", "-o", out, "--format", "jpeg",
		"--allow-host", strings.TrimPrefix(srv.URL, "http://"))
	if code != ExitOK || !strings.Contains(stdout, "after:  JPEG 300×300") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	code, _, stderr = run(t, "", nil, "fix-image", srv.URL+"/a.png", "-o", out)
	if code != ExitFailure || !strings.Contains(stderr, "loopback") {
		t.Errorf("without --allow-host: exit %d, %s", code, stderr)
	}
}

// Names from the command line are printed escaped, never as raw control
// characters.
func TestFixImageEscapesNames(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "a\x1b[31m.png")
	if err := os.WriteFile(in, rgbaPNG(t, 8, 8), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stdout, stderr := run(t, "", nil, "fix-image", in, "-o", filepath.Join(dir, "out.png"))
	if strings.ContainsRune(stdout+stderr, 0x1b) {
		t.Errorf("raw escape in output: %q %q", stdout, stderr)
	}
}

// TestFixImageGolden keeps fix-image's reports, text and JSON, in
// testdata/fix-image/*.out: `go test ./cmd/preflight -run FixImageGolden
// -update` rewrites them after a deliberate change.
func TestFixImageGolden(t *testing.T) {
	dir, err := filepath.Abs("../../testdata/fix-image")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		in   []byte
		args []string
		code int
	}{
		{"rgba-wan-2-5-video", rgbaPNG(t, 120, 60), []string{"--model", "wan-2-5-video"}, ExitOK},
		{"rgba-wan-2-5-video-json", rgbaPNG(t, 120, 60), []string{"--model", "wan-2-5-video", "--report", "json"}, ExitOK},
		{"png-to-jpeg-flux-2", rgbaPNG(t, 300, 200), []string{"--model", "flux2", "--format", "jpeg"}, ExitOK},
		{"passes-unchanged", rgbaPNG(t, 64, 64), []string{"--model", "nano-banana"}, ExitOK},
		{"not-an-image-json", []byte(validReq), []string{"--report", "json"}, ExitFindings},
		{"too-extreme-for-wan", rgbaPNG(t, 9000, 100), []string{"--model", "wan-2-5-video"}, ExitFindings},
	}
	t.Chdir(t.TempDir()) // names in the reports are the relative in.img and out.img
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile("in.img", tt.in, 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := run(t, "", nil, append([]string{"fix-image", "in.img", "-o", "out.img"}, tt.args...)...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.code, stderr)
			}
			golden(t, filepath.Join(dir, tt.name+".out"), []byte(stdout), nil)
		})
	}
}
