package imagecheck

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/h2non/filetype"
	"github.com/h2non/filetype/matchers"
)

// mp4Duration reads, for tests, the movie duration from moov/mvhd in the first bytes of
// an MP4, MOV, M4V or M4A file.
func mp4Duration(head []byte) (float64, error) {
	info, need, err := mp4Scan(head, 0, -1)
	if need.Len > 0 {
		return 0, errMoovNotInHead
	}
	return info.seconds, err
}

// mp3Header128 is an MPEG-1 Layer III frame header: 128 kbit/s, 44.1 kHz,
// no padding, stereo. Its frames are 417 bytes long and last 1152 samples.
var mp3Header128 = []byte{0xFF, 0xFB, 0x90, 0x00}

// makeMP3 builds an MP3 of n frames, with a Xing header stating n frames in
// an extra first frame when xing is set, behind an ID3v2 tag of id3 body
// bytes when id3 > 0.
func makeMP3(n int, xing bool, id3 int) []byte {
	var b []byte
	if id3 > 0 {
		b = append(b, "ID3\x04\x00\x00"...)
		b = append(b, byte(id3>>21&0x7f), byte(id3>>14&0x7f), byte(id3>>7&0x7f), byte(id3&0x7f))
		b = append(b, make([]byte, id3)...)
	}
	frame := func() []byte { return append(bytes.Clone(mp3Header128), make([]byte, 413)...) }
	if xing {
		fr := frame()
		copy(fr[4+32:], "Xing")
		binary.BigEndian.PutUint32(fr[4+32+4:], 1) // flags: frame count present
		binary.BigEndian.PutUint32(fr[4+32+8:], uint32(n))
		b = append(b, fr...)
	}
	for range n {
		b = append(b, frame()...)
	}
	return b
}

// makeVBRI is an MPEG-2 (22.05 kHz, 64 kbit/s, mono) MP3 whose first frame
// carries a Fraunhofer VBRI header.
func makeVBRI(frames uint32) []byte {
	h := []byte{0xFF, 0xF3, 0x80, 0xC0} // MPEG-2 L3, bitrate idx 8 (64k), 22050 Hz, mono
	f, ok := parseMP3Header(h)
	if !ok {
		panic("bad test header")
	}
	fr := append(bytes.Clone(h), make([]byte, f.length-4)...)
	copy(fr[36:], "VBRI")
	binary.BigEndian.PutUint32(fr[36+14:], frames)
	var b []byte
	for range 3 {
		b = append(b, fr...)
	}
	return b
}

// makeM4A is an "isom"-branded file with one sound track, moov first or last.
func makeM4A(ms uint32, moovLast bool) []byte {
	ftyp := mp4Box("ftyp", []byte("isom"), []byte{0, 0, 2, 0}, []byte("isomiso2mp41"))
	hdlr := append(make([]byte, 8), "soun"...)
	hdlr = append(hdlr, make([]byte, 13)...)
	trak := mp4Box("trak", mp4Box("tkhd", make([]byte, 84)), mp4Box("mdia", mp4Box("mdhd", make([]byte, 24)), mp4Box("hdlr", hdlr)))
	moov := mp4Box("moov", mp4Box("mvhd", mvhdV0(1000, ms)), trak)
	mdat := mp4Box("mdat", make([]byte, 100<<10))
	if moovLast {
		return bytes.Join([][]byte{ftyp, mdat, moov}, nil)
	}
	return bytes.Join([][]byte{ftyp, moov, mdat}, nil)
}

// makeMP4AV is makeM4A with a video track beside the sound track.
func makeMP4AV(ms uint32) []byte {
	ftyp := mp4Box("ftyp", []byte("isom"), []byte{0, 0, 2, 0}, []byte("isomiso2mp41"))
	trak := func(h string) []byte {
		p := append(append(make([]byte, 8), h...), make([]byte, 13)...)
		return mp4Box("trak", mp4Box("mdia", mp4Box("hdlr", p)))
	}
	return bytes.Join([][]byte{ftyp, mp4Box("moov", mp4Box("mvhd", mvhdV0(1000, ms)), trak("vide"), trak("soun"))}, nil)
}

// TestFragmentedMP4 reads mvex/mehd when mvhd records no duration, and
// leaves the duration unknown, not zero, when neither does.
func TestFragmentedMP4(t *testing.T) {
	ftyp := mp4Box("ftyp", []byte("iso6"), make([]byte, 4))
	mehd := append(make([]byte, 4), 0, 0, 0x75, 0x30) // version 0, 30000 ticks
	withMehd := bytes.Join([][]byte{ftyp, mp4Box("moov", mp4Box("mvhd", mvhdV0(1000, 0)), mp4Box("mvex", mp4Box("mehd", mehd)))}, nil)
	if d, err := mp4Duration(withMehd); err != nil || d != 30 {
		t.Errorf("mehd: %v, %v; want 30 s", d, err)
	}
	bare := bytes.Join([][]byte{ftyp, mp4Box("moov", mp4Box("mvhd", mvhdV0(1000, 0)))}, nil)
	if f := Sniff(bare); f.DurationKnown || !strings.Contains(f.DurationNote, "fragmented") {
		t.Errorf("no mehd: %+v", f)
	}
}

