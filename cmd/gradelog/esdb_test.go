package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestESDBFlags: --esdb (or GRADELOG_ESDB_URL) opens EventStoreDB instead
// of NATS; an unreachable server fails within --esdb-connect-timeout,
// naming the host and never the password, which --help does not show
// either; --esdb with --nats is refused. The backend itself is tested
// against a server in eventlog/esdb when GRADELOG_ESDB_URL is set.
func TestESDBFlags(t *testing.T) {
	const url = "esdb://admin:s3cr3t-pw@127.0.0.1:1?tls=false"
	cases := []struct {
		args []string
		env  map[string]string
		want []string
	}{
		{[]string{"verify", "--esdb", url, "--esdb-connect-timeout", "300ms"}, nil, []string{"EventStoreDB", "127.0.0.1:1"}},
		{[]string{"rebuild", "--esdb-connect-timeout", "300ms"}, map[string]string{"GRADELOG_ESDB_URL": url}, []string{"EventStoreDB", "127.0.0.1:1"}},
		{[]string{"verify", "--esdb", url, "--nats", "nats://127.0.0.1:1"}, nil, []string{"--esdb and --nats", "give one"}},
	}
	for _, c := range cases {
		var out, errOut bytes.Buffer
		err := run(context.Background(), c.args, func(k string) string { return c.env[k] }, &out, &errOut)
		all := out.String() + errOut.String()
		if err != nil {
			all += err.Error()
		}
		if err == nil {
			t.Errorf("%v: no error\n%s", c.args, all)
		}
		for _, w := range c.want {
			if !strings.Contains(all, w) {
				t.Errorf("%v: %q missing from\n%s", c.args, w, all)
			}
		}
		if strings.Contains(all, "s3cr3t") {
			t.Errorf("%v: the password is shown:\n%s", c.args, all)
		}
	}
	var out, errOut bytes.Buffer
	env := map[string]string{"GRADELOG_ESDB_URL": url}
	if err := run(context.Background(), []string{"serve", "--help"}, func(k string) string { return env[k] }, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if help := out.String() + errOut.String(); !strings.Contains(help, "--esdb") || strings.Contains(help, "s3cr3t") {
		t.Errorf("serve --help: --esdb missing or the password shown:\n%s", help)
	}
}
