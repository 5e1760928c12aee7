package api

import (
	"cmp"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
)

// Role is what a token may do: read everything, or also change things
// (run sources, and the admin routes to come).
type Role int

// Roles, weakest first.
const (
	RoleRead Role = iota + 1
	RoleAdmin
)

func (r Role) String() string {
	switch r {
	case RoleRead:
		return "read"
	case RoleAdmin:
		return "admin"
	}
	return "none"
}

// ParseRole reads "read" or "admin".
func ParseRole(s string) (Role, error) {
	switch s {
	case "read":
		return RoleRead, nil
	case "admin":
		return RoleAdmin, nil
	}
	return 0, fmt.Errorf("%q is not a role (read, admin)", clip(s))
}

// Token is one API token. Name is shown in logs and answers; Secret never.
type Token struct {
	Name   string
	Role   Role
	Secret string
}

// AuthOptions configure access control. With no tokens the API is open to
// whoever can connect, and the server must only listen on loopback.
type AuthOptions struct {
	Tokens []Token
	// SessionKey signs session cookies. Empty: a random key, so sessions
	// end with the process.
	SessionKey []byte
	// SessionLifetime is how long a login lasts; 12 hours when zero.
	SessionLifetime time.Duration
	// Now is the clock sessions expire by; time.Now when nil.
	Now func() time.Time
}

const (
	sessionCookie          = "secondstory_session"
	defaultSessionLifetime = 12 * time.Hour
	// principalKey holds, in the gin context, who made the request.
	principalKey = "principal"
	// maxRevoked bounds the sessions remembered as logged out.
	maxRevoked = 10_000
	realm      = `Bearer realm="Second Story"`
)

// principal is who a request comes from.
type principal struct {
	name   string
	role   Role
	cookie bool // authenticated by the session cookie, not a bearer token
}

type storedToken struct {
	name string
	role Role
	hash [sha256.Size]byte
}

// authenticator checks bearer tokens and session cookies.
type authenticator struct {
	tokens   []storedToken
	roles    map[string]Role
	key      []byte
	lifetime time.Duration
	now      func() time.Time

	mu sync.Mutex
	// revoked holds the ids of sessions logged out before they expire,
	// with their expiry.
	revoked map[string]time.Time
}

func newAuthenticator(o AuthOptions, log *slog.Logger) *authenticator {
	a := &authenticator{roles: map[string]Role{}, key: o.SessionKey, lifetime: o.SessionLifetime, now: o.Now, revoked: map[string]time.Time{}}
	for _, t := range o.Tokens {
		if t.Secret == "" || t.Name == "" || t.Role == 0 {
			log.Error("an API token without a name, secret or role is ignored", "name", t.Name)
			continue
		}
		a.tokens = append(a.tokens, storedToken{name: t.Name, role: t.Role, hash: sha256.Sum256([]byte(t.Secret))})
		a.roles[t.Name] = t.Role
	}
	if len(a.key) == 0 {
		a.key = make([]byte, 32)
		_, _ = rand.Read(a.key)
	}
	if a.lifetime <= 0 {
		a.lifetime = defaultSessionLifetime
	}
	if a.now == nil {
		a.now = time.Now
	}
	return a
}

// enabled reports whether any token is configured.
func (a *authenticator) enabled() bool { return len(a.tokens) > 0 }

