package dashboards

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/secondstory/secondstory/analytics"
)

// Charts are inline SVG computed here and drawn by the "svg" template:
// shapes with their geometry, classes for colour (the stylesheet has the
// palette; no style attributes, which the content security policy
// forbids), and for every shape that stands for debriefs a link to them
// and a label a screen reader reads.
//
// Each figure is drawn twice, for a wide and a narrow screen, and the
// stylesheet shows one: an SVG scaled down to a phone's width would shrink
// its text to illegible sizes.

// Chart widths in SVG user units (CSS pixels at full size).
const (
	wideHalf = 560.0 // a card in a two-column row
	wideFull = 1100.0
	narrow   = 336.0
)

type svgChart struct {
	ID, Title, Desc string
	W, H            float64
	// Class is "wide" or "narrow"; "both" when one drawing serves both.
	Class string
	Lines []svgLine
	Rects []svgRect
	Paths []svgPath
	Dots  []svgDot
	Texts []svgText
}

type svgLine struct {
	X1, Y1, X2, Y2 float64
	Class          string
}

// svgRect is a bar or cell; with Href, a link to the debriefs it counts,
// whose hit area (HX, HY, HW, HH) may be larger than the shape.
type svgRect struct {
	X, Y, W, H     float64
	Class          string
	Href, Label    string
	HX, HY, HW, HH float64
	Text           string // drawn centred in the cell, when set
	Dark           bool   // the text is dark, on a pale cell
	TX, TY         float64
}

type svgDot struct {
	X, Y, R     float64
	Class       string
	Href, Label string
}

type svgPath struct{ D, Class string }

type svgText struct {
	X, Y   float64
	Text   string
	Class  string
	Anchor string // start, middle, end
	Rotate float64
	// Href links the text (a row's debrief); Label is then what a screen
	// reader says.
	Href, Label string
}

// figure is one chart as a page shows it: a heading, a sentence saying
// what it shows in plain words, its drawings, and a message when there is
// nothing to draw.
type figure struct {
	ID, Title, Note string
	// More links to an explanation (the help page), MoreText its words.
	More, MoreText string
	Charts         []*svgChart
	Legend         []legendItem
	Empty          string
}

type legendItem struct{ Class, Label string }

// finish rounds every coordinate to a tenth, so that the template prints
// them short without calling a function for each, and places cell texts.
func (c *svgChart) finish() *svgChart {
	r := func(f *float64) {
		if math.IsNaN(*f) || math.IsInf(*f, 0) {
			*f = 0
		}
		*f = math.Round(*f*10) / 10
		if *f == 0 {
			*f = 0 // no "-0"
		}
	}
	r(&c.W)
	r(&c.H)
	for i := range c.Lines {
		l := &c.Lines[i]
		r(&l.X1)
		r(&l.Y1)
		r(&l.X2)
		r(&l.Y2)
	}
	for i := range c.Rects {
		x := &c.Rects[i]
		x.TX, x.TY = x.X+x.W/2, x.Y+x.H/2+4
		for _, f := range []*float64{&x.X, &x.Y, &x.W, &x.H, &x.HX, &x.HY, &x.HW, &x.HH, &x.TX, &x.TY} {
			r(f)
		}
	}
	for i := range c.Dots {
		d := &c.Dots[i]
		r(&d.X)
		r(&d.Y)
		r(&d.R)
	}
	for i := range c.Texts {
		t := &c.Texts[i]
		r(&t.X)
		r(&t.Y)
		r(&t.Rotate)
	}
	return c
}

// num writes a coordinate for an SVG attribute.
func num(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "0"
	}
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

// trunc shortens a label to n characters.
func trunc(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimRight(string(r[:n-1]), " ,.-") + "…"
}

// niceStep is a round step for about ticks intervals up to max.
func niceStep(max float64, ticks int, integer bool) float64 {
	if max <= 0 {
		return 1
	}
	raw := max / float64(ticks)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag * 10
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	if integer && step < 1 {
		step = 1
	}
	return step
}

// tick is how a period is labelled on an axis: Full for a reader
// ("March 2025"), Short under the bar ("Mar") and Year where the year
// changes.
type tick struct {
	Start       time.Time
	Full, Short string
	Year        string
}

