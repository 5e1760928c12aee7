package assess

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/secondstory/secondstory/ingest"
)

//go:embed catalog.yaml
var defaultCatalog []byte

// algorithmVersion changes whenever the assessment code gives different
// results for the same catalog; it is folded into Catalog.Version so a new
// release reassesses every debrief just as a new catalog does.
const algorithmVersion = "15"

// QuestionCategories returns the 13 question coverage categories of
// DOMAIN.md, in the order assessments report them.
func QuestionCategories() []string { return append([]string(nil), questionCategories...) }

// TechnicalFactors returns the 14 technical categories of DOMAIN.md's
// contributing factor taxonomy.
func TechnicalFactors() []string { return append([]string(nil), technicalFactors...) }

// OrganisationalFactors returns the 8 organisational and human categories
// of DOMAIN.md's contributing factor taxonomy.
func OrganisationalFactors() []string { return append([]string(nil), organisationalFactors...) }

var questionCategories = []string{
	"cues", "assessment", "decisions", "knowledge", "pressures", "normal_work",
	"help", "surprise", "expertise", "anticipation", "handoffs", "learning",
	"resilience",
}

var (
	technicalFactors = []string{
		"config_change", "code_change", "infra_change", "capacity", "dependency",
		"hardware", "network", "dns", "certificate", "database", "time",
		"software_bug", "data", "security",
	}
	organisationalFactors = []string{
		"monitoring", "tooling", "testing", "documentation", "knowledge",
		"communication", "process", "pressure",
	}
	// factorCategories is the whole taxonomy, technical then
	// organisational.
	factorCategories = append(append([]string(nil), technicalFactors...), organisationalFactors...)
)

// Catalog is the validated content of a catalog file: the language cues
// for question categories, factor categories and depth indicators, and the
// depth score's weights. It is read-only once loaded.
type Catalog struct {
	file    catalogFile
	version string
}

// DefaultCatalog returns the catalog embedded in the binary.
func DefaultCatalog() *Catalog {
	c, err := parseCatalog("catalog.yaml (embedded)", defaultCatalog)
	if err != nil {
		// The embedded catalog is checked by the package tests; an
		// invalid one cannot ship. Fall back to an empty catalog that
		// still assesses (everything uncovered) rather than panic.
		return &Catalog{version: "invalid+" + shortHash(defaultCatalog), file: emptyCatalog()}
	}
	return c
}

// LoadCatalog reads and validates a catalog file, for overriding the
// embedded one from the configuration.
func LoadCatalog(path string) (*Catalog, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("assess: read catalog: %w", err)
	}
	return parseCatalog(path, b)
}

// ParseCatalog validates catalog content read from elsewhere; name is used
// in error messages.
func ParseCatalog(name string, data []byte) (*Catalog, error) {
	return parseCatalog(name, data)
}

// Version identifies the catalog content and the assessment code: the
// declared version, then a short hash of both. Any change to either gives
// a new version.
func (c *Catalog) Version() string { return c.version }

// QuestionTitle is the human title of a question category ("Cues and
// observations" for cues); the key itself when the catalog has none.
func (c *Catalog) QuestionTitle(key string) string {
	if q, ok := c.file.Questions[key]; ok && q.Title != "" {
		return q.Title
	}
	return key
}

// FactorTitle is the human title of a factor category ("Detection and
// observability" for monitoring); the key itself when the catalog has
// none. Question and factor categories share a key (knowledge), so the
// two are asked for apart.
func (c *Catalog) FactorTitle(key string) string {
	if f, ok := c.file.Factors[key]; ok && f.Title != "" {
		return f.Title
	}
	return key
}

func parseCatalog(name string, data []byte) (*Catalog, error) {
	var f catalogFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("assess: catalog %s: %w", name, err)
	}
	if err := f.validate(); err != nil {
		return nil, fmt.Errorf("assess: catalog %s: %w", name, err)
	}
	// Compile once to surface bad phrases with their lines.
	if _, err := compile(&f); err != nil {
		return nil, fmt.Errorf("assess: catalog %s: %w", name, err)
	}
	return &Catalog{file: f, version: f.Version + "+" + shortHash(data)}, nil
}