// token finds the token whose secret is s. Hashing makes every comparison
// one of equal length, and every token is compared, so the time taken
// says nothing about which bytes matched.
func (a *authenticator) token(s string) (storedToken, bool) {
	sum := sha256.Sum256([]byte(s))
	found := -1
	for i := range a.tokens {
		if subtle.ConstantTimeCompare(sum[:], a.tokens[i].hash[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return storedToken{}, false
	}
	return a.tokens[found], true
}

// session is what a session cookie holds, signed.
type session struct {
	ID      string `json:"i"`
	Name    string `json:"n"`
	Role    string `json:"r"`
	Expires int64  `json:"e"`
}

func (a *authenticator) sign(payload []byte) []byte {
	m := hmac.New(sha256.New, a.key)
	m.Write([]byte("secondstory session v1\n"))
	m.Write(payload)
	return m.Sum(nil)
}

// issue makes a signed session cookie value for a token.
func (a *authenticator) issue(t storedToken) (value string, expires time.Time) {
	id := make([]byte, 12)
	_, _ = rand.Read(id)
	expires = a.now().Add(a.lifetime).Truncate(time.Second)
	payload, _ := json.Marshal(session{ID: base64.RawURLEncoding.EncodeToString(id), Name: t.name, Role: t.role.String(), Expires: expires.Unix()})
	enc := base64.RawURLEncoding
	return "v1." + enc.EncodeToString(payload) + "." + enc.EncodeToString(a.sign(payload)), expires
}

// verify checks a session cookie value. The role is never more than the
// token of that name has now, and a token taken out of the configuration
// ends its sessions.
func (a *authenticator) verify(value string) (session, Role, error) {
	var s session
	parts := strings.Split(value, ".")
	if len(parts) != 3 || parts[0] != "v1" {
		return s, 0, errors.New("malformed session")
	}
	enc := base64.RawURLEncoding
	payload, err1 := enc.DecodeString(parts[1])
	mac, err2 := enc.DecodeString(parts[2])
	if err1 != nil || err2 != nil || !hmac.Equal(mac, a.sign(payload)) {
		return s, 0, errors.New("session signature does not match")
	}
	if err := json.Unmarshal(payload, &s); err != nil {
		return s, 0, errors.New("malformed session")
	}
	if a.now().Unix() >= s.Expires {
		return s, 0, errors.New("session expired")
	}
	a.mu.Lock()
	_, out := a.revoked[s.ID]
	a.mu.Unlock()
	if out {
		return s, 0, errors.New("session logged out")
	}
	role, err := ParseRole(s.Role)
	current, ok := a.roles[s.Name]
	if err != nil || !ok {
		return s, 0, errors.New("session of a token no longer configured")
	}
	return s, min(role, current), nil
}

// revoke remembers a session as logged out until it expires.
func (a *authenticator) revoke(s session) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := a.now().Unix()
	if len(a.revoked) >= maxRevoked {
		for id, exp := range a.revoked {
			if exp.Unix() <= now {
				delete(a.revoked, id)
			}
		}
	}
	if len(a.revoked) < maxRevoked {
		a.revoked[s.ID] = time.Unix(s.Expires, 0)
	}
}

// authFailure is why a request was refused.
type authFailure struct {
	status    int
	challenge string // WWW-Authenticate, for 401
	msg       string
}

// identify finds who a request comes from: the bearer token, else the
// session cookie. It returns nil and no failure when the request carries
// neither.
func (a *authenticator) identify(r *http.Request) (*principal, *authFailure) {
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, secret, _ := strings.Cut(h, " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
			return nil, &authFailure{http.StatusUnauthorized, realm + `, error="invalid_request"`,
				"the Authorization header must be: Bearer <token>"}
		}
		t, ok := a.token(strings.TrimSpace(secret))
		if !ok {
			return nil, &authFailure{http.StatusUnauthorized, realm + `, error="invalid_token"`, "the token is not valid"}
		}
		return &principal{name: t.name, role: t.role}, nil
	}
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		s, role, err := a.verify(c.Value)
		if err != nil {
			return nil, &authFailure{http.StatusUnauthorized, realm, "the session has ended or is not valid; log in again"}
		}
		return &principal{name: s.Name, role: role, cookie: true}, nil
	}
	return nil, nil
}

// unsafeMethod is a method that may change something.
func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// sameOrigin reports why a browser request is not from our own pages, or
// nil when it is. Browsers send Sec-Fetch-Site, or at least Origin, with
// every unsafe request; Referer is the fallback of older ones. A request
// with none of them is refused: only a browser carries the cookie.
func sameOrigin(r *http.Request) error {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		if site == "same-origin" || site == "none" {
			return nil
		}
		return fmt.Errorf("the request came from another site (Sec-Fetch-Site: %s)", clip(site))
	}
	for _, h := range []string{"Origin", "Referer"} {
		v := r.Header.Get(h)
		if v == "" {
			continue
		}
		u, err := url.Parse(v)
		if err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host) {
			return fmt.Errorf("the request came from another site (%s: %s)", h, clip(v))
		}
		return nil
	}
	return errors.New("a request made with the session cookie must carry an Origin or Referer header")
}

// read and admin guard routes, as middleware: every route but /healthz
// and the login takes read (the /api/v1 group has it); a route that
// changes something adds admin: v1.POST("/reindex", s.admin, s.reindex).
func (s *server) read(c *gin.Context)  { s.guard(c, RoleRead) }
func (s *server) admin(c *gin.Context) { s.guard(c, RoleAdmin) }

// guard lets through requests from a principal with at least role.
// Without tokens configured everything is let through. Requests
// authenticated by the session cookie that may change something must come
// from our own pages.
func (s *server) guard(c *gin.Context, role Role) {
	if !s.auth.enabled() {
		c.Next()
		return
	}
	var p *principal
	if v, ok := c.Get(principalKey); ok {
		p = v.(*principal)
	} else {
		var f *authFailure
		p, f = s.auth.identify(c.Request)
		if f != nil {
			s.refuse(c, f)
			return
		}
		if p == nil {
			s.refuse(c, &authFailure{http.StatusUnauthorized, realm,
				"this endpoint needs a token: send Authorization: Bearer <token>, or log in with POST /api/v1/session"})
			return
		}
		c.Set(principalKey, p)
	}
	if p.role < role {
		s.refuse(c, &authFailure{status: http.StatusForbidden,
			msg: fmt.Sprintf("token %s has the %s role; this endpoint needs %s", p.name, p.role, role)})
		return
	}
	if p.cookie && unsafeMethod(c.Request.Method) {
		if err := sameOrigin(c.Request); err != nil {
			s.refuse(c, &authFailure{status: http.StatusForbidden, msg: "cross-site request refused: " + err.Error()})
			return
		}
	}
	c.Next()
}

