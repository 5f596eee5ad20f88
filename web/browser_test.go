package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Browser tests drive Debian's headless Chromium through the DevTools
// protocol (chromedp). Without Chromium they are skipped, unless
// GRADELOG_REQUIRE_BROWSER is set (CI sets it, so that a missing browser
// fails instead of silently skipping). GRADELOG_CHROME names the binary;
// screenshots go to GRADELOG_ARTIFACTS (default: artifacts/screenshots at
// the repository's root).

// chrome finds the browser to drive.
func chrome() string {
	if p := os.Getenv("GRADELOG_CHROME"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser starts a headless Chromium for t and returns its context, bound
// to at most timeout.
func browser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	path := chrome()
	if path == "" {
		if os.Getenv("GRADELOG_REQUIRE_BROWSER") != "" {
			t.Fatal("GRADELOG_REQUIRE_BROWSER is set but no Chromium was found (apt-get install chromium, or set GRADELOG_CHROME)")
		}
		t.Skip("browser tests need Chromium: apt-get install chromium, or set GRADELOG_CHROME; skipped")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root
		chromedp.WindowSize(1280, 900),
		chromedp.Flag("lang", "fr-BE"),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx, chromedp.WithErrorf(t.Logf))
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return ctx
}

// step is a browser action that returns nothing.
type step = chromedp.Action[chromedp.Void]

// shot saves a full-page screenshot as name.png.
func shot(name string) step {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		png, err := chromedp.FullScreenshot(100)(ctx, t) // quality 100: PNG
		if err != nil {
			return err
		}
		dir := os.Getenv("GRADELOG_ARTIFACTS")
		if dir == "" {
			dir = filepath.Join("..", "artifacts", "screenshots")
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	})
}

// until waits for a JavaScript condition to hold.
func until(cond string) step {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[bool](cond, chromedp.WithPollingTimeout(30*time.Second))(ctx, t)
		return err
	})
}

// callTimeout bounds each call of run and get: a step that waits for what
// never comes fails there, not at the browser's deadline.
const callTimeout = time.Minute

// run runs steps, failing t on error with the page it was on.
func run(t *testing.T, ctx context.Context, what string, steps ...step) {
	t.Helper()
	call, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	if err := chromedp.Do(call, steps...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("%s: %v\nat %s\n%s", what, err, loc, html)
	}
}

// get runs an action that reads a value.
func get[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	call, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	v, err := chromedp.Run(call, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// text reads the text of the first element matching a CSS selector.
func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return get(t, ctx, "read "+sel, chromedp.Text(chromedp.CSS(sel)))
}