func shortHash(data []byte) string {
	h := sha256.New()
	h.Write([]byte(algorithmVersion))
	h.Write([]byte{0})
	h.Write(data)
	return hex.EncodeToString(h.Sum(nil))[:12]
}

// catalogFile is the YAML shape of a catalog; catalog.yaml documents each
// key.
type catalogFile struct {
	Version      string                  `yaml:"version"`
	Negators     []phrase                `yaml:"negators"`
	Hedges       []phrase                `yaml:"hedges"`
	Placeholders []phrase                `yaml:"placeholders"`
	Stopwords    []phrase                `yaml:"stopwords"`
	Lexicons     map[string][]phrase     `yaml:"lexicons"`
	Questions    map[string]questionSpec `yaml:"questions"`
	Factors      map[string]factorSpec   `yaml:"factors"`
	Concepts     []conceptSpec           `yaml:"concepts"`
	Depth        depthSpec               `yaml:"depth"`
}

// phrase is a catalog phrase with the line it was written on.
type phrase struct {
	Text string
	Line int
}

func (p *phrase) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return fmt.Errorf("line %d: expected a phrase (a string)", n.Line)
	}
	p.Text, p.Line = n.Value, n.Line
	return nil
}

type questionSpec struct {
	Title string `yaml:"title"`
	// Threshold is the score a sentence needs to count as evidence.
	Threshold float64 `yaml:"threshold"`
	// Sections scale a sentence's score by the kind of its section
	// (default 1).
	Sections map[string]float64 `yaml:"sections"`
	// People marks a category about what people noticed, knew, decided
	// or felt: in a retelling (a debrief in one untitled text that never
	// speaks in the first person) a sentence is evidence only when it
	// names a person or team, not when it only tells what a system did.
	People bool       `yaml:"people"`
	Rules  []ruleSpec `yaml:"rules"`
}

// ruleSpec fires on a sentence when every element of Match matches, one
// element of Any matches (when given), no element of None matches, and the
// sentence is in one of the In section kinds (when given). An element
// starting with "@" names a lexicon.
type ruleSpec struct {
	Name   string   `yaml:"name"`
	Match  []phrase `yaml:"match"`
	Any    []phrase `yaml:"any"`
	None   []phrase `yaml:"none"`
	In     []string `yaml:"in"`
	Weight float64  `yaml:"weight"`
	// Anyone exempts the rule from its category's People requirement:
	// in a retelling, what an instrument or a report showed ("alarms
	// indicated errors in writes") is what the people saw, though it
	// names none of them.
	Anyone bool `yaml:"anyone"`
	// Inside limits the rule to debriefs told by the team itself: in a
	// retelling, "no data was lost" or "quickly identified the issue" is
	// the narrator's account of the impact, not what the team saw go well.
	Inside bool `yaml:"inside"`
}

type factorSpec struct {
	Title string   `yaml:"title"`
	Group string   `yaml:"group"`
	Cues  []phrase `yaml:"cues"`
	// Not vetoes the category for a sentence where one of these matches.
	Not []phrase `yaml:"not"`
	// Topic phrases name what a factor is about without saying anything
	// was wrong ("the alerting pipeline", "health checks"): they file the
	// category in a factor section, and elsewhere only beside a gap ("no
	// alert", "metrics were missing").
	Topic []phrase `yaml:"topic"`
}

type conceptSpec struct {
	ID         string   `yaml:"id"`
	Phrases    []phrase `yaml:"phrases"`
	Categories []string `yaml:"categories"`
}

