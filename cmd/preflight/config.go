package main

import (
	"fmt"
	"os"
	"slices"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/preflight-dev/preflight/validate"
)

// configFlags are the flags of `preflight lint` that choose the config and
// the baseline.
type configFlags struct {
	path          string
	noConfig      bool
	baseline      string
	baselineWrite string
}

func (cf *configFlags) register(fl *pflag.FlagSet) {
	fl.StringVar(&cf.path, "config", "", "config file (default: .preflight.yaml in the working directory or a parent, up to the repository root)")
	fl.BoolVar(&cf.noConfig, "no-config", false, "ignore .preflight.yaml files")
	fl.StringVar(&cf.baseline, "baseline", "", "report only findings not recorded in this baseline FILE")
	fl.StringVar(&cf.baselineWrite, "baseline-write", "", "record the current findings in FILE as a baseline and exit 0")
	fl.StringVar(&cf.baselineWrite, "write-baseline", "", "alias of --baseline-write")
	_ = fl.MarkHidden("write-baseline")
}

// loadConfig finds and reads the config: --config, else the nearest
// .preflight.yaml up to the repository root. No config is not an error.
// A bad config is a usage error (exit 2).
func loadConfig(path string, noConfig bool) (*validate.Config, error) {
	if noConfig && path == "" {
		return nil, nil
	}
	if path == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		if path, err = validate.FindConfig(wd); err != nil || path == "" {
			return nil, err
		}
	}
	cfg, err := validate.LoadConfig(path)
	if err != nil {
		return nil, usageError{fmt.Errorf("config: %w", err)}
	}
	return cfg, nil
}

// applyNetworkConfig copies the config's network: settings into the lint
// flags that were not given on the command line: flags win over the file.
func applyNetworkConfig(fl *pflag.FlagSet, f *lintFlags, n validate.NetworkConfig) {
	unset := func(name string) bool {
		flag := fl.Lookup(name)
		return flag != nil && !flag.Changed
	}
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
			f.network.cacheDir = c.Dir
		}
		if c.TTL != nil && unset("cache-ttl") {
			f.network.cacheTTL = c.TTL.Duration
		}
	}
}

// lintStage is the filter between the linter and the printers: config
// (severity remap, ignore, expect) then baseline, so every output format
// sees the same findings.
type lintStage struct {
	cfg      *validate.Config
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
	res        *validate.ExpectResult
	unexpected []validate.Finding
	held       int
}

// newStage loads the config and the baseline and applies the config's
// network settings to f.
func (c *Command) newStage(cmd *cobra.Command, f *lintFlags) (*lintStage, error) {
	cfg, err := loadConfig(f.cfg.path, f.cfg.noConfig)
	if err != nil {
		return nil, err
	}
	s := &lintStage{cfg: cfg}
	if cfg != nil {
		applyNetworkConfig(cmd.Flags(), f, cfg.Network)
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
func (s *lintStage) file(res validate.FileResult) validate.FileResult {
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
		fmt.Fprintf(c.Stderr, "preflight: %s\n", r)
		for _, f := range st.unexpected {
			if slices.Contains(r.Unexpected, f.Rule) {
				fmt.Fprintf(c.Stderr, "    %s\n", f)
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
