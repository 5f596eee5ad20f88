package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// The budgets of issue 10, on a 2-core machine.
const (
	budgetStudentYears  = 50_000 * 2
	budgetRebuild       = 30 * time.Second
	budgetBytes         = 4 << 10
	budgetTranscriptP99 = 5.0 // ms
	budgetAppendRatio   = 0.7
)

// line returns the line called name.
func (r Result) line(name string) (Line, bool) {
	for _, l := range r.Lines {
		if l.Name == name {
			return l, true
		}
	}
	return Line{}, false
}

// budgets checks the run against issue 10's budgets.
func budgets(r Result) []Budget {
	var out []Budget
	below := func(name, limit, unit string, v, max float64, note string) {
		out = append(out, Budget{Name: name, Limit: limit, Value: v, Unit: unit, Pass: v < max, Margin: (max - v) / max, Note: note})
	}
	above := func(name, limit, unit string, v, min float64, note string) {
		out = append(out, Budget{Name: name, Limit: limit, Value: v, Unit: unit, Pass: v >= min, Margin: (v - min) / min, Note: note})
	}
	if l, ok := r.line("rebuild"); ok {
		sy := l.Extra["student_years"]
		secs := l.Extra["seconds"] * budgetStudentYears / sy
		note := fmt.Sprintf("measured on %.0f student-years (%.0f events) in %.2f s", sy, l.Extra["events"], l.Extra["seconds"])
		if sy < budgetStudentYears*0.95 || sy > budgetStudentYears*1.05 {
			note = fmt.Sprintf("extrapolated linearly from %.0f student-years (%.0f events, %.2f s)", sy, l.Extra["events"], l.Extra["seconds"])
		}
		below("rebuild of 50,000 students x 2 years", "< 30 s", "s", secs, budgetRebuild.Seconds(), note)
		below("views per student-year", "<= 4 KiB", "B", l.Extra["bytes_per_student_year"], budgetBytes+1,
			fmt.Sprintf("heap held by a rebuilt cohort over %.0f student-years", sy))
	}
	for _, name := range []string{"transcript-1-p99", "transcript-p99"} {
		if l, ok := r.line(name); ok {
			clients := fmt.Sprintf("%.0f clients", l.Extra["clients"])
			if l.Extra["clients"] == 1 {
				clients = "1 client"
			}
			below("transcript p99 while appends run, "+clients, "< 5 ms", "ms", l.Ours, budgetTranscriptP99,
				fmt.Sprintf("%d reads over HTTP, %.0f appends/s meanwhile; raw direct get p99 %.2f ms", l.Ops, l.Extra["appends_per_s"], l.Raw))
		}
	}
	for _, name := range []string{"append-1", "append-64"} {
		if l, ok := r.line(name); ok {
			above("validated appends vs raw sync publish, "+strings.TrimPrefix(l.Title, "validated appends, "), ">= 0.7 x raw", "x raw",
				l.Ratio, budgetAppendRatio, fmt.Sprintf("%.0f vs %.0f marks/s", l.Ours, l.Raw))
		}
	}
	return out
}

// WriteText prints the run as a table: the dataset, one line per
// workload (ours, raw, ratio), then the budgets.
func (r Result) WriteText(w io.Writer) error {
	d := r.Dataset
	fmt.Fprintf(w, "gradelog bench: %d students x %d years (%d student-years, %d distinct students), %d records (%d with the fixture), store %s\n",
		d.Students, d.Years, d.Stats.StudentYears, d.Stats.Students, d.Records, d.End, bytesText(d.StoreBytes))
	fmt.Fprintf(w, "generated in %s (%.0f records/s, %.1f records per student-year, fast sync); measured with %s on both sides; %s\n",
		d.Generated.Round(time.Second), float64(d.End)/d.Generated.Seconds(), float64(d.Records)/float64(max(d.Stats.StudentYears, 1)), r.Durability, r.Machine)
	fmt.Fprintf(w, "views caught up from the log at start in %s\n\n", r.CatchUp.Round(time.Millisecond))
	width := len("workload")
	for _, l := range r.Lines {
		width = max(width, len([]rune(l.Title)))
	}
	pad := func(s string) string { return s + strings.Repeat(" ", width-len([]rune(s))) }
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "%s\tours\traw JetStream\tunit\tratio\tops\t\n", pad("workload"))
	for _, l := range r.Lines {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.2f\t%d\t\n", pad(l.Title), num(l.Ours), num(l.Raw), l.Unit, l.Ratio, l.Ops)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "\nratio: ours relative to raw, 1 = as fast as raw (rates: ours/raw; times: raw/ours)\n")
	if l, ok := r.line("rebuild"); ok {
		fmt.Fprintf(w, "rebuild: %.0f events in %.2f s (raw drain %.2f s); views hold %.0f B per student-year\n",
			l.Extra["events"], l.Extra["seconds"], l.Extra["raw_seconds"], l.Extra["bytes_per_student_year"])
	}
	fmt.Fprintf(w, "\nbudgets\n")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, b := range r.Budgets {
		verdict := "PASS"
		if !b.Pass {
			verdict = "MISS"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s %s\t%s by %.0f%%\t%s\n", b.Name, b.Limit, num(b.Value), b.Unit, verdict, 100*abs(b.Margin), b.Note)
	}
	return tw.Flush()
}

// WriteJSON writes the run as indented JSON.
func (r Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

func num(v float64) string {
	switch {
	case v >= 1000:
		return fmt.Sprintf("%.0f", v)
	case v >= 10:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