type depthSpec struct {
	FactorSections []string  `yaml:"factor_sections"`
	RootCause      []phrase  `yaml:"root_cause"`
	SingleCause    []phrase  `yaml:"single_cause"`
	MultiCause     []phrase  `yaml:"multi_cause"`
	FactorList     []phrase  `yaml:"factor_list"`
	NamesCause     []phrase  `yaml:"names_cause"`
	Counterfactual []phrase  `yaml:"counterfactual"`
	Blame          []phrase  `yaml:"blame"`
	Careful        []phrase  `yaml:"careful"`
	Causal         []phrase  `yaml:"causal"`
	Reason         []phrase  `yaml:"reason"`
	Deficiency     []phrase  `yaml:"deficiency"`
	Roles          []phrase  `yaml:"roles"`
	PersonVerbs    []phrase  `yaml:"person_verbs"`
	NotNames       []phrase  `yaml:"not_names"`
	Score          scoreSpec `yaml:"score"`
}

// scoreSpec holds the depth score's weights; doc.go gives the formula.
type scoreSpec struct {
	PerFactor            float64 `yaml:"per_factor"`
	MaxFactors           int     `yaml:"max_factors"`
	Technical            float64 `yaml:"technical"`
	PerOrganisational    float64 `yaml:"per_organisational"`
	MaxOrganisational    int     `yaml:"max_organisational"`
	PerPerspective       float64 `yaml:"per_perspective"`
	MaxPerspectives      int     `yaml:"max_perspectives"`
	Timeline             float64 `yaml:"timeline"`
	WentWell             float64 `yaml:"went_well"`
	Surprises            float64 `yaml:"surprises"`
	Lessons              float64 `yaml:"lessons"`
	OpenQuestions        float64 `yaml:"open_questions"`
	ActionsBeyondCareful float64 `yaml:"actions_beyond_careful"`
	Coverage             float64 `yaml:"coverage"`
	RootCauseFraming     float64 `yaml:"root_cause_framing"`
	PerCounterfactual    float64 `yaml:"per_counterfactual"`
	MaxCounterfactuals   int     `yaml:"max_counterfactuals"`
	Blame                float64 `yaml:"blame"`
}

// maxPositive is the score of a debrief that earns every positive weight.
func (s scoreSpec) maxPositive() float64 {
	return s.PerFactor*float64(s.MaxFactors) + s.Technical +
		s.PerOrganisational*float64(s.MaxOrganisational) +
		s.PerPerspective*float64(s.MaxPerspectives) + s.Timeline + s.WentWell +
		s.Surprises + s.Lessons + s.OpenQuestions + s.ActionsBeyondCareful + s.Coverage
}

