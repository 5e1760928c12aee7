package assess

import (
	"fmt"
	"strings"

	"github.com/secondstory/secondstory/ingest"
)

// The matcher finds every catalog phrase in a sentence in one pass over its
// tokens. Catalog words are interned: each token costs one map lookup to
// find its word id (and whether it is a negator), then the phrases are
// walked in a trie whose edges are word ids, so the cost per token does not
// grow with the size of the catalog. Regular expressions are never run per
// sentence.

type elemKind uint8

const (
	elemStem   elemKind = iota // a word, compared by stem
	elemExact                  // "=word": the lower-case surface form
	elemPrefix                 // "word*": any word starting so
	elemWild                   // "_": any one word
	elemGap                    // "~": zero to three words
)

type elem struct {
	kind elemKind
	w    string
}

const maxGap = 3

type pedge struct {
	p  string
	to int32
}

type sedge struct{ sid, to int32 }

type xedge struct {
	sid int32
	low string
	to  int32
}

type tnode struct {
	next   []sedge
	exact  []xedge
	prefix []pedge
	wild   int32
	gap    int32
	out    []int32
}

// word is what the vocabulary knows of a stem.
type word struct {
	sid int32
	neg bool // a negator: "not", "no", "never"
}

type matcher struct {
	vocab map[string]word
	nodes []tnode
	// root[sid] is the node after a phrase's first word, -1 for none;
	// rootExact[sid] the "=word" edges whose stem is sid.
	root      []int32
	rootExact [][]xedge
	// rootPrefix holds "word*" first elements by their first three
	// letters; prefixBits says which three-letter starts have any.
	rootPrefix map[string][]pedge
	prefixBits []uint64
	oddPrefix  bool // a prefix starts with something other than a-z
	// phrases[pid] is the phrase as written and the lexicons it feeds.
	phrases []cphrase
	byKey   map[string]int32
}

type cphrase struct {
	text string
	lex  []int32
}

func newMatcher() *matcher {
	return &matcher{
		vocab:      map[string]word{},
		nodes:      []tnode{{wild: -1, gap: -1}},
		rootPrefix: map[string][]pedge{},
		prefixBits: make([]uint64, (26*26*26+63)/64),
		byKey:      map[string]int32{},
	}
}

// intern returns the word id of a stem, adding it to the vocabulary.
func (m *matcher) intern(stem string) int32 {
	if w, ok := m.vocab[stem]; ok {
		return w.sid
	}
	sid := int32(len(m.vocab))
	m.vocab[strings.Clone(stem)] = word{sid: sid}
	return sid
}

// negator marks a word as a negator.
func (m *matcher) negator(w string) {
	var lw lowerBuf
	for _, t := range tokenize(nil, w, lw.lower(w), 0, len(w)) {
		sid := m.intern(t.stem)
		m.vocab[t.stem] = word{sid: sid, neg: true}
	}
}

// parsePhrase turns one catalog phrase into its alternatives ("{a|b}"
// expands) of element sequences.
func parsePhrase(text string) ([][]elem, error) {
	alts, err := expandBraces(strings.ToLower(strings.TrimSpace(text)))
	if err != nil {
		return nil, err
	}
	var out [][]elem
	var lw lowerBuf
	for _, a := range alts {
		var seq []elem
		for _, f := range strings.Fields(a) {
			switch {
			case f == "_":
				seq = append(seq, elem{kind: elemWild})
			case f == "~":
				seq = append(seq, elem{kind: elemGap})
			case strings.HasSuffix(f, "*"):
				p := strings.TrimSuffix(f, "*")
				if len(p) < 3 || strings.ContainsAny(p, "*=_~'’-. ") {
					return nil, fmt.Errorf("prefix %q: needs three letters or more and no punctuation", f)
				}
				seq = append(seq, elem{kind: elemPrefix, w: p})
			case strings.HasPrefix(f, "="):
				w := strings.TrimPrefix(f, "=")
				toks := tokenize(nil, w, lw.lower(w), 0, len(w))
				if len(toks) != 1 {
					return nil, fmt.Errorf("exact word %q: must be a single word", f)
				}
				seq = append(seq, elem{kind: elemExact, w: strings.Clone(toks[0].low)})
			default:
				toks := tokenize(nil, f, lw.lower(f), 0, len(f))
				for _, t := range toks {
					seq = append(seq, elem{kind: elemStem, w: strings.Clone(t.stem)})
				}
			}
		}
		if len(seq) == 0 {
			return nil, fmt.Errorf("phrase %q has no words", text)
		}
		if seq[0].kind == elemGap || seq[0].kind == elemWild || seq[len(seq)-1].kind == elemGap || seq[len(seq)-1].kind == elemWild {
			return nil, fmt.Errorf("phrase %q: _ and ~ go between words", text)
		}
		out = append(out, seq)
	}
	return out, nil
}

