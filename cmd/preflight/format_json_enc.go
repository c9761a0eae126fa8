package main

import (
	"strconv"
	"unicode/utf8"

	"github.com/preflight-dev/preflight/validate"
)

// appendFinding appends f as json.Marshal writes it (field order,
// omitempty, HTML-safe string escaping), without reflection: the JSON
// printer writes one per finding, and a large JSONL batch has tens of
// thousands. TestAppendFindingMatchesMarshal and FuzzAppendFinding hold
// it to encoding/json.
func appendFinding(b []byte, f *validate.Finding) []byte {
	b = append(b, `{"file":`...)
	b = appendJSONString(b, f.File)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, int64(f.Line), 10)
	b = append(b, `,"column":`...)
	b = strconv.AppendInt(b, int64(f.Column), 10)
	if f.EndLine != 0 {
		b = append(b, `,"endLine":`...)
		b = strconv.AppendInt(b, int64(f.EndLine), 10)
	}
	if f.EndColumn != 0 {
		b = append(b, `,"endColumn":`...)
		b = strconv.AppendInt(b, int64(f.EndColumn), 10)
	}
	b = append(b, `,"pointer":`...)
	b = appendJSONString(b, f.Pointer)
	b = append(b, `,"rule":`...)
	b = appendJSONString(b, f.Rule)
	b = append(b, `,"severity":`...)
	b = appendJSONString(b, string(f.Severity))
	b = append(b, `,"failCode":`...)
	b = appendJSONString(b, f.FailCode)
	b = append(b, `,"httpStatus":`...)
	b = strconv.AppendInt(b, int64(f.HTTPStatus), 10)
	b = append(b, `,"message":`...)
	b = appendJSONString(b, f.Message)
	b = append(b, `,"fix":`...)
	b = appendJSONString(b, f.Fix)
	b = append(b, `,"model":`...)
	b = appendJSONString(b, f.Model)
	b = append(b, `,"source":`...)
	b = appendJSONString(b, f.Source)
	if e := f.Edit; e != nil {
		b = append(b, `,"edit":{"start":`...)
		b = strconv.AppendInt(b, int64(e.Start), 10)
		b = append(b, `,"end":`...)
		b = strconv.AppendInt(b, int64(e.End), 10)
		b = append(b, `,"text":`...)
		b = appendJSONString(b, e.Text)
		b = append(b, '}')
	}
	if f.More > 0 { // the closing finding of --max-findings-per-rule
		b = append(b, `,"more":`...)
		b = strconv.AppendInt(b, int64(f.More), 10)
	}
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does with HTML escaping on:
// <, > and & as \u003c..., control bytes as \n or \u00XX, bytes that are
// not UTF-8 as \ufffd, and U+2028 and U+2029 escaped.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
