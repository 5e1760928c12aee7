package remote

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The defaults of Options' zero values.
const (
	DefaultTimeout         = 30 * time.Second
	DefaultRetries         = 4
	DefaultMaxWait         = 60 * time.Second
	DefaultMaxBody   int64 = 32 << 20
	DefaultUserAgent       = "secondstory (+https://github.com/secondstory/secondstory)"
)

const (
	firstBackoff = 500 * time.Millisecond
	maxRedirects = 5
	// maxErrorBody bounds what is read of a body we only quote from.
	maxErrorBody = 64 << 10
	// excerptLen is how many characters of a body an error quotes.
	excerptLen = 200
)

// Options configure a Client.
type Options struct {
	// BaseURL is scheme://host[/prefix]; relative paths given to Get are
	// resolved against it (joined to its path prefix). http or https, a
	// host, no user:password, no query.
	BaseURL string
	// Authorize sets the auth header(s) on each attempt; it may set other
	// headers too (Accept, an API version). nil: no auth.
	Authorize func(*http.Request)
	// Timeout bounds one request attempt, reading the body included
	// (0: DefaultTimeout).
	Timeout time.Duration
	// Retries is the number of extra attempts on 429, 5xx and transport
	// errors (0: DefaultRetries; -1: none).
	Retries int
	// MaxWait caps one wait between attempts. When the server's
	// Retry-After asks for longer, the client gives up rather than retry
	// early (0: DefaultMaxWait).
	MaxWait time.Duration
	// MaxBody is the most bytes read of a response body before failing
	// (0: DefaultMaxBody).
	MaxBody int64
	// Client sends the requests. nil: a client with dial and TLS timeouts,
	// no cookie jar, and redirects followed only within the base's origin.
	Client *http.Client
	// UserAgent is sent with every request ("": DefaultUserAgent).
	UserAgent string
}

// Client sends GET requests to one API. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	prefix    string // the base's escaped path without a trailing slash
	authorize func(*http.Request)
	timeout   time.Duration
	attempts  int
	maxWait   time.Duration
	maxBody   int64
	agent     string
	hc        *http.Client

	// Hooks for tests.
	sleep  func(ctx context.Context, d time.Duration) error
	now    func() time.Time
	jitter func(d time.Duration) time.Duration
}

// New validates o and returns a client. Errors name the bad field.
func New(o Options) (*Client, error) {
	base, err := parseBase(o.BaseURL)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base:      base,
		prefix:    strings.TrimRight(base.EscapedPath(), "/"),
		authorize: o.Authorize,
		timeout:   o.Timeout,
		attempts:  1 + o.Retries,
		maxWait:   o.MaxWait,
		maxBody:   o.MaxBody,
		agent:     o.UserAgent,
		hc:        o.Client,
		sleep:     sleepCtx,
		now:       time.Now,
		jitter:    func(d time.Duration) time.Duration { return d/2 + rand.N(d/2+1) },
	}
	switch {
	case o.Timeout < 0:
		return nil, fmt.Errorf("remote: Timeout %s is negative", o.Timeout)
	case o.Retries < -1:
		return nil, fmt.Errorf("remote: Retries %d: want -1 (none), 0 (default %d) or more", o.Retries, DefaultRetries)
	case o.MaxWait < 0:
		return nil, fmt.Errorf("remote: MaxWait %s is negative", o.MaxWait)
	case o.MaxBody < 0:
		return nil, fmt.Errorf("remote: MaxBody %d is negative", o.MaxBody)
	}
	if c.timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if o.Retries == 0 {
		c.attempts = 1 + DefaultRetries
	}
	if c.maxWait == 0 {
		c.maxWait = DefaultMaxWait
	}
	if c.maxBody == 0 {
		c.maxBody = DefaultMaxBody
	}
	if c.agent == "" {
		c.agent = DefaultUserAgent
	}
	if c.hc == nil {
		c.hc = defaultHTTPClient(base)
	}
	return c, nil
}

