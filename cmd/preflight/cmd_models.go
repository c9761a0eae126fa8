package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/preflight-dev/preflight/internal/catalog"
)

// modelInfo is one model in `preflight models --format json`.
type modelInfo struct {
	ID          string     `json:"id"`
	Family      string     `json:"family"`
	Title       string     `json:"title"`
	Modes       []string   `json:"modes"`
	DefaultMode string     `json:"defaultMode,omitempty"`
	Aliases     []string   `json:"aliases"`
	Source      string     `json:"source"`
	PerMode     []modeInfo `json:"perMode"`
}

// modeInfo is what one mode allows; Mode is "" for models without modes.
type modeInfo struct {
	Mode       string                `json:"mode"`
	Prompt     promptLimits          `json:"prompt"`
	References map[string]countRange `json:"references"`
}

type promptLimits struct {
	Accepted bool `json:"accepted"`
	Required bool `json:"required"`
	MinChars int  `json:"minChars,omitempty"`
	MaxChars int  `json:"maxChars,omitempty"`
	MaxBytes int  `json:"maxBytes,omitempty"`
}

// countRange bounds a reference list; Max -1 means no documented maximum.
type countRange struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

var referenceFields = []string{"image_urls", "video_urls", "audio_urls"}

func (c *Command) newModels() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "models",
		Short: "List the models of the catalog with their modes and limits",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			infos := catalogInfo(catalog.Default())
			switch format {
			case "json":
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(infos)
			case "text":
				return printModels(cmd.OutOrStdout(), infos)
			}
			return usagef("unknown format %q (want text or json)", format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text or json")
	return cmd
}

func catalogInfo(cat *catalog.Catalog) []modelInfo {
	aliases := map[string][]string{}
	for _, a := range cat.Aliases {
		aliases[a.Model] = append(aliases[a.Model], a.ID)
	}
	out := make([]modelInfo, 0, len(cat.Models))
	for _, m := range cat.Models {
		mi := modelInfo{ID: m.ID, Family: m.Family, Title: m.Title, Source: m.Source,
			Aliases: append([]string{}, aliases[m.ID]...), Modes: []string{}}
		if spec := m.Fields["mode"]; spec != nil {
			for _, v := range spec.Enum {
				mi.Modes = append(mi.Modes, fmt.Sprint(v))
			}
			if spec.Default != nil {
				mi.DefaultMode = fmt.Sprint(spec.Default)
			}
		}
		modes := mi.Modes
		if len(modes) == 0 {
			modes = []string{""}
		}
		for _, mode := range modes {
			mi.PerMode = append(mi.PerMode, modeLimits(m, mode))
		}
		out = append(out, mi)
	}
	slices.SortFunc(out, func(a, b modelInfo) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// modeLimits shows what the linter applies in a mode: the case of the
// model's plan for the mode, other when-fields (suno's customMode, ...)
// taking their documented defaults.
func modeLimits(m *catalog.Model, mode string) modeInfo {
	cs := m.Plan().CaseFor(map[string]any{"mode": mode})
	spec := func(name string) catalog.FieldSpec {
		if f := cs.Field(m, name); f != nil {
			return f.FieldSpec
		}
		return catalog.FieldSpec{}
	}
	mi := modeInfo{Mode: mode, References: map[string]countRange{}}
	_, hasPrompt := m.Fields["prompt"]
	p := spec("prompt")
	mi.Prompt = promptLimits{
		Accepted: hasPrompt && !catalog.IsTrue(p.Forbidden),
		Required: catalog.IsTrue(p.Required),
		MinChars: deref(p.MinLength), MaxChars: deref(p.MaxLength), MaxBytes: deref(p.MaxBytes),
	}
	if !mi.Prompt.Accepted {
		mi.Prompt = promptLimits{}
	}
	for _, name := range referenceFields {
		if _, ok := m.Fields[name]; !ok {
			continue
		}
		s := spec(name)
		r := countRange{Min: deref(s.MinItems), Max: -1}
		if s.MaxItems != nil {
			r.Max = *s.MaxItems
		}
		if catalog.IsTrue(s.Required) && r.Min == 0 {
			r.Min = 1
		}
		if catalog.IsTrue(s.Forbidden) {
			r = countRange{}
		}
		mi.References[name] = r
	}
	return mi
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

func printModels(w io.Writer, infos []modelInfo) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MODEL\tFAMILY\tMODE\tPROMPT\tIMAGES\tVIDEOS\tAUDIO\tSOURCE")
	for _, m := range infos {
		for i, pm := range m.PerMode {
			id, family, source := m.ID, m.Family, m.Source
			if i > 0 {
				id, family, source = "", "", ""
			}
			mode := pm.Mode
			switch {
			case mode == "":
				mode = "-"
			case mode == m.DefaultMode:
				mode += " (default)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", id, family, mode, pm.Prompt,
				refText(pm.References, "image_urls"), refText(pm.References, "video_urls"),
				refText(pm.References, "audio_urls"), source)
		}
	}
	return tw.Flush()
}

// String renders prompt limits for the table: "1-5000", "3+", "any",
// "1-2000 (7500 B)", with ", optional" when no prompt is needed; "-" when
// the mode takes no prompt.
func (p promptLimits) String() string {
	if !p.Accepted {
		return "-"
	}
	var s string
	switch {
	case p.MaxChars > 0:
		s = fmt.Sprintf("%d-%d", p.MinChars, p.MaxChars)
	case p.MinChars > 1:
		s = fmt.Sprintf("%d+", p.MinChars)
	default:
		s = "any"
	}
	if p.MaxBytes > 0 {
		s += fmt.Sprintf(" (%d B)", p.MaxBytes)
	}
	if !p.Required {
		s += ", optional"
	}
	return s
}

func refText(refs map[string]countRange, name string) string {
	r, ok := refs[name]
	switch {
	case !ok:
		return "-"
	case r.Max < 0:
		return strconv.Itoa(r.Min) + "+"
	case r.Min == r.Max:
		return strconv.Itoa(r.Min)
	}
	return fmt.Sprintf("%d-%d", r.Min, r.Max)
}