// expandBraces expands "{a|b c}" groups into every combination.
func expandBraces(s string) ([]string, error) {
	i := strings.IndexByte(s, '{')
	if i < 0 {
		if strings.IndexByte(s, '}') >= 0 {
			return nil, fmt.Errorf("phrase %q: unbalanced }", s)
		}
		return []string{s}, nil
	}
	j := strings.IndexByte(s[i:], '}')
	if j < 0 {
		return nil, fmt.Errorf("phrase %q: unbalanced {", s)
	}
	j += i
	rest, err := expandBraces(s[j+1:])
	if err != nil {
		return nil, err
	}
	var out []string
	for _, alt := range strings.Split(s[i+1:j], "|") {
		for _, r := range rest {
			out = append(out, s[:i]+" "+alt+" "+r)
		}
	}
	if len(out) > 1024 {
		return nil, fmt.Errorf("phrase %q: expands to more than 1024 phrases", s)
	}
	return out, nil
}

// add compiles a phrase into the trie for lexicon lex.
func (m *matcher) add(text string, lex int32) error {
	seqs, err := parsePhrase(text)
	if err != nil {
		return err
	}
	for _, seq := range seqs {
		key := seqKey(seq)
		if pid, ok := m.byKey[key]; ok {
			if !containsLex(m.phrases[pid].lex, lex) {
				m.phrases[pid].lex = append(m.phrases[pid].lex, lex)
			}
			continue
		}
		pid := int32(len(m.phrases))
		m.phrases = append(m.phrases, cphrase{text: text, lex: []int32{lex}})
		m.byKey[key] = pid
		n := int32(-1)
		for _, e := range seq {
			n = m.edge(n, e)
		}
		m.nodes[n].out = append(m.nodes[n].out, pid)
	}
	return nil
}

func containsLex(l []int32, x int32) bool {
	for _, v := range l {
		if v == x {
			return true
		}
	}
	return false
}

func seqKey(seq []elem) string {
	var b strings.Builder
	for _, e := range seq {
		b.WriteByte(byte('0' + e.kind))
		b.WriteString(e.w)
		b.WriteByte(' ')
	}
	return b.String()
}

func (m *matcher) newNode() int32 {
	m.nodes = append(m.nodes, tnode{wild: -1, gap: -1})
	return int32(len(m.nodes) - 1)
}