// TestFiletypeAudioGaps records where h2non/filetype alone would misname
// audio, which is why MP3 and audio-only MP4 are recognised here first.
func TestFiletypeAudioGaps(t *testing.T) {
	mpeg2 := makeVBRI(3) // MPEG-2 Layer III: FF F3
	if filetype.IsType(mpeg2, matchers.TypeMp3) {
		t.Log("filetype now knows MPEG-2 frame syncs; looksMP3 may be simpler")
	}
	if got := SniffFormat(mpeg2); got != "mp3" {
		t.Errorf("MPEG-2 MP3 sniffed as %q", got)
	}
	isomAudio := makeM4A(1000, false)
	if filetype.IsType(isomAudio, matchers.TypeM4a) {
		t.Log("filetype now names isom audio M4A")
	}
	if f := Sniff(isomAudio); f.Format != "m4a" {
		t.Errorf("isom audio-only sniffed as %q", f.Format)
	}
	wav := makeWAV(8000, 1)
	if !filetype.IsType(wav, matchers.TypeWav) || SniffFormat(wav) != "wav" {
		t.Error("WAV: filetype and SniffFormat should agree")
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 0.01 }

func TestSniffAudio(t *testing.T) {
	const frameSecs = 1152.0 / 44100
	cbr := makeMP3(200, false, 0)
	tests := []struct {
		name   string
		data   []byte
		size   int64
		format string
		dur    float64 // 0: unknown
		need   bool
	}{
		{"mp3 xing", makeMP3(300, true, 0), -1, "mp3", 300 * frameSecs, false},
		{"mp3 xing behind id3", makeMP3(300, true, 2000), -1, "mp3", 300 * frameSecs, false},
		{"mp3 cbr, size known", cbr, int64(len(cbr)), "mp3", float64(len(cbr)) * 8 / 128000, false},
		{"mp3 cbr, size unknown", cbr, -1, "mp3", 0, false},
		{"mp3 behind a large id3 tag", makeMP3(10, true, 100<<10)[:HeadBytes], -1, "mp3", 0, true},
		{"mp3 mpeg-2 vbri", makeVBRI(1000), -1, "mp3", 1000 * 576.0 / 22050, false},
		{"a lone FF FB frame: mp3 (as filetype says), not measured", []byte{0xFF, 0xFB, 0x90, 0x00, 1, 2, 3}, -1, "mp3", 0, false},
		{"m4a brand", makeMP4("M4A ", 30000, 100), -1, "m4a", 30, false},
		{"isom audio only", makeM4A(12000, false), -1, "m4a", 12, false},
		{"isom audio only, moov last", makeM4A(12000, true)[:HeadBytes], 100<<10 + 600, "mp4", 0, true},
		{"isom audio and video", makeMP4AV(4000), -1, "mp4", 4, false},
		{"wav", makeWAV(8000, 3), -1, "wav", 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, need := sniff(tt.data, tt.size)
			if f.Format != tt.format || f.DurationKnown != (tt.dur > 0) || !near(f.Duration, tt.dur) || (need.Len > 0) != tt.need {
				t.Errorf("sniff = %q %v/%v (%s) need %+v; want %q %v need=%v", f.Format, f.Duration, f.DurationKnown, f.DurationNote, need, tt.format, tt.dur, tt.need)
			}
		})
	}
}

// TestSniffMP3Junk keeps random bytes that start like a frame sync from
// being measured as MP3.
func TestSniffMP3Junk(t *testing.T) {
	junk := append([]byte{0xFF, 0xF3, 0x88, 0xC0}, bytes.Repeat([]byte{7}, 500)...)
	if looksMP3(junk) {
		t.Error("one header followed by junk taken as MP3")
	}
	if f := Sniff([]byte{0xFF, 0xF1, 0x50, 0x80, 0, 0x1F, 0xFC}); f.Format == "mp3" {
		t.Error("AAC ADTS taken as MP3")
	}
}

