package promptcheck

import (
	"strings"
	"testing"
)

func benchPrompt(unit string, size int) string {
	var b strings.Builder
	for b.Len() < size {
		b.WriteString(unit)
	}
	return b.String()
}

func BenchmarkCheck(b *testing.B) {
	lim := Limits{MinChars: 1, MaxChars: 5000, MaxBytes: 7500, StripFrom: "--"}
	for _, bc := range []struct{ name, prompt string }{
		{"ascii-1KB", benchPrompt("A cinematic shot of a red fox in fresh snow, golden hour, 35mm. ", 1024)},
		{"cjk-emoji-1KB", benchPrompt("雪の中の赤い狐、夕暮れ 🦊❄️ 電影感、35mm。", 1024)},
	} {
		buf := make([]Problem, 0, 8)
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.prompt)))
			b.ReportAllocs()
			for b.Loop() {
				buf = AppendCheck(buf[:0], bc.prompt, lim)
			}
			if len(buf) != 0 {
				b.Fatalf("unexpected problems: %+v", buf)
			}
		})
	}
}
