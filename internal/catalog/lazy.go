package catalog

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// A lint of one file checks one model, yet decoding and compiling all 30
// of the embedded catalog took a quarter of the process's CPU. Embedded
// therefore builds a model on its first lookup: from catalog_gen.go, the
// catalog as Go data (no JSON decoded at all), or, when catalog.json was
// edited since that file was generated, from its own bytes found by one
// token pass. Default, for commands that list every model, builds the rest
// and shares the same *Model values, so plans are compiled once either way.

//go:generate go test -run ^TestGenerated$ -update .

// genData is the embedded catalog as Go data, set by catalog_gen.go's
// init; nil when that file is deleted (do so before regenerating it after
// a change of the types, which would leave it uncompilable).
type genData struct {
	sum     uint64 // fingerprint of the catalog.json it was generated from
	version int
	date    string
	aliases func() []*Alias
	ids     []string
	model   func(i int) *Model // as decoded, before compile
}

var generated *genData

// fingerprint tells whether catalog.json changed since catalog_gen.go was
// generated: FNV-1a over 64-bit words, which any edit changes. It is no
// defence against a crafted collision (the file is ours), and it costs a
// few microseconds where hash/crc32 cost ~60 (its tables are built on
// first use).
func fingerprint(data []byte) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037) ^ uint64(len(data))
	for ; len(data) >= 8; data = data[8:] {
		h = (h ^ binary.LittleEndian.Uint64(data)) * prime
	}
	for _, c := range data {
		h = (h ^ uint64(c)) * prime
	}
	return h
}

// lazyModels is the index of the embedded catalog.
type lazyModels struct {
	data  []byte
	noGen bool      // decode JSON even when the generated data is current
	once  sync.Once // index runs once; the fields below are read-only after
	err   error     // the data is broken
	cat   *Catalog  // Version, Date, Aliases and the alias map; Models nil
	gen   *genData  // the generated data, when it was made from data
	ids   []string  // catalog order
	pos   map[string]int
	raws  [][]byte // each model's JSON object, a slice of data (no gen)
	slot  []lazySlot
}

type lazySlot struct {
	once sync.Once
	m    *Model
	err  error
}

var embedded = &lazyModels{data: catalogJSON}

// Embedded returns the catalog embedded in the binary with each model
// decoded and compiled on first use (Model, or a plan through it). Its
// Models is nil; All lists every model. Lookups are safe for concurrent
// use; callers must not modify what they return.
func Embedded() *Catalog {
	embedded.once.Do(embedded.index)
	if embedded.err != nil {
		// The embedded catalog is tested; failing here is a build defect.
		panic(fmt.Sprintf("preflight: embedded catalog: %v", embedded.err))
	}
	return embedded.cat
}

// All returns every model of c in catalog order, decoding the rest of the
// embedded catalog when c is Embedded's.
func All(c *Catalog) []*Model {
	if c.lazy != nil {
		return Default().Models
	}
	return c.Models
}

// index reads the top level of the catalog from the generated data if it
// was made from l.data, else by scan; then it checks the IDs and aliases.
func (l *lazyModels) index() {
	l.cat = &Catalog{lazy: l}
	if g := generated; g != nil && !l.noGen && fingerprint(l.data) == g.sum {
		l.gen = g
		l.cat.Version, l.cat.Date, l.cat.Aliases = g.version, g.date, g.aliases()
		l.ids = g.ids
	} else if err := l.scan(); err != nil {
		l.err = err
		return
	}
	l.pos = make(map[string]int, len(l.ids))
	for i, id := range l.ids {
		if id == "" {
			l.err = fmt.Errorf("catalog: model without id")
			return
		}
		if _, dup := l.pos[id]; dup {
			l.err = fmt.Errorf("catalog: model %q listed twice", id)
			return
		}
		l.pos[id] = i
	}
	l.slot = make([]lazySlot, len(l.ids))
	l.err = l.cat.compileAliases(func(id string) bool { _, ok := l.pos[id]; return ok })
}

