package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/web"
)

// TestBrowserTeacherKeyboard: in a real browser, a teacher signs in and
// fills a whole sheet with the keyboard only. A mark out of scale is
// refused beside its row and corrected; each value is saved as the
// teacher leaves its cell; the sheet is submitted after confirming. The
// pages are served by two servers of a cluster, the second one's views
// lagging 300 ms per record: a page of the second right after a write on
// the first still shows it (a page never shows a state older than the
// user's own last write).
var lag = 300 * time.Millisecond

func TestBrowserTeacherKeyboard(t *testing.T) {
	ctx := browser(t, 60*time.Second)
	start := time.Now()
	defer func() { t.Logf("took %s", time.Since(start)) }()
	s := startSite(t, web.Account{Identity: teacher18, What: "enseignant des UE 1/8 et 1/9"})
	mats := s.cohort("Amélie Dubois", "Benoît Lambert", "Chloé Martin")
	if _, err := s.Handlers.ScheduleSession(t.Context(), secretariat, "", gradetest.Year, "Q1", handlers.Schedule{}); err != nil {
		t.Fatal(err)
	}
	// A second server of the cluster, whose views lag 300 ms per record.
	b := s.replica(lag)
	sheet := s.URL + "/feuilles/" + gradetest.Year + "/Q1/1/8"
	t.Logf("setup done after %s", time.Since(start))

	// Sign in with the keyboard: the account's button, then Enter.
	run(t, ctx, "sign in",
		chromedp.Navigate(s.URL+"/connexion"),
		chromedp.WaitVisible(chromedp.CSS(`ul.accounts button`)),
		shot("teacher-01-connexion"),
		chromedp.Focus(chromedp.CSS(`ul.accounts button`)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.Search(`//h1[contains(., "Mes feuilles de cotes")]`)),
		shot("teacher-02-mes-feuilles"),
	)

	// The sheet: focus its first cell, then only keys.
	run(t, ctx, "fill the sheet",
		chromedp.Navigate(sheet),
		chromedp.WaitVisible(chromedp.CSS(`#saisie`)), until(`document.getElementById("saisie").dataset.pending === "0"`),
		chromedp.Focus(chromedp.CSS(`input.entry`)),
		chromedp.KeyEvent("25"), chromedp.KeyEvent(kb.Enter), // out of scale: refused
		chromedp.WaitVisible(chromedp.CSS(`tr[data-student="`+mats[0]+`"].refused`)),
		shot("teacher-03-refus"),
	)
	if got := text(t, ctx, `tr[data-student="`+mats[0]+`"] td.state`); !strings.Contains(got, "refusé") || !strings.Contains(got, "25") {
		t.Errorf("the refused row says %q", got)
	}
	run(t, ctx, "correct and go on",
		chromedp.KeyEvent(kb.Tab, chromedp.KeyModifiers(chromedp.ModifierShift)), // back to the refused cell
		chromedp.KeyEvent(kb.End),
		chromedp.KeyEvent(kb.Backspace), chromedp.KeyEvent(kb.Backspace),
		chromedp.KeyEvent("15"), chromedp.KeyEvent(kb.Enter),
		chromedp.KeyEvent("12,5"), chromedp.KeyEvent(kb.Enter),
		chromedp.KeyEvent("abs"), chromedp.KeyEvent(kb.Enter), // last row: saved, focus on the confirmation
		until(`document.querySelectorAll("tr.saved").length === 3 && document.getElementById("saisie").dataset.pending === "0"`),
		shot("teacher-04-saisie"),
	)
	for i, want := range []string{"15", "12,5", "ABS"} {
		if v := get(t, ctx, "read a cell", chromedp.Value(chromedp.CSS(`tr[data-student="`+mats[i]+`"] input.entry`))); v != want {
			t.Errorf("cell of %s shows %q, want %q", mats[i], v, want)
		}
	}
	for i := range mats {
		if got := text(t, ctx, `tr[data-student="`+mats[i]+`"] td.state`); !strings.HasPrefix(got, "enregistré") {
			t.Errorf("row of %s says %q, want enregistré", mats[i], got)
		}
	}
	if got := text(t, ctx, "#manquantes"); got != "0" {
		t.Errorf("missing count %q after the last save, want 0", got)
	}
	if focused := get(t, ctx, "focus", chromedp.Evaluate[string](`document.activeElement.name`)); focused != "confirmation" {
		t.Fatalf("after the last student, focus is on %q, want the confirmation", focused)
	}

	// Right after the last save on the first server, the second one's list
	// of sheets waits for the teacher's write: every student complete.
	run(t, ctx, "the list on the lagging server",
		chromedp.Navigate(b.URL+"/feuilles"),
		chromedp.WaitVisible(chromedp.CSS(`tbody tr`)),
		shot("teacher-05-liste-second-serveur"),
	)
	if row := text(t, ctx, `tbody tr`); !strings.Contains(row, "UE 1/8") || !strings.Contains(row, "3\t3\t0") {
		t.Errorf("the lagging server's list right after the saves shows %q, want UE 1/8 with 3 students complete and none missing", row)
	}

	// Submit: Space checks the confirmation, Tab reaches the button, Enter.
	// The list of sheets comes next.
	run(t, ctx, "submit",
		chromedp.Navigate(sheet),
		chromedp.WaitVisible(chromedp.CSS(`#saisie`)), until(`document.getElementById("saisie").dataset.pending === "0"`),
		chromedp.Focus(chromedp.CSS(`input[name=confirmation]`)),
		chromedp.KeyEvent(" "), chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(chromedp.Search(`//p[@class="flash" and contains(., "Feuille remise")]`)),
		shot("teacher-06-remise"),
	)
	if row := text(t, ctx, `tbody tr`); !strings.Contains(row, "UE 1/8") || !strings.Contains(row, "remise") {
		t.Errorf("the list after the submission shows %q", row)
	}
	// The lagging server's sheet page right after: submitted.
	run(t, ctx, "the sheet on the lagging server", chromedp.Navigate(b.URL+"/feuilles/"+gradetest.Year+"/Q1/1/8"),
		chromedp.WaitVisible(chromedp.CSS(`#etat`)), shot("teacher-07-feuille-remise"))
	if got := text(t, ctx, "#etat"); !strings.Contains(got, "remise") {
		t.Errorf("the lagging server's sheet after submission says %q", got)
	}
}