// edge follows or makes the edge for e from node from (-1: the root).
func (m *matcher) edge(from int32, e elem) int32 {
	switch e.kind {
	case elemStem:
		sid := m.intern(e.w)
		if from < 0 {
			m.growRoot()
			if m.root[sid] < 0 {
				m.root[sid] = m.newNode()
			}
			return m.root[sid]
		}
		for _, se := range m.nodes[from].next {
			if se.sid == sid {
				return se.to
			}
		}
		to := m.newNode()
		m.nodes[from].next = append(m.nodes[from].next, sedge{sid: sid, to: to})
		return to
	case elemExact:
		sid := m.intern(stem(e.w))
		m.growRoot()
		list := m.rootExact[sid]
		if from >= 0 {
			list = m.nodes[from].exact
		}
		for _, x := range list {
			if x.low == e.w {
				return x.to
			}
		}
		to := m.newNode() // may move m.nodes: index it afresh below
		if from < 0 {
			m.rootExact[sid] = append(m.rootExact[sid], xedge{sid: sid, low: e.w, to: to})
		} else {
			m.nodes[from].exact = append(m.nodes[from].exact, xedge{sid: sid, low: e.w, to: to})
		}
		return to
	case elemPrefix:
		if from < 0 {
			k := e.w[:3]
			for _, pe := range m.rootPrefix[k] {
				if pe.p == e.w {
					return pe.to
				}
			}
			to := m.newNode()
			m.rootPrefix[k] = append(m.rootPrefix[k], pedge{p: e.w, to: to})
			if b, ok := prefixBit(k); ok {
				m.prefixBits[b>>6] |= 1 << (b & 63)
			} else {
				m.oddPrefix = true
			}
			return to
		}
		for _, pe := range m.nodes[from].prefix {
			if pe.p == e.w {
				return pe.to
			}
		}
		to := m.newNode()
		m.nodes[from].prefix = append(m.nodes[from].prefix, pedge{p: e.w, to: to})
		return to
	case elemWild:
		if m.nodes[from].wild < 0 {
			to := m.newNode()
			m.nodes[from].wild = to
		}
		return m.nodes[from].wild
	default:
		if m.nodes[from].gap < 0 {
			to := m.newNode()
			m.nodes[from].gap = to
		}
		return m.nodes[from].gap
	}
}

// growRoot keeps the root tables as long as the vocabulary.
func (m *matcher) growRoot() {
	for len(m.root) < len(m.vocab) {
		m.root = append(m.root, -1)
		m.rootExact = append(m.rootExact, nil)
	}
}

// prefixBit numbers a three-letter start a-z.
func prefixBit(s string) (int, bool) {
	a, b, c := int(s[0])-'a', int(s[1])-'a', int(s[2])-'a'
	if a < 0 || a >= 26 || b < 0 || b >= 26 || c < 0 || c >= 26 {
		return 0, false
	}
	return (a*26+b)*26 + c, true
}

// lookup sets each token's word id and negator flag.
func (m *matcher) lookup(toks []token) {
	for i := range toks {
		t := &toks[i]
		if w, ok := m.vocab[t.stem]; ok {
			t.sid, t.neg = w.sid, w.neg
		} else {
			t.sid, t.neg = -1, false
		}
	}
}

// hit is one phrase found in a sentence, as token positions [start, end).
type hit struct {
	pid        int32
	start, end int32
}

// find appends every phrase occurrence in toks to hits. Tokens must have
// been through lookup.
func (m *matcher) find(toks []token, hits []hit) []hit {
	m.growRoot()
	for i := range toks {
		t := &toks[i]
		if t.sid >= 0 && int(t.sid) < len(m.root) {
			if to := m.root[t.sid]; to >= 0 {
				hits = m.walk(toks, i+1, to, int32(i), hits)
			}
			for _, x := range m.rootExact[t.sid] {
				if x.low == t.low {
					hits = m.walk(toks, i+1, x.to, int32(i), hits)
				}
			}
		}
		if len(t.low) >= 3 {
			b, ok := prefixBit(t.low)
			if ok && m.prefixBits[b>>6]&(1<<(b&63)) != 0 || !ok && m.oddPrefix {
				for _, pe := range m.rootPrefix[t.low[:3]] {
					if strings.HasPrefix(t.low, pe.p) {
						hits = m.walk(toks, i+1, pe.to, int32(i), hits)
					}
				}
			}
		}
	}
	return hits
}