// scan reads the top level of catalog JSON: version, date and aliases
// decoded as Parse does, each model's "id" and extent found by one token
// pass. Names match without regard to case and the last of duplicates
// wins, as parseOptions say.
func (l *lazyModels) scan() error {
	d := jsontext.NewDecoder(bytes.NewBuffer(l.data), jsontext.AllowDuplicateNames(true))
	if tok, err := d.ReadToken(); err != nil || tok.Kind() != '{' {
		return fmt.Errorf("parse catalog: not a JSON object (%v)", err)
	}
	// Every member but models is copied into one object and decoded as
	// Parse decodes it: an unknown member or a wrong type fails alike.
	head := []byte{'{'}
	for d.PeekKind() != '}' {
		name, err := d.ReadToken()
		if err != nil {
			return fmt.Errorf("parse catalog: %w", err)
		}
		key := name.String()
		if !strings.EqualFold(key, "models") {
			val, err := d.ReadValue()
			if err != nil {
				return fmt.Errorf("parse catalog: %w", err)
			}
			if len(head) > 1 {
				head = append(head, ',')
			}
			head, _ = jsontext.AppendQuote(head, key)
			head = append(append(head, ':'), val...)
			continue
		}
		l.ids, l.raws = l.ids[:0], l.raws[:0] // the last of duplicates wins
		if tok, err := d.ReadToken(); err != nil || tok.Kind() != '[' {
			return fmt.Errorf("parse catalog: models is not an array (%v)", err)
		}
		for d.PeekKind() != ']' {
			id, raw, err := l.scanModel(d)
			if err != nil {
				return fmt.Errorf("parse catalog: models[%d]: %w", len(l.ids), err)
			}
			l.ids, l.raws = append(l.ids, id), append(l.raws, raw)
		}
		if _, err := d.ReadToken(); err != nil {
			return fmt.Errorf("parse catalog: %w", err)
		}
	}
	if _, err := d.ReadToken(); err != nil {
		return fmt.Errorf("parse catalog: %w", err)
	}
	if err := jsonv2.Unmarshal(append(head, '}'), l.cat, parseOptions); err != nil {
		return fmt.Errorf("parse catalog: %w", err)
	}
	return nil
}

// scanModel reads one model object, returning its id and its bytes.
func (l *lazyModels) scanModel(d *jsontext.Decoder) (string, []byte, error) {
	tok, err := d.ReadToken()
	if err != nil {
		return "", nil, err
	}
	if tok.Kind() != '{' {
		return "", nil, fmt.Errorf("not an object")
	}
	start := d.InputOffset() - 1
	var id string
	for d.PeekKind() != '}' {
		name, err := d.ReadToken()
		if err != nil {
			return "", nil, err
		}
		if !strings.EqualFold(name.String(), "id") {
			if err := d.SkipValue(); err != nil {
				return "", nil, err
			}
			continue
		}
		v, err := d.ReadToken()
		if err != nil {
			return "", nil, err
		}
		if v.Kind() != '"' {
			return "", nil, fmt.Errorf("id is not a string")
		}
		id = v.String()
	}
	if _, err := d.ReadToken(); err != nil {
		return "", nil, err
	}
	return id, l.data[start:d.InputOffset()], nil
}

// model decodes and compiles model id on first use.
func (l *lazyModels) model(id string) (*Model, bool) {
	i, ok := l.pos[id]
	if !ok {
		return nil, false
	}
	s := &l.slot[i]
	s.once.Do(func() {
		var m *Model
		if l.gen != nil {
			m = l.gen.model(i)
		} else {
			m = new(Model)
			if err := jsonv2.Unmarshal(l.raws[i], m, parseOptions); err != nil {
				s.err = fmt.Errorf("parse catalog: model %s: %w", id, err)
				return
			}
		}
		if err := m.compile(); err != nil {
			s.err = fmt.Errorf("catalog: model %s: %w", id, err)
			return
		}
		s.m = m
	})
	if s.err != nil {
		panic(fmt.Sprintf("preflight: embedded catalog: %v", s.err))
	}
	return s.m, true
}
