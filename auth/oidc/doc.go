// Package oidc signs people in through their institution's OpenID Connect
// issuer (Keycloak, Entra ID, ...), with the authorization code flow.
//
// New discovers the issuer. Begin starts a sign-in: it keeps a random state,
// a random nonce and a PKCE verifier in a short-lived HttpOnly cookie and
// redirects the browser to the issuer. Finish, served on the redirect URL,
// checks the state against that cookie, exchanges the code (with the PKCE
// verifier), verifies the ID token (signature, issuer, audience, expiry,
// nonce) and returns who signed in as Claims. Mapping Claims to a gradelog
// actor is the caller's business; an unverified email should not be trusted
// to identify someone.
//
// Begin and Finish must be served on the host of Config.RedirectURL: the
// cookie is host-only and limited to the redirect URL's path. One sign-in at
// a time per browser: a second Begin replaces the first one's cookie.
//
// Errors never carry the client secret, the authorization code or tokens;
// an error sent back by the issuer (error=access_denied, ...) is returned
// as an *IssuerError.
package oidc
