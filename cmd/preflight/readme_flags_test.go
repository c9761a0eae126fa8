package main

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// Every flag of `preflight lint --help` is in the README's one table of
// lint flags, and every flag of the table exists, with the same shorthand.
// When another change adds a flag, the failure names it and the side it is
// missing from.
func TestReadmeLintFlags(t *testing.T) {
	table := readmeTable(t, "lint-flags")
	rowFlag := regexp.MustCompile("^\\| `(?:-([a-zA-Z]), )?--([a-z0-9-]+)")
	readme := map[string]string{} // name -> shorthand
	for _, line := range strings.Split(table, "\n") {
		if m := rowFlag.FindStringSubmatch(line); m != nil {
			if _, dup := readme[m[2]]; dup {
				t.Errorf("README lists --%s twice", m[2])
			}
			readme[m[2]] = m[1]
		}
	}
	if len(readme) < 10 {
		t.Fatalf("README lint flag table: %d flags", len(readme))
	}
	c := &Command{}
	lint, _, err := c.newRoot().Find([]string{"lint"})
	if err != nil {
		t.Fatal(err)
	}
	help := map[string]string{}
	lint.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden && f.Name != "help" {
			help[f.Name] = f.Shorthand
		}
	})
	// The help text itself must list them too (nothing hidden by accident).
	_, out, _ := run(t, "", nil, "lint", "--help")
	var missingReadme, missingHelp []string
	for name, short := range help {
		if !strings.Contains(out, "--"+name+" ") {
			t.Errorf("--%s is not in lint --help", name)
		}
		rs, ok := readme[name]
		if !ok {
			missingReadme = append(missingReadme, "--"+name)
		} else if rs != short {
			t.Errorf("--%s: shorthand %q in --help, %q in README", name, short, rs)
		}
	}
	for name := range readme {
		if _, ok := help[name]; !ok {
			missingHelp = append(missingHelp, "--"+name)
		}
	}
	slices.Sort(missingReadme)
	slices.Sort(missingHelp)
	if len(missingReadme) > 0 {
		t.Errorf("in lint --help but not in README's lint flag table: %s", strings.Join(missingReadme, ", "))
	}
	if len(missingHelp) > 0 {
		t.Errorf("in README's lint flag table but not a lint flag: %s", strings.Join(missingHelp, ", "))
	}
}

// The text output sample in the README is what that command prints.
func TestReadmeTextOutput(t *testing.T) {
	block := readmeFence(t, "text-output")
	cmdLine, want, _ := strings.Cut(block, "\n")
	args, ok := strings.CutPrefix(cmdLine, "$ preflight ")
	if !ok {
		t.Fatalf("first line is not a command: %q", cmdLine)
	}
	t.Chdir("../..")
	_, out, errOut := run(t, "", nil, strings.Fields(args)...)
	if out != want {
		t.Errorf("README text sample differs from the output (%s):\n--- got\n%s--- README\n%s", errOut, out, want)
	}
}

// readmeTable returns the text after <!-- readme:NAME --> up to the next
// blank line (a table).
func readmeTable(t *testing.T, name string) string {
	t.Helper()
	s := readmeSection(t, name)
	if j := strings.Index(s, "\n\n"); j >= 0 {
		s = s[:j]
	}
	return s
}