func (f *catalogFile) validate() error {
	var errs []error
	if strings.TrimSpace(f.Version) == "" {
		errs = append(errs, errors.New("version: missing"))
	}
	for _, k := range questionCategories {
		q, ok := f.Questions[k]
		if !ok {
			errs = append(errs, fmt.Errorf("questions: missing category %q", k))
			continue
		}
		if len(q.Rules) == 0 {
			errs = append(errs, fmt.Errorf("questions.%s: no rules", k))
		}
		if q.Threshold < 0 {
			errs = append(errs, fmt.Errorf("questions.%s.threshold: negative", k))
		}
		for kind := range q.Sections {
			if !ingest.SectionKind(kind).Valid() {
				errs = append(errs, fmt.Errorf("questions.%s.sections: unknown section kind %q", k, kind))
			}
		}
		for i, r := range q.Rules {
			where := fmt.Sprintf("questions.%s.rules[%d]", k, i)
			if l := r.line(); l > 0 {
				where = fmt.Sprintf("line %d: %s", l, where)
			}
			if len(r.Match) == 0 && len(r.Any) == 0 && len(r.In) == 0 {
				errs = append(errs, fmt.Errorf("%s: needs match, any or in", where))
			}
			if r.Weight <= 0 {
				errs = append(errs, fmt.Errorf("%s: weight must be positive", where))
			}
			for _, kind := range r.In {
				if !ingest.SectionKind(kind).Valid() {
					errs = append(errs, fmt.Errorf("%s.in: unknown section kind %q", where, kind))
				}
			}
			for _, p := range append(append(append([]phrase(nil), r.Match...), r.Any...), r.None...) {
				if name, ok := strings.CutPrefix(p.Text, "@"); ok {
					if _, ok := f.Lexicons[name]; !ok {
						errs = append(errs, fmt.Errorf("line %d: %s: unknown lexicon %q", p.Line, where, name))
					}
				}
			}
		}
	}
	for k := range f.Questions {
		if !contains(questionCategories, k) {
			errs = append(errs, fmt.Errorf("questions: unknown category %q", k))
		}
	}
	groups := map[string]string{}
	for _, k := range technicalFactors {
		groups[k] = "technical"
	}
	for _, k := range organisationalFactors {
		groups[k] = "organisational"
	}
	for k, g := range groups {
		fs, ok := f.Factors[k]
		if !ok {
			errs = append(errs, fmt.Errorf("factors: missing category %q", k))
			continue
		}
		if fs.Group != g {
			errs = append(errs, fmt.Errorf("factors.%s.group: %q, want %q", k, fs.Group, g))
		}
	}
	for k := range f.Factors {
		if _, ok := groups[k]; !ok {
			errs = append(errs, fmt.Errorf("factors: unknown category %q", k))
		}
	}
	seen := map[string]bool{}
	for i, c := range f.Concepts {
		where := fmt.Sprintf("concepts[%d]", i)
		if len(c.Phrases) > 0 {
			where = fmt.Sprintf("line %d: %s", c.Phrases[0].Line, where)
		}
		if c.ID == "" || strings.ContainsAny(c.ID, "/ \t") {
			errs = append(errs, fmt.Errorf("%s: id %q must be a word without spaces or slashes", where, c.ID))
		}
		if seen[c.ID] {
			errs = append(errs, fmt.Errorf("%s: duplicate id %q", where, c.ID))
		}
		seen[c.ID] = true
		if len(c.Phrases) == 0 {
			errs = append(errs, fmt.Errorf("%s: no phrases", where))
		}
		for _, cat := range c.Categories {
			if _, ok := groups[cat]; !ok {
				errs = append(errs, fmt.Errorf("%s: unknown factor category %q", where, cat))
			}
		}
	}
	for _, k := range f.Depth.FactorSections {
		if !ingest.SectionKind(k).Valid() {
			errs = append(errs, fmt.Errorf("depth.factor_sections: unknown section kind %q", k))
		}
	}
	if len(f.Depth.FactorSections) == 0 {
		errs = append(errs, errors.New("depth.factor_sections: missing"))
	}
	for _, n := range f.Negators {
		if strings.ContainsAny(n.Text, " \t") {
			errs = append(errs, fmt.Errorf("line %d: negators: %q must be one word", n.Line, n.Text))
		}
	}
	s := f.Depth.Score
	if m := s.maxPositive(); math.Abs(m-100) > 1e-9 {
		errs = append(errs, fmt.Errorf("depth.score: positive weights add up to %g, want 100", m))
	}
	if s.RootCauseFraming > 0 || s.PerCounterfactual > 0 || s.Blame > 0 {
		errs = append(errs, errors.New("depth.score: root_cause_framing, per_counterfactual and blame are penalties and must not be positive"))
	}
	return errors.Join(errs...)
}

func (r ruleSpec) line() int {
	for _, l := range [][]phrase{r.Match, r.Any, r.None} {
		if len(l) > 0 {
			return l[0].Line
		}
	}
	return 0
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func emptyCatalog() catalogFile {
	f := catalogFile{Version: "empty", Questions: map[string]questionSpec{}, Factors: map[string]factorSpec{}}
	for _, k := range questionCategories {
		f.Questions[k] = questionSpec{}
	}
	for _, k := range technicalFactors {
		f.Factors[k] = factorSpec{Group: "technical"}
	}
	for _, k := range organisationalFactors {
		f.Factors[k] = factorSpec{Group: "organisational"}
	}
	f.Depth.FactorSections = []string{string(ingest.KindContributingFactors), string(ingest.KindRootCause)}
	return f
}
