package service

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"partnerdesk/internal/desk"
)

// sealer encrypts product keys at rest with AES-256-GCM under the key-encryption key (KEK). The
// product and version are the additional data, so a ciphertext moved to another pool row does
// not open. Fingerprints (HMAC-SHA256 under a key derived from the KEK) find duplicates without
// decrypting anything.
type sealer struct {
	aead   cipher.AEAD
	fpKey  []byte
	linkMK []byte
	// check is the key-encryption key's check value, kept in the database.
	check []byte
}

func newSealer(kek, linkKey []byte) (*sealer, error) {
	if len(kek) != 32 {
		return nil, errors.New("the key-encryption key must be 32 bytes")
	}
	if len(linkKey) < 32 {
		return nil, errors.New("the link-signing key must be at least 32 bytes")
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, kek)
	m.Write([]byte("partnerdesk key fingerprint"))
	c := hmac.New(sha256.New, kek)
	c.Write([]byte(kekCheckMessage))
	return &sealer{aead: aead, fpKey: m.Sum(nil), linkMK: linkKey, check: c.Sum(nil)}, nil
}

func keyAD(productID, version string) []byte { return []byte(productID + "\x00" + version) }

func (s *sealer) seal(productID, version, key string) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, []byte(key), keyAD(productID, version))
}

func (s *sealer) open(productID, version string, ct []byte) (string, error) {
	n := s.aead.NonceSize()
	if len(ct) < n {
		return "", errors.New("sealed key too short")
	}
	pt, err := s.aead.Open(nil, ct[:n], ct[n:], keyAD(productID, version))
	if err != nil {
		return "", fmt.Errorf("open sealed key: %w", err)
	}
	return string(pt), nil
}

// webhookSecretAD is the additional data of a sealed webhook signing secret: no product key
// ciphertext opens as one, nor the reverse.
var webhookSecretAD = []byte("partnerdesk webhook signing secret")

// sealSecret encrypts a webhook signing secret under the key-encryption key (R21).
func (s *sealer) sealSecret(secret string) []byte {
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	return s.aead.Seal(nonce, nonce, []byte(secret), webhookSecretAD)
}

func (s *sealer) openSecret(ct []byte) (string, error) {
	n := s.aead.NonceSize()
	if len(ct) < n {
		return "", errors.New("sealed webhook secret too short")
	}
	pt, err := s.aead.Open(nil, ct[:n], ct[n:], webhookSecretAD)
	if err != nil {
		return "", fmt.Errorf("open the webhook signing secret: %w", err)
	}
	return string(pt), nil
}

func (s *sealer) fingerprint(key string) []byte {
	m := hmac.New(sha256.New, s.fpKey)
	m.Write([]byte(key))
	return m.Sum(nil)
}

// Link kinds: a signed-in user's own download (short-lived) or a link copied to send on.
const (
	linkDirect = "d"
	linkShared = "s"
)

// linkClaims is what a download link carries (signed, not encrypted: nothing in it is secret).
type linkClaims struct {
	Kind          string
	EntitlementID string
	Edition       desk.EditionRef
	Expires       time.Time
	IssuerID      string
}

// signLink encodes the claims as "payload.signature", both base64url; the signature is
// HMAC-SHA256 under the link key. Format of the payload (v1):
// v1|kind|entitlement|version|language|bitness|expires-unix|issuer
func (s *sealer) signLink(c linkClaims) string {
	payload := strings.Join([]string{"v1", c.Kind, c.EntitlementID, c.Edition.Version, c.Edition.Language, c.Edition.Bitness,
		strconv.FormatInt(c.Expires.Unix(), 10), c.IssuerID}, "|")
	m := hmac.New(sha256.New, s.linkMK)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verifyLink checks the signature (EFORBIDDEN when tampered) and returns the claims; the caller
// checks the expiry and the entitlement's state.
func (s *sealer) verifyLink(token string) (linkClaims, error) {
	bad := desk.Errorf(desk.EFORBIDDEN, "err.link_invalid")
	p64, sig64, ok := strings.Cut(token, ".")
	if !ok || len(token) > 1024 {
		return linkClaims{}, bad
	}
	payload, err1 := base64.RawURLEncoding.DecodeString(p64)
	sig, err2 := base64.RawURLEncoding.DecodeString(sig64)
	if err1 != nil || err2 != nil {
		return linkClaims{}, bad
	}
	m := hmac.New(sha256.New, s.linkMK)
	m.Write(payload)
	if !hmac.Equal(sig, m.Sum(nil)) {
		return linkClaims{}, bad
	}
	f := strings.Split(string(payload), "|")
	if len(f) != 8 || f[0] != "v1" || (f[1] != linkDirect && f[1] != linkShared) {
		return linkClaims{}, bad
	}
	exp, err := strconv.ParseInt(f[6], 10, 64)
	if err != nil {
		return linkClaims{}, bad
	}
	return linkClaims{Kind: f[1], EntitlementID: f[2], Edition: desk.EditionRef{Version: f[3], Language: f[4], Bitness: f[5]},
		Expires: time.Unix(exp, 0).UTC(), IssuerID: f[7]}, nil
}

// kekCheckMessage is what the key-encryption key's check value authenticates.
const kekCheckMessage = "partnerdesk kek check"

// CheckKeyEncryptionKey refuses a key-encryption key other than the one the database's product
// keys were sealed with: the database keeps a check value of the key (HMAC-SHA256 of a fixed
// message, which reveals nothing of the key). A database written before the check existed is
// verified by opening one stored key; then the check value is recorded.
func (s *activityArea) CheckKeyEncryptionKey(ctx context.Context) error {
	want := hex.EncodeToString(s.sealer.check)
	mismatch := errors.New("the key-encryption key does not match the one this database's product keys were sealed with: " +
		"start with the key it was written with (PARTNERDESK_KEY_ENCRYPTION_KEY, or the data directory's secrets.json " +
		"restored together with the database); every instance must use the same key")
	got, ok, err := s.store.GetMeta(ctx, "kek_check")
	if err != nil {
		return err
	}
	if ok {
		if !hmac.Equal([]byte(got), []byte(want)) {
			return mismatch
		}
		return nil
	}
	product, version, ct, found, err := s.store.AnyKey(ctx)
	if err != nil {
		return err
	}
	if found {
		if _, err := s.sealer.open(product, version, ct); err != nil {
			return mismatch
		}
	}
	got, _, err = s.store.ClaimMeta(ctx, "kek_check", want)
	if err != nil {
		return err
	}
	if got != want {
		return mismatch
	}
	return nil
}
