package validate_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/preflight-dev/preflight/imagecheck"
	"github.com/preflight-dev/preflight/validate"
)

// testPNG is a small valid PNG.
func testPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 300, 300))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// WithNetwork checks media URLs through the given checker, on loopback
// only: a 404 is the API's IMAGE_DOWNLOAD_FAILED, a PNG passes.
func TestWithNetwork(t *testing.T) {
	img := testPNG(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ok.png" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(img)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	c := &imagecheck.Checker{AllowHosts: []string{host}, Cache: nil}
	body := `{"model":"nano-banana","input":{"mode":"image-to-image","prompt":"a fox","image_urls":["` +
		srv.URL + `/ok.png","` + srv.URL + `/missing.png"]}}`
	rep, err := validate.Request(context.Background(), "", []byte(body), validate.WithNetwork(c))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Findings) != 1 || rep.Findings[0].Rule != "image-download-failed" ||
		rep.Findings[0].Pointer != "/input/image_urls/1" || rep.Findings[0].FailCode != "IMAGE_DOWNLOAD_FAILED" {
		t.Errorf("findings %+v, want one image-download-failed on /input/image_urls/1", rep.Findings)
	}
	// Offline, the same loopback URLs are not public.
	rep, _ = validate.Request(context.Background(), "", []byte(body))
	if len(rep.Findings) != 2 || rep.Findings[0].Rule != "url-not-public" {
		t.Errorf("offline findings %+v, want two url-not-public", rep.Findings)
	}
}

// WithCatalog and WithValidator choose what a request is checked against.
func TestWithCatalogAndValidator(t *testing.T) {
	cat, err := validate.ParseCatalog([]byte(`{"version":1,"date":"x","models":[{"id":"m1","family":"image","source":"https://example.com/m1",
		"fields":{"mode":{"type":"string","enum":["a"],"default":"a"},"prompt":{"type":"prompt","required":true,"maxLength":3}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	body := []byte(`{"input":{"prompt":"four"}}`)
	for name, opt := range map[string]validate.Option{
		"WithCatalog":   validate.WithCatalog(cat),
		"WithValidator": validate.WithValidator(&validate.Validator{Catalog: cat}),
	} {
		rep, err := validate.Request(context.Background(), "m1", body, opt)
		if err != nil || len(rep.Findings) != 1 || rep.Findings[0].Rule != "prompt-too-long" || rep.Model != "m1" {
			t.Errorf("%s: %v %+v", name, err, rep.Findings)
		}
	}
	// Without it, m1 is unknown to the embedded catalog.
	rep, _ := validate.Request(context.Background(), "m1", body)
	if len(rep.Findings) == 0 || rep.Findings[0].Rule != "model-unknown" {
		t.Errorf("embedded catalog: %+v", rep.Findings)
	}
}

// Finding.String leaves out what a finding does not have.
func TestFindingString(t *testing.T) {
	f := validate.Finding{Severity: validate.SeverityError, Message: "m", Rule: "r"}
	for _, tc := range []struct {
		file      string
		line, col int
		want      string
	}{
		{"", 0, 0, "error: m [r]"},
		{"", 3, 7, "3:7: error: m [r]"},
		{"a.json", 3, 7, "a.json:3:7: error: m [r]"},
		{"a.json", 0, 0, "a.json: error: m [r]"},
	} {
		f.File, f.Line, f.Column = tc.file, tc.line, tc.col
		if got := f.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc, got, tc.want)
		}
	}
}
