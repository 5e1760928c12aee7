package dashboards_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The browser tests drive a real headless Chromium. They skip only when
// no Chromium is installed (.ci/run installs Debian's). Set
// SECONDSTORY_SCREENSHOTS to a folder to save a screenshot of every page
// at 1280×800 and 390×844 there.

// chromium finds the browser: $SECONDSTORY_CHROMIUM, else the usual
// names on the PATH.
func chromium() string {
	if p := os.Getenv("SECONDSTORY_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser starts a headless Chromium with a fresh profile and no network
// beyond what the pages load from loopback, and collects what the pages
// write to the console.
type browser struct {
	ctx context.Context
	mu  sync.Mutex
	log []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromium()
	if path == "" {
		t.Skip("Chromium not found: install it (apt-get install chromium) or set SECONDSTORY_CHROMIUM to run the browser tests")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	ctx, cancelTimeout := context.WithTimeout(ctx, 4*time.Minute)
	b := &browser{ctx: ctx}
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				b.mu.Lock()
				b.log = append(b.log, m.URL+": "+m.String())
				b.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
		<-done
	})
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("start Chromium (%s): %v", path, err)
	}
	return b
}

// errors are the console errors and uncaught exceptions since the last
// call.
func (b *browser) errors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.log
	b.log = nil
	return out
}

// open navigates to u and fails the test unless the page answers want.
func (b *browser) open(t *testing.T, u string, want int) {
	t.Helper()
	resp, err := chromedp.Run(b.ctx, chromedp.NavigateResponse(u))
	if err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
	if int(resp.Status) != want {
		t.Fatalf("open %s: status %d, want %d", u, resp.Status, want)
	}
}