func parseBase(s string) (*url.URL, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("remote: BaseURL is empty")
	}
	u, err := url.Parse(strings.TrimSpace(s))
	if err != nil {
		// The url.Error would quote the whole string, which may hold a password.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("remote: BaseURL is not a URL: %v", err)
	}
	if u.User != nil {
		return nil, errors.New("remote: BaseURL must not hold user:password; credentials go in the source's token or password settings")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("remote: BaseURL %q: want an http or https URL", u.Redacted())
	}
	if u.Hostname() == "" {
		return nil, fmt.Errorf("remote: BaseURL %q has no host", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return nil, fmt.Errorf("remote: BaseURL %s must not carry a query or fragment", u.Scheme+"://"+u.Host+u.EscapedPath())
	}
	return u, nil
}

func defaultHTTPClient(base *url.URL) *http.Client {
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   4,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: t,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return fmt.Errorf("stopped after %d redirects", maxRedirects)
			}
			if !sameOrigin(req.URL, base) {
				return fmt.Errorf("redirect to another host (%s) refused", req.URL.Host)
			}
			return nil
		},
	}
}

// Response is a 2xx answer, its body read in full.
type Response struct {
	// URL is the URL that answered (after redirects), query included:
	// for resolving relative links, never for error messages.
	URL    *url.URL
	Status int
	Header http.Header
	Body   []byte
}

// StatusError: the server answered with a status we do not retry, or kept
// failing. Error() names the method, the URL path (never the query string,
// which may hold tokens) and the status, plus a clipped excerpt of the
// body's message.
type StatusError struct {
	Method, Path string
	Status       int
	// Excerpt is the error message of the body (or its start), clipped,
	// free of control characters and of the request's credentials.
	Excerpt string
	// Attempts is how many requests were made (more than 1 when retries
	// were exhausted).
	Attempts int
}

func (e *StatusError) Error() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "remote: %s %s: status %d", e.Method, e.Path, e.Status)
	if t := http.StatusText(e.Status); t != "" {
		sb.WriteString(" " + t)
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&sb, " (after %d attempts)", e.Attempts)
	}
	if e.Excerpt != "" {
		sb.WriteString(": " + e.Excerpt)
	}
	return sb.String()
}

// Get sends GET to ref (a path resolved against BaseURL, or an absolute URL
// on the same origin as BaseURL: a next-page link; another host is
// refused) with the query q added (q's keys replace those of ref's own
// query). It retries on 429 and 5xx (but 501 and 505) and on transport
// errors, honouring Retry-After (seconds or HTTP date), otherwise with
// exponential backoff with jitter from 500 ms, each wait capped by MaxWait
// and by ctx. 2xx returns the response; any other status, or retries
// exhausted, returns *StatusError.
//
// A relative ref is joined to BaseURL's path ("repos/o/r" or "/repos/o/r"
// under https://h/api/v3 is /api/v3/repos/o/r) unless it already starts
// with that path (a host-relative next link such as "/api/v3/...?page=2").
func (c *Client) Get(ctx context.Context, ref string, q url.Values) (*Response, error) {
	u, err := c.resolve(ref, q)
	if err != nil {
		return nil, err
	}
	path := u.EscapedPath()
	for attempt := 1; ; attempt++ {
		out := c.attempt(ctx, u, path)
		if out.err == nil {
			return out.resp, nil
		}
		var se *StatusError
		if errors.As(out.err, &se) {
			se.Attempts = attempt
		}
		if !out.retry {
			return nil, out.err
		}
		if attempt >= c.attempts {
			if se == nil && attempt > 1 {
				return nil, fmt.Errorf("%w (after %d attempts)", out.err, attempt)
			}
			return nil, out.err
		}
		wait := c.backoff(attempt)
		if out.hasAfter {
			if out.after > c.maxWait {
				return nil, fmt.Errorf("%w (not retried: the server asked to wait %s, over the %s cap)", out.err, out.after, c.maxWait)
			}
			wait = out.after
		}
		if dl, ok := ctx.Deadline(); ok && c.now().Add(wait).After(dl) {
			return nil, fmt.Errorf("%w (not retried: waiting %s would pass the deadline)", out.err, wait)
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%w; stopped waiting to retry: %w", out.err, err)
		}
	}
}

