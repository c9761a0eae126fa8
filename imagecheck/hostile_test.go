package imagecheck

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"
	"unicode"
)

// Hostile servers and files: each must end within the Checker's bounds and
// say honestly what could not be checked.

func quickChecker(s *server) *Checker {
	c := testChecker(s)
	c.Timeout = 300 * time.Millisecond
	c.MaxRetries = -1
	return c
}

func TestHostileServers(t *testing.T) {
	png := makePNG(t, 16, 16, false)
	var zeros bytes.Buffer
	zw := gzip.NewWriter(&zeros)
	zw.Write(make([]byte, 64<<20)) // 64 MiB of zeros, ~64 KiB compressed
	zw.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/huge-header", func(w http.ResponseWriter, r *http.Request) {
		for i := range 64 {
			w.Header().Set(fmt.Sprintf("X-Pad-%d", i), strings.Repeat("a", 32<<10))
		}
		w.Write(png)
	})
	mux.HandleFunc("/slowloris", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		for i := range 100000 {
			if _, err := w.Write(png[i%len(png) : i%len(png)+1]); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			select {
			case <-time.After(50 * time.Millisecond):
			case <-r.Context().Done():
				return
			}
		}
	})
	mux.HandleFunc("/gzip-bomb", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "image/png")
		w.Write(zeros.Bytes())
	})
	mux.HandleFunc("/huge-range", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Range", "bytes 0-65535/99999999999999999999999999")
		w.WriteHeader(http.StatusPartialContent)
		w.Write(png)
	})
	mux.HandleFunc("/retry-10y", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "315360000")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	mux.HandleFunc("/retry-date", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", time.Now().AddDate(10, 0, 0).UTC().Format(http.TimeFormat))
		w.WriteHeader(http.StatusTooManyRequests)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/loop", http.StatusFound)
	})
	mux.HandleFunc("/many/{n}", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscan(r.PathValue("n"), &n)
		http.Redirect(w, r, fmt.Sprintf("/many/%d", n+1), http.StatusFound)
	})
	s := newServer(t, mux)

	for _, tc := range []struct {
		path    string
		verdict Verdict
		check   func(t *testing.T, r Result)
	}{
		{"/huge-header", Unverified, nil},
		{"/slowloris", Unverified, func(t *testing.T, r Result) {
			if !strings.Contains(r.Err, "timed out") {
				t.Errorf("err %q", r.Err)
			}
		}},
		{"/gzip-bomb", Failed, func(t *testing.T, r Result) {
			// The bytes are judged as sent: gzip, not a PNG, and not
			// decompressed past the head.
			if r.Format == "png" || r.BytesRead > HeadBytes {
				t.Errorf("format %q, read %d bytes", r.Format, r.BytesRead)
			}
		}},
		{"/huge-range", Unverified, func(t *testing.T, r Result) {
			// An unparsable total is no size: say so (a url-unverified
			// warning), never take a number from it.
			if r.SizeKnown || rules(r.Problems) != "warning:url-unverified" {
				t.Errorf("size %d taken from an unparsable Content-Range", r.Size)
			}
		}},
		{"/retry-10y", Unverified, func(t *testing.T, r Result) {
			if r.Attempts != 1 {
				t.Errorf("%d attempts", r.Attempts)
			}
		}},
		{"/retry-date", Unverified, func(t *testing.T, r Result) {
			if r.Attempts != 1 {
				t.Errorf("%d attempts", r.Attempts)
			}
		}},
		{"/loop", Failed, nil},
		{"/many/0", Failed, nil},
	} {
		t.Run(tc.path, func(t *testing.T) {
			c := quickChecker(s)
			c.MaxRetries = 3 // Retry-After must end the retries, not the retry count
			before := s.requests.Load()
			start := time.Now()
			r := c.Check(context.Background(), s.URL+tc.path, Spec{})
			if el := time.Since(start); el > 2*time.Second {
				t.Errorf("took %v", el)
			}
			if r.Verdict != tc.verdict {
				t.Errorf("verdict %v, want %v: %+v", r.Verdict, tc.verdict, r.Problems)
			}
			if n := s.requests.Load() - before; n > 4*(maxRedirects+1) {
				t.Errorf("%d requests", n)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

// What a server says (status reason, errors quoting its bytes) reaches
// terminals and CI logs: no control characters, and a bounded length.
func TestServerTextSanitised(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				conn.Read(make([]byte, 4096))
				fmt.Fprintf(conn, "HTTP/1.1 404 Not\x1b]0;pwned\x07\x1b[2J%s\r\nContent-Length: 0\r\n\r\n", strings.Repeat("x", 100000))
			}()
		}
	}()
	c := &Checker{AllowHosts: []string{ln.Addr().String()}, MaxRetries: -1, Timeout: time.Second}
	r := c.Check(context.Background(), "http://"+ln.Addr().String()+"/x.png", Spec{})
	if r.Verdict != Failed || len(r.Problems) == 0 {
		t.Fatalf("%v %+v", r.Verdict, r.Problems)
	}
	for _, s := range []string{r.Err, r.Problems[0].Message} {
		if strings.ContainsFunc(s, unicode.IsControl) || len(s) > 1000 {
			t.Errorf("unsanitised server text (%d bytes): %q", len(s), s[:min(len(s), 200)])
		}
	}
}

// pngHeader is a PNG signature and IHDR declaring w×h.
func pngHeader(w, h uint32, colorType byte) []byte {
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, colorType, 0, 0, 0)
	chunk := append([]byte("IHDR"), ihdr...)
	b := append([]byte("\x89PNG\r\n\x1a\n"), binary.BigEndian.AppendUint32(nil, 13)...)
	b = append(b, chunk...)
	return binary.BigEndian.AppendUint32(b, crc32.ChecksumIEEE(chunk))
}

