package fix

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// MaxFileBytes bounds a JSONL file read whole for fixing (a .json file is
// bounded by the request limit). Lint streams larger files; --fix leaves
// them alone and says so.
const MaxFileBytes = 64 << 20

// ErrSymlink refuses to fix a file named through a symbolic link: the
// write would land wherever the link points, outside what was linted.
var ErrSymlink = errors.New("is a symbolic link; not fixed")

// ReadFile reads path for fixing: a regular file, not a symbolic link, of
// at most max bytes. It returns the file's info for WriteFile.
func ReadFile(path string, max int64) ([]byte, fs.FileInfo, error) {
	st, err := os.Lstat(path)
	if err != nil {
		return nil, nil, err
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return nil, nil, fmt.Errorf("%s %w", path, ErrSymlink)
	}
	if !st.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("%s is not a regular file; not fixed", path)
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	fst, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	if !os.SameFile(st, fst) {
		return nil, nil, fmt.Errorf("%s changed while it was opened; not fixed", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > max {
		return nil, nil, fmt.Errorf("%s is larger than %d bytes; not fixed", path, max)
	}
	return data, fst, nil
}

// WriteFile replaces path with data atomically: a temporary file in the
// same directory with the mode of the original (st, from ReadFile), synced,
// then renamed over path. It refuses when path is no longer the file that
// was read (replaced by a link or another file, or written to meanwhile).
func WriteFile(path string, data []byte, st fs.FileInfo) (err error) {
	now, err := os.Lstat(path)
	if err != nil {
		return err
	}
	if !now.Mode().IsRegular() || !os.SameFile(st, now) || now.Size() != st.Size() || !now.ModTime().Equal(st.ModTime()) {
		return fmt.Errorf("%s changed while it was fixed; not written", path)
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".preflight-fix-*")
	if err != nil {
		return fmt.Errorf("fix %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(st.Mode().Perm()); err != nil {
		return fmt.Errorf("fix %s: %w", path, err)
	}
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("fix %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("fix %s: %w", path, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("fix %s: %w", path, err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("fix %s: %w", path, err)
	}
	return nil
}
