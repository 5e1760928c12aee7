// Package synth generates synthetic debriefs for benchmarks and load tests:
// Markdown with front matter, the usual sections and a timeline, about the
// size asked for, from an incident vocabulary. The same seed gives the same
// documents, so figures are comparable from run to run.
package synth

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/secondstory/secondstory/ingest"
	"github.com/secondstory/secondstory/ingest/parse"
)

// Generator makes debriefs from a seed.
type Generator struct {
	rng   *rand.Rand
	start time.Time
	span  time.Duration
	// cur is the incident the debrief being written is about.
	cur incident
}

// incident is the few components, symptoms, changes and people one
// debrief talks about. Real debriefs are about one incident, so a word
// like "replication" is in some of them, not all: searches over generated
// debriefs then match as many as they would over real ones (a component in
// about one in ten, as "timeout" is in 7 % and "database" in 19 % of the
// public debriefs in ../shared/corpus).
type incident struct {
	components, symptoms, changes, people, roles, teams, feelings []string
	host                                                          string
}

// some picks n different entries of list.
func (g *Generator) some(list []string, n int) []string {
	out := make([]string, 0, n)
	for _, i := range g.rng.Perm(len(list))[:min(n, len(list))] {
		out = append(out, list[i])
	}
	return out
}

// New returns a generator whose debriefs are dated over the two years
// before end.
func New(seed uint64, end time.Time) *Generator {
	return &Generator{
		rng:   rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		start: end.AddDate(-2, 0, 0),
		span:  end.Sub(end.AddDate(-2, 0, 0)),
	}
}

// Doc is one generated debrief.
type Doc struct {
	// Name is a file name carrying the date, like "2025-03-04-checkout-dns-00042.md".
	Name string
	Body []byte
}