// Headers declaring enormous sizes are read, never allocated for.
func TestSniffHostileHeadersBoundedMemory(t *testing.T) {
	bmp := makeBMP(t)
	binary.LittleEndian.PutUint32(bmp[18:], 0x7fffffff)
	binary.LittleEndian.PutUint32(bmp[22:], 0x7fffffff)
	gif := makeGIF(t)
	binary.LittleEndian.PutUint16(gif[6:], 0xffff)
	binary.LittleEndian.PutUint16(gif[8:], 0xffff)
	tiff := makeTIFF(t)
	jpg := makeJPEG(t, 8, 8)
	if i := bytes.Index(jpg, []byte{0xff, 0xc0}); i >= 0 {
		binary.BigEndian.PutUint16(jpg[i+5:], 0xffff)
		binary.BigEndian.PutUint16(jpg[i+7:], 0xffff)
	}
	// VP8X with 2^24×2^24 canvas.
	vp8x := []byte("RIFF\x00\x00\x00\x00WEBPVP8X\x0a\x00\x00\x00\x10\x00\x00\x00\xff\xff\xff\xff\xff\xff")
	// A TIFF IFD entry claiming 2^30 values.
	bigIFD := bytes.Clone(tiff)
	binary.LittleEndian.PutUint32(bigIFD[binary.LittleEndian.Uint32(bigIFD[4:])+2+4:], 1<<30)
	mp4 := func(sizes ...[]byte) []byte { return bytes.Join(sizes, nil) }
	box64 := append(binary.BigEndian.AppendUint32(nil, 1), "moov"...)
	box64 = binary.BigEndian.AppendUint64(box64, 1<<62)
	wav0 := makeWAV(8000, 1)
	binary.LittleEndian.PutUint32(wav0[bytes.Index(wav0, []byte("fmt "))+8+8:], 0)
	files := map[string][]byte{
		"png 2^31-1": pngHeader(0x7fffffff, 0x7fffffff, 2),
		"png 2^31":   pngHeader(0x80000000, 0x80000000, 6),
		"png max":    pngHeader(0xffffffff, 0xffffffff, 3),
		"bmp":        bmp, "gif": gif, "jpeg": jpg, "webp vp8x": vp8x, "tiff ifd": bigIFD,
		"mp4 size 0":        mp4(mp4Box("ftyp", []byte("isom"), make([]byte, 8)), []byte{0, 0, 0, 0}, []byte("moov")),
		"mp4 size 1 huge":   mp4(mp4Box("ftyp", []byte("isom"), make([]byte, 8)), box64),
		"mp4 size 1 short":  mp4(mp4Box("ftyp", []byte("isom"), make([]byte, 8)), []byte{0, 0, 0, 1}, []byte("moov"), make([]byte, 8)),
		"mp4 beyond buffer": mp4(mp4Box("ftyp", []byte("isom"), make([]byte, 8)), []byte{0x7f, 0xff, 0xff, 0xff}, []byte("moov"), mp4Box("mvhd", mvhdV0(0, 0))),
		"mp4 size 7":        mp4(mp4Box("ftyp", []byte("isom"), make([]byte, 8)), []byte{0, 0, 0, 7}, []byte("moov")),
		"wav byte rate 0":   wav0,
	}
	for name, b := range files {
		var m0, m1 runtime.MemStats
		runtime.ReadMemStats(&m0)
		f := Sniff(b)
		runtime.ReadMemStats(&m1)
		if alloc := m1.TotalAlloc - m0.TotalAlloc; alloc > 4<<20 {
			t.Errorf("%s: Sniff allocated %d bytes", name, alloc)
		}
		switch {
		case strings.HasPrefix(name, "mp4") && f.DurationKnown:
			t.Errorf("%s: duration %v from a malformed box", name, f.Duration)
		case name == "wav byte rate 0" && (f.DurationKnown || !strings.Contains(f.DurationNote, "byte rate")):
			t.Errorf("%s: %+v", name, f)
		}
	}
}
