package imagecheck

import (
	"encoding/binary"
	"errors"
	"fmt"
)

var (
	errMoovNotInHead = errors.New("moov box not in the first bytes (not fast-start)")
	errTruncated     = errors.New("header truncated")
)

// Bounds on reading further into a file for its duration. A moov box larger
// than maxFurtherBytes (hours of video with many tracks) stays unverified;
// so does a file that needs more than maxFurtherReads extra requests.
const (
	maxFurtherBytes = 1 << 20
	maxFurtherReads = 2
)

// byteRange is a span of a file a parser needs before it can answer:
// Len bytes from offset Off. The zero byteRange asks for nothing.
type byteRange struct{ Off, Len int64 }

// mediaInfo is what a media parser learned.
type mediaInfo struct {
	seconds    float64
	tracksRead bool // ISO-BMFF: the moov box was read, so audioOnly is known
	audioOnly  bool // ISO-BMFF: at least one track, and every track is a sound track
}

// mediaScan runs the duration parser for format over b, the file's bytes
// from offset off; size is the whole file's length, or -1 when unknown. When
// the answer lies beyond b, need says which bytes to read next (and err is
// the reason it is unknown so far). It is a pure function over bytes so the
// probe decides whether and how to read further.
func mediaScan(format string, b []byte, off, size int64) (mediaInfo, byteRange, error) {
	switch format {
	case "mp4", "mov", "m4v", "m4a":
		return mp4Scan(b, off, size)
	case "mp3":
		return mp3Scan(b, off, size)
	case "wav":
		if off != 0 {
			return mediaInfo{}, byteRange{}, errors.New("WAV header not at the start")
		}
		d, err := wavDuration(b)
		return mediaInfo{seconds: d}, byteRange{}, err
	}
	return mediaInfo{}, byteRange{}, fmt.Errorf("no duration parser for %s", format)
}

// box is one ISO-BMFF box. payload may be cut short by the end of the
// bytes read; truncated says so.
type box struct {
	typ       string
	payload   []byte
	truncated bool
}

// boxHeader reads a box's type, total size and header length. A size of 0
// (box extends to the end of the file) is returned as 0.
func boxHeader(b []byte) (typ string, size, hdr uint64, err error) {
	if len(b) < 8 {
		return "", 0, 0, errTruncated
	}
	size, typ, hdr = uint64(binary.BigEndian.Uint32(b)), string(b[4:8]), 8
	switch size {
	case 0:
		return typ, 0, hdr, nil
	case 1:
		if len(b) < 16 {
			return "", 0, 0, errTruncated
		}
		size, hdr = binary.BigEndian.Uint64(b[8:]), 16
	}
	if size < hdr {
		return "", 0, 0, fmt.Errorf("box %q has invalid size %d", typ, size)
	}
	return typ, size, hdr, nil
}

// nextBox splits the first box off b.
func nextBox(b []byte) (bx box, rest []byte, err error) {
	typ, size, hdr, err := boxHeader(b)
	if err != nil {
		return box{}, nil, err
	}
	bx.typ = typ
	if size == 0 || size > uint64(len(b)) {
		bx.payload, bx.truncated = b[hdr:], true
		return bx, nil, nil
	}
	return box{typ: typ, payload: b[hdr:size]}, b[size:], nil
}

// findBox returns the first box of type typ among the boxes in b.
func findBox(b []byte, typ string) (box, error) {
	for len(b) > 0 {
		bx, rest, err := nextBox(b)
		if err != nil {
			return box{}, err
		}
		if bx.typ == typ {
			return bx, nil
		}
		if bx.truncated {
			return box{}, errTruncated
		}
		b = rest
	}
	return box{}, errTruncated
}

// mp4Scan walks the top-level boxes in b (the file's bytes from offset off)
// to the moov box. Encoders that do not "fast-start" write moov after the
// media data, so the walk usually skips one large mdat whose header is in
// the first bytes and asks for the bytes where the next box starts.
func mp4Scan(b []byte, off, size int64) (mediaInfo, byteRange, error) {
	p := int64(0)
	for range 1024 { // top-level boxes; fragmented files have many
		pos := off + p
		if size >= 0 && pos >= size {
			return mediaInfo{}, byteRange{}, errors.New("no moov box in the file")
		}
		typ, bsize, hdr, err := boxHeader(b[min(p, int64(len(b))):])
		if errors.Is(err, errTruncated) {
			return mediaInfo{}, furtherFrom(pos, maxFurtherBytes, size), errMoovNotInHead
		}
		if err != nil {
			return mediaInfo{}, byteRange{}, err
		}
		if typ == "moov" {
			if bsize == 0 && size >= 0 {
				bsize = uint64(size - pos)
			}
			switch {
			case bsize == 0:
				return mediaInfo{}, byteRange{}, errors.New("moov box size not recorded and file size unknown")
			case bsize > maxFurtherBytes:
				return mediaInfo{}, byteRange{}, fmt.Errorf("moov box of %d bytes is above the %d-byte read limit", bsize, maxFurtherBytes)
			case uint64(len(b))-uint64(p) < bsize:
				return mediaInfo{}, byteRange{Off: pos, Len: int64(bsize)}, errMoovNotInHead
			}
			return parseMoov(b[p+int64(hdr) : p+int64(bsize)])
		}
		if bsize == 0 || bsize > 1<<62 {
			return mediaInfo{}, byteRange{}, fmt.Errorf("no moov box before the %q box that runs to the end", typ)
		}
		p += int64(bsize)
	}
	return mediaInfo{}, byteRange{}, errors.New("no moov box among the first 1024 boxes")
}

