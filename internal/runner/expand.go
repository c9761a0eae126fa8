package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/preflight-dev/preflight/internal/glob"
)

// DefaultExclude are the directories a walk skips besides hidden ones and
// what git ignores: installed dependencies hold JSON that is not requests.
var DefaultExclude = []string{"node_modules", "vendor"}

// Selection chooses the request files among paths, as ruff and eslint do:
// a walked directory skips hidden directories, DefaultExclude, what git
// ignores and Exclude, and keeps Files (when set) with a request file
// extension. Paths given explicitly are taken as given unless Force.
// The zero value walks with the defaults.
type Selection struct {
	// Root is the directory globs are relative to (the config file's, or
	// the working directory); "" means the working directory.
	Root string
	// Files, when set, are the globs a request file must match.
	Files []string
	// Exclude are globs of files and directories to skip. A glob without
	// a slash matches any one path segment.
	Exclude []string
	// Force applies the selection to explicit paths too (--force-exclude),
	// so a hook's file list is filtered by the repository's own selection.
	Force bool
	// NoGit skips asking git what it ignores.
	NoGit bool
}

// ErrNoFiles wraps "a path yielded no request file".
var ErrNoFiles = errors.New("no request files")

// Expand turns command-line paths into the files to lint, in order:
// directories walked in sorted order, files as given (any extension), "-"
// kept. A missing path is an error wrapping fs.ErrNotExist, and a directory
// without request files one wrapping ErrNoFiles, so a typo or a wrong
// directory never passes as "nothing to check". A symlinked directory
// given as a path is followed; links to directories inside it are not.
func (s Selection) Expand(ctx context.Context, paths []string) ([]string, error) {
	root := s.Root
	if root == "" {
		root = "."
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	var out []string
	var named []string // explicit files under Force, for one git call
	for _, p := range paths {
		if p == Stdin {
			out = append(out, p)
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, err // *PathError names the path
		}
		if !st.IsDir() {
			if s.Force && (defaultExcluded(root, p) || !s.keep(root, p, false)) {
				continue
			}
			if s.Force {
				named = append(named, p)
			}
			out = append(out, p)
			continue
		}
		found, err := s.walk(ctx, root, p)
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("%w in %s", ErrNoFiles, p)
		}
		out = append(out, found...)
	}
	if len(named) > 0 && !s.NoGit && inRepo(filepath.Dir(named[0])) {
		ign, err := gitIgnored(ctx, named)
		if err != nil {
			return nil, err
		}
		out = slices.DeleteFunc(out, func(p string) bool { return ign[p] })
	}
	return out, nil
}

func (s Selection) walk(ctx context.Context, root, dir string) ([]string, error) {
	// A trailing separator makes WalkDir's Lstat of the root follow a
	// symlinked directory; entries below keep the path as given.
	start := dir
	if !strings.HasSuffix(start, string(filepath.Separator)) {
		start += string(filepath.Separator)
	}
	var found []string
	err := filepath.WalkDir(start, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if path == start {
			return nil
		}
		globs := len(s.Exclude) > 0 || len(s.Files) > 0
		if d.IsDir() {
			// Parents were checked on the way down: the name decides.
			if strings.HasPrefix(d.Name(), ".") || slices.Contains(DefaultExclude, d.Name()) || (globs && !s.keep(root, path, true)) {
				return filepath.SkipDir
			}
			return nil
		}
		if IsRequestFile(path) && (!globs || s.keep(root, path, false)) {
			found = append(found, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("walk %s: %w", dir, err)
	}
	if !s.NoGit && len(found) > 0 && inRepo(dir) {
		ign, err := gitIgnored(ctx, found)
		if err != nil {
			return nil, err
		}
		found = slices.DeleteFunc(found, func(p string) bool { return ign[p] })
	}
	slices.Sort(found)
	return found, nil
}

// defaultExcluded reports whether a named file lies in a directory a walk
// would skip: hidden, or in DefaultExclude. Only the directories below the
// root count (a repository may itself live under ~/.cache or vendor/).
func defaultExcluded(root, path string) bool {
	rel := filepath.ToSlash(filepath.Clean(path))
	if abs, err := filepath.Abs(path); err == nil {
		if r, err := filepath.Rel(root, abs); err == nil {
			rel = filepath.ToSlash(r)
		}
	}
	segs := strings.Split(rel, "/")
	for _, seg := range segs[:len(segs)-1] {
		if seg == "." || seg == ".." {
			continue
		}
		if strings.HasPrefix(seg, ".") || slices.Contains(DefaultExclude, seg) {
			return true
		}
	}
	return false
}

// keep applies Exclude and (for files) Files to a path.
func (s Selection) keep(root, path string, isDir bool) bool {
	names := relNames(root, path)
	for _, n := range names {
		for _, g := range s.Exclude {
			if glob.MatchAny(g, n) {
				return false
			}
		}
	}
	if isDir || len(s.Files) == 0 {
		return true
	}
	for _, n := range names {
		for _, g := range s.Files {
			if glob.MatchAny(g, n) {
				return true
			}
		}
	}
	return false
}

// relNames returns the forms of path a glob may match: relative to root,
// and as given.
func relNames(root, path string) []string {
	given := strings.TrimPrefix(filepath.ToSlash(filepath.Clean(path)), "./")
	out := []string{given}
	if abs, err := filepath.Abs(path); err == nil {
		if rel, err := filepath.Rel(root, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			if r := filepath.ToSlash(rel); r != given {
				out = append(out, r)
			}
		}
	}
	return out
}

// inRepo reports whether dir is inside a git work tree (a .git at or above
// it), so a run outside any repository spawns no git process.
func inRepo(dir string) bool {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return false
		}
		dir = parent
	}
}

// gitIgnored asks git which of paths it ignores (.gitignore files,
// .git/info/exclude, core.excludesFile), one process per call. Outside a
// repository, or without git, nothing is ignored. Tracked files are never
// ignored, as in git itself.
func gitIgnored(ctx context.Context, paths []string) (map[string]bool, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return nil, nil
	}
	// Paths of one call may sit in different repositories or none; group
	// by the directory git runs in is overkill for the CLI, which walks one
	// tree per call: run where the first path is.
	dir := filepath.Dir(paths[0])
	var in bytes.Buffer
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		in.WriteString(abs)
		in.WriteByte(0)
	}
	cmd := exec.CommandContext(ctx, "git", "-C", dir, "check-ignore", "--stdin", "-z")
	cmd.Stdin = &in
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.ExitCode() == 1: // nothing ignored
		return nil, nil
	case errors.As(err, &ee) && ee.ExitCode() == 128: // not a repository, or a path outside it
		return nil, nil
	default:
		return nil, fmt.Errorf("git check-ignore: %w: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	abs := map[string]string{}
	for _, p := range paths {
		a, _ := filepath.Abs(p)
		abs[a] = p
	}
	ign := map[string]bool{}
	for _, a := range bytes.Split(out.Bytes(), []byte{0}) {
		if p, ok := abs[string(a)]; ok {
			ign[p] = true
		}
	}
	return ign, nil
}