func (m *matcher) walk(toks []token, j int, n int32, start int32, hits []hit) []hit {
	node := &m.nodes[n]
	for _, pid := range node.out {
		hits = append(hits, hit{pid: pid, start: start, end: int32(j)})
	}
	if node.gap >= 0 {
		for k := 0; k <= maxGap && j+k <= len(toks); k++ {
			hits = m.walk(toks, j+k, node.gap, start, hits)
		}
	}
	if j >= len(toks) {
		return hits
	}
	t := &toks[j]
	if t.sid >= 0 {
		for _, se := range node.next {
			if se.sid == t.sid {
				hits = m.walk(toks, j+1, se.to, start, hits)
				break
			}
		}
		for _, x := range node.exact {
			if x.sid == t.sid && x.low == t.low {
				hits = m.walk(toks, j+1, x.to, start, hits)
			}
		}
	}
	for _, pe := range node.prefix {
		if strings.HasPrefix(t.low, pe.p) {
			hits = m.walk(toks, j+1, pe.to, start, hits)
		}
	}
	if node.wild >= 0 {
		hits = m.walk(toks, j+1, node.wild, start, hits)
	}
	return hits
}

// compiled is a catalog turned into lexicon ids, rules and one matcher.
type compiled struct {
	m        *matcher
	lexNames []string
	lexByKey map[string]int32

	questions []qcat
	// factor categories in taxonomy order (technical, then organisational)
	factorKeys []string
	factorOrg  []bool
	factorLex  []int32
	factorNot  []int32 // -1 when none
	dependency int32   // index of "dependency" in factorKeys
	concepts   []concept
	conceptOf  map[int32]int // lexicon id -> index into concepts
	catOf      map[int32]int // factor cue lexicon id -> index into factorKeys
	topicOf    map[int32]int // factor topic lexicon id -> index into factorKeys
	// The same, as slices by lexicon id (-1: none), for the hot paths.
	conceptByLex []int32
	catByLex     []int32
	topicByLex   []int32

	stopwords map[string]bool
	notNames  map[string]bool

	hedge, placeholder                     int32
	rootCause, singleCause, multiCause     int32
	factorList                             int32 // "contributing factors included": a list follows
	namesCause                             int32 // "the root cause was": presents a cause as such
	reason                                 int32 // "due to": the reason a timeline entry gives
	counterfactual, blame, careful         int32
	causal, deficiency, roles, personVerbs int32
	imperative                             int32 // -1 when the catalog has none
	prescriptive                           int32 // -1 when the catalog has none
	remedy                                 int32 // -1 when the catalog has none
	perceive                               int32 // -1 when the catalog has none
	finding                                int32 // -1 when the catalog has none
	person                                 int32 // -1 when the catalog has none
	factorSections                         map[ingest.SectionKind]bool
	score                                  scoreSpec
}

type qcat struct {
	key       string
	threshold float64
	people    bool // in a retelling, evidence must name a person or team
	sections  map[ingest.SectionKind]float64
	rules     []rule
}

type rule struct {
	name   string
	groups [][]int32 // every group needs one of its lexicons
	none   []int32
	in     map[ingest.SectionKind]bool
	weight float64
	anyone bool // counts in a retelling without naming a person
	inside bool // never counts in a retelling
}

type concept struct {
	id   string
	lex  int32
	cats []int // indexes into factorKeys
}

func (c *compiled) lexicon(key string) int32 {
	if id, ok := c.lexByKey[key]; ok {
		return id
	}
	id := int32(len(c.lexNames))
	c.lexNames = append(c.lexNames, key)
	c.lexByKey[key] = id
	return id
}

func (c *compiled) addPhrases(key string, ps []phrase, where string) (int32, error) {
	id := c.lexicon(key)
	for _, p := range ps {
		if err := c.m.add(p.Text, id); err != nil {
			return 0, fmt.Errorf("line %d: %s: %w", p.Line, where, err)
		}
	}
	return id, nil
}