// TestMP4MoovLastScan follows the walk: the head names where the box after
// mdat starts; those bytes hold moov.
func TestMP4MoovLastScan(t *testing.T) {
	file := makeM4A(7000, true)
	size := int64(len(file))
	_, need, err := mp4Scan(file[:HeadBytes], 0, size)
	if err == nil || need.Len == 0 || need.Off+need.Len != size {
		t.Fatalf("head: need %+v err %v; want a range to the end of the file", need, err)
	}
	info, need2, err := mp4Scan(file[need.Off:need.Off+need.Len], need.Off, size)
	if err != nil || need2.Len != 0 || info.seconds != 7 || !info.audioOnly {
		t.Fatalf("tail: %+v need %+v err %v", info, need2, err)
	}
	// Size unknown: ask for a bounded window.
	if _, need, _ := mp4Scan(file[:HeadBytes], 0, -1); need.Len != maxFurtherBytes {
		t.Errorf("size unknown: need %+v", need)
	}
	// A moov too large to read stays unverified without a request.
	huge := bytes.Join([][]byte{mp4Box("ftyp", []byte("isom")), {0, 0x20, 0, 0, 'm', 'o', 'o', 'v'}}, nil)
	if _, need, err := mp4Scan(huge, 0, -1); err == nil || need.Len != 0 {
		t.Errorf("2 MiB moov: need %+v err %v", need, err)
	}
}

// TestProbeAudio serves audio built in the test and checks the field rules
// infinitetalk's audio_urls use (MP3/WAV/M4A, 600 s).
func TestProbeAudio(t *testing.T) {
	const frameSecs = 1152.0 / 44100
	cbr := makeMP3(400, false, 0)
	noRange := func(data []byte) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { w.Write(data) }
	}
	mux := http.NewServeMux()
	mux.Handle("/xing.mp3", serve("xing.mp3", "audio/mpeg", makeMP3(500, true, 300)))
	mux.Handle("/cbr.mp3", serve("cbr.mp3", "audio/mpeg", cbr))
	mux.Handle("/big-id3.mp3", serve("big-id3.mp3", "audio/mpeg", makeMP3(500, true, 200<<10)))
	mux.Handle("/a.m4a", serve("a.m4a", "audio/mp4", makeM4A(9000, true)))
	mux.Handle("/audio.mp4", serve("audio.mp4", "video/mp4", makeM4A(9000, false)))
	mux.Handle("/v.mp4", serve("v.mp4", "video/mp4", makeMP4AV(9000)))
	mux.Handle("/late-norange.mp4", noRange(makeMP4MoovLast(9000)))
	mux.Handle("/a.wav", serve("a.wav", "audio/wav", makeWAV(8000, 2)))
	// An audio-only isom file with moov at the end, where moov cannot be
	// read: no ranges at all, or a second range the server refuses.
	mux.Handle("/audio-late-norange.mp4", noRange(makeM4A(9000, true)))
	var refused atomic.Bool
	mux.HandleFunc("/audio-late-refused.mp4", func(w http.ResponseWriter, r *http.Request) {
		if refused.Swap(true) {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		serve("a.mp4", "video/mp4", makeM4A(9000, true))(w, r)
	})
	s := newServer(t, mux)
	c := testChecker(s)
	talk := Spec{Media: "audio", Formats: []string{"mp3", "wav", "m4a"}, MaxFileBytes: 128 << 20, MaxSeconds: 600}
	tests := []struct {
		path  string
		spec  Spec
		v     Verdict
		rules string
		dur   float64
	}{
		{"/xing.mp3", talk, OK, "", 500 * frameSecs},
		{"/xing.mp3", Spec{Media: "audio", MaxSeconds: 10}, Failed, "error:media-duration", 500 * frameSecs},
		{"/cbr.mp3", talk, OK, "", float64(len(cbr)) * 8 / 128000},
		{"/big-id3.mp3", talk, OK, "", 500 * frameSecs},
		{"/a.m4a", talk, OK, "", 9},
		{"/a.m4a", Spec{Media: "audio", MinSeconds: 10}, Failed, "error:media-duration", 9},
		{"/audio.mp4", talk, OK, "", 9}, // audio-only isom served as video/mp4: no mismatch
		{"/v.mp4", talk, Failed, "error:unsupported-format", 9},
		{"/late-norange.mp4", Spec{Media: "video", MaxSeconds: 5}, OK, "warning:media-duration", 0},
		{"/a.wav", talk, OK, "", 2},
		// Tracks not checked: maybe an M4A, so not unsupported-format.
		{"/audio-late-norange.mp4", talk, Unverified, "warning:url-unverified,warning:media-duration", 0},
		{"/audio-late-norange.mp4", Spec{Media: "audio"}, Unverified, "warning:url-unverified", 0},
		{"/audio-late-refused.mp4", talk, Unverified, "warning:url-unverified,warning:media-duration", 0},
		// A field without m4a still refuses an MP4 whatever its tracks.
		{"/audio-late-norange.mp4", Spec{Media: "audio", Formats: []string{"mp3", "wav"}}, Failed, "error:unsupported-format", 0},
		// A video field takes it as the MP4 it is named.
		{"/audio-late-norange.mp4", Spec{Media: "video"}, OK, "", 0},
	}
	for _, tt := range tests {
		r := c.Check(context.Background(), s.URL+tt.path, tt.spec)
		if r.Verdict != tt.v || rules(r.Problems) != tt.rules || r.DurationKnown != (tt.dur > 0) || !near(r.Duration, tt.dur) {
			t.Errorf("%s: got %v %q dur %v/%v (%s) %+v; want %v %q %v", tt.path, r.Verdict, rules(r.Problems),
				r.Duration, r.DurationKnown, r.DurationNote, r.Problems, tt.v, tt.rules, tt.dur)
		}
		if r.BytesRead > HeadBytes+maxFurtherReads*maxFurtherBytes {
			t.Errorf("%s: read %d bytes", tt.path, r.BytesRead)
		}
		if strings.HasPrefix(tt.path, "/audio-late-") && tt.v == Unverified && !strings.Contains(r.Problems[0].Message, "tracks were not checked") {
			t.Errorf("%s: %q does not say the tracks were not checked", tt.path, r.Problems[0].Message)
		}
	}
	if r := c.Check(context.Background(), s.URL+"/audio-late-refused.mp4", talk); !strings.Contains(r.TracksNote, "reading further failed: HTTP 503") {
		t.Errorf("refused second range: tracks note %q", r.TracksNote)
	}
}

