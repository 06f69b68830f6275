package web

import (
	"fmt"
	"html/template"
	"strings"
)

// bar is one bar of a chart: its label, its value (what the bar's length shows) and the
// value as the biller reads it ("12 claims", "$1,234.50").
type bar struct {
	Label string
	Value int64
	Text  string
}

// Chart geometry, in SVG user units (the chart scales with the page).
const (
	chartWidth  = 860
	chartLabelW = 300
	chartValueW = 180
	chartRowH   = 24
	chartBarH   = 16
)

// barChart draws bars as a horizontal bar chart in SVG, on the server: no script and no
// inline style (colours come from the stylesheet by class), so it renders under the
// strict Content-Security-Policy and prints. Negative values (a month of reversals) draw
// as zero-length bars with their amount written out. title names the chart for screen
// readers; the table beside it carries the same numbers.
func barChart(title string, bars []bar) template.HTML {
	if len(bars) == 0 {
		return template.HTML(`<p class="muted">Nothing to chart yet.</p>`)
	}
	var maxV int64
	for _, b := range bars {
		maxV = max(maxV, b.Value)
	}
	h := len(bars)*chartRowH + 8
	span := float64(chartWidth - chartLabelW - chartValueW)
	var s strings.Builder
	fmt.Fprintf(&s, `<svg class="chart" viewBox="0 0 %d %d" width="100%%" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg"><title>%s</title>`,
		chartWidth, h, template.HTMLEscapeString(title), template.HTMLEscapeString(title))
	for i, b := range bars {
		y := 4 + i*chartRowH
		w := 0.0
		if maxV > 0 && b.Value > 0 {
			w = max(1, span*float64(b.Value)/float64(maxV))
		}
		label := b.Label
		if r := []rune(label); len(r) > 44 {
			label = string(r[:43]) + "…"
		}
		fmt.Fprintf(&s, `<g><title>%s: %s</title><text class="label" x="%d" y="%d" text-anchor="end">%s</text>`,
			template.HTMLEscapeString(b.Label), template.HTMLEscapeString(b.Text), chartLabelW-8, y+chartBarH-3, template.HTMLEscapeString(label))
		fmt.Fprintf(&s, `<rect class="bar" x="%d" y="%d" width="%.1f" height="%d"></rect>`, chartLabelW, y, w, chartBarH)
		fmt.Fprintf(&s, `<text class="value" x="%.1f" y="%d">%s</text></g>`, float64(chartLabelW)+w+6, y+chartBarH-3, template.HTMLEscapeString(b.Text))
	}
	s.WriteString(`</svg>`)
	return template.HTML(s.String())
}
