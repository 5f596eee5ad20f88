package main

import (
	"context"
	"errors"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/pflag"

	"github.com/gradelog/gradelog/handlers"
	"github.com/gradelog/gradelog/internal/natsembed"
	"github.com/gradelog/gradelog/internal/natstest"
)

// The passwords of these tests: none may ever be printed.
const (
	natsPassword   = "pw-of-gradelog-7c1e"
	wrongPassword  = "wrong-pw-5d2a"
	urlPassword    = "pw-in-url-91fb"
	listenPassword = "pw-of-listen-0e3b"
)

// noSecrets fails the test if what holds any of the passwords.
func noSecrets(t *testing.T, what, s string) {
	t.Helper()
	for _, pw := range []string{natsPassword, wrongPassword, urlPassword, listenPassword} {
		if strings.Contains(s, pw) {
			t.Errorf("%s shows a password:\n%s", what, s)
		}
	}
}

// envOf is a getenv over vars.
func envOf(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// serveNATS runs serve with the environment vars until the test ends and
// returns its base URL and everything it prints (stdout and stderr),
// which must show no password.
func serveNATS(t *testing.T, vars map[string]string, args ...string) (string, *syncBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--http", "127.0.0.1:0", "--fast-sync"}, args...), envOf(vars), &out, &out)
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		noSecrets(t, "serve's output", out.String())
	})
	listening := regexp.MustCompile(`(?m)^gradelog: listening on (http://\S+)$`)
	for {
		if m := listening.FindStringSubmatch(out.String()); m != nil {
			return m[1], &out
		}
		select {
		case err := <-done:
			done <- nil
			t.Fatalf("serve ended: %v\n%s", err, out.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// serveRefused runs serve, which must fail within 5 s without printing a
// password; it returns the error's text and the output.
func serveRefused(t *testing.T, vars map[string]string, args ...string) (msg, out string) {
	t.Helper()
	var buf syncBuffer
	start := time.Now()
	err := run(t.Context(), append([]string{"serve", "--http", "127.0.0.1:0", "--data", t.TempDir()}, args...), envOf(vars), &buf, &buf)
	if err == nil {
		t.Fatalf("serve %s started", strings.Join(args, " "))
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v to fail", d)
	}
	noSecrets(t, "the error", err.Error())
	noSecrets(t, "the output", buf.String())
	return err.Error(), buf.String()
}

// readyAndWrites checks /readyz and that a student can be registered.
func readyAndWrites(t *testing.T, base, data, matricule string) {
	t.Helper()
	if code, body := get(t, base+"/readyz"); code != http.StatusOK {
		t.Fatalf("GET /readyz = %d %s", code, body)
	}
	api := &httpAPI{t: t, base: base, token: mintSecretariat(t, data)}
	api.write("POST", "/api/v1/students", handlers.Registration{Matricule: matricule, FirstName: "Ada", LastName: "Nom", Email: strings.ToLower(matricule) + "@student.helmo.be"})
}

// TestServeNATSTLSCredentials: serve on a 3-node cluster with TLS on
// clients and routes, users and NKeys: the password from the environment
// or an NKey seed work; a wrong password, no credentials or no CA fail at
// once naming the URLs and what to check, and no password is printed
// anywhere, not even by --help.
func TestServeNATSTLSCredentials(t *testing.T) {
	pki := natstest.NewPKI(t)
	nkey, seed := natstest.NKeyUser(t)
	servers := natstest.SecureCluster(t, 3, natstest.Security{TLS: pki,
		Users: []natsembed.User{{Name: "gradelog", Password: natsPassword}}, NKeys: []string{nkey}})
	urls := natstest.URLs(servers)
	withPassword := map[string]string{"GRADELOG_NATS_PASSWORD": natsPassword}

	t.Run("password from the environment", func(t *testing.T) {
		data := t.TempDir()
		base, out := serveNATS(t, withPassword, "--nats", urls, "--nats-tls-ca", pki.CA, "--nats-user", "gradelog", "--data", data)
		wantIn(t, "serve's output", out.String(), "event log ready (NATS at "+urls+")")
		readyAndWrites(t, base, data, "HE209001")
	})
	t.Run("nkey", func(t *testing.T) {
		data := t.TempDir()
		base, _ := serveNATS(t, nil, "--nats", urls, "--nats-tls-ca", pki.CA, "--nats-nkey", seed, "--data", data)
		readyAndWrites(t, base, data, "HE209002")
	})
	t.Run("wrong password", func(t *testing.T) {
		msg, _ := serveRefused(t, nil, "--nats", urls, "--nats-tls-ca", pki.CA, "--nats-user", "gradelog", "--nats-password", wrongPassword)
		t.Log(msg)
		wantIn(t, "the error", msg, "cannot reach NATS at "+urls, "Authorization Violation", "refused the credentials")
	})
	t.Run("wrong password in the URL", func(t *testing.T) {
		url := strings.Replace(servers[0].ClientURL(), "tls://", "tls://gradelog:"+urlPassword+"@", 1)
		msg, _ := serveRefused(t, nil, "--nats", url, "--nats-tls-ca", pki.CA)
		wantIn(t, "the error", msg, "cannot reach NATS at "+strings.Replace(url, urlPassword, "xxxxx", 1), "Authorization Violation")
	})
	t.Run("no credentials", func(t *testing.T) {
		msg, _ := serveRefused(t, nil, "--nats", urls, "--nats-tls-ca", pki.CA)
		wantIn(t, "the error", msg, "cannot reach NATS at "+urls, "Authorization Violation")
	})
	t.Run("user without password", func(t *testing.T) {
		msg, _ := serveRefused(t, nil, "--nats", urls, "--nats-tls-ca", pki.CA, "--nats-user", "gradelog")
		wantIn(t, "the error", msg, "GRADELOG_NATS_PASSWORD")
	})
	t.Run("no CA", func(t *testing.T) {
		msg, _ := serveRefused(t, withPassword, "--nats", urls, "--nats-user", "gradelog")
		t.Log(msg)
		wantIn(t, "the error", msg, "cannot reach NATS at "+urls, "certificate", "--nats-tls-ca")
	})
	t.Run("help", func(t *testing.T) {
		var out syncBuffer
		vars := map[string]string{"GRADELOG_NATS_PASSWORD": natsPassword, "GRADELOG_NATS_LISTEN_PASSWORD": listenPassword}
		if err := run(t.Context(), []string{"serve", "--help"}, envOf(vars), &out, &out); err != nil {
			t.Fatal(err)
		}
		wantIn(t, "serve --help", out.String(), "--nats-password", "--nats-nkey", "--nats-listen-password")
		noSecrets(t, "serve --help", out.String())
	})
}

// TestServeNATSMutualTLS: servers that require a client certificate take
// gradelog's (--nats-tls-cert, --nats-tls-key) and refuse it without one.
func TestServeNATSMutualTLS(t *testing.T) {
	pki := natstest.NewPKI(t)
	servers := natstest.SecureCluster(t, 3, natstest.Security{TLS: pki, MutualTLS: true,
		Users: []natsembed.User{{Name: "gradelog", Password: natsPassword}}})
	urls := natstest.URLs(servers)
	withPassword := map[string]string{"GRADELOG_NATS_PASSWORD": natsPassword}

	t.Run("client certificate", func(t *testing.T) {
		data := t.TempDir()
		base, _ := serveNATS(t, withPassword, "--nats", urls, "--nats-user", "gradelog", "--data", data,
			"--nats-tls-ca", pki.CA, "--nats-tls-cert", pki.Client, "--nats-tls-key", pki.ClientKey)
		readyAndWrites(t, base, data, "HE209003")
	})
	t.Run("no client certificate", func(t *testing.T) {
		msg, _ := serveRefused(t, withPassword, "--nats", urls, "--nats-user", "gradelog", "--nats-tls-ca", pki.CA)
		t.Log(msg)
		wantIn(t, "the error", msg, "cannot reach NATS at "+urls, "--nats-tls-cert")
	})
}

// TestServeNATSListen: the embedded server opens no port by default; with
// --nats-listen it requires a user and password, refuses anonymous
// clients and takes those with the credentials, over TLS if asked, while
// gradelog itself still connects in process.
func TestServeNATSListen(t *testing.T) {
	t.Run("no port by default", func(t *testing.T) {
		var f logFlags
		fs := pflag.NewFlagSet("serve", pflag.ContinueOnError)
		f.bind(fs, noenv)
		if err := fs.Parse([]string{"--data", t.TempDir(), "--fast-sync"}); err != nil {
			t.Fatal(err)
		}
		opened, err := f.open(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		defer opened.close()
		if addr := opened.embedded.Addr(); addr != nil {
			t.Errorf("the embedded server listens on %v", addr)
		}
		if strings.Contains(opened.where, "clients on") {
			t.Errorf("where = %q", opened.where)
		}
	})
	t.Run("refused without credentials", func(t *testing.T) {
		msg, _ := serveRefused(t, nil, "--nats-listen", "127.0.0.1:0")
		t.Log(msg)
		wantIn(t, "the error", msg, "--nats-listen 127.0.0.1:0 needs --nats-listen-user", "GRADELOG_NATS_LISTEN_PASSWORD", "no anonymous clients")
		msg, _ = serveRefused(t, nil, "--nats-listen", "127.0.0.1:0", "--nats-listen-user", "ops")
		wantIn(t, "the error", msg, "GRADELOG_NATS_LISTEN_PASSWORD")
	})
	vars := map[string]string{"GRADELOG_NATS_LISTEN_PASSWORD": listenPassword}
	t.Run("credentials", func(t *testing.T) {
		data := t.TempDir()
		base, out := serveNATS(t, vars, "--data", data, "--nats-listen", "127.0.0.1:0", "--nats-listen-user", "ops")
		readyAndWrites(t, base, data, "HE209004")
		url := clientsOn(t, out.String(), "nats://")
		if _, err := nats.Connect(url); !errors.Is(err, nats.ErrAuthorization) {
			t.Errorf("anonymous client on %s: %v, want an authorization violation", url, err)
		}
		if _, err := nats.Connect(url, nats.UserInfo("ops", wrongPassword)); !errors.Is(err, nats.ErrAuthorization) {
			t.Errorf("wrong password on %s: %v", url, err)
		}
		nc, err := nats.Connect(url, nats.UserInfo("ops", listenPassword))
		if err != nil {
			t.Fatalf("client with the credentials on %s: %v", url, err)
		}
		defer nc.Close()
		js, _ := jetstream.New(nc)
		if _, err := js.Stream(t.Context(), "GRADELOG"); err != nil {
			t.Errorf("the GRADELOG stream over --nats-listen: %v", err)
		}
	})
	t.Run("TLS", func(t *testing.T) {
		pki := natstest.NewPKI(t)
		data := t.TempDir()
		base, out := serveNATS(t, vars, "--data", data, "--nats-listen", "127.0.0.1:0", "--nats-listen-user", "ops",
			"--nats-listen-tls-cert", pki.Server, "--nats-listen-tls-key", pki.ServerKey)
		readyAndWrites(t, base, data, "HE209005")
		url := clientsOn(t, out.String(), "tls://")
		if _, err := nats.Connect(url, nats.UserInfo("ops", listenPassword)); err == nil {
			t.Errorf("a client that does not know the CA connected to %s", url)
		}
		nc, err := nats.Connect(url, nats.UserInfo("ops", listenPassword), nats.RootCAs(pki.CA))
		if err != nil {
			t.Fatalf("TLS client with the credentials on %s: %v", url, err)
		}
		nc.Close()
	})
	t.Run("listen flags need --nats-listen", func(t *testing.T) {
		msg, _ := serveRefused(t, nil, "--nats-listen-tls-cert", "c.pem", "--nats-listen-tls-key", "k.pem")
		wantIn(t, "the error", msg, "go with --nats-listen")
		msg, _ = serveRefused(t, nil, "--nats", "nats://127.0.0.1:1", "--nats-listen", "127.0.0.1:0")
		wantIn(t, "the error", msg, "not with --nats")
	})
}

// clientsOn is the NATS URL serve says the embedded server listens on.
func clientsOn(t *testing.T, out, scheme string) string {
	t.Helper()
	m := regexp.MustCompile(`clients on (` + scheme + `[^)\s]+)\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("serve does not say where NATS clients connect (%s...):\n%s", scheme, out)
	}
	return m[1]
}

// TestRedactURLs: passwords and tokens in --nats URLs are never shown.
func TestRedactURLs(t *testing.T) {
	for in, want := range map[string]string{
		"nats://n1:4222,nats://n2:4222":         "nats://n1:4222,nats://n2:4222",
		"tls://u:" + urlPassword + "@n1:4222":   "tls://u:xxxxx@n1:4222",
		"u:" + urlPassword + "@n1:4222,n2:4222": "u:xxxxx@n1:4222,n2:4222",
		"nats://" + urlPassword + "@n1:4222":    "nats://xxxxx@n1:4222",
		"nats://n1:4222/p@th":                   "nats://n1:4222/p@th",
	} {
		if got := redactURLs(in); got != want {
			t.Errorf("redactURLs(%q) = %q, want %q", in, got, want)
		}
	}
}
