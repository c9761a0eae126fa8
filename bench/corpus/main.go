// Command corpus writes a deterministic corpus of APIXO generateTask
// requests for benchmarks: about 90% valid and 10% invalid with the mistakes
// people make (wrong enum case, too-long prompt, missing required field,
// wrong type, too many reference URLs, out-of-range number), for every model
// of the embedded catalog.
//
// Values are derived from the catalog (enums, ranges, reference counts per
// mode), and every request is checked with validate.Request before it is
// written: a "valid" request has no finding at all, an "invalid" one at
// least one error. The same -seed and -n always give the same bytes.
//
//	go run ./bench/corpus -n 10000 -out DIR          # DIR/req-000000.json ...
//	go run ./bench/corpus -n 1000000 -jsonl FILE     # one request per line
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/preflight-dev/preflight/internal/catalog"
	"github.com/preflight-dev/preflight/validate"
)

func main() {
	var (
		n        = flag.Int("n", 10000, "number of requests")
		out      = flag.String("out", "", "write one pretty-printed .json file per request into this directory")
		jsonl    = flag.String("jsonl", "", "write one compact request per line into this file")
		seed     = flag.Uint64("seed", 1, "random seed; the same seed and -n give the same corpus")
		host     = flag.String("host", "https://cdn.example.com", "scheme://host[:port] of the media URLs")
		invalid  = flag.Float64("invalid", 0.10, "fraction of invalid requests")
		manifest = flag.String("manifest", "", "also write a TSV manifest: name, valid|invalid, mistake, model")
	)
	flag.Parse()
	if (*out == "") == (*jsonl == "") {
		fmt.Fprintln(os.Stderr, "corpus: give exactly one of -out DIR or -jsonl FILE")
		os.Exit(2)
	}
	g := &gen{cat: catalog.Default(), host: strings.TrimRight(*host, "/"), seed: *seed, invalid: *invalid}
	g.models = g.cat.IDs()
	if err := run(g, *n, *out, *jsonl, *manifest); err != nil {
		fmt.Fprintln(os.Stderr, "corpus:", err)
		os.Exit(1)
	}
}

// item is one generated request.
type item struct {
	body    []byte
	model   string
	mistake string // "" for valid
}

func run(g *gen, n int, dir, jsonl, manifest string) error {
	var lw *bufio.Writer
	if jsonl != "" {
		f, err := os.Create(jsonl)
		if err != nil {
			return err
		}
		defer f.Close()
		lw = bufio.NewWriterSize(f, 1<<20)
		defer lw.Flush()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var mw *bufio.Writer
	if manifest != "" {
		f, err := os.Create(manifest)
		if err != nil {
			return err
		}
		defer f.Close()
		mw = bufio.NewWriter(f)
		defer mw.Flush()
	}

	// Requests are generated in parallel chunks (each index has its own
	// random stream, so the result does not depend on scheduling) and
	// written in order.
	const chunk = 512
	type job struct {
		start int
		items []item
		done  chan struct{}
	}
	jobs := make(chan *job, 64)
	pending := make(chan *job, 64)
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				for k := range j.items {
					j.items[k] = g.request(j.start + k)
				}
				close(j.done)
			}
		}()
	}
	go func() {
		for start := 0; start < n; start += chunk {
			j := &job{start: start, items: make([]item, min(chunk, n-start)), done: make(chan struct{})}
			pending <- j
			jobs <- j
		}
		close(jobs)
		close(pending)
	}()
	var nInvalid int
	var size int64
	for j := range pending {
		<-j.done
		for k, it := range j.items {
			i := j.start + k
			name := fmt.Sprintf("req-%07d.json", i)
			if lw != nil {
				name = fmt.Sprintf("%s:%d", filepath.Base(jsonl), i+1)
				lw.Write(it.body)
				lw.WriteByte('\n')
			} else {
				var pretty bytes.Buffer
				if err := json.Indent(&pretty, it.body, "", "  "); err != nil {
					return fmt.Errorf("request %d: %w", i, err)
				}
				pretty.WriteByte('\n')
				it.body = pretty.Bytes()
				if err := os.WriteFile(filepath.Join(dir, name), it.body, 0o644); err != nil {
					return err
				}
			}
			size += int64(len(it.body))
			if it.mistake != "" {
				nInvalid++
			}
			if mw != nil {
				state := "valid"
				if it.mistake != "" {
					state = "invalid"
				}
				fmt.Fprintf(mw, "%s\t%s\t%s\t%s\n", name, state, it.mistake, it.model)
			}
		}
	}
	wg.Wait()
	if n > 0 {
		fmt.Fprintf(os.Stderr, "corpus: %d requests, %d invalid, %d models, mean body %d bytes\n",
			n, nInvalid, len(g.models), size/int64(n))
	}
	return nil
}

