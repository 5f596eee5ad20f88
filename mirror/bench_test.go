package mirror_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/eventlog/filelog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/natstest"
	"github.com/gradelog/gradelog/mirror"
)

// BenchmarkMirror100k mirrors a log of 100,000 records (20 marks per
// append over 1,000 grade sheets) from JetStream to a file bundle, then
// from the bundle into a fresh stream whose server syncs every write as in
// production (and one that does not, --fast-sync), and reports records/s of each whole Copy (reading,
// verifying, importing, reading back). Run it once:
//
//	go test ./mirror -run '^$' -bench Mirror100k -benchtime 1x
func BenchmarkMirror100k(b *testing.B) {
	const n, perAppend, sheets = 100_000, 20, 1000
	src, _ := jsLog(b)
	heads := map[events.AggregateID]events.Head{}
	for i := 0; i < n/perAppend; i++ {
		a := events.SheetOf("2025-2026", "Q1", fmt.Sprintf("B-%d", i%sheets))
		req := eventlog.AppendRequest{Aggregate: a, Head: heads[a]}
		for k := range perAppend {
			req.Events = append(req.Events, events.Pending{Actor: events.Actor{ID: "teacher-0042", Roles: []string{"teacher"}},
				Event: events.MarkRecorded{Student: fmt.Sprintf("HE%06d", (i*perAppend+k)%5000), Entry: events.Entry{Mark: "13.5"}}})
		}
		got, err := src.Append(ctxT(b), req)
		if err != nil {
			b.Fatal(err)
		}
		heads[a] = got.Head()
	}
	b.ResetTimer()
	for range b.N {
		path := filepath.Join(b.TempDir(), "log.jsonl")
		file, err := filelog.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := mirror.Copy(ctxT(b), src, file, mirror.Options{})
		if err != nil || rep.Copied != n {
			b.Fatalf("to the file: %v, %+v", err, rep)
		}
		file.Close()
		total := rep.CopyTime + rep.VerifyTime
		b.ReportMetric(float64(n)/total.Seconds(), "js→file-records/s")
		b.Logf("JetStream → file: %d records, copy %s, verify %s: %.0f records/s", n, rep.CopyTime, rep.VerifyTime, float64(n)/total.Seconds())

		from, err := filelog.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		for _, fast := range []bool{false, true} {
			dst, err := eventlog.OpenJetStream(ctxT(b), natstest.Conn(b, natstest.ServerIn(b, b.TempDir(), fast)), eventlog.JetStreamConfig{})
			if err != nil {
				b.Fatal(err)
			}
			rep, err = mirror.Copy(ctxT(b), from, dst, mirror.Options{})
			if err != nil || rep.Copied != n {
				b.Fatalf("to JetStream: %v, %+v", err, rep)
			}
			total = rep.CopyTime + rep.VerifyTime
			sync := "sync always"
			if fast {
				sync = "fast sync"
			}
			b.ReportMetric(float64(n)/total.Seconds(), "file→js("+strings.ReplaceAll(sync, " ", "-")+")-records/s")
			b.Logf("file → JetStream (%s): %d records, copy %s, verify %s: %.0f records/s", sync, n, rep.CopyTime, rep.VerifyTime, float64(n)/total.Seconds())
		}
		from.Close()
	}
}