func (s *server) refuse(c *gin.Context, f *authFailure) {
	if f.challenge != "" {
		c.Header("WWW-Authenticate", f.challenge)
	}
	c.AbortWithStatusJSON(f.status, errorBody{Error: errorDetail{Status: f.status, Message: f.msg}})
}

// login: POST /api/v1/session with the token in a form field or a JSON
// body ({"token": "..."}). It sets the session cookie; a form may name a
// local page to go to next (next=/debriefs).
func (s *server) login(c *gin.Context) {
	if !s.auth.enabled() {
		fail(c, s.log, badRequestf("this server has no tokens configured, so there is nothing to log in to"))
		return
	}
	// A login from another site's page would log the browser in as the
	// attacker: refuse it when the browser says where it came from.
	if c.GetHeader("Sec-Fetch-Site") != "" || c.GetHeader("Origin") != "" {
		if err := sameOrigin(c.Request); err != nil {
			s.refuse(c, &authFailure{status: http.StatusForbidden, msg: "cross-site login refused: " + err.Error()})
			return
		}
	}
	secret, next, err := loginForm(c.Request)
	if err != nil {
		fail(c, s.log, err)
		return
	}
	t, ok := s.auth.token(secret)
	if !ok {
		if isForm(c.Request) {
			// A person at the login page: back to it, saying so.
			s.log.Info("login refused", "reason", "the token is not valid")
			c.Redirect(http.StatusSeeOther, LoginPath+"?failed=1&next="+url.QueryEscape(cmp.Or(next, "/")))
			return
		}
		s.refuse(c, &authFailure{http.StatusUnauthorized, realm + `, error="invalid_token"`, "the token is not valid"})
		return
	}
	value, expires := s.auth.issue(t)
	http.SetCookie(c.Writer, &http.Cookie{
		Name: sessionCookie, Value: value, Path: "/", Expires: expires, MaxAge: int(s.auth.lifetime / time.Second),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.Request.TLS != nil,
	})
	c.Set(principalKey, &principal{name: t.name, role: t.role})
	if next != "" {
		c.Redirect(http.StatusSeeOther, next)
		return
	}
	c.JSON(http.StatusOK, gin.H{"name": t.name, "role": t.role.String(), "expires_at": expires.UTC()})
}

// loginForm reads the token, and where to go next, from the body.
func loginForm(r *http.Request) (secret, next string, err error) {
	// The body is already bounded by the request body limit.
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		var v struct {
			Token string `json:"token"`
		}
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return "", "", fmt.Errorf("read the login body: %w", err)
		}
		if err := json.Unmarshal(b, &v); err != nil {
			return "", "", badRequestf("the login body must be JSON like {\"token\": \"...\"}")
		}
		secret = v.Token
	case "application/x-www-form-urlencoded":
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return "", "", fmt.Errorf("read the login form: %w", err)
		}
		form, err := url.ParseQuery(string(b))
		if err != nil {
			return "", "", badRequestf("the login form is not valid form encoding")
		}
		secret, next = form.Get("token"), form.Get("next")
		if next != "" && !localPath(next) {
			return "", "", badRequestf("next must be a path on this site, like /debriefs")
		}
	default:
		return "", "", badRequestf("send the token as a form (token=...) or as JSON ({\"token\": \"...\"})")
	}
	if secret == "" {
		return "", "", badRequestf("the token is missing")
	}
	return secret, next, nil
}

// localPath reports whether p is a path on this site, so that a redirect
// to it cannot leave it ("//evil.example" and "/\evil.example" can).
func localPath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, `/\`) || len(p) > 1024 {
		return false
	}
	u, err := url.Parse(p)
	return err == nil && u.Scheme == "" && u.Host == "" && !strings.ContainsAny(p, "\r\n")
}

// logout: DELETE /api/v1/session ends the session of the cookie sent.
func (s *server) logout(c *gin.Context) {
	if ck, err := c.Request.Cookie(sessionCookie); err == nil && ck.Value != "" {
		if sess, role, err := s.auth.verify(ck.Value); err == nil {
			if err := sameOrigin(c.Request); err != nil {
				s.refuse(c, &authFailure{status: http.StatusForbidden, msg: "cross-site request refused: " + err.Error()})
				return
			}
			s.auth.revoke(sess)
			c.Set(principalKey, &principal{name: sess.Name, role: role, cookie: true})
		}
	}
	http.SetCookie(c.Writer, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: c.Request.TLS != nil})
	if isForm(c.Request) {
		// The pages' log out button: on to the login page.
		c.Redirect(http.StatusSeeOther, LoginPath)
		return
	}
	c.JSON(http.StatusOK, gin.H{"status": "logged out"})
}

// isForm reports whether a request is an HTML form's post.
func isForm(r *http.Request) bool {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return r.Method == http.MethodPost && ct == "application/x-www-form-urlencoded"
}

// principalName is who made the request, for the access log: a token's
// name, never its secret.
func principalName(c *gin.Context) string {
	if v, ok := c.Get(principalKey); ok {
		return v.(*principal).name
	}
	return ""
}
