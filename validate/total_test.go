package validate_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

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

// m4aMoovLast is an "isom"-branded file with one sound track whose moov
// box sits after 100 KiB of media data: past the first 64 KiB a probe reads.
func m4aMoovLast() []byte {
	box := func(typ string, parts ...[]byte) []byte {
		body := bytes.Join(parts, nil)
		return append(append(binary.BigEndian.AppendUint32(nil, uint32(8+len(body))), typ...), body...)
	}
	mvhd := make([]byte, 100)
	binary.BigEndian.PutUint32(mvhd[12:], 1000) // timescale
	binary.BigEndian.PutUint32(mvhd[16:], 9000) // 9 s
	hdlr := append(append(make([]byte, 8), "soun"...), make([]byte, 13)...)
	trak := box("trak", box("mdia", box("hdlr", hdlr)))
	return bytes.Join([][]byte{
		box("ftyp", []byte("isom"), []byte{0, 0, 2, 0}, []byte("isomiso2mp41")),
		box("mdat", make([]byte, 100<<10)),
		box("moov", box("mvhd", mvhd), trak),
	}, nil)
}

// infinitetalk's audio_urls take MP3, WAV or M4A. An audio-only MP4 whose
// moov box is read is an M4A and passes; one whose moov cannot be read (a
// server without ranges) may be one: url-unverified, never
// unsupported-format (issue 12 item 7).
func TestAudioMP4TracksUnread(t *testing.T) {
	img := testPNG(t)
	audio := m4aMoovLast()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/portrait.png":
			w.Header().Set("Content-Type", "image/png")
			w.Write(img)
		case "/ranges.m4a":
			http.ServeContent(w, r, "a.mp4", time.Time{}, bytes.NewReader(audio))
		case "/no-ranges.m4a":
			w.Header().Set("Content-Type", "audio/mp4")
			w.Write(audio)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c := &imagecheck.Checker{AllowHosts: []string{strings.TrimPrefix(srv.URL, "http://")}}
	for _, tt := range []struct {
		path string
		want string // rule@pointer, in report order
	}{
		{"/ranges.m4a", ""},
		{"/no-ranges.m4a", "url-unverified@/input/audio_urls/0"},
	} {
		body := `{"model":"infinitetalk","provider":"official","input":{"mode":"image-to-video","resolution":"720p","image_urls":["` +
			srv.URL + `/portrait.png"],"audio_urls":["` + srv.URL + tt.path + `"]}}`
		rep, err := validate.Request(context.Background(), "", []byte(body), validate.WithNetwork(c))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range rep.Findings {
			if f.Rule == "media-duration" && f.Severity == validate.SeverityWarning {
				continue // the 600 s bound is unverified too; it says why
			}
			got = append(got, f.Rule+"@"+f.Pointer)
			if f.Rule == "url-unverified" && (f.Severity != validate.SeverityWarning || !strings.Contains(f.Message, "tracks were not checked")) {
				t.Errorf("%s: %s %q, want a warning that the tracks were not checked", tt.path, f.Severity, f.Message)
			}
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("%s: findings %v, want %q\n%+v", tt.path, got, tt.want, rep.Findings)
		}
	}
}
