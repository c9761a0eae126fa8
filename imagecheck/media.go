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

// box is one ISO-BMFF box. payload may be cut short by the end of the
// bytes read; truncated says so.
type box struct {
	typ       string
	payload   []byte
	truncated bool
}

// nextBox splits the first box off b.
func nextBox(b []byte) (bx box, rest []byte, err error) {
	if len(b) < 8 {
		return box{}, nil, errTruncated
	}
	size := uint64(binary.BigEndian.Uint32(b))
	bx.typ = string(b[4:8])
	hdr := uint64(8)
	switch size {
	case 0: // extends to the end of the file
		size = 1<<63 - 1
	case 1:
		if len(b) < 16 {
			return box{}, nil, errTruncated
		}
		size, hdr = binary.BigEndian.Uint64(b[8:]), 16
	}
	if size < hdr {
		return box{}, nil, fmt.Errorf("box %q has invalid size %d", bx.typ, size)
	}
	if size > uint64(len(b)) {
		bx.payload, bx.truncated = b[hdr:], true
		return bx, nil, nil
	}
	return box{typ: bx.typ, payload: b[hdr:size]}, b[size:], nil
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

// mp4Duration reads the movie duration from moov/mvhd in the first bytes of
// an MP4, MOV, M4V or M4A file.
func mp4Duration(head []byte) (float64, error) {
	moov, err := findBox(head, "moov")
	if err != nil {
		return 0, errMoovNotInHead
	}
	mvhd, err := findBox(moov.payload, "mvhd")
	if err != nil {
		return 0, fmt.Errorf("mvhd box: %w", err)
	}
	p := mvhd.payload
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