type gen struct {
	cat     *catalog.Catalog
	models  []string
	host    string
	seed    uint64
	invalid float64
}

var mistakes = []string{"enum-case", "prompt-too-long", "missing-required", "wrong-type", "too-many-refs", "out-of-range"}

// request makes request i: valid, or invalid with one mistake. Each
// candidate is checked with validate.Request; a candidate that does not
// come out as intended is redrawn from the same stream.
func (g *gen) request(i int) item {
	r := rand.New(rand.NewPCG(g.seed, uint64(i)))
	m, _ := g.cat.Model(g.models[i%len(g.models)])
	// Interleave models without making the cycle obvious.
	if r.IntN(4) == 0 {
		m, _ = g.cat.Model(g.models[r.IntN(len(g.models))])
	}
	wantInvalid := r.Float64() < g.invalid
	ctx := context.Background()
	for range 200 {
		b := &builder{g: g, r: r, m: m}
		b.valid()
		mistake := ""
		if wantInvalid {
			mistake = mistakes[r.IntN(len(mistakes))]
			if !b.spoil(mistake) {
				continue
			}
		}
		body := b.encode()
		rep, err := validate.Request(ctx, "", body)
		if err != nil {
			panic(err)
		}
		if wantInvalid && rep.Errors() > 0 || !wantInvalid && len(rep.Findings) == 0 {
			return item{body: body, model: m.ID, mistake: mistake}
		}
	}
	panic(fmt.Sprintf("corpus: no %v request for model %s after 200 tries (index %d)", map[bool]string{true: "invalid", false: "valid"}[wantInvalid], m.ID, i))
}

// kv is one member of a JSON object, in writing order.
type kv struct {
	k string
	v any
}

type builder struct {
	g     *gen
	r     *rand.Rand
	m     *catalog.Model
	env   []kv
	input []kv
	specs map[string]*catalog.FieldSpec // effective specs of the chosen variants
}

func (b *builder) get(name string) (any, bool) {
	for _, e := range b.input {
		if e.k == name {
			return e.v, true
		}
	}
	return nil, false
}

func (b *builder) set(name string, v any) {
	for i, e := range b.input {
		if e.k == name {
			b.input[i].v = v
			return
		}
	}
	b.input = append(b.input, kv{name, v})
}

func (b *builder) del(name string) bool {
	for i, e := range b.input {
		if e.k == name {
			b.input = slices.Delete(b.input, i, i+1)
			return true
		}
	}
	return false
}