// ticks labels periods of a series.
func ticks(periods []time.Time, unit analytics.Interval) []tick {
	out := make([]tick, len(periods))
	for i, p := range periods {
		p = p.UTC()
		t := tick{Start: p}
		newYear := i == 0 || periods[i-1].UTC().Year() != p.Year()
		switch unit {
		case analytics.Quarter:
			q := (int(p.Month())-1)/3 + 1
			t.Full = fmt.Sprintf("Q%d %d (%s to %s)", q, p.Year(), p.Format("January"), p.AddDate(0, 2, 0).Format("January"))
			t.Short = fmt.Sprintf("Q%d", q)
		case analytics.Year:
			t.Full, t.Short = strconv.Itoa(p.Year()), strconv.Itoa(p.Year())
			newYear = false
		default:
			t.Full, t.Short = p.Format("January 2006"), p.Format("Jan")
		}
		if newYear {
			t.Year = strconv.Itoa(p.Year())
		}
		out[i] = t
	}
	return out
}

// spaceYears drops the year under the first period when the next year's
// label would sit on top of it (a series starting in a year's last
// quarter or months).
func spaceYears(tks []tick, slot, minGap float64) []tick {
	out := append([]tick(nil), tks...)
	if len(out) == 0 || out[0].Year == "" {
		return out
	}
	for i := 1; i < len(out) && float64(i)*slot < minGap; i++ {
		if out[i].Year != "" {
			out[0].Year = ""
			break
		}
	}
	return out
}

// column is one bar of a series.
type column struct {
	Tick  tick
	Value float64
	Href  string
	Label string // what a screen reader says: "March 2025: 4 debriefs"
}

// columnChart draws a series as vertical bars with a value axis.
func columnChart(id, title, desc string, cols []column, w, h float64, class string) *svgChart {
	c := &svgChart{ID: id, Title: title, Desc: desc, W: w, H: h, Class: class}
	const ml, mr, mt, mb = 40.0, 8.0, 12.0, 36.0
	pw, ph := w-ml-mr, h-mt-mb
	maxV := 0.0
	for _, col := range cols {
		maxV = max(maxV, col.Value)
	}
	step := niceStep(maxV, 4, true)
	top := step * math.Max(1, math.Ceil(maxV/step))
	for v := 0.0; v <= top+step/2; v += step {
		y := mt + ph - v/top*ph
		c.Lines = append(c.Lines, svgLine{ml, y, ml + pw, y, gridClass(v)})
		c.Texts = append(c.Texts, svgText{X: ml - 6, Y: y + 4, Text: num(v), Class: "axis", Anchor: "end"})
	}
	n := float64(max(len(cols), 1))
	slot := pw / n
	bw := math.Max(1, math.Min(slot*0.7, 40))
	every := labelEvery(slot, 34)
	tks := make([]tick, len(cols))
	for i, col := range cols {
		tks[i] = col.Tick
	}
	tks = spaceYears(tks, slot, 40)
	for i, col := range cols {
		col.Tick = tks[i]
		x := ml + float64(i)*slot
		bh := col.Value / top * ph
		r := svgRect{X: x + (slot-bw)/2, Y: mt + ph - bh, W: bw, H: bh, Class: "bar", Label: col.Label}
		if col.Value > 0 {
			r.Href, r.HX, r.HY, r.HW, r.HH = col.Href, x, mt, slot, ph
		}
		c.Rects = append(c.Rects, r)
		c.Texts = append(c.Texts, axisTicks(col.Tick, i, every, x+slot/2, mt+ph)...)
	}
	return c.finish()
}

// gridClass marks the zero line, which is drawn darker.
func gridClass(v float64) string {
	if v == 0 {
		return "baseline"
	}
	return "grid"
}

// labelEvery is how many slots apart period labels go so they do not
// overlap.
func labelEvery(slot, minGap float64) int {
	if slot <= 0 {
		return 1
	}
	return max(1, int(math.Ceil(minGap/slot)))
}

// axisTicks labels slot i below the plot: the short label every few slots,
// the year where it changes.
func axisTicks(t tick, i, every int, x, y float64) []svgText {
	var out []svgText
	if i%every == 0 {
		out = append(out, svgText{X: x, Y: y + 15, Text: t.Short, Class: "axis", Anchor: "middle"})
		if t.Year != "" {
			out = append(out, svgText{X: x, Y: y + 29, Text: t.Year, Class: "axis year", Anchor: "middle"})
		}
	} else if t.Year != "" {
		out = append(out, svgText{X: x, Y: y + 29, Text: t.Year, Class: "axis year", Anchor: "middle"})
	}
	return out
}

// point is one period of a share series; Valid is false for a period
// without data (no line is drawn through it).
type point struct {
	Tick  tick
	Share float64
	Valid bool
	// Few marks a share of fewer than three debriefs, drawn paler.
	Few   bool
	Href  string
	Label string
}

