package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets testscript run the CLI as a "preflight" command: the test
// binary itself, calling Command.Main, so no go install or build happens.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"preflight": func() {
			os.Exit((&Command{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}).Main(os.Args))
		},
	})
}

// TestScripts runs the multi-step CLI scenarios of testdata/script: config,
// trust, baseline, expect, file selection and the pre-commit hooks.
// Custom commands:
//
//	exits CODE PROG ARGS...   run PROG, assert its exit code
//	hook ID FILES...          run the entry of hook ID of the repository's
//	                          .pre-commit-hooks.yaml on FILES, as pre-commit does
//	readme-block NAME FILE    write README.md's <!-- readme:NAME --> block to FILE
func TestScripts(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("REPO_ROOT", root)
			env.Setenv("NO_COLOR", "1")
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			env.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(env.WorkDir, ".gitconfig-global"))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":        cmdExits,
			"hook":         cmdHook(root),
			"readme-block": cmdReadmeBlock(root),
		},
		Condition: func(cond string) (bool, error) {
			if cond == "unix" {
				return filepath.Separator == '/', nil
			}
			return false, errors.New("unknown condition " + cond)
		},
	})
}

func exitCode(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	return -1
}

func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROG ARGS...")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: %v", err)
	}
	if got := exitCode(ts.Exec(args[1], args[2:]...)); got != want {
		ts.Fatalf("%s exited %d, want %d", strings.Join(args[1:], " "), got, want)
	}
}

func cmdHook(root string) func(ts *testscript.TestScript, neg bool, args []string) {
	return func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) < 1 {
			ts.Fatalf("usage: hook ID FILES...")
		}
		hooks := readHooksFile(ts.Fatalf, filepath.Join(root, ".pre-commit-hooks.yaml"))
		h, ok := hooks[args[0]]
		if !ok {
			ts.Fatalf("no hook %q", args[0])
		}
		words := strings.Fields(h.Entry)
		err := ts.Exec(words[0], append(words[1:], args[1:]...)...)
		if neg != (err != nil) {
			ts.Fatalf("hook %s %v: exit %d", args[0], args[1:], exitCode(err))
		}
	}
}

func cmdReadmeBlock(root string) func(ts *testscript.TestScript, neg bool, args []string) {
	return func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 2 {
			ts.Fatalf("usage: readme-block NAME FILE")
		}
		block, err := readmeBlockAt(filepath.Join(root, "README.md"), args[0])
		ts.Check(err)
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(block), 0o644))
	}
}
