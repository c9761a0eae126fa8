package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
)

// Find looks for .preflight.yaml in dir and its parents up to the
// repository root (the nearest directory holding .git), never above it.
// Outside a repository only dir itself is searched: a config in a parent
// directory that no repository claims (a shared /tmp, a home directory)
// is not this project's. It returns "" without error when there is none.
func Find(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	root := RepoRoot(dir)
	if root == "" {
		root = dir
	}
	for {
		p := filepath.Join(dir, ConfigFileName)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
		if dir == root {
			return "", nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// RepoRoot returns the nearest directory at or above dir (absolute) that
// holds .git, or "".
func RepoRoot(dir string) string {
	for {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// UserFile is the user's own config, preflight/config.yaml in the user
// config directory that os.UserConfigDir would choose
// ($XDG_CONFIG_HOME, else ~/.config; ~/Library/Application Support on
// macOS; %AppData% on Windows), read through getenv so tests and embedders
// decide it. "" when there is none.
func UserFile(getenv func(string) string) string {
	dir := ""
	switch d := getenv("XDG_CONFIG_HOME"); {
	case d != "" && filepath.IsAbs(d) && runtime.GOOS != "windows" && runtime.GOOS != "darwin":
		dir = d
	case runtime.GOOS == "windows":
		dir = getenv("AppData")
	case runtime.GOOS == "darwin":
		if h := getenv("HOME"); h != "" {
			dir = filepath.Join(h, "Library", "Application Support")
		}
	default:
		if h := getenv("HOME"); h != "" {
			dir = filepath.Join(h, ".config")
		}
	}
	if dir == "" || !filepath.IsAbs(dir) {
		return ""
	}
	return filepath.Join(dir, "preflight", "config.yaml")
}

// readFile reads a regular file of at most MaxFileBytes: a config named
// by a repository may be a FIFO or /dev/zero.
func readFile(path string) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, &ConfigError{File: path, Msg: fmt.Sprintf("config is larger than %d bytes", MaxFileBytes)}
	}
	return data, nil
}

var errNotUser = errors.New("only network: and maxRequestBytes: are read from the user config")