// valid fills a request that should pass: the fields variants condition on
// first, then the variants' effective specs decide what else is required,
// forbidden and in range.
func (b *builder) valid() {
	m, r := b.m, b.r
	b.env = []kv{{"model", m.ID}}
	switch x := r.IntN(10); {
	case x < 3:
		b.env = append(b.env, kv{"request_type", "callback"},
			kv{"callback_url", fmt.Sprintf("https://hooks.example.com/apixo/done?job=%08x", r.Uint32())})
	case x < 5:
		b.env = append(b.env, kv{"request_type", "async"})
	}
	if m.Provider != nil && len(m.Provider.Enum) > 0 {
		b.env = append(b.env, kv{"provider", m.Provider.Enum[r.IntN(len(m.Provider.Enum))]})
	} else if r.IntN(3) == 0 {
		b.env = append(b.env, kv{"provider", []string{"auto", "value", "official"}[r.IntN(3)]})
	}

	// Fields a variant conditions on: pick from their enums.
	when := map[string]bool{}
	for _, v := range m.Variants {
		for f := range v.When {
			when[f] = true
		}
	}
	b.input = nil
	for _, name := range []string{"mode"} {
		b.set(name, b.pick(m.Fields[name]))
	}
	for _, name := range m.FieldNames() {
		if name == "mode" || !when[name] {
			continue
		}
		fs := m.Fields[name]
		if catalog.IsTrue(fs.Required) || r.IntN(2) == 0 {
			if v, ok := b.scalar(name, fs); ok {
				b.set(name, v)
			}
		}
	}
	b.specs = b.effective()
	// Drop condition fields a variant now forbids.
	for _, name := range m.FieldNames() {
		if catalog.IsTrue(b.specs[name].Forbidden) {
			b.del(name)
		}
	}
	// Then everything else: required fields always, optional ones often.
	order := []string{"prompt"}
	for _, name := range m.FieldNames() {
		if name != "prompt" && name != "mode" {
			order = append(order, name)
		}
	}
	for _, name := range order {
		fs := b.specs[name]
		if fs == nil || catalog.IsTrue(fs.Forbidden) {
			continue
		}
		if _, done := b.get(name); done {
			continue
		}
		p := 0.45
		if name == "prompt" {
			p = 0.97
		}
		if !catalog.IsTrue(fs.Required) && (b.r.Float64() > p || fs.Type == "any" || fs.Type == "object") {
			continue
		}
		if v, ok := b.value(name, fs); ok {
			b.set(name, v)
		}
	}
}

// effective applies the variants whose conditions hold for the input so
// far, exactly as the linter does (catalog.Model.Spec).
func (b *builder) effective() map[string]*catalog.FieldSpec {
	values := make(map[string]any, len(b.input))
	for _, e := range b.input {
		values[e.k] = e.v
	}
	out := map[string]*catalog.FieldSpec{}
	cs := b.m.Plan().CaseFor(values)
	for i, name := range b.m.FieldNames() {
		out[name] = &cs.Fields[i].FieldSpec
	}
	return out
}

func (b *builder) pick(fs *catalog.FieldSpec) any {
	return jsonValue(fs.Enum[b.r.IntN(len(fs.Enum))])
}

// jsonValue turns catalog numbers that are integers into ints, so they are
// written as 5, not 5.0.
func jsonValue(v any) any {
	if f, ok := v.(float64); ok && f == math.Trunc(f) && math.Abs(f) < 1e15 {
		return int(f)
	}
	return v
}

// scalar picks a value for an enum, boolean or numeric field.
func (b *builder) scalar(name string, fs *catalog.FieldSpec) (any, bool) {
	switch {
	case len(fs.Enum) > 0:
		return b.pick(fs), true
	case fs.Type == "boolean":
		return b.r.IntN(2) == 0, true
	case fs.Type == "integer" || fs.Type == "number":
		return b.number(name, fs), true
	}
	return nil, false
}

func (b *builder) value(name string, fs *catalog.FieldSpec) (any, bool) {
	if v, ok := b.scalar(name, fs); ok {
		return v, true
	}
	switch fs.Type {
	case "prompt":
		return b.prompt(fs), true
	case "string":
		return b.text(name, fs), true
	case "url":
		return b.url(fs.Media, 0), true
	case "array":
		return b.array(name, fs), true
	}
	return nil, false
}

