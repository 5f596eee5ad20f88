package main

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/gradelog/gradelog/eventlog"
	"github.com/gradelog/gradelog/events"
	"github.com/gradelog/gradelog/internal/natsembed"
)

// mirrorIn runs "gradelog mirror args..." in process.
func mirrorIn(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = run(t.Context(), append([]string{"mirror", "--fast-sync"}, args...), noenv, &out, &errOut)
	return out.String(), errOut.String(), err
}

// mirrorFill appends n records over 23 aggregates to the log in data, and
// returns its last position.
func mirrorFill(t *testing.T, data string, n int) uint64 {
	t.Helper()
	s, err := natsembed.Start(natsembed.Options{Dir: filepath.Join(data, "nats"), FastSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	nc, err := natsembed.Connect(s, "filler")
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	l, err := eventlog.OpenJetStream(t.Context(), nc, eventlog.JetStreamConfig{Replicas: 1})
	if err != nil {
		t.Fatal(err)
	}
	heads := map[events.AggregateID]events.Head{}
	for i := range n {
		a := events.StudentOf(fmt.Sprintf("HE4%05d", i%23))
		got, err := l.Append(t.Context(), eventlog.AppendRequest{Aggregate: a, Head: heads[a], Events: []events.Pending{{
			Actor: events.Actor{ID: "t"}, Event: events.MarkRecorded{Student: fmt.Sprintf("HE4%05d", i%23), Entry: events.Entry{Mark: fmt.Sprint(i % 20)}}}}})
		if err != nil {
			t.Fatal(err)
		}
		heads[a] = got.Head()
	}
	last, err := l.LastPosition(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return last
}

// digests returns the heads digests a mirror printed: the source's, then
// the destination's.
func digests(t *testing.T, out string) (src, dst string) {
	t.Helper()
	m := regexp.MustCompile(`(?m)^  source +heads digest ([0-9a-f]{64}) .*\n  destination +heads digest ([0-9a-f]{64}) `).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no heads digests in:\n%s", out)
	}
	return m[1], m[2]
}

// TestMirrorCommand: the log of --data is mirrored to a file bundle, and
// the bundle into a new data directory (nats:DIR); both are identical to
// the original, with the heads digest gradelog verify finds on the
// restored log; a second run resumes and copies nothing; a mirror onto
// itself, into a live log and to esdb are refused.
func TestMirrorCommand(t *testing.T) {
	data, restored, files := t.TempDir(), t.TempDir(), t.TempDir()
	bundle := filepath.Join(files, "log.jsonl")
	last := mirrorFill(t, data, 300)

	out, errOut, err := mirrorIn(t, "--data", data, "--from", "nats", "--to", "file:"+bundle, "--batch", "64")
	if err != nil {
		t.Fatalf("mirror to a file: %v\n%s%s", err, out, errOut)
	}
	wantIn(t, "mirror to a file", out, "to file bundle "+bundle, fmt.Sprintf("copied %d records in ", last),
		"identical: the same 300 records in the same order, the same chain heads; positions identical too")
	wantIn(t, "mirror progress", errOut, fmt.Sprintf("copying: source position %d of %d (100%%), %d copied", last, last, last),
		"verifying the destination: 300 records read back")
	srcDigest, fileDigest := digests(t, out)
	if srcDigest != fileDigest {
		t.Errorf("heads digests differ: %s, %s", srcDigest, fileDigest)
	}

	out, errOut, err = mirrorIn(t, "--from", "file:"+bundle, "--to", "nats:"+restored)
	if err != nil {
		t.Fatalf("mirror from the file: %v\n%s%s", err, out, errOut)
	}
	wantIn(t, "mirror from the file", out, "from file bundle "+bundle, "embedded NATS, data in "+filepath.Join(restored, "nats"),
		"copied 300 records", "positions identical too")
	if _, d := digests(t, out); d != srcDigest {
		t.Errorf("the restored log's heads digest is %s, the original's %s", d, srcDigest)
	}
	var vout, verr bytes.Buffer
	if err := run(t.Context(), []string{"verify", "--data", restored, "--fast-sync"}, noenv, &vout, &verr); err != nil {
		t.Fatalf("verify the restored log: %v\n%s%s", err, vout.String(), verr.String())
	}
	wantIn(t, "verify the restored log", vout.String(), "300 records in 23 chains", fmt.Sprintf("chain heads at position %d: digest %s", last, srcDigest))

	out, errOut, err = mirrorIn(t, "--from", "file:"+bundle, "--to", "nats:"+restored)
	if err != nil {
		t.Fatalf("mirror again: %v\n%s%s", err, out, errOut)
	}
	wantIn(t, "mirror again", out, fmt.Sprintf("resumed after source position %d: 300 records were already in the destination", last), "copied 0 records", "identical")

	refusals := []struct {
		args []string
		want string
	}{
		{[]string{"--data", data, "--from", "nats", "--to", "nats:" + data}, "are the same log"},
		{[]string{"--data", data, "--from", "file:" + bundle, "--to", "nats"}, "not written by a mirror"},
		{[]string{"--from", "file:" + bundle, "--to", "esdb://admin:secret@127.0.0.1:1?tls=false", "--esdb-connect-timeout", "1s"}, "127.0.0.1:1"},
		{[]string{"--from", "nats:" + filepath.Join(files, "none"), "--to", "file:" + filepath.Join(files, "x.jsonl")}, "no event log in"},
		{[]string{"--from", "s3://bucket", "--to", "file:" + filepath.Join(files, "x.jsonl")}, "give nats, nats:DIR, file:PATH or esdb://"},
	}
	for _, r := range refusals {
		out, errOut, err := mirrorIn(t, r.args...)
		if err == nil || !strings.Contains(err.Error(), r.want) {
			t.Errorf("mirror %v: %v, want an error saying %q\n%s%s", r.args, err, r.want, out, errOut)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("mirror %v: the error shows the password: %v", r.args, err)
		}
	}
}

// TestMirrorCommandBreak: a record forged into the stream stops the
// mirror with exit status 1, naming its position and aggregate; the file
// holds the records before it only.
func TestMirrorCommandBreak(t *testing.T) {
	data, files := t.TempDir(), t.TempDir()
	mirrorFill(t, data, 60)
	victim := events.StudentOf("HE400004")
	var forged uint64
	{
		s, err := natsembed.Start(natsembed.Options{Dir: filepath.Join(data, "nats"), FastSync: true})
		if err != nil {
			t.Fatal(err)
		}
		nc, err := natsembed.Connect(s, "forger")
		if err != nil {
			t.Fatal(err)
		}
		js, _ := jetstream.New(nc)
		m, err := js.Stream(t.Context(), "GRADELOG")
		if err != nil {
			t.Fatal(err)
		}
		last, err := m.GetLastMsgForSubject(t.Context(), "gl."+string(victim))
		if err != nil {
			t.Fatal(err)
		}
		hdr := nats.Header{}
		for _, k := range []string{"Gl-Type", "Gl-Schema", "Gl-Hash"} { // the stored hash is kept
			hdr.Set(k, last.Header.Get(k))
		}
		ack, err := js.PublishMsg(t.Context(), &nats.Msg{Subject: last.Subject, Header: hdr,
			Data: bytes.Replace(last.Data, []byte(`"mark":"`), []byte(`"mark":"1`), 1)})
		if err != nil {
			t.Fatal(err)
		}
		forged = ack.Sequence
		nc.Close()
		s.Shutdown()
	}
	bundle := filepath.Join(files, "log.jsonl")
	out, errOut, err := mirrorIn(t, "--data", data, "--from", "nats", "--to", "file:"+bundle)
	var ee exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("mirror of a broken log: %v, want exit status 1\n%s%s", err, out, errOut)
	}
	wantIn(t, "mirror of a broken log", errOut, "BREAK in the source", fmt.Sprintf("chain of %s at position %d", victim, forged),
		fmt.Sprintf("%d records copied before the break", forged-1))
	out, _, err = mirrorIn(t, "--from", "file:"+bundle, "--to", "file:"+filepath.Join(files, "copy.jsonl"))
	if err != nil {
		t.Fatalf("mirror of the partial bundle: %v\n%s", err, out)
	}
	wantIn(t, "mirror of the partial bundle", out, fmt.Sprintf("the source holds %d records in 23 chains up to position %d", forged-1, forged-1))
}
