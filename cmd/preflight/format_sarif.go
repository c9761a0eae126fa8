package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"strings"

	"github.com/preflight-dev/preflight/internal/runner"
	"github.com/preflight-dev/preflight/validate"
)

// SARIF 2.1.0 output for GitHub code scanning and other SARIF viewers.
// Plain structs: the subset GitHub reads is small, and a library would add
// a dependency every `go install` of the pre-commit hook must build.

const (
	sarifSchema  = "https://json.schemastore.org/sarif-2.1.0.json"
	sarifVersion = "2.1.0"
	repoURL      = "https://github.com/preflight-dev/preflight"
	rulesDocURL  = repoURL + "/blob/main/docs/rules.md"
	// fingerprintKey names preflight's partial fingerprint; bump the
	// version if its inputs ever change.
	fingerprintKey = "preflight/v1"
)

func init() {
	formats["sarif"] = func(w io.Writer, c *Command, _ *lintFlags) printer {
		return newSARIFPrinter(w, c.pathBase())
	}
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifRule struct {
	ID                   string            `json:"id"`
	Name                 string            `json:"name"`
	ShortDescription     sarifText         `json:"shortDescription"`
	FullDescription      sarifText         `json:"fullDescription"`
	Help                 sarifText         `json:"help"`
	HelpURI              string            `json:"helpUri"`
	DefaultConfiguration sarifRuleConfig   `json:"defaultConfiguration"`
	Properties           sarifRuleProperty `json:"properties"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProperty struct {
	Tags []string `json:"tags"`
}

type sarifDriver struct {
	Name            string      `json:"name"`
	Version         string      `json:"version,omitempty"`
	SemanticVersion string      `json:"semanticVersion,omitempty"`
	InformationURI  string      `json:"informationUri"`
	Rules           []sarifRule `json:"rules"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          sarifResultProps  `json:"properties"`
}

type sarifResultProps struct {
	Pointer  string `json:"pointer"`
	Model    string `json:"model,omitempty"`
	Predicts string `json:"predicts,omitempty"`
	// More is set on the closing result of --max-findings-per-rule: the
	// findings of its rule it stands for.
	More int `json:"more,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
}

// sarifPrinter streams the log: the header with every rule, then one
// result per finding as files finish, then the closing brackets.
type sarifPrinter struct {
	w       io.Writer
	base    string
	ruleIdx map[string]int
	n       int
	begun   bool
	fp      fingerprinter
}

func newSARIFPrinter(w io.Writer, base string) *sarifPrinter {
	return &sarifPrinter{w: w, base: base}
}

// sarifRules describes every rule of validate.Rules, in that order.
func sarifRules() []sarifRule {
	rules := validate.Rules()
	out := make([]sarifRule, len(rules))
	for i, r := range rules {
		full := r.Summary
		if pred := r.Predicts(); pred != "" {
			full += " The API would answer " + pred + "."
		}
		out[i] = sarifRule{
			ID:                   r.ID,
			Name:                 pascalCase(r.ID),
			ShortDescription:     sarifText{truncate(r.Summary, 1024)},
			FullDescription:      sarifText{truncate(full, 1024)},
			Help:                 sarifText{fmt.Sprintf("Fix: %s\nSource: %s\nDocs: %s", r.Fix, r.Source, ruleDocURL(r.ID))},
			HelpURI:              ruleDocURL(r.ID),
			DefaultConfiguration: sarifRuleConfig{Level: string(r.Severity)},
			Properties:           sarifRuleProperty{Tags: []string{"apixo", ruleGroup(r.ID)}},
		}
	}
	return out
}

func ruleDocURL(id string) string { return rulesDocURL + "#" + id }

// ruleGroup is the first word of a rule ID: prompt, field, url, ...
func ruleGroup(id string) string {
	g, _, _ := strings.Cut(id, "-")
	return g
}

func pascalCase(id string) string {
	var b strings.Builder
	for part := range strings.SplitSeq(id, "-") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]))
		b.WriteString(part[1:])
	}
	return b.String()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func (p *sarifPrinter) begin() error {
	if p.begun {
		return nil
	}
	p.begun = true
	rules := sarifRules()
	p.ruleIdx = make(map[string]int, len(rules))
	for i, r := range rules {
		p.ruleIdx[r.ID] = i
	}
	driver, err := json.Marshal(sarifDriver{
		Name:            "preflight",
		Version:         moduleVersion(),
		SemanticVersion: semanticVersion(),
		InformationURI:  repoURL,
		Rules:           rules,
	})
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(p.w, `{"$schema":%q,"version":%q,"runs":[{"tool":{"driver":%s},"columnKind":"unicodeCodePoints","results":[`,
		sarifSchema, sarifVersion, driver)
	return err
}

func (p *sarifPrinter) file(res runner.Result) error {
	if err := p.begin(); err != nil {
		return err
	}
	for _, f := range res.Findings {
		if err := writeElement(p.w, &p.n, p.result(f)); err != nil {
			return fmt.Errorf("encode SARIF result: %w", err)
		}
	}
	return nil
}

func (p *sarifPrinter) result(f validate.Finding) sarifResult {
	rel := relPath(p.base, f.File)
	text := clipText(f.Message, maxNameBytes) + "."
	if pred := f.Predicts(); pred != "" && f.Severity == validate.SeverityWarning {
		text += " The API may answer " + pred + "."
	} else if pred != "" {
		text += " The API would answer " + pred + "."
	}
	if f.Fix != "" {
		text += " Fix: " + clipText(f.Fix, maxNameBytes)
	}
	idx, ok := p.ruleIdx[f.Rule]
	if !ok {
		idx = -1 // schema: -1 means "not in rules[]"
	}
	return sarifResult{
		RuleID:    f.Rule,
		RuleIndex: idx,
		Level:     sarifLevel(f.Severity),
		Message:   sarifText{text},
		Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
			ArtifactLocation: sarifArtifact{URI: uriOf(rel), URIBaseID: "%SRCROOT%"},
			Region:           sarifRegion{StartLine: max(f.Line, 1), StartColumn: max(f.Column, 1)},
		}}},
		PartialFingerprints: map[string]string{fingerprintKey: p.fp.of(rel, f)},
		Properties:          sarifResultProps{Pointer: f.Pointer, Model: f.Model, Predicts: f.Predicts(), More: f.More},
	}
}

func sarifLevel(s validate.Severity) string {
	if s == validate.SeverityError {
		return "error"
	}
	return "warning"
}

// uriOf turns a relative, /-separated path into a URI reference, escaping
// what a URI cannot hold (spaces, <stdin>'s brackets, %).
func uriOf(rel string) string {
	first, _, _ := strings.Cut(rel, "/")
	if strings.Contains(first, ":") {
		rel = "./" + rel // else a:b reads as a scheme
	}
	return (&url.URL{Path: rel}).EscapedPath()
}

func (p *sarifPrinter) finish(summary) error {
	if err := p.begin(); err != nil {
		return err
	}
	nl := ""
	if p.n > 0 {
		nl = "\n"
	}
	_, err := fmt.Fprintf(p.w, "%s]}]}\n", nl)
	return err
}