func (b *builder) number(name string, fs *catalog.FieldSpec) any {
	lo, hi := 1.0, 10.0
	if name == "seed" {
		lo, hi = 1, 2147483647
	}
	if fs.Minimum != nil {
		lo = *fs.Minimum
	}
	if fs.Maximum != nil {
		hi = *fs.Maximum
	} else if fs.Minimum != nil {
		hi = lo + 10
	}
	if fs.Type == "integer" {
		step := 1.0
		if fs.MultipleOf != nil && *fs.MultipleOf >= 1 {
			step = *fs.MultipleOf
		}
		first := math.Ceil(lo/step) * step
		k := int((hi - first) / step)
		v := first + float64(b.r.IntN(k+1))*step
		if name == "seed" && v == 0 {
			v = 42
		}
		return int(v)
	}
	if fs.MultipleOf != nil {
		step := *fs.MultipleOf
		k := int(math.Round((hi - lo) / step))
		return math.Round((lo+float64(b.r.IntN(k+1))*step)*1e6) / 1e6
	}
	return math.Round((lo+b.r.Float64()*(hi-lo))*100) / 100
}

var shortTexts = map[string][]string{
	"taskId":          {"8f3a2c1e-77d0-4b1a-9c51-0f2d6b1e9a44", "c0ffee12-3456-4789-abcd-ef0123456789", "task_01HZX3R4M8"},
	"watermark":       {"preflight", "Studio Nord", "© Atelier 2026"},
	"style":           {"dream pop, shimmering synths", "lo-fi hip hop", "anime", "Bossa nova, acoustic guitar, café ambience", "J-pop バラード"},
	"title":           {"Harbour Lights", "Nuit blanche", "夜明けの港", "Signal Fire"},
	"negativeTags":    {"heavy metal, screaming", "autotune", "distortion"},
	"negative_prompt": {"blurry, low quality, watermark, text", "extra fingers, deformed hands", "oversaturated, noise, jpeg artifacts", "ぼやけ、低画質"},
}

func (b *builder) text(name string, fs *catalog.FieldSpec) string {
	s := "preflight benchmark"
	if opts, ok := shortTexts[name]; ok {
		s = opts[b.r.IntN(len(opts))]
	}
	if fs.MaxLength != nil && utf8.RuneCountInString(s) > *fs.MaxLength {
		s = string([]rune(s)[:*fs.MaxLength])
	}
	return s
}

var mediaExt = map[string][]string{
	"image": {"jpg", "jpg", "png", "jpeg", "webp"},
	"video": {"mp4", "mp4", "mov"},
	"audio": {"mp3", "wav", "m4a"},
	"mask":  {"png"},
	"lora":  {"safetensors"},
}

func (b *builder) url(media string, k int) string {
	exts := mediaExt[media]
	if exts == nil {
		exts = mediaExt["image"]
	}
	ext := exts[b.r.IntN(len(exts))]
	if media == "image" && b.m.ID == "image-upscaler" || media == "mask" {
		ext = "png"
	}
	if media == "" {
		media = "ref"
	}
	return fmt.Sprintf("%s/%s/%s/%08x-%d.%s", b.g.host, media, b.m.ID, b.r.Uint32(), k+1, ext)
}

// array fills a list of reference URLs (or LoRA objects) with a count the
// effective spec allows, most often one or two.
func (b *builder) array(name string, fs *catalog.FieldSpec) []any {
	lo, hi := 1, 4
	if fs.MinItems != nil {
		lo = max(*fs.MinItems, 1)
	}
	if fs.MaxItems != nil {
		hi = *fs.MaxItems
	}
	hi = max(lo, min(hi, lo+3))
	n := lo + b.r.IntN(hi-lo+1)
	if n > lo+1 && b.r.IntN(2) == 0 {
		n = lo
	}
	out := make([]any, n)
	for k := range out {
		if fs.Items != nil && fs.Items.Type == "object" {
			out[k] = []kv{{"path", b.url("lora", k)}, {"scale", math.Round((0.5+b.r.Float64()*0.5)*100) / 100}}
			continue
		}
		media := "image"
		if fs.Items != nil && fs.Items.Media != "" {
			media = fs.Items.Media
		}
		out[k] = b.url(media, k)
	}
	return out
}

