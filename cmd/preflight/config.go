package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/preflight-dev/preflight/internal/config"
	"github.com/preflight-dev/preflight/internal/runner"
	"github.com/preflight-dev/preflight/validate"
)

// configFlags are the flags of `preflight lint` that choose the config, the
// baseline and the files.
type configFlags struct {
	path          string
	noConfig      bool
	trust         bool
	baseline      string
	baselineWrite string
	exclude       []string
	forceExclude  bool
	maxBytes      int64
}

func (cf *configFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&cf.path, "config", "", "config file (default: .preflight.yaml in the working directory or a parent, up to the repository root)")
	fl.BoolVar(&cf.noConfig, "no-config", false, "ignore .preflight.yaml files")
	fl.BoolVar(&cf.trust, "trust-config", false, "let the project config widen the run (allowHosts, cache dir, caps); see README \"Configuration\"")
	fl.StringVar(&cf.baseline, "baseline", "", "report only findings not recorded in this baseline FILE")
	fl.StringVar(&cf.baselineWrite, "baseline-write", "", "record the current findings in FILE as a baseline and exit 0")
	fl.StringVar(&cf.baselineWrite, "write-baseline", "", "alias of --baseline-write")
	_ = fl.MarkHidden("write-baseline")
	fl.StringArrayVar(&cf.exclude, "exclude", nil, "skip files and directories matching GLOB (repeatable; a GLOB without / matches any path segment)")
	fl.BoolVar(&cf.forceExclude, "force-exclude", false, "apply the file selection (git ignores, node_modules/, vendor/, --exclude, config files:/exclude:) to paths given explicitly too")
	fl.Int64Var(&cf.maxBytes, "max-request-bytes", runner.DefaultMaxBytes, "largest request file or JSONL line read; a larger one is a request-too-large finding")
}

// loadConfig reads the user's own config (trusted for network settings)
// and the project config: --config, else the nearest .preflight.yaml up to
// the repository root. A project config that widens the run is refused
// unless trust is set (a configError: the remedy is in the message, not in
// --help). No config is not an error; a bad one is a usage error (exit 2).
func (c *Command) loadConfig(path string, noConfig, trust bool) (*config.Config, error) {
	var user *config.Config
	if up := config.UserFile(c.Getenv); up != "" {
		if _, err := os.Stat(up); err == nil {
			u, err := config.ParseUser(up)
			if err != nil {
				return nil, usageError{fmt.Errorf("user config: %w", err)}
			}
			user = u
		}
	}
	if noConfig && path == "" {
		return c.announce(user), nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return nil, err
	}
	if path == "" {
		if path, err = config.Find(wd); err != nil {
			return nil, err
		}
		if path == "" {
			return c.announce(user), nil
		}
	}
	cfg, err := config.LoadConfig(path)
	if err != nil {
		// Every problem of the file, one line each (errorText).
		var ces config.ConfigErrors
		if errors.As(err, &ces) {
			errs := make([]error, len(ces))
			for i, e := range ces {
				errs[i] = fmt.Errorf("config: %w", e)
			}
			return nil, usageError{errors.Join(errs...)}
		}
		return nil, usageError{fmt.Errorf("config: %w", err)}
	}
	if !trust {
		repo := config.RepoRoot(cfg.Dir)
		if repo == "" {
			repo = cfg.Dir
		}
		userCache, _ := os.UserCacheDir()
		if ws := cfg.Widenings(repo, userCache, runner.DefaultMaxBytes); len(ws) > 0 {
			errs := make([]error, len(ws), len(ws)+1)
			for i, w := range ws {
				errs[i] = w
			}
			if up := config.UserFile(c.Getenv); up != "" {
				errs = append(errs, fmt.Errorf("your own config file is %s", up))
			}
			return nil, configError{errors.Join(errs...)}
		}
	}
	cfg.Under(user)
	return c.announce(cfg), nil
}

// announce says on stderr which config the run uses and what it turns off
// or relaxes, so that a weakening is never silent.
func (c *Command) announce(cfg *config.Config) *config.Config {
	if cfg == nil {
		return nil
	}
	name := cfg.Path
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, name); err == nil && !strings.HasPrefix(rel, "..") {
			name = rel
		}
	}
	msg := "preflight: using config " + name
	if r := cfg.Relaxations(); len(r) > 0 {
		msg += ": " + strings.Join(r, "; ")
	}
	fmt.Fprintln(c.Stderr, printableLine(msg))
	return cfg
}

