package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/preflight-dev/preflight/internal/config"
	"github.com/preflight-dev/preflight/internal/runner"
)

// uxFlags are the flags of `preflight lint` that choose which findings are
// shown and how the run ends: rule selection (one scheme with the config's
// rules: map), --quiet, --statistics and --max-warnings.
type uxFlags struct {
	selects     []string // --select: only these rules
	ignores     []string // --ignore: these rules off
	warns       []string // --warn: these rules as warnings
	errs        []string // --error: these rules as errors
	quiet       bool
	statistics  bool
	maxWarnings int
	maxPerRule  int // --max-findings-per-rule; 0: no cap

	src *frameSource // where text frames read source lines
}

func (u *uxFlags) register(fl *pflag.FlagSet) {
	fl.StringSliceVar(&u.selects, "select", nil, "check only these RULE,... (every other rule is off for this run)")
	fl.StringSliceVar(&u.ignores, "ignore", nil, "turn these RULE,... off for this run (as rules: {RULE: off} in the config)")
	fl.StringSliceVar(&u.warns, "warn", nil, "report these RULE,... as warnings for this run")
	fl.StringSliceVar(&u.errs, "error", nil, "report these RULE,... as errors for this run")
	fl.BoolVarP(&u.quiet, "quiet", "q", false, "print findings only: no summary line, no progress")
	fl.BoolVar(&u.statistics, "statistics", false, "print the number of findings per rule instead of the findings")
	fl.IntVar(&u.maxWarnings, "max-warnings", -1, "fail (exit 1) when there are more than N warnings (-1: no limit)")
	fl.IntVar(&u.maxPerRule, "max-findings-per-rule", 50, "list at most N findings of one rule and severity per request, then one that counts the rest (0: no cap, memory grows with findings)")
}

// perRule is --max-findings-per-rule as Validator.MaxFindingsPerRule
// takes it (there 0 means the default and a negative value no cap).
func (u *uxFlags) perRule() int {
	if u.maxPerRule == 0 {
		return -1
	}
	return u.maxPerRule
}

// ruleSeverities turns the selection flags into the config's rules: map
// (rule ID to off, warning or error). Flags are applied after the config,
// in the order select, error, warn, ignore, so --ignore wins. Unknown
// rule IDs are usage errors with the nearest ID.
func (u *uxFlags) ruleSeverities() (map[string]string, error) {
	if len(u.selects)+len(u.errs)+len(u.warns)+len(u.ignores) == 0 {
		return nil, nil // no rule flags: skip listing and sorting every rule
	}
	ids := ruleIDs()
	known := make(map[string]bool, len(ids))
	for _, id := range ids {
		known[id] = true
	}
	m := map[string]string{}
	check := func(flag string, list []string) ([]string, error) {
		var out []string
		for _, id := range list {
			id = strings.TrimSpace(id)
			if id == "" {
				continue
			}
			if !known[id] {
				if s := suggestRule(id); s != "" {
					return nil, usagef("--%s: unknown rule %q; did you mean %q?", flag, id, s)
				}
				return nil, usagef("--%s: unknown rule %q (preflight rules lists them)", flag, id)
			}
			out = append(out, id)
		}
		return out, nil
	}
	sel, err := check("select", u.selects)
	if err != nil {
		return nil, err
	}
	if len(sel) > 0 {
		for _, id := range ids {
			m[id] = config.RuleOff
		}
		for _, id := range sel {
			delete(m, id)
		}
	}
	for _, step := range []struct {
		flag, sev string
		list      []string
	}{
		{"error", config.RuleError, u.errs},
		{"warn", config.RuleWarning, u.warns},
		{"ignore", config.RuleOff, u.ignores},
	} {
		list, err := check(step.flag, step.list)
		if err != nil {
			return nil, err
		}
		for _, id := range list {
			m[id] = step.sev
		}
	}
	return m, nil
}

// applyRuleFlags layers the selection flags over cfg's rules: map, so the
// flags and the config are one scheme applied in one place (Config.Apply).
// A nil cfg gets an empty config holding only the flags.
func (u *uxFlags) applyRuleFlags(cfg *config.Config) (*config.Config, error) {
	m, err := u.ruleSeverities()
	if err != nil || len(m) == 0 {
		return cfg, err
	}
	if cfg == nil {
		cfg = &config.Config{Version: 1}
	}
	rules := maps.Clone(cfg.Rules)
	if rules == nil {
		rules = map[string]string{}
	}
	maps.Copy(rules, m)
	cfg.Rules = rules
	return cfg, nil
}

// tooManyWarnings reports whether --max-warnings is exceeded.
func (u *uxFlags) tooManyWarnings(warnings int) bool {
	return u.maxWarnings >= 0 && warnings > u.maxWarnings
}

func (u *uxFlags) validate() error {
	if u.maxWarnings < -1 {
		return usagef("--max-warnings %d: want N >= 0, or -1 for no limit", u.maxWarnings)
	}
	return nil
}

// maxWarningsNote is the line printed on stderr when --max-warnings fails
// the run.
func maxWarningsNote(warnings, limit int) string {
	return fmt.Sprintf("preflight: %s, more than --max-warnings %d", plural(warnings, "warning"), limit)
}

// setupUX applies the selection flags to the stage's config and returns
// the standard input the linter reads: kept for code frames (and JUnit's
// request lines) when a path is "-".
func (c *Command) setupUX(f *lintFlags, stage *lintStage, args []string) (io.Reader, error) {
	if err := f.ux.validate(); err != nil {
		return nil, err
	}
	cfg, err := f.ux.applyRuleFlags(stage.cfg)
	if err != nil {
		return nil, err
	}
	stage.cfg = cfg
	f.ux.src = &frameSource{stdinName: f.stdinFilename}
	if slices.Contains(args, runner.Stdin) {
		return keepStdin(c.Stdin, f.ux.src), nil
	}
	return c.Stdin, nil
}
