package projections_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradelog/gradelog/internal/gradetest"
	"github.com/gradelog/gradelog/projections"
)

// scripted starts gradelog and runs steps random commands on it.
func scripted(t *testing.T, seed uint64, steps int) *gradetest.Env {
	t.Helper()
	env := gradetest.Start(t, true)
	d := newDriver(t, env, seed)
	for range steps {
		d.step()
	}
	if err := env.Handlers.Views.CatchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	return env
}

// TestCheckpointResume: views restored from a checkpoint and fed the
// records after it equal the live views, and a checkpoint of an empty
// cohort resumes from the start.
func TestCheckpointResume(t *testing.T) {
	env := scripted(t, 7, 120)
	ctx := t.Context()
	file := projections.CheckpointFile(filepath.Join(t.TempDir(), "views.snapshot.gz"))
	if err := file.Save(env.Handlers.Cohort); err != nil {
		t.Fatal(err)
	}
	at := env.Handlers.Cohort.Position()
	d := newDriver(t, env, 8)
	for range 60 {
		d.step()
	}
	if err := env.Handlers.Views.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}

	c, warning, err := file.Resume(ctx, env.Log)
	if err != nil || warning != "" {
		t.Fatalf("Resume: %q, %v", warning, err)
	}
	if c.Position() != at {
		t.Fatalf("resumed at position %d, want the checkpoint's %d", c.Position(), at)
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := projections.NewRunner(env.Log, c).From(c.Position())
	go func() { _ = r.Run(runCtx) }()
	if err := r.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := snapshot(t, c), snapshot(t, env.Handlers.Cohort); !bytes.Equal(got, want) {
		t.Fatalf("resumed views differ from the live ones:\n%s", firstDifference(got, want))
	}
}

// TestCheckpointNotMatchingTheLog: a checkpoint ahead of the log (a log
// restored from an older copy), one taken on another log, an unreadable
// file and a missing one each give an empty cohort to rebuild and a
// warning saying why; never views resumed onto a log they do not match.
func TestCheckpointNotMatchingTheLog(t *testing.T) {
	ctx := t.Context()
	long := scripted(t, 11, 80)
	file := projections.CheckpointFile(filepath.Join(t.TempDir(), "views.snapshot.gz"))
	if err := file.Save(long.Handlers.Cohort); err != nil {
		t.Fatal(err)
	}
	short := scripted(t, 12, 5)
	other := scripted(t, 13, 200)
	if other.Handlers.Cohort.Position() < long.Handlers.Cohort.Position() {
		t.Fatalf("the other log (%d) must be longer than the checkpoint's (%d)", other.Handlers.Cohort.Position(), long.Handlers.Cohort.Position())
	}
	garbage := projections.CheckpointFile(filepath.Join(t.TempDir(), "garbage.gz"))
	if err := os.WriteFile(string(garbage), []byte("not a snapshot"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := projections.CheckpointFile(filepath.Join(t.TempDir(), "none.gz"))
	for _, tc := range []struct {
		name string
		file projections.CheckpointFile
		env  *gradetest.Env
		want string
	}{
		{"ahead of the log", file, short, "ahead of the log"},
		{"another log", file, other, "not the one the checkpoint was taken on"},
		{"unreadable", garbage, long, "unreadable"},
		{"missing", missing, long, "no checkpoint"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, warning, err := tc.file.Resume(ctx, tc.env.Log)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(warning, tc.want) || !strings.Contains(warning, "building the views from the whole log") {
				t.Errorf("warning = %q, want it to say %q and that the views are rebuilt", warning, tc.want)
			}
			if c.Position() != 0 {
				t.Errorf("resumed at position %d, want an empty cohort", c.Position())
			}
		})
	}
}