// TestTracksNote: an "mp4" keeps why its tracks are unknown until its moov
// box is read, and loses it (named m4a or not) once it is.
func TestTracksNote(t *testing.T) {
	file := makeM4A(7000, true)
	s := Sniff(file[:HeadBytes])
	if s.Format != "mp4" || !strings.Contains(s.TracksNote, "moov box not in the first bytes") {
		t.Fatalf("head only: %q %q", s.Format, s.TracksNote)
	}
	f, need := sniff(file[:HeadBytes], int64(len(file)))
	if need.Len == 0 {
		t.Fatal("no further range asked for")
	}
	f.further(file[need.Off:need.Off+need.Len], need.Off, int64(len(file)))
	if f.Format != "m4a" || f.TracksNote != "" || !f.DurationKnown {
		t.Errorf("after moov: %q %q known=%v", f.Format, f.TracksNote, f.DurationKnown)
	}
	if s := Sniff(makeMP4AV(1000)); s.Format != "mp4" || s.TracksNote != "" {
		t.Errorf("audio+video, moov first: %q %q", s.Format, s.TracksNote)
	}
	// Tracks are read even when mvhd records no duration.
	noDur := bytes.Replace(makeM4A(0, false), mvhdV0(1000, 0), mvhdV0(1000, 0xFFFFFFFF), 1)
	if s := Sniff(noDur); s.Format != "m4a" || s.TracksNote != "" || s.DurationKnown {
		t.Errorf("no duration: %q %q known=%v", s.Format, s.TracksNote, s.DurationKnown)
	}
	if s := Sniff(makeWAV(8000, 1)); s.TracksNote != "" {
		t.Errorf("wav: %q", s.TracksNote)
	}
}

func FuzzMP3Scan(f *testing.F) {
	f.Add(makeMP3(5, true, 0), int64(-1))
	f.Add(makeMP3(5, false, 20), int64(3000))
	f.Add(makeVBRI(10), int64(-1))
	f.Add([]byte("ID3\x04\x00\x00\x7f\x7f\x7f\x7f"), int64(100))
	f.Fuzz(func(t *testing.T, b []byte, size int64) {
		info, need, err := mp3Scan(b, 0, size)
		if err == nil && (info.seconds < 0 || info.seconds != info.seconds) {
			t.Fatalf("duration %v", info.seconds)
		}
		if need.Len < 0 || need.Off < 0 || need.Len > maxFurtherBytes {
			t.Fatalf("need %+v", need)
		}
		_ = looksMP3(b)
	})
}

func FuzzMP4Scan(f *testing.F) {
	f.Add(makeM4A(1000, false), int64(0), int64(-1))
	f.Add(makeM4A(1000, true)[:3000], int64(0), int64(200000))
	f.Add(makeMP4AV(1000), int64(5), int64(-1))
	f.Fuzz(func(t *testing.T, b []byte, off, size int64) {
		if off < 0 || off > 1<<40 {
			return
		}
		info, need, err := mp4Scan(b, off, size)
		if err == nil && (info.seconds < 0 || info.seconds != info.seconds) {
			t.Fatalf("duration %v", info.seconds)
		}
		if need.Len < 0 || need.Len > maxFurtherBytes || (need.Len > 0 && need.Off < off) {
			t.Fatalf("need %+v from off %d", need, off)
		}
	})
}