// GetJSON is Get then json.Unmarshal into v. A body that is not JSON is an
// error naming the URL path, the JSON error and a clipped excerpt of the
// body; the response is returned with it.
func (c *Client) GetJSON(ctx context.Context, ref string, q url.Values, v any) (*Response, error) {
	res, err := c.Get(ctx, ref, q)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(res.Body, v); err != nil {
		hint := ""
		if ct := strings.ToLower(res.Header.Get("Content-Type")); strings.Contains(ct, "html") {
			hint = " (the server sent an HTML page: a login, proxy or error page?)"
		}
		return res, fmt.Errorf("remote: GET %s: response is not the JSON expected%s: %w; body starts %q",
			res.URL.EscapedPath(), hint, err, excerpt(res.Body, nil))
	}
	return res, nil
}

// Bearer authorizes with "Authorization: Bearer token".
func Bearer(token string) func(*http.Request) {
	return func(r *http.Request) { r.Header.Set("Authorization", "Bearer "+token) }
}

// Basic authorizes with HTTP basic authentication.
func Basic(user, password string) func(*http.Request) {
	return func(r *http.Request) { r.SetBasicAuth(user, password) }
}

// resolve turns ref and q into the URL to request.
func (c *Client) resolve(ref string, q url.Values) (*url.URL, error) {
	r, err := url.Parse(ref)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("remote: bad request reference: %v", err)
	}
	var u *url.URL
	if r.Scheme != "" || r.Host != "" {
		if r.Scheme == "" {
			r.Scheme = c.base.Scheme
		}
		if r.User != nil {
			return nil, errors.New("remote: refusing a link that holds user:password")
		}
		if !sameOrigin(r, c.base) {
			return nil, fmt.Errorf("remote: refusing a link to %s://%s: not the origin of BaseURL (%s://%s)", r.Scheme, r.Host, c.base.Scheme, c.base.Host)
		}
		u = r
		u.Fragment, u.RawFragment = "", ""
	} else {
		p := r.EscapedPath()
		switch {
		case p == "":
			p = c.prefix
			if p == "" {
				p = "/"
			}
		case c.prefix != "" && (p == c.prefix || strings.HasPrefix(p, c.prefix+"/")):
		default:
			p = c.prefix + "/" + strings.TrimLeft(p, "/")
		}
		u, err = url.Parse(c.base.Scheme + "://" + c.base.Host + p)
		if err != nil {
			return nil, fmt.Errorf("remote: bad request path: %v", err)
		}
		u.RawQuery = r.RawQuery
	}
	if len(q) > 0 {
		vals := u.Query()
		for k, vs := range q {
			vals[k] = vs
		}
		u.RawQuery = vals.Encode()
	}
	return u, nil
}

func sameOrigin(a, b *url.URL) bool {
	return strings.EqualFold(a.Scheme, b.Scheme) && hostPort(a) == hostPort(b)
}

func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		switch strings.ToLower(u.Scheme) {
		case "https":
			port = "443"
		case "http":
			port = "80"
		}
	}
	return strings.ToLower(u.Hostname()) + ":" + port
}

// outcome is what one attempt came to.
type outcome struct {
	resp     *Response
	err      error
	retry    bool
	after    time.Duration // the server's Retry-After, when hasAfter
	hasAfter bool
}

