package natsembed_test

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"go.yaml.in/yaml/v3"

	"github.com/gradelog/gradelog/internal/natsembed"
	"github.com/gradelog/gradelog/internal/natstest"
)

// The deployment of docker-compose.yml, checked without Docker: its NATS
// configuration parses with the certificates of deploy/nats/make-certs.sh
// and asks for TLS and credentials; the compose file mounts what the
// script makes and passes gradelog's password in the environment only.

// repoFile is a file of the repository.
func repoFile(name string) string { return filepath.Join("..", "..", filepath.FromSlash(name)) }

// deployConf parses deploy/nats/nats.conf as node nats-1 with its
// certificates (ca.pem, server.pem, server-key.pem) in certs and
// gradelog's password in the environment (unset if empty).
func deployConf(t *testing.T, certs, password string) (*server.Options, error) {
	t.Helper()
	conf, err := os.ReadFile(repoFile("deploy/nats/nats.conf"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "nats.conf")
	if err := os.WriteFile(file, []byte(strings.ReplaceAll(string(conf), "/etc/nats/certs/", filepath.ToSlash(certs)+"/")), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SERVER_NAME", "nats-1")
	t.Setenv("GRADELOG_NATS_PASSWORD", password)
	if password == "" {
		os.Unsetenv("GRADELOG_NATS_PASSWORD")
	}
	return server.ProcessConfigFile(file)
}

// TestDeployNATSConf: TLS on clients (optional client certificates) and on
// routes (mutual, peers named in the routes), gradelog's user with the
// password of the environment, writes synced, monitoring on loopback.
func TestDeployNATSConf(t *testing.T) {
	pki := natstest.NewPKI(t)
	for _, pw := range []string{"5f0c2e9a41d7b38e6a90c1f2d4b7e8a3c6d9f0e1b2a4c5d7", "0123456789abcdefabcdef0123456789abcdef0123456789"} {
		o, err := deployConf(t, pki.Dir, pw)
		if err != nil {
			t.Fatal(err)
		}
		if len(o.Users) != 1 || o.Users[0].Username != "gradelog" || o.Users[0].Password != pw || len(o.Nkeys) != 0 || o.NoAuthUser != "" {
			t.Errorf("users %+v, want gradelog with the password of GRADELOG_NATS_PASSWORD", o.Users)
		}
		if t.Failed() {
			return
		}
	}
	o, err := deployConf(t, pki.Dir, "x")
	if err != nil {
		t.Fatal(err)
	}
	if o.ServerName != "nats-1" || !o.JetStream || !o.SyncAlways || o.HTTPHost != "127.0.0.1" || len(o.Routes) != 3 {
		t.Errorf("server %q, JetStream %v, sync always %v, monitoring on %q, %d routes", o.ServerName, o.JetStream, o.SyncAlways, o.HTTPHost, len(o.Routes))
	}
	if o.TLSConfig == nil || o.TLSConfig.ClientAuth == tls.RequireAndVerifyClientCert {
		t.Errorf("client TLS %v: want TLS, client certificates optional (verify commented out)", o.TLSConfig)
	}
	if c := o.Cluster.TLSConfig; c == nil || c.ClientAuth != tls.RequireAndVerifyClientCert || !o.Cluster.TLSCheckKnownURLs {
		t.Errorf("route TLS %v, check known URLs %v: want mutual TLS with known URLs", c, o.Cluster.TLSCheckKnownURLs)
	}
	s, err := server.NewServer(o)
	if err != nil {
		t.Fatalf("the options do not make a server: %v", err)
	}
	s.Shutdown()
	if _, err := deployConf(t, pki.Dir, ""); err == nil || !strings.Contains(err.Error(), "GRADELOG_NATS_PASSWORD") {
		t.Errorf("without GRADELOG_NATS_PASSWORD: %v", err)
	}
}

// compose is what the tests read of docker-compose.yml.
type compose struct {
	Services map[string]struct {
		Command     []string          `yaml:"command"`
		Environment map[string]string `yaml:"environment"`
		Volumes     []string          `yaml:"volumes"`
	} `yaml:"services"`
}

func readCompose(t *testing.T) compose {
	t.Helper()
	raw, err := os.ReadFile(repoFile("docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var c compose
	if err := yaml.Unmarshal(raw, &c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	return c
}

// TestDeployCompose: every node has its name, gradelog's password and its
// own certificate; gradelog connects over TLS with the CA, its user, and
// the password from the environment, never on its command line.
func TestDeployCompose(t *testing.T) {
	c := readCompose(t)
	const password = "${GRADELOG_NATS_PASSWORD:?set it}"
	for _, n := range []string{"nats-1", "nats-2", "nats-3"} {
		svc := c.Services[n]
		if svc.Environment["SERVER_NAME"] != n || svc.Environment["GRADELOG_NATS_PASSWORD"] != password {
			t.Errorf("%s: environment %v", n, svc.Environment)
		}
		for _, v := range []string{"./deploy/nats/certs/ca.pem:/etc/nats/certs/ca.pem:ro",
			"./deploy/nats/certs/" + n + ".pem:/etc/nats/certs/server.pem:ro",
			"./deploy/nats/certs/" + n + "-key.pem:/etc/nats/certs/server-key.pem:ro"} {
			if !slices.Contains(svc.Volumes, v) {
				t.Errorf("%s does not mount %s", n, v)
			}
		}
	}
	g := c.Services["gradelog"]
	for _, arg := range []string{"--nats=tls://nats-1:4222,tls://nats-2:4222,tls://nats-3:4222", "--nats-tls-ca=/etc/gradelog/nats/ca.pem", "--nats-user=gradelog"} {
		if !slices.Contains(g.Command, arg) {
			t.Errorf("gradelog's command lacks %s: %v", arg, g.Command)
		}
	}
	for _, arg := range g.Command {
		if strings.Contains(arg, "password") {
			t.Errorf("a password on gradelog's command line: %s", arg)
		}
	}
	if g.Environment["GRADELOG_NATS_PASSWORD"] != password || !slices.Contains(g.Volumes, "./deploy/nats/certs/ca.pem:/etc/gradelog/nats/ca.pem:ro") {
		t.Errorf("gradelog: environment %v, volumes %v", g.Environment, g.Volumes)
	}
	if _, ok := c.Services["eventstoredb"]; !ok {
		t.Error("no eventstoredb service")
	}
}

// TestMakeCerts runs deploy/nats/make-certs.sh (with openssl): every
// certificate the compose file mounts is made, the servers' for their
// name and localhost, for both ends of a route, the client's for clients
// only; keys are private; the configuration loads them; a second run
// refuses to overwrite.
func TestMakeCerts(t *testing.T) {
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("no openssl")
	}
	dir := filepath.Join(t.TempDir(), "certs")
	run := func() error {
		out, err := exec.Command("sh", repoFile("deploy/nats/make-certs.sh"), dir).CombinedOutput()
		if err != nil {
			t.Logf("make-certs.sh: %v\n%s", err, out)
		}
		return err
	}
	if err := run(); err != nil {
		t.Fatal(err)
	}
	roots, err := natsembed.CertPool(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"nats-1", "nats-2", "nats-3"} {
		cert := readCert(t, filepath.Join(dir, n+".pem"))
		for _, name := range []string{n, "localhost"} {
			if _, err := cert.Verify(x509.VerifyOptions{DNSName: name, Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}}); err != nil {
				t.Errorf("%s for %s: %v", n, name, err)
			}
		}
	}
	client := readCert(t, filepath.Join(dir, "client.pem"))
	if _, err := client.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}); err != nil {
		t.Errorf("client certificate: %v", err)
	}
	if _, err := client.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err == nil || len(client.DNSNames) > 0 {
		t.Errorf("the client certificate could serve (or route) as %v", client.DNSNames)
	}
	for _, svc := range readCompose(t).Services {
		for _, v := range svc.Volumes {
			if host, ok := strings.CutPrefix(v, "./deploy/nats/certs/"); ok {
				file := filepath.Join(dir, strings.SplitN(host, ":", 2)[0])
				st, err := os.Stat(file)
				if err != nil {
					t.Errorf("docker-compose.yml mounts %s, not made: %v", v, err)
				} else if private := strings.HasSuffix(file, "-key.pem"); private != (st.Mode().Perm()&0o077 == 0) {
					t.Errorf("%s has mode %v", file, st.Mode())
				}
			}
		}
	}
	node := t.TempDir()
	for from, to := range map[string]string{"ca.pem": "ca.pem", "nats-1.pem": "server.pem", "nats-1-key.pem": "server-key.pem"} {
		if err := os.Link(filepath.Join(dir, from), filepath.Join(node, to)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := deployConf(t, node, "x"); err != nil {
		t.Errorf("nats.conf with make-certs.sh's certificates: %v", err)
	}
	if run() == nil {
		t.Error("a second run overwrote the certificates")
	}
}

func readCert(t *testing.T, file string) *x509.Certificate {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(raw)
	if block == nil {
		t.Fatalf("%s: no PEM", file)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}