// applyConfig copies the config's settings into the lint flags that were
// not given on the command line: flags win over the file. Paths in the
// config are relative to the config file.
func applyConfig(fl *pflag.FlagSet, f *lintFlags, cfg *config.Config) {
	unset := func(name string) bool {
		flag := fl.Lookup(name)
		return flag != nil && !flag.Changed
	}
	if cfg.MaxRequestBytes != nil && unset("max-request-bytes") {
		f.cfg.maxBytes = *cfg.MaxRequestBytes
	}
	n := cfg.Network
	if n.Offline != nil && unset("offline") {
		f.offline = *n.Offline
	}
	if len(n.AllowHosts) > 0 && unset("allow-host") {
		f.network.allowHosts = append([]string(nil), n.AllowHosts...)
	}
	if n.Concurrency != nil && unset("concurrency") {
		f.network.concurrency = *n.Concurrency
	}
	if n.Timeout != nil && unset("timeout") {
		f.network.timeout = n.Timeout.Duration
	}
	if c := n.Cache; c != nil {
		if c.Enabled != nil && unset("no-cache") {
			f.network.noCache = !*c.Enabled
		}
		if c.Dir != "" && unset("cache") {
			f.network.cacheDir = cfg.Resolve(c.Dir)
		}
		if c.TTL != nil && unset("cache-ttl") {
			f.network.cacheTTL = c.TTL.Duration
		}
	}
}

// selection is the file selection of the run: flags plus the config's
// files:/exclude:, globs relative to the config's directory.
func (f *lintFlags) selection(cfg *config.Config) runner.Selection {
	s := runner.Selection{Exclude: slices.Clone(f.cfg.exclude), Force: f.cfg.forceExclude}
	if cfg != nil {
		s.Root = cfg.Dir
		s.Files = cfg.Files
		s.Exclude = append(s.Exclude, cfg.Exclude...)
	}
	return s
}

// lintStage is the filter between the runner and the printers: config
// (severity remap, ignore, expect) then baseline, so every output format
// sees the same findings.
type lintStage struct {
	cfg      *config.Config
	baseline *baseline // --baseline: findings to drop
	record   *baseline // --baseline-write: findings seen
	recordTo string

	// Files under expect: entries, in order. Their findings are held back
	// from the printers: they either are exactly what was declared, or the
	// run fails and prints them with the diff. A file may arrive in
	// several parts (a large JSONL file), so the verdict waits for finish.
	expect     []*expectState
	expectIdx  map[string]*expectState
	suppressed int
}

type expectState struct {
	res        *config.ExpectResult
	unexpected []validate.Finding
	held       int
}

// newStage loads the config and the baseline and applies the config's
// settings to f.
func (c *Command) newStage(cmd *cobra.Command, f *lintFlags) (*lintStage, error) {
	cfg, err := c.loadConfig(f.cfg.path, f.cfg.noConfig, f.cfg.trust)
	if err != nil {
		return nil, err
	}
	s := &lintStage{cfg: cfg}
	if cfg != nil {
		applyConfig(cmd.Flags(), f, cfg)
	}
	if f.cfg.maxBytes < 1 {
		return nil, usagef("--max-request-bytes must be at least 1")
	}
	if f.cfg.baseline != "" && f.cfg.baselineWrite != "" {
		return nil, usagef("--baseline and --baseline-write exclude each other")
	}
	if f.cfg.baseline != "" {
		if s.baseline, err = readBaseline(f.cfg.baseline); err != nil {
			return nil, usageError{err}
		}
	}
	if f.cfg.baselineWrite != "" {
		s.record = &baseline{}
		s.recordTo = f.cfg.baselineWrite
	}
	return s, nil
}

func (s *lintStage) catalog() *validate.Catalog { return s.cfg.Catalog() }

// file filters one file's findings (or one part of a file's).
func (s *lintStage) file(res runner.Result) runner.Result {
	a := s.cfg.Apply(res.File, res.Findings)
	s.suppressed += a.Suppressed
	fs := a.Findings
	if a.Expect != nil {
		all := append(a.Expected, a.Findings...)
		st := s.expectIdx[res.File]
		if st == nil {
			if s.expectIdx == nil {
				s.expectIdx = map[string]*expectState{}
			}
			st = &expectState{res: a.Expect}
			s.expectIdx[res.File] = st
			s.expect = append(s.expect, st)
		} else {
			st.res.Merge(a.Expect)
		}
		st.held += len(all)
		st.unexpected = append(st.unexpected, all...)
		fs = nil
	}
	if s.record != nil {
		s.record.add(fs)
	}
	if s.baseline != nil {
		fs = s.baseline.filter(fs)
	}
	res.Findings = fs
	return res
}

// finish reports unmet expectations and writes the baseline. It returns
// whether the run must fail because of expectations.
func (s *lintStage) finish(c *Command) (failed bool, err error) {
	for _, st := range s.expect {
		r := st.res
		if r.OK() {
			continue
		}
		failed = true
		// The diff names files and patterns from input and the findings
		// echo it: escaped like every other output (sanitize.go), each
		// line on its own.
		for i, line := range strings.Split(r.String(), "\n") {
			if i == 0 {
				line = "preflight: " + line
			}
			fmt.Fprintf(c.Stderr, "%s\n", printableLine(line))
		}
		for _, f := range st.unexpected {
			if slices.Contains(r.Unexpected, f.Rule) {
				fmt.Fprintf(c.Stderr, "    %s\n", cleanFinding(f))
			}
		}
	}
	if s.record != nil {
		if err := s.record.write(s.recordTo); err != nil {
			return false, err
		}
		fmt.Fprintf(c.Stderr, "preflight: wrote %d findings to baseline %s\n", len(s.record.Findings), s.recordTo)
	}
	return failed, nil
}