// furtherFrom asks for n bytes from pos, or up to the end of the file when
// its size is known and closer.
func furtherFrom(pos, n, size int64) byteRange {
	if size >= 0 && pos >= size {
		return byteRange{}
	}
	if size >= 0 && size-pos < n {
		n = size - pos
	}
	return byteRange{Off: pos, Len: n}
}

// parseMoov reads whether every track is sound and the duration from mvhd.
// The tracks come first: they name the format (m4a or mp4) even when the
// duration is not recorded.
func parseMoov(moov []byte) (mediaInfo, byteRange, error) {
	var info mediaInfo
	tracks, sound := 0, 0
	for b := moov; len(b) > 0; {
		bx, rest, err := nextBox(b)
		if err != nil || bx.truncated {
			break
		}
		if bx.typ == "trak" {
			tracks++
			if handlerType(bx.payload) == "soun" {
				sound++
			}
		}
		b = rest
	}
	info.tracksRead = true
	info.audioOnly = tracks > 0 && sound == tracks
	mvhd, err := findBox(moov, "mvhd")
	if err != nil {
		return info, byteRange{}, fmt.Errorf("mvhd box: %w", err)
	}
	if info.seconds, err = mvhdSeconds(mvhd.payload); err != nil {
		return info, byteRange{}, err
	}
	if info.seconds == 0 {
		// Fragmented MP4 leaves mvhd empty and may state the length in
		// mvex/mehd, in the same timescale.
		if info.seconds, err = mehdSeconds(moov, mvhd.payload); err != nil {
			return info, byteRange{}, err
		}
	}
	return info, byteRange{}, nil
}

// handlerType reads trak/mdia/hdlr's handler type ("vide", "soun", ...).
func handlerType(trak []byte) string {
	mdia, err := findBox(trak, "mdia")
	if err != nil {
		return ""
	}
	hdlr, err := findBox(mdia.payload, "hdlr")
	if err != nil || len(hdlr.payload) < 12 {
		return ""
	}
	return string(hdlr.payload[8:12])
}

// mehdSeconds reads a fragmented file's duration from moov/mvex/mehd,
// whose timescale is mvhd's.
func mehdSeconds(moov, mvhd []byte) (float64, error) {
	errNone := errors.New("duration not recorded (fragmented MP4 without mehd)")
	mvex, err := findBox(moov, "mvex")
	if err != nil {
		return 0, errNone
	}
	mehd, err := findBox(mvex.payload, "mehd")
	if err != nil || len(mehd.payload) < 8 {
		return 0, errNone
	}
	p := mehd.payload
	var dur uint64
	switch {
	case p[0] == 0:
		dur = uint64(binary.BigEndian.Uint32(p[4:]))
	case p[0] == 1 && len(p) >= 12:
		dur = binary.BigEndian.Uint64(p[4:])
	default:
		return 0, errNone
	}
	var scale uint32
	switch {
	case len(mvhd) >= 20 && mvhd[0] == 0:
		scale = binary.BigEndian.Uint32(mvhd[12:])
	case len(mvhd) >= 32 && mvhd[0] == 1:
		scale = binary.BigEndian.Uint32(mvhd[20:])
	}
	if dur == 0 || scale == 0 {
		return 0, errNone
	}
	return float64(dur) / float64(scale), nil
}

func mvhdSeconds(p []byte) (float64, error) {
	var scale uint32
	var dur uint64
	switch {
	case len(p) >= 20 && p[0] == 0:
		scale, dur = binary.BigEndian.Uint32(p[12:]), uint64(binary.BigEndian.Uint32(p[16:]))
		if dur == 0xFFFFFFFF {
			return 0, errors.New("mvhd duration unknown")
		}
	case len(p) >= 32 && p[0] == 1:
		scale, dur = binary.BigEndian.Uint32(p[20:]), binary.BigEndian.Uint64(p[24:])
		if dur == 1<<64-1 {
			return 0, errors.New("mvhd duration unknown")
		}
	case len(p) > 0 && p[0] > 1:
		return 0, fmt.Errorf("mvhd version %d unknown", p[0])
	default:
		return 0, fmt.Errorf("mvhd box: %w", errTruncated)
	}
	if scale == 0 {
		return 0, errors.New("mvhd timescale is zero")
	}
	return float64(dur) / float64(scale), nil
}

// wavDuration computes a WAV file's duration from its fmt chunk's byte
// rate and its data chunk's size.
func wavDuration(head []byte) (float64, error) {
	if len(head) < 12 || string(head[0:4]) != "RIFF" || string(head[8:12]) != "WAVE" {
		return 0, errors.New("not a RIFF/WAVE file")
	}
	var byteRate uint32
	for p := 12; ; {
		if p+8 > len(head) {
			return 0, fmt.Errorf("data chunk: %w", errTruncated)
		}
		id, n := string(head[p:p+4]), int64(binary.LittleEndian.Uint32(head[p+4:]))
		body := head[p+8:]
		switch id {
		case "fmt ":
			if n < 16 || len(body) < 16 {
				return 0, fmt.Errorf("fmt chunk: %w", errTruncated)
			}
			byteRate = binary.LittleEndian.Uint32(body[8:])
		case "data":
			if byteRate == 0 {
				return 0, errors.New("no byte rate before the data chunk")
			}
			if n == 0 || n == 0xFFFFFFFF {
				return 0, errors.New("data chunk size not recorded (streamed WAV)")
			}
			return float64(n) / float64(byteRate), nil
		}
		next := int64(p) + 8 + n + n&1 // chunks are padded to even size
		if next > int64(len(head)) {
			return 0, fmt.Errorf("data chunk: %w", errTruncated)
		}
		p = int(next)
	}
}
