package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/preflight-dev/preflight/internal/suggest"
)

// Exit codes, as actionlint and shellcheck use them: findings apart from
// misuse apart from failure.
const (
	ExitOK       = 0 // no findings at or above --fail-level
	ExitFindings = 1 // findings at or above --fail-level
	ExitUsage    = 2 // bad flag, format or path
	ExitFailure  = 3 // the tool itself failed
)

// Command is the preflight CLI with its standard streams, so tests run it
// in-process.
type Command struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// IsTerminal reports whether w is a terminal; nil means a check of
	// *os.File descriptors.
	IsTerminal func(w io.Writer) bool
}

// usageError marks errors that are the caller's (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

// configError is a configuration the run refuses (exit 2, as a usage
// error): its message names the key and the remedy, so no --help hint.
type configError struct{ err error }

func (e configError) Error() string { return e.err.Error() }
func (e configError) Unwrap() error { return e.err }

// exitError carries an exit code out of a subcommand without printing.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

// Main runs the command line args (args[0] is the program name) and returns
// the exit code.
func (c *Command) Main(args []string) int { return c.main(args, c.newRootFor) }

// main runs args on the tree newRoot builds for the first argument.
func (c *Command) main(args []string, newRoot func(first string) *cobra.Command) int {
	if c.Getenv == nil {
		c.Getenv = os.Getenv
	}
	if c.IsTerminal == nil {
		c.IsTerminal = isTerminal
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	first := ""
	if len(args) > 1 {
		first = args[1]
	}
	root := newRoot(first)
	root.SetArgs(args[1:])
	root.SetIn(c.Stdin)
	root.SetOut(c.Stdout)
	root.SetErr(c.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ce configError
	if errors.As(err, &ce) {
		// One line per problem, each escaped: the values come from the file.
		errs := []error{ce.err}
		if j, ok := ce.err.(interface{ Unwrap() []error }); ok {
			errs = j.Unwrap()
		}
		for _, e := range errs {
			fmt.Fprintf(c.Stderr, "preflight: %s\n", printableLine(e.Error()))
		}
		return ExitUsage
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(c.Stderr, "preflight: %s\n", errorText(err))
		fmt.Fprintln(c.Stderr, "Run 'preflight --help' for usage.")
		return ExitUsage
	}
	// Errors name files and echo input: escaped like findings, since
	// standard error lands in the same CI log (see sanitize.go).
	fmt.Fprintf(c.Stderr, "preflight: %s\n", errorText(err))
	return ExitFailure
}

// errorText is err's message escaped for standard error (sanitize.go),
// keeping the lines of cobra's "Did you mean this?" suggestions, which
// name our own commands.
func errorText(err error) string {
	// A joined error (every problem of a config) keeps one line per
	// error; each is escaped on its own.
	for e := err; e != nil; e = errors.Unwrap(e) {
		if j, ok := e.(interface{ Unwrap() []error }); ok {
			var lines []string
			for _, sub := range j.Unwrap() {
				lines = append(lines, errorText(sub))
			}
			return strings.Join(lines, "\n")
		}
		if u := errors.Unwrap(e); u == nil || u.Error() != e.Error() {
			break
		}
	}
	msg := err.Error()
	const dym = "\n\nDid you mean this?\n"
	head, sugg, ok := strings.Cut(msg, dym)
	if !ok {
		return printableLine(msg)
	}
	var b strings.Builder
	b.WriteString(printableLine(head) + dym)
	for _, name := range strings.Fields(sugg) {
		b.WriteString("\t" + printableLine(name) + "\n")
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// subcommand is a command of the root and the name it is run by.
type subcommand struct {
	name  string
	build func() *cobra.Command
}

func (c *Command) subcommands() []subcommand {
	return []subcommand{
		{"lint", c.newLint}, {"models", c.newModels}, {"explain", c.newExplain}, {"version", c.newVersion},
		{"config", c.newConfig}, {"schema", c.newSchema}, {"fix-image", c.newFixImage}, {"proxy", c.newProxy},
		{"rules", c.newRules},
	}
}

// newRoot builds the whole command tree.
func (c *Command) newRoot() *cobra.Command { return c.newRootFor("") }

// newRootFor builds the root with only the subcommand named only, when it
// names one: `preflight lint` then pays for lint's flags alone, not for
// the other eight commands' (~3% of a one-file run's CPU). "" (or any
// first argument that is not a subcommand's name: a flag, help,
// __complete, a typo) builds the whole tree. A subcommand's help, errors
// and exit codes do not depend on its siblings (TestPrunedRootSame).
func (c *Command) newRootFor(only string) *cobra.Command {
	if !slices.ContainsFunc(c.subcommands(), func(s subcommand) bool { return s.name == only }) {
		only = ""
	}
	root := &cobra.Command{
		Use:   "preflight",
		Short: "Catch APIXO generation requests that would fail, before they are sent",
		Long: `preflight checks request bodies for POST https://api.apixo.ai/api/v1/generateTask/{model}
against each model's documented rules, and reports every problem with the APIXO
failure code or HTTP status it predicts, its place in the file, and the fix.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return usageError{suggestFlag(cmd, err)} })
	for _, sub := range c.subcommands() {
		if only == "" || sub.name == only {
			root.AddCommand(sub.build())
		}
	}
	if only != "" {
		// Nor for cobra's completion command and its four scripts' help.
		root.CompletionOptions.DisableDefaultCmd = true
	}
	addCompletions(root)
	usageArgs(root)
	return root
}

// usageArgs makes every argument error a usage error (exit 2) by its type,
// not by matching cobra's message text: each command's Args validator is
// wrapped, and a command with subcommands rejects an unknown one itself
// (cobra's own check only runs when Args is unset).
func usageArgs(cmd *cobra.Command) {
	for _, sub := range cmd.Commands() {
		usageArgs(sub)
	}
	if cmd.HasSubCommands() {
		cmd.Args = func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				var names []string
				for _, sub := range cmd.Commands() {
					if sub.IsAvailableCommand() {
						names = append(names, sub.Name())
					}
				}
				return usagef("unknown command %q for %q%s", args[0], cmd.CommandPath(), suggest.DidYouMean(args[0], names))
			}
			return nil
		}
		if cmd.Run == nil && cmd.RunE == nil {
			cmd.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
		}
		return
	}
	if valid := cmd.Args; valid != nil {
		cmd.Args = func(cmd *cobra.Command, args []string) error {
			if err := valid(cmd, args); err != nil {
				var ue usageError
				if errors.As(err, &ue) {
					return err
				}
				return usageError{err}
			}
			return nil
		}
	}
}

// suggestFlag adds the nearest flag name to an unknown-flag error:
// "unknown flag: --formt (did you mean --format?)".
func suggestFlag(cmd *cobra.Command, err error) error {
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, "unknown flag: --")
	if !ok {
		return err
	}
	name, _, _ = strings.Cut(name, "=")
	var names []string
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	if best := suggest.Nearest(name, names); best != "" {
		return fmt.Errorf("%w (did you mean --%s?)", err, best)
	}
	return err
}
