package validate_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/preflight-dev/preflight/imagecheck"
	"github.com/preflight-dev/preflight/validate"
)

// wav returns an 8 kHz 16-bit mono PCM WAV of the given length.
func wav(seconds int) []byte {
	const rate = 8000
	fmtc := binary.LittleEndian.AppendUint16(nil, 1) // PCM
	fmtc = binary.LittleEndian.AppendUint16(fmtc, 1)
	fmtc = binary.LittleEndian.AppendUint32(fmtc, rate)
	fmtc = binary.LittleEndian.AppendUint32(fmtc, rate*2)
	fmtc = binary.LittleEndian.AppendUint16(fmtc, 2)
	fmtc = binary.LittleEndian.AppendUint16(fmtc, 16)
	chunk := func(id string, body []byte) []byte {
		return append(append([]byte(id), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
	}
	body := bytes.Join([][]byte{[]byte("WAVE"), chunk("fmt ", fmtc), chunk("data", make([]byte, rate*2*seconds))}, nil)
	return append(append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(len(body)))...), body...)
}

// seedance-2-0 omni_reference allows at most 15 s of audio in total
// (https://apixo.ai/ko/docs/models/video/seedance-2-0): the durations of a
// request's audio_urls are summed once all are known; an unknown one
// leaves the total unverified, never a pass.
func TestMaxTotalSeconds(t *testing.T) {
	img := testPNG(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == "/ref.png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(img)
		case strings.HasPrefix(p, "/6s"):
			w.Header().Set("Content-Type", "audio/wav")
			w.Write(wav(6))
		case strings.HasPrefix(p, "/5s"):
			w.Header().Set("Content-Type", "audio/wav")
			w.Write(wav(5))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	c := &imagecheck.Checker{AllowHosts: []string{host}}
	body := func(paths ...string) string {
		q := make([]string, len(paths))
		for i, p := range paths {
			q[i] = `"` + srv.URL + p + `"`
		}
		return `{"model":"seedance-2-0","input":{"mode":"omni_reference","prompt":"a dancer","duration":5,"image_urls":["` +
			srv.URL + `/ref.png"],"audio_urls":[` + strings.Join(q, ",") + `]}}`
	}
	tests := []struct {
		name       string
		paths      []string
		want       []string // rule@pointer, in report order
		unverified int
	}{
		{"over", []string{"/6s-a.wav", "/6s-b.wav", "/6s-c.wav"}, []string{"media-duration@/input/audio_urls"}, 0},
		{"at the limit", []string{"/5s-a.wav", "/5s-b.wav", "/5s-c.wav"}, nil, 0},
		{"one unknown", []string{"/5s-a.wav", "/5s-b.wav", "/gone.wav"},
			[]string{"url-unverified@/input/audio_urls", "image-download-failed@/input/audio_urls/2"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := validate.Request(context.Background(), "", []byte(body(tt.paths...)), validate.WithNetwork(c))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range rep.Findings {
				got = append(got, f.Rule+"@"+f.Pointer)
				if f.Rule == "media-duration" && (f.Severity != validate.SeverityError || !strings.Contains(f.Message, "18.00 s long in total")) {
					t.Errorf("total over the limit: %s %q, want an error naming 18 s", f.Severity, f.Message)
				}
				if f.Rule == "url-unverified" && !strings.Contains(f.Message, "1 of 3 durations unknown") {
					t.Errorf("unknown total: %q, want it to name 1 of 3", f.Message)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") || rep.Unverified != tt.unverified {
				t.Errorf("findings %v (unverified %d), want %v (%d)\n%+v", got, rep.Unverified, tt.want, tt.unverified, rep.Findings)
			}
		})
	}
}
