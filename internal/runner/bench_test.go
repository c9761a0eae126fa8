package runner

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

const benchBody = `{"model":"nano-banana","input":{"prompt":"a quiet harbour town at dawn, fishing boats","aspect_ratio":"1:1"}}`

// BenchmarkRunFiles selects and lints a directory of 2,000 request files,
// as preflight lint --offline DIR does. One op is the whole directory.
func BenchmarkRunFiles(b *testing.B) {
	dir := b.TempDir()
	for i := range 2000 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("r%05d.json", i)), []byte(benchBody), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		files, err := Selection{}.Expand(ctx, []string{dir})
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		if err := (&Runner{}).Run(ctx, files, nil, "", func(r Result) error { n += r.Requests; return r.Err }); err != nil || n != 2000 {
			b.Fatalf("%v, %d requests", err, n)
		}
	}
}

// BenchmarkRunJSONL lints a 10,000-line batch from standard input. One op
// is the whole batch; requests/s = 10000 / (ns/op * 1e-9).
func BenchmarkRunJSONL(b *testing.B) {
	const lines = 10000
	data := bytes.Repeat([]byte(benchBody+"\n"), lines)
	ctx := context.Background()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		err := (&Runner{}).Run(ctx, []string{Stdin}, bytes.NewReader(data), "batch.jsonl", func(r Result) error { n += r.Requests; return r.Err })
		if err != nil || n != lines {
			b.Fatalf("%v, %d requests", err, n)
		}
	}
	b.ReportMetric(float64(lines)*float64(b.N)/b.Elapsed().Seconds(), "requests/s")
}