// shareChart draws a share (0 to 1) over time as a line with a dot per
// period.
func shareChart(id, title, desc string, pts []point, w, h float64, class string) *svgChart {
	c := &svgChart{ID: id, Title: title, Desc: desc, W: w, H: h, Class: class}
	const ml, mr, mt, mb = 44.0, 10.0, 12.0, 36.0
	pw, ph := w-ml-mr, h-mt-mb
	for _, v := range []float64{0, 0.25, 0.5, 0.75, 1} {
		y := mt + ph - v*ph
		c.Lines = append(c.Lines, svgLine{ml, y, ml + pw, y, gridClass(v)})
		c.Texts = append(c.Texts, svgText{X: ml - 6, Y: y + 4, Text: pct(v), Class: "axis", Anchor: "end"})
	}
	n := float64(max(len(pts), 1))
	slot := pw / n
	every := labelEvery(slot, 34)
	tks := make([]tick, len(pts))
	for i, p := range pts {
		tks[i] = p.Tick
	}
	tks = spaceYears(tks, slot, 40)
	var d strings.Builder
	pen := false
	for i, p := range pts {
		p.Tick = tks[i]
		x := ml + float64(i)*slot + slot/2
		c.Texts = append(c.Texts, axisTicks(p.Tick, i, every, x, mt+ph)...)
		if !p.Valid {
			pen = false
			continue
		}
		y := mt + ph - p.Share*ph
		if pen {
			d.WriteString(" L")
		} else {
			d.WriteString(" M")
		}
		d.WriteString(num(x) + " " + num(y))
		pen = true
		cls := "dot"
		if p.Few {
			cls = "dot few"
		}
		c.Dots = append(c.Dots, svgDot{X: x, Y: y, R: 3.5, Class: cls, Href: p.Href, Label: p.Label})
	}
	if d.Len() > 0 {
		c.Paths = append(c.Paths, svgPath{D: strings.TrimSpace(d.String()), Class: "line"})
	}
	return c.finish()
}

// hbar is one row of a bar list.
type hbar struct {
	Label     string
	Value     float64
	ValueText string
	Class     string
	Href      string
	Aria      string
}

// barList draws labelled horizontal bars; top is the value a full bar
// stands for (1 for shares). On a narrow drawing the label goes above
// its bar.
func barList(id, title, desc string, rows []hbar, top, w float64, class string) *svgChart {
	c := &svgChart{ID: id, Title: title, Desc: desc, W: w, Class: class}
	if top <= 0 {
		top = 1
	}
	narrowLayout := w < 420
	labelW, valueW, rowH := 210.0, 64.0, 30.0
	if w >= wideFull {
		labelW = 260
	}
	if narrowLayout {
		labelW, rowH = 0, 42
	}
	maxChars := int(labelW / 6.6)
	bw := w - labelW - valueW
	for i, r := range rows {
		y := float64(i) * rowH
		barY, barH := y+8, 14.0
		if narrowLayout {
			c.Texts = append(c.Texts, svgText{X: 0, Y: y + 14, Text: trunc(r.Label, 48), Class: "label"})
			barY, barH = y+21, 12
		} else {
			c.Texts = append(c.Texts, svgText{X: labelW - 10, Y: y + 19, Text: trunc(r.Label, maxChars), Class: "label", Anchor: "end"})
		}
		c.Rects = append(c.Rects, svgRect{X: labelW, Y: barY, W: bw, H: barH, Class: "track"})
		length := math.Max(0, math.Min(1, r.Value/top)) * bw
		cls := "bar"
		if r.Class != "" {
			cls += " " + r.Class
		}
		rect := svgRect{X: labelW, Y: barY, W: math.Max(length, 1.5), H: barH, Class: cls, Label: r.Aria}
		if r.Href != "" {
			rect.Href, rect.HX, rect.HY, rect.HW, rect.HH = r.Href, 0, y, w, rowH
		}
		c.Rects = append(c.Rects, rect)
		c.Texts = append(c.Texts, svgText{X: labelW + length + 6, Y: barY + barH - 2, Text: r.ValueText, Class: "value"})
	}
	c.H = math.Max(rowH, float64(len(rows))*rowH+4)
	return c.finish()
}

// heatRow and heatCell are a heatmap's rows and cells; Level is 0 (none)
// to 5 (most), -1 for a cell without data.
type heatRow struct {
	Label string
	Href  string
	Cells []heatCell
}

type heatCell struct {
	Level int
	Href  string
	Label string
	Text  string
}

// heatCol labels a column: a period tick at the bottom, or a rotated name
// at the top.
type heatCol struct {
	Tick tick
	Name string
}

