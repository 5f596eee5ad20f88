package oidctest

import (
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"time"

	jose "github.com/go-jose/go-jose/v4"
)

// sign returns the ID token for g signed with key, spoiled as tamper says.
func (i *Issuer) sign(g grant, accessToken string, tamper Tamper, key *rsa.PrivateKey) (string, error) {
	now := time.Now()
	sum := sha256.Sum256([]byte(accessToken))
	claims := map[string]any{
		"iss":            i.URL,
		"sub":            g.user.Subject,
		"aud":            g.clientID,
		"exp":            now.Add(TokenTTL).Unix(),
		"iat":            now.Unix(),
		"auth_time":      now.Unix(),
		"nonce":          g.nonce,
		"at_hash":        base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2]),
		"email":          g.user.Email,
		"email_verified": g.user.EmailVerified,
		"name":           g.user.Name,
	}
	switch tamper {
	case WrongAudience:
		claims["aud"] = "another-client"
	case Expired:
		claims["iat"] = now.Add(-2 * time.Hour).Unix()
		claims["exp"] = now.Add(-time.Hour).Unix()
	case WrongNonce:
		claims["nonce"] = "not-the-nonce-sent"
	case WrongIssuer:
		claims["iss"] = "https://issuer.invalid"
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key, KeyID: i.kid}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}
