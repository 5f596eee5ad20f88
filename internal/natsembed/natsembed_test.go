package natsembed_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"

	"github.com/gradelog/gradelog/internal/natsembed"
	"github.com/gradelog/gradelog/internal/natstest"
)

// TestNoPortByDefault: without Listen the server has no network listener;
// clients connect in process.
func TestNoPortByDefault(t *testing.T) {
	s, err := natsembed.Start(natsembed.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	if addr := s.Addr(); addr != nil {
		t.Errorf("listens on %v", addr)
	}
	nc, err := natsembed.Connect(s, t.Name())
	if err != nil {
		t.Fatal(err)
	}
	nc.Close()
}

// TestListenNeedsCredentials: a server on the network takes no anonymous
// client and takes its users, over TCP and in process. (An in-process
// client refused is not tried: over net.Pipe the refusal takes the
// server's 10 s write deadline.)
func TestListenNeedsCredentials(t *testing.T) {
	dir := t.TempDir()
	if _, err := natsembed.Launch(natsembed.Options{Dir: dir, Listen: "127.0.0.1:0"}); err == nil || !strings.Contains(err.Error(), "no anonymous clients") {
		t.Fatalf("listening without credentials: %v", err)
	}
	s, err := natsembed.Start(natsembed.Options{Dir: dir, Listen: "127.0.0.1:0", Users: []natsembed.User{{Name: "ops", Password: "s3cret"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	if _, err := nats.Connect(s.ClientURL()); !errors.Is(err, nats.ErrAuthorization) {
		t.Errorf("anonymous TCP client: %v", err)
	}
	for name, connect := range map[string]func() (*nats.Conn, error){
		"TCP":        func() (*nats.Conn, error) { return nats.Connect(s.ClientURL(), nats.UserInfo("ops", "s3cret")) },
		"in process": func() (*nats.Conn, error) { return natsembed.Connect(s, "ops", nats.UserInfo("ops", "s3cret")) },
	} {
		nc, err := connect()
		if err != nil {
			t.Errorf("%s client with the password: %v", name, err)
			continue
		}
		nc.Close()
	}
}

// TestListenMutualTLS: network clients need a certificate of the CA;
// in-process ones skip TLS.
func TestListenMutualTLS(t *testing.T) {
	pki := natstest.NewPKI(t)
	cfg, err := natsembed.ServerTLS(pki.Server, pki.ServerKey, pki.CA)
	if err != nil {
		t.Fatal(err)
	}
	pub, seed := natstest.NKeyUser(t)
	s, err := natsembed.Start(natsembed.Options{Dir: filepath.Join(t.TempDir(), "nats"), Listen: "127.0.0.1:0", NKeys: []string{pub}, TLS: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	auth, err := nats.NkeyOptionFromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := nats.Connect(s.ClientURL(), auth, nats.RootCAs(pki.CA)); err == nil {
		t.Error("a client without a certificate connected")
	}
	nc, err := nats.Connect(s.ClientURL(), auth, nats.RootCAs(pki.CA), nats.ClientCert(pki.Client, pki.ClientKey))
	if err != nil {
		t.Fatalf("client with a certificate: %v", err)
	}
	nc.Close()
	if nc, err = natsembed.Connect(s, "in process", auth); err != nil {
		t.Fatalf("in-process client: %v", err)
	}
	nc.Close()
}