// Prompt material: English, accented Latin, CJK and emoji, so character and
// byte counts differ the way they do in real batches.
var (
	english = []string{
		"A quiet harbour town at dawn,", "fishing boats resting on glassy water,", "soft pastel sky with thin clouds,",
		"gulls circling the lighthouse,", "warm light on whitewashed houses with blue shutters,", "cinematic composition,",
		"shallow depth of field,", "35mm film look with gentle grain,", "a lone fisherman coiling rope on the pier,",
		"crates of fresh catch stacked beside him,", "a cat watching from a bollard.", "The camera slowly dollies forward",
		"as mist drifts over the hills.", "Studio portrait of an elderly watchmaker,", "loupe in one eye, brass gears on the bench,",
		"Rembrandt lighting, rich shadows.", "Aerial shot of a winding mountain road in autumn,", "red and gold forests,",
		"a vintage car climbing the switchbacks.", "Macro photograph of dew on a spider web,", "bokeh background in morning light.",
		"Neon-lit street market in the rain,", "steam rising from food stalls,", "reflections on wet asphalt.",
		"Upbeat indie pop song about summer road trips", "with jangly guitars and a catchy chorus.",
		"Product shot of a ceramic coffee mug on a walnut table,", "soft window light, minimalist styling.",
		"The dancer spins and the fabric of her dress flares out", "in slow motion against a black background.",
	}
	accented = []string{
		"un café crème sur une terrasse à Montréal,", "lumière dorée de fin d'après-midi,", "la señora prepara paella en la cocina,",
		"niños jugando en la plaza,", "Straßenbahn im Schnee, Wien um Mitternacht,", "a naïve façade with crème brûlée tones,",
		"São Paulo à noite, luzes de néon,", "fjord i Norge med små røde hus,", "Øresund bridge at sunrise,",
	}
	cjk = []string{
		"港の朝、", "漁船が静かな水面に浮かぶ。", "霧が丘の上を流れていく。", "夕暮れの京都、石畳の路地、",
		"提灯の柔らかい光。", "一只橘猫趴在窗台上晒太阳，", "背景是上海的高楼大厦。", "电影感构图，浅景深。",
		"눈 내리는 서울의 밤거리,", "따뜻한 카페 불빛.", "桜の花びらが舞う春の公園、", "子供たちが走り回る。",
	}
	emoji = []string{"🌅", "🚤", "🐈", "✨", "🎬", "🌧️", "🍜", "🎸", "🌸", "👩‍🍳", "🇯🇵", "❤️", "🔥", "🌊"}
)

// promptLen draws a character count: lognormal around ~450 characters,
// clipped to 20..2000.
func (b *builder) promptLen() int {
	n := int(math.Exp(6.1 + 0.75*b.r.NormFloat64()))
	return min(max(n, 20), 2000)
}

func (b *builder) prompt(fs *catalog.FieldSpec) string {
	n := b.promptLen()
	if fs.MaxLength != nil {
		n = min(n, *fs.MaxLength-5)
	}
	if fs.MaxBytes != nil {
		n = min(n, *fs.MaxBytes/4-5)
	}
	if fs.MinLength != nil {
		n = max(n, *fs.MinLength+5)
	}
	return b.promptText(n)
}

func (b *builder) promptText(n int) string {
	var sb strings.Builder
	kind := b.r.IntN(20)
	count := 0
	for count < n {
		var s string
		switch {
		case kind < 3: // mostly CJK
			s = cjk[b.r.IntN(len(cjk))]
			if b.r.IntN(6) == 0 {
				s = english[b.r.IntN(len(english))] + " "
			}
		case kind < 5: // accented Latin
			s = accented[b.r.IntN(len(accented))] + " "
			if b.r.IntN(3) == 0 {
				s = english[b.r.IntN(len(english))] + " "
			}
		case kind < 7: // English with emoji
			s = english[b.r.IntN(len(english))] + " "
			if b.r.IntN(3) == 0 {
				s += emoji[b.r.IntN(len(emoji))] + " "
			}
		default:
			s = english[b.r.IntN(len(english))] + " "
			if b.r.IntN(25) == 0 {
				s = accented[b.r.IntN(len(accented))] + " "
			}
		}
		sb.WriteString(s)
		count += utf8.RuneCountInString(s)
	}
	rs := []rune(sb.String())
	if len(rs) > n {
		rs = rs[:n]
	}
	// Never end inside an emoji sequence or on a space.
	for len(rs) > 1 && (rs[len(rs)-1] == ' ' || rs[len(rs)-1] == 0x200d || rs[len(rs)-1] == 0xfe0f) {
		rs = rs[:len(rs)-1]
	}
	return string(rs)
}

