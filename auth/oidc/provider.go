package oidc

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Config of an institution's issuer.
type Config struct {
	Issuer       string // e.g. https://login.example.be/realms/helmo
	ClientID     string
	ClientSecret string   // empty for a public client (PKCE only)
	RedirectURL  string   // e.g. https://gradelog.example.be/connexion/institution/retour
	Scopes       []string // added to "openid", "email", "profile"
}

// Claims is who the issuer says signed in.
type Claims struct {
	Issuer, Subject, Email, Name string
	EmailVerified                bool
}

// Provider signs people in at one issuer. It is safe for concurrent use.
type Provider struct {
	issuer     string
	secret     string
	client     *http.Client
	oauth      oauth2.Config
	verifier   *gooidc.IDTokenVerifier
	cookiePath string
	secureURL  bool // the redirect URL is https: the cookie is always Secure
}

// httpTimeout bounds each call to the issuer when the context passed to New
// carries no HTTP client of its own (see oidc.ClientContext in go-oidc).
const httpTimeout = 10 * time.Second

// New discovers the issuer (/.well-known/openid-configuration) and returns
// a Provider for it. The context bounds discovery; an *http.Client it
// carries (go-oidc's ClientContext) is used for every later call to the
// issuer too, otherwise a client with a 10 s timeout is.
func New(ctx context.Context, c Config) (*Provider, error) {
	if err := c.check(); err != nil {
		return nil, err
	}
	client, ok := ctx.Value(oauth2.HTTPClient).(*http.Client)
	if !ok || client == nil {
		client = &http.Client{Timeout: httpTimeout}
		ctx = gooidc.ClientContext(ctx, client)
	}
	op, err := gooidc.NewProvider(ctx, c.Issuer)
	if err != nil {
		var mismatch *gooidc.IssuerMismatchError
		if errors.As(err, &mismatch) {
			return nil, fmt.Errorf("oidc: issuer %s is misconfigured: its discovery document names issuer %q", c.Issuer, mismatch.Discovered)
		}
		return nil, fmt.Errorf("oidc: discovery of issuer %s failed: %s", c.Issuer, clip(redact(err.Error(), c.ClientSecret)))
	}
	var meta struct {
		JWKS        string   `json:"jwks_uri"`
		Challenges  []string `json:"code_challenge_methods_supported"`
		AuthMethods []string `json:"token_endpoint_auth_methods_supported"`
	}
	if err := op.Claims(&meta); err != nil {
		return nil, fmt.Errorf("oidc: issuer %s: unreadable discovery document: %v", c.Issuer, err)
	}
	ep := op.Endpoint()
	switch {
	case ep.AuthURL == "":
		return nil, fmt.Errorf("oidc: issuer %s is misconfigured: no authorization_endpoint", c.Issuer)
	case ep.TokenURL == "":
		return nil, fmt.Errorf("oidc: issuer %s is misconfigured: no token_endpoint", c.Issuer)
	case meta.JWKS == "":
		return nil, fmt.Errorf("oidc: issuer %s is misconfigured: no jwks_uri", c.Issuer)
	case len(meta.Challenges) > 0 && !slices.Contains(meta.Challenges, "S256"):
		return nil, fmt.Errorf("oidc: issuer %s does not support PKCE with S256 (code_challenge_methods_supported: %q)", c.Issuer, meta.Challenges)
	}
	ep.AuthStyle = authStyle(c.ClientSecret, meta.AuthMethods)

	redirect, _ := url.Parse(c.RedirectURL) // checked by c.check
	path := redirect.EscapedPath()
	if path == "" {
		path = "/"
	}
	scopes := []string{gooidc.ScopeOpenID, "email", "profile"}
	for _, s := range c.Scopes {
		if s != "" && !slices.Contains(scopes, s) {
			scopes = append(scopes, s)
		}
	}
	return &Provider{
		issuer: c.Issuer,
		secret: c.ClientSecret,
		client: client,
		oauth: oauth2.Config{
			ClientID:     c.ClientID,
			ClientSecret: c.ClientSecret,
			Endpoint:     ep,
			RedirectURL:  c.RedirectURL,
			Scopes:       scopes,
		},
		verifier:   op.Verifier(&gooidc.Config{ClientID: c.ClientID}),
		cookiePath: path,
		secureURL:  redirect.Scheme == "https",
	}, nil
}

// check reports a missing or malformed setting, before any network call.
func (c Config) check() error {
	u, err := url.Parse(c.Issuer)
	if c.Issuer == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("oidc: issuer %q is not an http(s) URL", c.Issuer)
	}
	if c.ClientID == "" {
		return fmt.Errorf("oidc: issuer %s: no client ID", c.Issuer)
	}
	r, err := url.Parse(c.RedirectURL)
	if c.RedirectURL == "" || err != nil || (r.Scheme != "https" && r.Scheme != "http") || r.Host == "" {
		return fmt.Errorf("oidc: issuer %s: redirect URL %q is not an absolute http(s) URL", c.Issuer, c.RedirectURL)
	}
	return nil
}

// authStyle picks how the client authenticates at the token endpoint, from
// what the issuer advertises; client_secret_basic is the default (OpenID
// Connect Discovery 1.0, §3). Picking avoids oauth2's auto-detection, which
// retries a failed exchange with the other style.
func authStyle(secret string, methods []string) oauth2.AuthStyle {
	switch {
	case secret == "":
		return oauth2.AuthStyleInParams // public client: client_id only
	case len(methods) == 0 || slices.Contains(methods, "client_secret_basic"):
		return oauth2.AuthStyleInHeader
	case slices.Contains(methods, "client_secret_post"):
		return oauth2.AuthStyleInParams
	default:
		return oauth2.AuthStyleInHeader
	}
}
