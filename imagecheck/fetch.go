package imagecheck

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/preflight-dev/preflight/internal/digits"
)

// FetchError is why Fetch did not return a body. Kind says whether the URL
// was refused before any connection (ErrNotPublic), the server or network
// answered in a way that will not change (ErrDownload), or a later try may
// work (ErrTransient).
type FetchError struct {
	URL  string
	Kind ErrKind
	Err  string // cleaned for printing
}

func (e *FetchError) Error() string { return "fetch " + shorten(e.URL, 120) + ": " + e.Err }

// ErrTooLarge is wrapped by the error Fetch returns for a body longer than
// its limit.
var ErrTooLarge = errors.New("body exceeds the size limit")

// Fetch downloads the whole body of rawURL, for callers that need the
// file itself (preflight fix-image) rather than facts about it. It takes
// the same guards as Check: the URL and every redirect are vetted, the
// dialer refuses non-public addresses, the Checker's concurrency limits and
// per-attempt Timeout apply; it reads at most maxBytes (and fails with
// ErrTooLarge beyond), makes one attempt and uses neither cache.
func (c *Checker) Fetch(ctx context.Context, rawURL string, maxBytes int64) ([]byte, error) {
	c.init()
	fail := func(kind ErrKind, msg string) error {
		return &FetchError{URL: cleanText(rawURL, 2*maxErrText), Kind: kind, Err: cleanText(msg, maxErrText)}
	}
	u, err := c.vetURL(rawURL)
	if err != nil {
		return nil, fail(ErrNotPublic, err.Error())
	}
	c.sem <- struct{}{}
	defer func() { <-c.sem }()
	hs := c.hostSlot(u.Host)
	defer c.releaseHost(u.Host, hs)
	hs.ch <- struct{}{}
	defer func() { <-hs.ch }()

	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fail(ErrNotPublic, err.Error())
	}
	req.Header.Set("Accept-Encoding", "identity")
	req.Header.Set("User-Agent", c.userAgent())
	resp, err := c.client.Do(req)
	if err != nil {
		kind, msg, _ := classify(ctx, err, c.timeout())
		return nil, fail(kind, msg)
	}
	defer resp.Body.Close()
	switch code := resp.StatusCode; {
	case code == http.StatusOK:
	case code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500:
		return nil, fail(ErrTransient, "HTTP "+resp.Status)
	default:
		return nil, fail(ErrDownload, "HTTP "+resp.Status)
	}
	if resp.ContentLength > maxBytes {
		return nil, fmt.Errorf("fetch %s: %w: Content-Length %s, limit %s bytes", shorten(cleanText(rawURL, 2*maxErrText), 120), ErrTooLarge, digits.Commas(resp.ContentLength), digits.Commas(maxBytes))
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
	if err != nil {
		kind, msg, _ := classify(ctx, err, c.timeout())
		return nil, fail(kind, msg)
	}
	if int64(len(body)) > maxBytes {
		return nil, fmt.Errorf("fetch %s: %w: more than %s bytes", shorten(cleanText(rawURL, 2*maxErrText), 120), ErrTooLarge, digits.Commas(maxBytes))
	}
	return body, nil
}