// spoil makes one realistic mistake; false when the model offers no place
// for it.
func (b *builder) spoil(mistake string) bool {
	r := b.r
	var names []string
	for _, e := range b.input {
		names = append(names, e.k)
	}
	r.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	switch mistake {
	case "enum-case": // "1K" for "1k", "Text-To-Video" for "text-to-video"
		for _, name := range names {
			v, _ := b.get(name)
			s, ok := v.(string)
			if !ok || len(b.specs[name].Enum) == 0 {
				continue
			}
			for _, alt := range []string{strings.ToUpper(s), strings.ToLower(s), strings.ToUpper(s[:1]) + s[1:]} {
				if alt != s && !slices.Contains(b.specs[name].Enum, any(alt)) {
					b.set(name, alt)
					return true
				}
			}
		}
	case "prompt-too-long":
		fs := b.specs["prompt"]
		if fs == nil || fs.MaxLength == nil || catalog.IsTrue(fs.Forbidden) {
			return false
		}
		b.set("prompt", b.promptText(*fs.MaxLength+1+r.IntN(400)))
		return true
	case "missing-required":
		var req []string
		for _, name := range names {
			if catalog.IsTrue(b.specs[name].Required) {
				req = append(req, name)
			}
		}
		if len(req) == 0 {
			return false
		}
		return b.del(req[r.IntN(len(req))])
	case "wrong-type": // "5" for 5, "true" for true, a bare string for a list
		for _, name := range names {
			v, _ := b.get(name)
			switch x := v.(type) {
			case int:
				b.set(name, fmt.Sprint(x))
				return true
			case float64:
				b.set(name, fmt.Sprint(x))
				return true
			case bool:
				b.set(name, fmt.Sprint(x))
				return true
			case []any:
				if len(x) > 0 {
					b.set(name, x[0])
					return true
				}
			}
		}
	case "too-many-refs":
		for _, name := range names {
			v, _ := b.get(name)
			list, ok := v.([]any)
			fs := b.specs[name]
			if !ok || fs.MaxItems == nil || *fs.MaxItems > 20 || fs.Items == nil || fs.Items.Type == "object" {
				continue
			}
			media := fs.Items.Media
			for k := len(list); k <= *fs.MaxItems; k++ {
				list = append(list, b.url(media, k))
			}
			b.set(name, list)
			return true
		}
	case "out-of-range":
		for _, name := range names {
			fs := b.specs[name]
			if _, isInt := func() (any, bool) { v, _ := b.get(name); _, ok := v.(int); return v, ok }(); !isInt || len(fs.Enum) > 0 {
				continue
			}
			if fs.Maximum != nil {
				b.set(name, int(*fs.Maximum)+1+r.IntN(5))
				return true
			}
			if fs.Minimum != nil && *fs.Minimum > 0 {
				b.set(name, 0)
				return true
			}
		}
	}
	return false
}

// encode writes the request compactly, members in the order they were set.
func (b *builder) encode() []byte {
	var buf bytes.Buffer
	buf.Grow(1024)
	obj := append(slices.Clone(b.env), kv{"input", b.input})
	writeJSON(&buf, obj)
	return buf.Bytes()
}

func writeJSON(buf *bytes.Buffer, v any) {
	switch x := v.(type) {
	case []kv:
		buf.WriteByte('{')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSON(buf, e.k)
			buf.WriteByte(':')
			writeJSON(buf, e.v)
		}
		buf.WriteByte('}')
	case []any:
		buf.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSON(buf, e)
		}
		buf.WriteByte(']')
	case string:
		enc := json.NewEncoder(buf)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(x)
		buf.Truncate(buf.Len() - 1) // Encode's newline
	default:
		b, err := json.Marshal(x)
		if err != nil {
			panic(err)
		}
		buf.Write(b)
	}
}
