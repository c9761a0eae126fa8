package imagecheck

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// mp3Frame is one parsed MPEG audio Layer III frame header.
type mp3Frame struct {
	mpeg1      bool // MPEG-1; otherwise MPEG-2 or 2.5 (half the samples per frame)
	mono       bool
	bitrate    int // bits per second
	sampleRate int // Hz
	length     int // bytes, header included
}

func (f mp3Frame) samples() int {
	if f.mpeg1 {
		return 1152
	}
	return 576
}

// sideInfo is the size of the side information after the header, where a
// Xing/Info tag starts.
func (f mp3Frame) sideInfo() int {
	switch {
	case f.mpeg1 && f.mono:
		return 17
	case f.mpeg1:
		return 32
	case f.mono:
		return 9
	}
	return 17
}

// Layer III bitrates in kbit/s by index, for MPEG-1 and for MPEG-2/2.5.
var (
	mp3Bitrates1 = [16]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0}
	mp3Bitrates2 = [16]int{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0}
	mp3Rates     = [3]int{44100, 48000, 32000} // MPEG-1; halved for MPEG-2, quartered for 2.5
)

// parseMP3Header reads a Layer III frame header. Free-format bitrates and
// reserved values are rejected: they cannot be measured, and random bytes
// hit them often.
func parseMP3Header(h []byte) (mp3Frame, bool) {
	if len(h) < 4 || h[0] != 0xFF || h[1]&0xE0 != 0xE0 {
		return mp3Frame{}, false
	}
	version := h[1] >> 3 & 3 // 0: 2.5, 1: reserved, 2: MPEG-2, 3: MPEG-1
	layer := h[1] >> 1 & 3   // 1: Layer III
	bri := h[2] >> 4
	sri := h[2] >> 2 & 3
	if version == 1 || layer != 1 || bri == 0 || bri == 15 || sri == 3 {
		return mp3Frame{}, false
	}
	f := mp3Frame{mpeg1: version == 3, mono: h[3]>>6 == 3}
	rate := mp3Rates[sri]
	switch version {
	case 3:
		f.bitrate = mp3Bitrates1[bri] * 1000
	case 2:
		f.bitrate, rate = mp3Bitrates2[bri]*1000, rate/2
	case 0:
		f.bitrate, rate = mp3Bitrates2[bri]*1000, rate/4
	}
	f.sampleRate = rate
	pad := int(h[2] >> 1 & 1)
	f.length = f.samples()/8*f.bitrate/rate + pad
	return f, f.length >= 4
}

// id3v2Len is the length of an ID3v2 tag at the start of b (0 if none).
func id3v2Len(b []byte) (int64, bool) {
	if len(b) < 10 || string(b[:3]) != "ID3" || b[3] == 0xFF || b[4] == 0xFF {
		return 0, false
	}
	var n int64
	for _, c := range b[6:10] {
		if c&0x80 != 0 {
			return 0, false // sizes are "syncsafe": 7 bits per byte
		}
		n = n<<7 | int64(c)
	}
	n += 10
	if b[5]&0x10 != 0 {
		n += 10 // footer
	}
	return n, true
}

// mp3ScanWindow is how far past a tag the first frame may start (encoders
// pad with zeros).
const mp3ScanWindow = 4096

// findMP3Frame finds the first Layer III frame in b[from:], within the scan
// window, whose successor (when b holds it) is also a frame header: one
// header alone matches random bytes too often.
func findMP3Frame(b []byte, from int) (int, mp3Frame, bool) {
	for i := from; i+4 <= len(b) && i < from+mp3ScanWindow; i++ {
		if b[i] == 0xFF && mp3FrameAt(b, i) {
			f, _ := parseMP3Header(b[i:])
			return i, f, true
		}
	}
	return 0, mp3Frame{}, false
}

// looksMP3 reports whether b (a file's first bytes) is an MP3: an ID3v2 tag
// (whatever follows it, if beyond b), or Layer III frames at the start.
func looksMP3(b []byte) bool {
	if n, ok := id3v2Len(b); ok {
		if n+4 > int64(len(b)) {
			return true
		}
		_, _, ok := findMP3Frame(b, int(n))
		return ok
	}
	// No tag: the frames must start at byte 0. Scanning further would cost
	// every other format a 4 KiB walk and find frame syncs in random bytes.
	return mp3FrameAt(b, 0)
}

// mp3FrameAt reports whether a frame header starts at b[i] and, when b
// holds it, another one follows it.
func mp3FrameAt(b []byte, i int) bool {
	f, ok := parseMP3Header(b[i:])
	if !ok {
		return false
	}
	next := i + f.length
	if next+4 <= len(b) {
		_, ok = parseMP3Header(b[next:])
	}
	return ok
}

// mp3Scan reads an MP3's duration from b, the file's bytes from offset off;
// size is the file's length or -1. A VBR file states its frame count in a
// Xing (or Info) or VBRI header in its first frame; a CBR file's duration is
// its audio bytes over its bitrate, which needs the size. An ID3v2 tag larger
// than b (cover art) makes it ask for the bytes after the tag.
func mp3Scan(b []byte, off, size int64) (mediaInfo, byteRange, error) {
	p := int64(0)
	for range 4 { // a file may carry more than one tag
		n, ok := id3v2Len(b[min(p, int64(len(b))):])
		if !ok {
			break
		}
		p += n
	}
	if p+4 > int64(len(b)) {
		if size >= 0 && off+p >= size {
			return mediaInfo{}, byteRange{}, errors.New("ID3 tag runs past the end of the file")
		}
		return mediaInfo{}, furtherFrom(off+p, 16<<10, size), errors.New("first MP3 frame is after the bytes read")
	}
	i, f, ok := findMP3Frame(b, int(p))
	if !ok {
		return mediaInfo{}, byteRange{}, errors.New("no MPEG Layer III frame header found")
	}
	if frames, ok := mp3FrameCount(b[i:], f); ok {
		if frames == 0 {
			return mediaInfo{}, byteRange{}, errors.New("MP3 Xing/VBRI header records 0 frames")
		}
		return mediaInfo{seconds: float64(frames) * float64(f.samples()) / float64(f.sampleRate)}, byteRange{}, nil
	}
	if size < 0 {
		return mediaInfo{}, byteRange{}, errors.New("MP3 has no Xing/VBRI header and the file size is unknown")
	}
	audio := size - off - int64(i)
	if audio <= 0 {
		return mediaInfo{}, byteRange{}, fmt.Errorf("MP3 frame at %d is beyond the file size %d", off+int64(i), size)
	}
	return mediaInfo{seconds: float64(audio) * 8 / float64(f.bitrate)}, byteRange{}, nil
}

// mp3FrameCount reads the frame count from a Xing/Info or VBRI header in
// the frame at the start of fr.
func mp3FrameCount(fr []byte, f mp3Frame) (uint32, bool) {
	if x := 4 + f.sideInfo(); len(fr) >= x+12 {
		if tag := string(fr[x : x+4]); tag == "Xing" || tag == "Info" {
			if binary.BigEndian.Uint32(fr[x+4:])&1 == 0 {
				return 0, false // no frame count: fall back to the size
			}
			return binary.BigEndian.Uint32(fr[x+8:]), true
		}
	}
	const v = 4 + 32 // VBRI sits after 32 bytes whatever the channel mode
	if len(fr) >= v+18 && string(fr[v:v+4]) == "VBRI" {
		return binary.BigEndian.Uint32(fr[v+14:]), true
	}
	return 0, false
}