// heatmap draws rows by columns of cells shaded by level.
// Row labels end at the cells, or start at the left edge when leftLabels
// (titles, which read better aligned).
func heatmap(id, title, desc string, rows []heatRow, cols []heatCol, w, labelW float64, leftLabels bool, class string) *svgChart {
	c := &svgChart{ID: id, Title: title, Desc: desc, Class: class}
	named := len(cols) > 0 && cols[0].Name != ""
	mt, mb, mr := 4.0, 36.0, 8.0
	// Column names slant on a wide drawing and stand upright on a narrow
	// one, where a slant would run off the right edge.
	rotate, nameChars := -50.0, 30
	if named {
		mt, mb = 150, 4
		if w < 420 {
			rotate, nameChars = -90, 22
		} else {
			mr = 120
		}
	}
	ncol := float64(max(len(cols), 1))
	cw := math.Max(8, math.Min(40, (w-labelW-mr)/ncol))
	ch := math.Min(26, math.Max(16, cw))
	c.W = labelW + ncol*cw + mr
	c.H = mt + float64(len(rows))*ch + mb
	maxChars := int(labelW / 6.6)
	every := labelEvery(cw, 34)
	if !named {
		tks := make([]tick, len(cols))
		for j, col := range cols {
			tks[j] = col.Tick
		}
		tks = spaceYears(tks, cw, 40)
		for j := range cols {
			cols[j].Tick = tks[j]
		}
	}
	for j, col := range cols {
		x := labelW + float64(j)*cw
		if named {
			c.Texts = append(c.Texts, svgText{X: x + cw/2 + 4, Y: mt - 6, Text: trunc(col.Name, nameChars), Class: "axis", Rotate: rotate})
		} else {
			c.Texts = append(c.Texts, axisTicks(col.Tick, j, every, x+cw/2, mt+float64(len(rows))*ch)...)
		}
	}
	for i, r := range rows {
		y := mt + float64(i)*ch
		lx, anchor := labelW-8, "end"
		if leftLabels {
			lx, anchor = 0, "start"
		}
		c.Texts = append(c.Texts, svgText{X: lx, Y: y + ch/2 + 4, Text: trunc(r.Label, maxChars), Class: "label", Anchor: anchor,
			Href: r.Href, Label: r.Label})
		for j, cell := range r.Cells {
			x := labelW + float64(j)*cw
			cls := "cell l" + strconv.Itoa(cell.Level)
			if cell.Level < 0 {
				cls = "cell none"
			}
			rect := svgRect{X: x + 1, Y: y + 1, W: cw - 2, H: ch - 2, Class: cls, Label: cell.Label, Text: cell.Text, Dark: cell.Level <= 2}
			if cell.Href != "" {
				rect.Href, rect.HX, rect.HY, rect.HW, rect.HH = cell.Href, x, y, cw, ch
			}
			c.Rects = append(c.Rects, rect)
		}
	}
	return c.finish()
}

// level buckets v of top into 1 to 5 (0 for nothing).
func level(v, top float64) int {
	if v <= 0 || top <= 0 {
		return 0
	}
	return min(5, 1+int(math.Floor(v/top*5*0.9999)))
}

// meter draws one value from 0 to top as a filled track, with its value.
func meter(id, title, desc string, value, top float64, cls, href, label string, w float64, class string) *svgChart {
	c := &svgChart{ID: id, Title: title, Desc: desc, W: w, H: 44, Class: class}
	tw := w - 4
	c.Rects = append(c.Rects, svgRect{X: 2, Y: 6, W: tw, H: 14, Class: "track"})
	length := math.Max(2, math.Min(1, value/math.Max(top, 1))*tw)
	r := svgRect{X: 2, Y: 6, W: length, H: 14, Class: "bar " + cls, Label: label}
	if href != "" {
		r.Href, r.HX, r.HY, r.HW, r.HH = href, 2, 0, tw, 26
	}
	c.Rects = append(c.Rects, r)
	for _, v := range []float64{0, 0.5, 1} {
		if t := v * top; t != math.Trunc(t) {
			continue // whole numbers only: no "6.5 of 13"
		}
		anchor := "middle"
		switch v {
		case 0:
			anchor = "start"
		case 1:
			anchor = "end"
		}
		c.Texts = append(c.Texts, svgText{X: 2 + v*tw, Y: 38, Text: num(v * top), Class: "axis", Anchor: anchor})
	}
	return c.finish()
}

// pct writes a share as a whole percentage.
func pct(v float64) string {
	return strconv.Itoa(int(math.Round(v*100))) + "%"
}