// eval evaluates a JavaScript expression in the page.
func eval[T any](t *testing.T, b *browser, expr string) T {
	t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// settle waits until the page has loaded and the console has had its say.
func (b *browser) settle(t *testing.T) {
	t.Helper()
	if err := chromedp.Do(b.ctx, chromedp.WaitReady(chromedp.CSS("footer"))); err != nil {
		t.Fatal(err)
	}
	// One more round trip, so console events of the load have arrived.
	_ = eval[bool](t, b, `document.readyState === "complete"`)
}

// charts is what the page draws: SVG charts, the links in them, and the
// charts without a title or description a screen reader reads.
type charts struct {
	Charts, Links, Unlabelled, Shapes int
}

const countCharts = `(() => {
	const svgs = [...document.querySelectorAll("svg.chart")];
	const visible = svgs.filter(s => s.getBoundingClientRect().width > 0);
	return {
		Charts: visible.length,
		Links: visible.reduce((n, s) => n + s.querySelectorAll("a[href][aria-label]").length, 0),
		Shapes: visible.reduce((n, s) => n + s.querySelectorAll("rect, circle, path").length, 0),
		Unlabelled: svgs.filter(s => {
			const t = s.querySelector(":scope > title"), d = s.querySelector(":scope > desc");
			return !t || !t.textContent.trim() || !d || !d.textContent.trim() || !s.getAttribute("aria-labelledby");
		}).length,
	};
})()`

func TestBrowser(t *testing.T) {
	e := newEnv(t)
	b := newBrowser(t)
	base := e.open.URL
	shots := os.Getenv("SECONDSTORY_SCREENSHOTS")

	t.Run("every page answers, draws its charts and logs no error", func(t *testing.T) {
		hostile := e.debriefID(t, hostileTitle)
		sampleID := e.debriefID(t, "Black Friday: payments could not get database sessions")
		pages := []struct {
			name, path string
			minCharts  int
		}{
			{"overview", "/", 4},
			{"search", "/search?q=dns", 1},
			{"search-empty", "/search?q=zebra+unicorn", 0},
			{"debrief", "/debriefs/" + sampleID, 2},
			{"debrief-hostile", "/debriefs/" + hostile, 2},
			{"factors", "/factors", 3},
			{"coverage", "/coverage", 3},
			{"depth", "/depth", 2},
			{"sources", "/sources", 2},
			{"help", "/help", 0},
			{"login", "/login", 0},
			{"filtered", "/factors?team=payments&interval=quarter", 1},
		}
		for _, p := range pages {
			for _, size := range []struct{ w, h int64 }{{1280, 800}, {390, 844}} {
				if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(size.w, size.h)); err != nil {
					t.Fatal(err)
				}
				b.open(t, base+p.path, http.StatusOK)
				b.settle(t)
				got := eval[charts](t, b, countCharts)
				if got.Charts < p.minCharts || p.minCharts > 0 && (got.Links == 0 || got.Shapes == 0) {
					t.Errorf("%s at %d px: %+v, want at least %d charts with linked shapes", p.path, size.w, got, p.minCharts)
				}
				if got.Unlabelled > 0 {
					t.Errorf("%s: %d charts have no title or description", p.path, got.Unlabelled)
				}
				// Nothing is wider than the screen.
				if w := eval[float64](t, b, `document.documentElement.scrollWidth`); w > float64(size.w)+1 {
					t.Errorf("%s at %d px: the page is %.0f px wide", p.path, size.w, w)
				}
				if errs := b.errors(); len(errs) > 0 {
					t.Errorf("%s logged errors: %q", p.path, errs)
				}
				if shots != "" {
					shoot(t, b, filepath.Join(shots, p.name+"-"+itoa(size.w)+".png"))
				}
			}
		}
		if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("search, a click on a result and the debrief page", func(t *testing.T) {
		b.open(t, base+"/", http.StatusOK)
		if err := chromedp.Do(b.ctx,
			chromedp.SendKeys(chromedp.ID("quick-q"), "database sessions"),
			chromedp.Submit(chromedp.ID("quick-q")),
			chromedp.WaitVisible(chromedp.CSS("ol.hits li.hit")),
		); err != nil {
			t.Fatal(err)
		}
		loc := eval[string](t, b, `location.pathname + location.search`)
		if loc != "/search?q=database+sessions" {
			t.Fatalf("the search box went to %s", loc)
		}
		if n := eval[int](t, b, `document.querySelectorAll("li.hit mark").length`); n == 0 {
			t.Fatal("no result highlights the words searched for")
		}
		first := eval[string](t, b, `document.querySelector("li.hit h3 a").textContent`)
		if _, err := chromedp.RunResponse(b.ctx, (chromedp.Click(chromedp.CSS("li.hit h3 a")))); err != nil {
			t.Fatal(err)
		}
		b.settle(t)
		if h1 := eval[string](t, b, `document.querySelector("h1").textContent`); h1 != first {
			t.Fatalf("clicked %q, the debrief page is titled %q", first, h1)
		}
		page := eval[struct {
			Checklist, Covered, Marks, Factors, EvidenceLinks int
		}](t, b, `({
			Checklist: document.querySelectorAll("ul.checklist > li").length,
			Covered: document.querySelectorAll("ul.checklist > li.yes").length,
			Marks: document.querySelectorAll(".prose mark.hl").length,
			Factors: document.querySelectorAll("ol.factors > li").length,
			EvidenceLinks: document.querySelectorAll(".findings a[href^='#f-'], .findings a[href^='#c-']").length,
		})`)
		if page.Checklist != 13 || page.Covered == 0 || page.Marks == 0 || page.Factors == 0 || page.EvidenceLinks == 0 {
			t.Fatalf("the debrief page shows %+v", page)
		}
		// Following a factor's evidence lands on its sentence, highlighted
		// in the text.
		if err := chromedp.Do(b.ctx, chromedp.Click(chromedp.CSS(".findings a[href^='#f-']"))); err != nil {
			t.Fatal(err)
		}
		target := eval[struct{ Hash, Marked, Sentence string }](t, b, `(() => {
			const a = document.querySelector(":target");
			let m = a; while (m && m.tagName !== "MARK") m = m.nextElementSibling;
			const link = document.querySelector(".findings a[href='" + location.hash + "']");
			const q = link.closest("li").querySelector("p");
			return {Hash: location.hash, Marked: m ? m.textContent : "", Sentence: q ? q.textContent : ""};
		})()`)
		if target.Marked == "" || !strings.Contains(target.Marked, strings.TrimSpace(target.Sentence)[:min(20, len(strings.TrimSpace(target.Sentence)))]) {
			t.Fatalf("the evidence link %s lands on %q for the factor %q", target.Hash, target.Marked, target.Sentence)
		}
		// Similar debriefs link to other debriefs.
		if n := eval[int](t, b, `document.querySelectorAll("ul.similar a[href^='/debriefs/']").length`); n == 0 {
			t.Error("no similar debriefs listed")
		}
		if errs := b.errors(); len(errs) > 0 {
			t.Errorf("logged errors: %q", errs)
		}
	})

	t.Run("a chart element leads to the debriefs behind it", func(t *testing.T) {
		b.open(t, base+"/factors?interval=quarter", http.StatusOK)
		label := eval[string](t, b, `document.querySelector("#factor-categories svg.wide a").getAttribute("aria-label")`)
		if _, err := chromedp.RunResponse(b.ctx, (chromedp.Click(chromedp.CSS("#factor-categories svg.wide a rect.bar")))); err != nil {
			t.Fatal(err)
		}
		b.settle(t)
		u, _ := url.Parse(eval[string](t, b, `location.href`))
		n := eval[int](t, b, `document.querySelectorAll("li.hit").length`)
		want := regexp.MustCompile(`: (\d+) debriefs?`).FindStringSubmatch(label)
		if u.Path != "/search" || u.Query().Get("category") == "" || n == 0 || want == nil {
			t.Fatalf("the bar %q led to %s with %d results", label, u, n)
		}
		if total := eval[string](t, b, `document.querySelector("h2.count").textContent`); !strings.HasPrefix(total, want[1]+" ") {
			t.Errorf("the bar says %q; its search finds %q", label, total)
		}
		// A period of the trend keeps the view's filters and adds its own.
		b.open(t, base+"/factors?team=payments&interval=quarter", http.StatusOK)
		href := eval[string](t, b, `document.querySelector("#trend svg.wide a").getAttribute("href")`)
		q, _ := url.ParseQuery(strings.SplitN(href, "?", 2)[1])
		if q.Get("team") != "payments" || q.Get("category") == "" || q.Get("from") == "" || q.Get("to") == "" {
			t.Errorf("a trend cell links to %s", href)
		}
		if sel := eval[string](t, b, `document.querySelector("select[name=team]").value`); sel != "payments" {
			t.Errorf("the team filter shows %q", sel)
		}
	})

	t.Run("markup in a debrief is shown as text and never runs", func(t *testing.T) {
		id := e.debriefID(t, hostileTitle)
		for _, path := range []string{"/debriefs/" + id, "/search?q=banner+shopper", "/search?team=" + url.QueryEscape("<img src=x onerror=alert(2)>"),
			"/debriefs/" + e.debriefID(t, "Search outage"), "/sources", "/factors"} {
			b.open(t, base+path, http.StatusOK)
			b.settle(t)
			got := eval[struct {
				Pwned             bool
				Scripts, Imgs     int
				Iframes, Bold     int
				Text, Title       string
				JavascriptLinks   int
				InjectedAttribute int
			}](t, b, `({
				Pwned: typeof window.__pwned !== "undefined",
				Scripts: document.scripts.length,
				Imgs: [...document.images].filter(i => !i.src.endsWith("/assets/icon.svg")).length,
				Iframes: document.querySelectorAll("iframe").length,
				Bold: document.querySelectorAll("main b").length,
				Text: document.body.innerText,
				Title: document.title,
				JavascriptLinks: document.querySelectorAll("a[href^='javascript:' i]").length,
				InjectedAttribute: document.querySelectorAll("[onmouseover], [onerror]").length,
			})`)
			if got.Pwned || got.Scripts > 0 || got.Imgs > 0 || got.Iframes > 0 || got.Bold > 0 || got.JavascriptLinks > 0 || got.InjectedAttribute > 0 {
				t.Errorf("%s: markup from a debrief became part of the page: %+v", path, got)
			}
			if strings.HasPrefix(path, "/debriefs/"+id) {
				for _, s := range []string{`<script>window.__pwned = "body"</script>`, `<img src=x onerror="window.__pwned = 2">`, `<b>load balancer</b>`, `<iframe src=`} {
					if !strings.Contains(got.Text, s) {
						t.Errorf("the debrief page does not show %q as text", s)
					}
				}
				if !strings.Contains(got.Title, "<script>") {
					t.Errorf("the page title is %q", got.Title)
				}
			}
			if errs := b.errors(); len(errs) > 0 {
				t.Errorf("%s logged errors: %q", path, errs)
			}
		}
	})

	t.Run("login page, session and run now in the browser", func(t *testing.T) {
		g := e.guarded.URL
		b.open(t, g+"/sources", http.StatusOK) // the login page, after a redirect
		if loc := eval[string](t, b, `location.pathname + location.search`); loc != "/login?next=%2Fsources" {
			t.Fatalf("a page without a session went to %s", loc)
		}
		if shots != "" {
			shoot(t, b, filepath.Join(shots, "login-guarded-1280.png"))
			if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(390, 844)); err != nil {
				t.Fatal(err)
			}
			shoot(t, b, filepath.Join(shots, "login-guarded-390.png"))
			if err := chromedp.Do(b.ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
				t.Fatal(err)
			}
		}
		// A wrong token comes back to the login page, saying so.
		if err := chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.ID("token"), "not-a-token")); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.RunResponse(b.ctx, (chromedp.Submit(chromedp.ID("token")))); err != nil {
			t.Fatal(err)
		}
		b.settle(t)
		if loc := eval[string](t, b, `location.pathname + location.search`); loc != "/login?failed=1&next=%2Fsources" {
			t.Fatalf("a wrong token went to %s", loc)
		}
		if msg := eval[string](t, b, `(document.querySelector("[role=alert]") || {textContent: ""}).textContent`); !strings.Contains(msg, "That token is not valid") {
			t.Fatalf("after a wrong token the page says %q", msg)
		}
		if err := chromedp.Do(b.ctx, chromedp.SendKeys(chromedp.ID("token"), adminToken)); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.RunResponse(b.ctx, (chromedp.Submit(chromedp.ID("token")))); err != nil {
			t.Fatal(err)
		}
		b.settle(t)
		if loc := eval[string](t, b, `location.pathname`); loc != "/sources" {
			t.Fatalf("the login went to %s", loc)
		}
		if _, err := chromedp.RunResponse(b.ctx, (chromedp.Click(chromedp.CSS("#src-sample form button")))); err != nil {
			t.Fatal(err)
		}
		b.settle(t)
		notice := eval[string](t, b, `(document.querySelector(".notice") || {textContent: ""}).textContent`)
		if !strings.Contains(notice, "A pass of sample has started") {
			t.Fatalf("after run now the page says %q at %s", notice, eval[string](t, b, `location.href`))
		}
		if shots != "" {
			shoot(t, b, filepath.Join(shots, "sources-started-1280.png"))
		}
		// Log out: on to the login page, and the pages ask for a token again.
		if _, err := chromedp.RunResponse(b.ctx, (chromedp.Click(chromedp.CSS("form.logout button")))); err != nil {
			t.Fatal(err)
		}
		b.settle(t)
		if loc := eval[string](t, b, `location.pathname`); loc != "/login" {
			t.Fatalf("logging out went to %s", loc)
		}
		b.open(t, g+"/sources", http.StatusOK)
		if loc := eval[string](t, b, `location.pathname`); loc != "/login" {
			t.Fatalf("after logging out /sources showed %s", loc)
		}
		if errs := b.errors(); len(errs) > 0 {
			t.Errorf("logged errors: %q", errs)
		}
	})
}

// shoot saves a screenshot of the viewport.
func shoot(t *testing.T, b *browser, path string) {
	t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	full, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(strings.TrimSuffix(path, ".png")+"-full.png", full, 0o644); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
