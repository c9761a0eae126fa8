package fix

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFileAtomicKeepsMode(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "r.json")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, st, err := ReadFile(p, 100)
	if err != nil || string(data) != "old" {
		t.Fatalf("ReadFile = %q, %v", data, err)
	}
	if err := WriteFile(p, []byte("new"), st); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	fi, _ := os.Stat(p)
	if string(got) != "new" || fi.Mode().Perm() != 0o600 {
		t.Errorf("after WriteFile: %q, mode %v", got, fi.Mode().Perm())
	}
	if m, _ := filepath.Glob(filepath.Join(dir, ".*preflight-fix*")); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

func TestReadFileRefuses(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "r.json")
	if err := os.WriteFile(p, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := ReadFile(p, 9); err == nil || !strings.Contains(err.Error(), "larger than 9 bytes") {
		t.Errorf("over the limit: %v", err)
	}
	if _, _, err := ReadFile(dir, 100); err == nil {
		t.Errorf("a directory was read")
	}
	link := filepath.Join(dir, "l.json")
	if err := os.Symlink(p, link); err != nil {
		t.Skip(err)
	}
	if _, _, err := ReadFile(link, 100); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("symlink: %v", err)
	}
}

func TestWriteFileRefusesSwappedFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "r.json")
	other := filepath.Join(dir, "other.json")
	for _, f := range []string{p, other} {
		if err := os.WriteFile(f, []byte(f), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, st, err := ReadFile(p, 1000)
	if err != nil {
		t.Fatal(err)
	}
	// Between read and write, the path is replaced by a link elsewhere.
	os.Remove(p)
	if err := os.Symlink(other, p); err != nil {
		t.Skip(err)
	}
	if err := WriteFile(p, []byte("x"), st); err == nil {
		t.Errorf("WriteFile wrote to a swapped path")
	}
	if got, _ := os.ReadFile(other); string(got) != other {
		t.Errorf("the link's target was written: %q", got)
	}
}
