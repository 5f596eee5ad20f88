package natstest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// PKI is a certificate authority made for one test, with a server
// certificate for localhost and 127.0.0.1 (for clients and routes alike)
// and a client certificate, written as PEM files in Dir. Nothing of it is
// committed: the keys live as long as the test's temporary directory.
type PKI struct {
	Dir string
	// CA, Server, ServerKey, Client, ClientKey are the PEM files in Dir:
	// ca.pem, server.pem, server-key.pem, client.pem, client-key.pem, as
	// deploy/nats/make-certs.sh names them (its servers' are nats-N.pem).
	CA, Server, ServerKey, Client, ClientKey string

	pool   *x509.CertPool
	server tls.Certificate
}

// NewPKI makes a CA and its server and client certificates.
func NewPKI(tb testing.TB) *PKI {
	tb.Helper()
	dir := tb.TempDir()
	p := &PKI{Dir: dir, CA: filepath.Join(dir, "ca.pem"),
		Server: filepath.Join(dir, "server.pem"), ServerKey: filepath.Join(dir, "server-key.pem"),
		Client: filepath.Join(dir, "client.pem"), ClientKey: filepath.Join(dir, "client-key.pem")}
	caTmpl := &x509.Certificate{Subject: pkix.Name{CommonName: "gradelog test CA"}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	caCert, caKey := issue(tb, caTmpl, nil, nil, p.CA, "")
	p.pool = x509.NewCertPool()
	p.pool.AddCert(caCert)
	issue(tb, &x509.Certificate{Subject: pkix.Name{CommonName: "nats test server"},
		DNSNames: []string{"localhost"}, IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}, // routes dial too
	}, caCert, caKey, p.Server, p.ServerKey)
	issue(tb, &x509.Certificate{Subject: pkix.Name{CommonName: "gradelog"}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}, caCert, caKey, p.Client, p.ClientKey)
	var err error
	if p.server, err = tls.LoadX509KeyPair(p.Server, p.ServerKey); err != nil {
		tb.Fatal(err)
	}
	return p
}

// ServerTLS is the servers' TLS for clients; mutual requires a client
// certificate of the CA.
func (p *PKI) ServerTLS(mutual bool) *tls.Config {
	cfg := &tls.Config{Certificates: []tls.Certificate{p.server}, MinVersion: tls.VersionTLS12}
	if mutual {
		cfg.ClientCAs, cfg.ClientAuth = p.pool, tls.RequireAndVerifyClientCert
	}
	return cfg
}

// RouteTLS is mutual TLS between the servers of a cluster.
func (p *PKI) RouteTLS() *tls.Config {
	cfg := p.ServerTLS(true)
	cfg.RootCAs = p.pool
	return cfg
}

// issue signs tmpl with parent's key (itself when parent is nil) and
// writes the certificate to certFile and, if keyFile is set, its key.
func issue(tb testing.TB, tmpl, parent *x509.Certificate, parentKey *ecdsa.PrivateKey, certFile, keyFile string) (*x509.Certificate, *ecdsa.PrivateKey) {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		tb.Fatal(err)
	}
	tmpl.SerialNumber = serial
	tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-time.Hour), time.Now().Add(24*time.Hour)
	if parent == nil {
		parent, parentKey = tmpl, key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		tb.Fatal(err)
	}
	writePEM(tb, certFile, "CERTIFICATE", der)
	if keyFile != "" {
		keyDER, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			tb.Fatal(err)
		}
		writePEM(tb, keyFile, "PRIVATE KEY", keyDER)
	}
	return cert, key
}

func writePEM(tb testing.TB, file, typ string, der []byte) {
	tb.Helper()
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		tb.Fatal(err)
	}
}