var (
	services = []string{"checkout", "payments", "catalog", "search", "dispatch", "courier-app", "notifications",
		"identity", "data-platform", "inventory", "pricing", "storefront", "ledger", "webhooks", "scheduler"}
	teams      = []string{"payments", "platform", "sre", "mobile", "data", "logistics", "storefront", "identity"}
	severities = []string{"SEV1", "SEV2", "SEV2", "SEV3", "SEV3", "SEV3", "SEV4"}
	components = []string{"connection pool", "message queue", "cache cluster", "load balancer", "DNS zone",
		"TLS certificate", "feature flag", "deploy pipeline", "primary database", "read replica", "worker fleet",
		"rate limiter", "CDN configuration", "service mesh", "cron job", "schema migration", "API gateway",
		"search cluster", "object storage bucket", "autoscaler", "secrets store", "Kafka topic", "Redis node"}
	changes = []string{"a configuration change", "a routine deploy", "a database migration", "a dependency upgrade",
		"a capacity change", "a certificate rotation", "a feature flag rollout", "a network maintenance window",
		"a vendor outage", "a traffic spike from a marketing campaign", "a clock drift on one host",
		"a retry storm", "a schema change", "an expired credential", "a kernel upgrade"}
	symptoms = []string{"timeouts", "elevated error rates", "a growing backlog", "failed logins", "stale prices",
		"duplicate notifications", "slow page loads", "dropped webhooks", "5xx responses", "missing orders",
		"connection resets", "replication lag", "OOM kills", "certificate errors", "DNS resolution failures"}
	roles = []string{"the on-call engineer", "the incident commander", "a support agent", "the database owner",
		"the release manager", "a product manager", "the platform lead", "the second responder", "a data engineer"}
	people = []string{"Amara", "Bastien", "Chen", "Dagny", "Emeka", "Farah", "Goran", "Hana", "Ines", "Jonas",
		"Kaito", "Leila", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa", "Samir", "Tove"}
	feelings = []string{"under pressure to finish before the launch", "tired after a long shift",
		"confident the runbook covered it", "unsure which dashboard to trust", "worried about data loss",
		"surprised by how quickly it spread", "expecting the failover to be automatic"}
)

func (g *Generator) pick(list []string) string { return list[g.rng.IntN(len(list))] }

// sentence writes one plausible sentence of a debrief.
func (g *Generator) sentence(b *strings.Builder, svc string) {
	switch g.rng.IntN(15) {
	case 0:
		fmt.Fprintf(b, "The %s %s started to show %s shortly after %s.", svc, g.pick(g.cur.components), g.pick(g.cur.symptoms), g.pick(g.cur.changes))
	case 1:
		fmt.Fprintf(b, "%s, %s, noticed %s on the %s dashboard and paged %s.", g.pick(g.cur.people), g.pick(g.cur.roles), g.pick(g.cur.symptoms), svc, g.pick(g.cur.roles))
	case 2:
		fmt.Fprintf(b, "We had expected the %s to absorb the load, but it ran out of headroom within minutes.", g.pick(g.cur.components))
	case 3:
		fmt.Fprintf(b, "%s said they were %s, and chose to roll back rather than fix forward.", g.pick(g.cur.people), g.pick(g.cur.feelings))
	case 4:
		fmt.Fprintf(b, "The runbook for the %s described an older setup, so %s asked %s who had handled a similar incident last year.", g.pick(g.cur.components), g.pick(g.cur.people), g.pick(g.cur.people))
	case 5:
		fmt.Fprintf(b, "Customers saw %s on %s for about %d minutes.", g.pick(g.cur.symptoms), svc, 5+g.rng.IntN(180))
	case 6:
		fmt.Fprintf(b, "The alert for %s fired, but it had been noisy for weeks and nobody looked at it closely.", g.pick(g.cur.symptoms))
	case 7:
		fmt.Fprintf(b, "During the hand-off between %s and %s, the context about %s was lost.", g.pick(g.cur.teams), g.pick(g.cur.teams), g.pick(g.cur.changes))
	case 8:
		fmt.Fprintf(b, "What surprised us was that the %s kept accepting traffic while it was unhealthy.", g.pick(g.cur.components))
	case 9:
		fmt.Fprintf(b, "We got lucky that the %s had a recent snapshot, which made recovery quick.", g.pick(g.cur.components))
	case 10:
		fmt.Fprintf(b, "Staging did not reproduce the problem because its %s is configured differently from production.", g.pick(g.cur.components))
	case 11:
		fmt.Fprintf(b, "%s weighed failing over to the secondary region against waiting for the %s to recover.", g.pick(g.cur.people), g.pick(g.cur.components))
	case 12:
		fmt.Fprintf(b, "The %s team learned that %s can trigger %s in the %s.", g.pick(g.cur.teams), g.pick(g.cur.changes), g.pick(g.cur.symptoms), g.pick(g.cur.components))
	case 13:
		fmt.Fprintf(b, "Logs on %s showed %s from %d requests before %s restarted it.", g.cur.host, g.pick(g.cur.symptoms), 100+g.rng.IntN(9000), g.pick(g.cur.people))
	default:
		fmt.Fprintf(b, "Requests to %s were retried aggressively, which amplified %s across the %s.", svc, g.pick(g.cur.symptoms), g.pick(g.cur.components))
	}
}

func (g *Generator) paragraph(b *strings.Builder, svc string, sentences int) {
	for i := range sentences {
		if i > 0 {
			b.WriteByte(' ')
		}
		g.sentence(b, svc)
	}
	b.WriteString("\n\n")
}

// Debrief generates the i-th debrief, of about size bytes.
func (g *Generator) Debrief(i, size int) Doc {
	svc := g.pick(services)
	g.cur = incident{
		components: g.some(components, 2), symptoms: g.some(symptoms, 2), changes: g.some(changes, 2),
		people: g.some(people, 4), roles: g.some(roles, 3), teams: g.some(teams, 2), feelings: g.some(feelings, 2),
		host: fmt.Sprintf("%s-%02d.%s.internal", strings.ReplaceAll(svc, " ", "-"), g.rng.IntN(40), g.pick([]string{"eu1", "us2", "ap3"})),
	}
	comp, sym := g.cur.components[0], g.cur.symptoms[0]
	started := g.start.Add(time.Duration(g.rng.Int64N(int64(g.span)))).Truncate(time.Minute).UTC()
	title := fmt.Sprintf("%s %s caused by %s", upper(svc), sym, comp)
	var b strings.Builder
	b.Grow(size + 1024)
	fmt.Fprintf(&b, "---\ntitle: %q\ndate: %s\n", title, started.Format(time.RFC3339))
	// Durations are skewed, as real ones are: most incidents end within
	// an hour or two, a few last a day. One in ten records no end.
	if g.rng.IntN(10) > 0 {
		detect := time.Duration(1+g.rng.IntN(30)) * time.Minute
		last := time.Duration(float64(20*time.Minute) * (1 + 20*g.rng.Float64()*g.rng.Float64()*g.rng.Float64()))
		fmt.Fprintf(&b, "detected: %s\nresolved: %s\n", started.Add(detect).Format(time.RFC3339),
			started.Add(detect+last).Truncate(time.Minute).Format(time.RFC3339))
	}
	fmt.Fprintf(&b, "severity: %s\nservices: [%s]\nteams: [%s, %s]\ntags: [%s, %s]\nauthors: [%s]\n---\n\n",
		g.pick(severities), svc, g.cur.teams[0], g.cur.teams[1],
		strings.ReplaceAll(comp, " ", "-"), strings.ReplaceAll(sym, " ", "-"), g.cur.people[0])
	fmt.Fprintf(&b, "# %s\n\n## Summary\n\n", title)
	g.paragraph(&b, svc, 3)
	b.WriteString("## Impact\n\n")
	g.paragraph(&b, svc, 2)
	b.WriteString("## Timeline\n\n| Time | Event |\n| --- | --- |\n")
	t := started
	for range 6 {
		fmt.Fprintf(&b, "| %s | ", t.Format("2006-01-02 15:04"))
		g.sentence(&b, svc)
		b.WriteString(" |\n")
		t = t.Add(time.Duration(3+g.rng.IntN(40)) * time.Minute)
	}
	b.WriteString("\n## Contributing Factors\n\n")
	for range 3 + g.rng.IntN(3) {
		b.WriteString("- ")
		g.sentence(&b, svc)
		b.WriteByte('\n')
	}
	sections := []string{"Analysis", "What went well", "Where we got lucky", "Lessons Learned"}
	for b.Len() < size-600 {
		fmt.Fprintf(&b, "\n## %s\n\n", sections[g.rng.IntN(len(sections))])
		g.paragraph(&b, svc, 4+g.rng.IntN(4))
	}
	b.WriteString("## Action Items\n\n")
	for range 3 {
		fmt.Fprintf(&b, "- Add an alert on %s for the %s\n", sym, comp)
	}
	name := fmt.Sprintf("%s-%s-%05d.md", started.Format(time.DateOnly), strings.ReplaceAll(svc, " ", "-"), i)
	return Doc{Name: name, Body: []byte(b.String())}
}

// Vocabulary returns words and phrases that occur in generated debriefs,
// for building benchmark queries.
func Vocabulary() (words []string, phrases []string) {
	seen := map[string]bool{}
	for _, list := range [][]string{services, components, symptoms, changes} {
		for _, p := range list {
			phrases = append(phrases, p)
			for _, w := range strings.Fields(p) {
				if len(w) > 3 && !seen[w] {
					seen[w] = true
					words = append(words, w)
				}
			}
		}
	}
	return words, phrases
}

func upper(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Records generates n debriefs of about size bytes and parses them as a
// pass would, on every core: their sources are wiki, tracker and notes in
// turn, each is assessed by assess, and fetched at fetched. They are ready
// for a store's Apply.
func (g *Generator) Records(n, size int, fetched time.Time, assess func(*ingest.Debrief)) ([]ingest.Record, error) {
	docs := make([]Doc, n)
	for i := range docs {
		docs[i] = g.Debrief(i, size)
	}
	recs := make([]ingest.Record, n)
	var eg errgroup.Group
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		eg.Go(func() error {
			for i := w; i < n; i += workers {
				ds, err := parse.Parse(docs[i].Name, parse.FormatMarkdown, docs[i].Body)
				if err != nil || len(ds) != 1 {
					return fmt.Errorf("synth: generated debrief %s: %d debriefs, %v", docs[i].Name, len(ds), err)
				}
				d := &ds[0]
				d.Source = []string{"wiki", "tracker", "notes"}[i%3]
				d.Ref, d.Document = docs[i].Name, docs[i].Name
				d.ID = ingest.DebriefID(d.Source, d.Ref)
				assess(d)
				d.Hash = ingest.ContentHash(d)
				d.FetchedAt = fetched
				recs[i] = ingest.Record{Debrief: d, DocHash: d.Hash}
			}
			return nil
		})
	}
	return recs, eg.Wait()
}