// compile builds the matcher and rule tables of a validated catalog.
func compile(f *catalogFile) (*compiled, error) {
	c := &compiled{
		m:              newMatcher(),
		lexByKey:       map[string]int32{},
		stopwords:      map[string]bool{},
		notNames:       map[string]bool{},
		factorSections: map[ingest.SectionKind]bool{},
		conceptOf:      map[int32]int{},
		catOf:          map[int32]int{},
		topicOf:        map[int32]int{},
		score:          f.Depth.Score,
	}
	for _, name := range sortedKeys(f.Lexicons) {
		if _, err := c.addPhrases("@"+name, f.Lexicons[name], "lexicons."+name); err != nil {
			return nil, err
		}
	}
	var err error
	add := func(dst *int32, key string, ps []phrase) {
		if err != nil {
			return
		}
		*dst, err = c.addPhrases(key, ps, key)
	}
	add(&c.hedge, "hedges", f.Hedges)
	add(&c.placeholder, "placeholders", f.Placeholders)
	add(&c.rootCause, "depth.root_cause", f.Depth.RootCause)
	add(&c.singleCause, "depth.single_cause", f.Depth.SingleCause)
	add(&c.multiCause, "depth.multi_cause", f.Depth.MultiCause)
	add(&c.factorList, "depth.factor_list", f.Depth.FactorList)
	add(&c.namesCause, "depth.names_cause", f.Depth.NamesCause)
	add(&c.counterfactual, "depth.counterfactual", f.Depth.Counterfactual)
	add(&c.blame, "depth.blame", f.Depth.Blame)
	add(&c.careful, "depth.careful", f.Depth.Careful)
	add(&c.causal, "depth.causal", f.Depth.Causal)
	add(&c.reason, "depth.reason", f.Depth.Reason)
	add(&c.deficiency, "depth.deficiency", f.Depth.Deficiency)
	add(&c.roles, "depth.roles", f.Depth.Roles)
	add(&c.personVerbs, "depth.person_verbs", f.Depth.PersonVerbs)
	if err != nil {
		return nil, err
	}
	c.imperative, c.prescriptive, c.remedy = -1, -1, -1
	if id, ok := c.lexByKey["@remedy"]; ok {
		c.remedy = id
	}
	if id, ok := c.lexByKey["@imperative"]; ok {
		c.imperative = id
	}
	if id, ok := c.lexByKey["@prescriptive"]; ok {
		c.prescriptive = id
	}
	c.finding = -1
	if id, ok := c.lexByKey["@finding"]; ok {
		c.finding = id
	}
	c.perceive = -1
	if id, ok := c.lexByKey["@perceive"]; ok {
		c.perceive = id
	}
	c.person = -1
	if id, ok := c.lexByKey["@person"]; ok {
		c.person = id
	}
	for _, n := range f.Negators {
		c.m.negator(n.Text)
	}
	var lw lowerBuf
	for _, s := range f.Stopwords {
		for _, t := range tokenize(nil, s.Text, lw.lower(s.Text), 0, len(s.Text)) {
			c.stopwords[strings.Clone(t.stem)] = true
		}
	}
	for _, n := range f.Depth.NotNames {
		c.notNames[strings.ToLower(n.Text)] = true
	}
	for _, k := range f.Depth.FactorSections {
		c.factorSections[ingest.SectionKind(k)] = true
	}

	// group turns rule elements into lexicon ids: "@name" refers to a
	// lexicon, anything else is a phrase of an anonymous one.
	anon := 0
	group := func(ps []phrase, where string) ([]int32, error) {
		var ids []int32
		var inline []phrase
		for _, p := range ps {
			if name, ok := strings.CutPrefix(p.Text, "@"); ok {
				ids = append(ids, c.lexicon("@"+name))
				continue
			}
			inline = append(inline, p)
		}
		if len(inline) > 0 {
			anon++
			id, err := c.addPhrases(fmt.Sprintf("%s#%d", where, anon), inline, where)
			if err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, nil
	}
	for _, k := range questionCategories {
		q := f.Questions[k]
		qc := qcat{key: k, threshold: q.Threshold, people: q.People, sections: map[ingest.SectionKind]float64{}}
		if qc.threshold == 0 {
			qc.threshold = 1
		}
		for kind, w := range q.Sections {
			qc.sections[ingest.SectionKind(kind)] = w
		}
		for i, r := range q.Rules {
			where := fmt.Sprintf("questions.%s.rules[%d]", k, i)
			cr := rule{name: r.Name, weight: r.Weight, anyone: r.Anyone, inside: r.Inside}
			if cr.name == "" {
				cr.name = fmt.Sprintf("%s-%d", k, i+1)
			}
			for _, p := range r.Match {
				g, err := group([]phrase{p}, where)
				if err != nil {
					return nil, err
				}
				cr.groups = append(cr.groups, g)
			}
			if len(r.Any) > 0 {
				g, err := group(r.Any, where)
				if err != nil {
					return nil, err
				}
				cr.groups = append(cr.groups, g)
			}
			if len(r.None) > 0 {
				g, err := group(r.None, where)
				if err != nil {
					return nil, err
				}
				cr.none = g
			}
			if len(r.In) > 0 {
				cr.in = map[ingest.SectionKind]bool{}
				for _, kind := range r.In {
					cr.in[ingest.SectionKind(kind)] = true
				}
			}
			qc.rules = append(qc.rules, cr)
		}
		c.questions = append(c.questions, qc)
	}
	catIdx := map[string]int{}
	for _, k := range factorCategories {
		fs := f.Factors[k]
		id, err := c.addPhrases("factors."+k, fs.Cues, "factors."+k)
		if err != nil {
			return nil, err
		}
		not := int32(-1)
		if len(fs.Not) > 0 {
			if not, err = c.addPhrases("factors."+k+".not", fs.Not, "factors."+k+".not"); err != nil {
				return nil, err
			}
		}
		if len(fs.Topic) > 0 {
			topic, err := c.addPhrases("factors."+k+".topic", fs.Topic, "factors."+k+".topic")
			if err != nil {
				return nil, err
			}
			c.topicOf[topic] = len(c.factorKeys)
		}
		catIdx[k] = len(c.factorKeys)
		c.catOf[id] = len(c.factorKeys)
		c.factorKeys = append(c.factorKeys, k)
		c.factorOrg = append(c.factorOrg, fs.Group == "organisational")
		c.factorLex = append(c.factorLex, id)
		c.factorNot = append(c.factorNot, not)
	}
	c.dependency = int32(catIdx["dependency"])
	for i, cs := range f.Concepts {
		id, err := c.addPhrases("concept:"+cs.ID, cs.Phrases, fmt.Sprintf("concepts[%d] (%s)", i, cs.ID))
		if err != nil {
			return nil, err
		}
		cc := concept{id: cs.ID, lex: id}
		for _, cat := range cs.Categories {
			cc.cats = append(cc.cats, catIdx[cat])
		}
		c.conceptOf[id] = len(c.concepts)
		c.concepts = append(c.concepts, cc)
	}
	c.conceptByLex = make([]int32, len(c.lexNames))
	c.catByLex = make([]int32, len(c.lexNames))
	c.topicByLex = make([]int32, len(c.lexNames))
	for i := range c.lexNames {
		c.conceptByLex[i], c.catByLex[i], c.topicByLex[i] = -1, -1, -1
	}
	for lex, k := range c.topicOf {
		c.topicByLex[lex] = int32(k)
	}
	for lex, k := range c.conceptOf {
		c.conceptByLex[lex] = int32(k)
	}
	for lex, k := range c.catOf {
		c.catByLex[lex] = int32(k)
	}
	c.m.growRoot()
	return c, nil
}