func (c *Client) attempt(ctx context.Context, u *url.URL, path string) outcome {
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodGet, u.String(), nil)
	if err != nil {
		return outcome{err: fmt.Errorf("remote: GET %s: %v", path, err)}
	}
	req.Header.Set("User-Agent", c.agent)
	req.Header.Set("Accept", "application/json")
	var secrets []string
	if c.authorize != nil {
		before := req.Header.Clone()
		c.authorize(req)
		secrets = credentials(before, req.Header)
	}
	secrets = append(secrets, queryValues(u)...)

	res, err := c.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return outcome{err: fmt.Errorf("remote: GET %s: %w", path, ctx.Err())}
		}
		return outcome{err: c.transportError(path, u, err, actx), retry: true}
	}
	defer res.Body.Close()

	if res.StatusCode >= 200 && res.StatusCode < 300 {
		if res.ContentLength > c.maxBody {
			return outcome{err: fmt.Errorf("remote: GET %s: the body is %d bytes, over the %d-byte limit", path, res.ContentLength, c.maxBody)}
		}
		body, err := io.ReadAll(io.LimitReader(res.Body, c.maxBody+1))
		if err != nil {
			if ctx.Err() != nil {
				return outcome{err: fmt.Errorf("remote: GET %s: %w", path, ctx.Err())}
			}
			return outcome{err: c.transportError(path, u, err, actx), retry: true}
		}
		if int64(len(body)) > c.maxBody {
			return outcome{err: fmt.Errorf("remote: GET %s: the body is over the %d-byte limit", path, c.maxBody)}
		}
		return outcome{resp: &Response{URL: res.Request.URL, Status: res.StatusCode, Header: res.Header, Body: body}}
	}

	b, _ := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
	out := outcome{err: &StatusError{Method: http.MethodGet, Path: path, Status: res.StatusCode, Excerpt: excerpt(b, secrets)}}
	if retryable(res.StatusCode) {
		out.retry = true
		out.after, out.hasAfter = parseRetryAfter(res.Header.Get("Retry-After"), c.now())
	}
	return out
}

func retryable(status int) bool {
	if status == http.StatusTooManyRequests {
		return true
	}
	return status >= 500 && status <= 599 && status != http.StatusNotImplemented && status != http.StatusHTTPVersionNotSupported
}

// transportError names the path and the cause but not the URL, whose query
// may hold a token, and keeps the cause for errors.Is.
func (c *Client) transportError(path string, u *url.URL, err error, actx context.Context) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	msg := err.Error()
	if errors.Is(actx.Err(), context.DeadlineExceeded) {
		msg = fmt.Sprintf("no complete answer within %s (%s)", c.timeout, msg)
	}
	if u.RawQuery != "" {
		msg = strings.ReplaceAll(msg, u.RawQuery, "[query]")
	}
	return &redacted{msg: "remote: GET " + path + ": " + msg, err: err}
}

type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }

func (c *Client) backoff(attempt int) time.Duration {
	d := c.maxWait
	if attempt <= 20 {
		if b := firstBackoff << (attempt - 1); b < d {
			d = b
		}
	}
	return c.jitter(d)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// credentials lists what Authorize added to the headers, so that an error
// body echoing it is redacted: each value, its words, and a basic
// password.
func credentials(before, after http.Header) []string {
	var out []string
	for k, vs := range after {
		if strings.Join(before[k], "\x00") == strings.Join(vs, "\x00") {
			continue
		}
		for _, v := range vs {
			out = append(out, v)
			for _, f := range strings.Fields(v) {
				if len(f) >= 6 {
					out = append(out, f)
				}
			}
			if _, pass, ok := basicParts(v); ok && len(pass) >= 4 {
				out = append(out, pass)
			}
		}
	}
	return out
}

func basicParts(v string) (user, pass string, ok bool) {
	scheme, enc, ok := strings.Cut(v, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(enc))
	if err != nil {
		return "", "", false
	}
	return strings.Cut(string(b), ":")
}

func queryValues(u *url.URL) []string {
	var out []string
	for _, vs := range u.Query() {
		for _, v := range vs {
			if len(v) >= 8 {
				out = append(out, v)
			}
		}
	}
	return out
}
