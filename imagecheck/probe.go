package imagecheck

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cenkalti/backoff/v5"
)

// rangeHeader asks for the first HeadBytes only; servers that honour it
// state the full size in Content-Range.
var rangeHeader = "bytes=0-" + strconv.Itoa(HeadBytes-1)

// probe fetches raw with retries and returns what it learned. countLimit is
// the most body bytes read from a server that ignores Range and sends no
// length: one more than the largest limit being checked.
func (c *Checker) probe(ctx context.Context, raw string, countLimit int64) Facts {
	attempts := 0
	op := func() (Facts, error) {
		attempts++
		f, retryAfter := c.fetchOnce(ctx, raw, countLimit)
		f.Attempts = attempts
		if f.ErrKind != ErrTransient {
			return f, nil
		}
		err := errors.New(f.Err)
		if ctx.Err() != nil {
			return f, backoff.Permanent(err)
		}
		if retryAfter > 0 {
			if retryAfter > c.maxRetryWait() {
				f.Err += fmt.Sprintf(" (server asked to retry after %s)", retryAfter.Round(time.Second))
				return f, backoff.Permanent(err)
			}
			return f, &backoff.RetryAfterError{Duration: retryAfter}
		}
		return f, err
	}
	b := &backoff.ExponentialBackOff{
		InitialInterval:     c.retryDelay(),
		RandomizationFactor: 0.5,
		Multiplier:          2,
		MaxInterval:         c.maxRetryWait(),
	}
	tries := uint(1)
	if c.MaxRetries > 0 {
		tries += uint(c.MaxRetries)
	} else if c.MaxRetries == 0 {
		tries += 3
	}
	f, _ := backoff.Retry(ctx, op, backoff.WithBackOff(b), backoff.WithMaxTries(tries),
		backoff.WithMaxElapsedTime(c.retryBudget()))
	if f.ErrKind == ErrTransient && f.Attempts > 1 {
		f.Err += fmt.Sprintf(" (after %d attempts)", f.Attempts)
	}
	f.URL = raw
	f.Err = cleanText(f.Err, maxErrText)
	f.CheckedAt = time.Now().UTC()
	return f
}

// maxErrText bounds the cause quoted in a message: a status reason or an
// error can carry up to a whole header's worth of the server's bytes.
const maxErrText = 300

// fetchOnce makes one GET and reads as little as it can: HeadBytes when the
// server honours Range or states Content-Length, at most countLimit bytes
// otherwise. It also returns the server's Retry-After, if any.
func (c *Checker) fetchOnce(ctx context.Context, raw string, countLimit int64) (Facts, time.Duration) {
	f := Facts{URL: raw}
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		f.ErrKind, f.Err = ErrNotPublic, (&URLError{URL: raw, Reason: err.Error() + "; " + needPublic}).Error()
		return f, 0
	}
	req.Header.Set("Range", rangeHeader)
	req.Header.Set("Accept-Encoding", "identity")
	req.Header.Set("User-Agent", c.userAgent())
	resp, err := c.client.Do(req)
	if err != nil {
		f.ErrKind, f.Err = classify(ctx, err, c.timeout())
		return f, 0
	}
	defer resp.Body.Close()
	f.Status = resp.StatusCode
	f.FinalURL = resp.Request.URL.String()
	if f.FinalURL == raw {
		f.FinalURL = ""
	}
	f.ContentType = resp.Header.Get("Content-Type")

	count := false
	switch code := resp.StatusCode; {
	case code == http.StatusPartialContent:
		f.Size, f.SizeKnown = contentRangeTotal(resp.Header.Get("Content-Range"))
	case code == http.StatusOK:
		if resp.ContentLength >= 0 {
			f.Size, f.SizeKnown = resp.ContentLength, true
		} else {
			count = true
		}
	case code == http.StatusRequestedRangeNotSatisfiable:
		// Only an empty file cannot satisfy bytes=0-.
		f.Size, f.SizeKnown = contentRangeTotal(resp.Header.Get("Content-Range"))
		f.Format = ""
		return f, 0
	case code == http.StatusTooManyRequests || code == http.StatusRequestTimeout || code >= 500:
		f.ErrKind, f.Err = ErrTransient, "HTTP "+resp.Status
		return f, retryAfter(resp.Header.Get("Retry-After"))
	default:
		f.ErrKind, f.Err = ErrDownload, "HTTP "+resp.Status
		return f, 0
	}

	head := make([]byte, HeadBytes)
	n, err := io.ReadFull(resp.Body, head)
	head = head[:n]
	f.BytesRead = int64(n)
	if err == nil && count {
		// No length and no range: count the rest, stopping one byte past
		// the limit, so a 2 GB file costs at most limit+1 bytes.
		m, cerr := io.Copy(io.Discard, io.LimitReader(resp.Body, countLimit-int64(n)))
		f.BytesRead += m
		err = cerr
		if err == nil && f.BytesRead < countLimit {
			err = io.EOF
		}
	}
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		if count {
			f.Size, f.SizeKnown = f.BytesRead, true
		}
	case err != nil:
		f.ErrKind, f.Err = classify(ctx, err, c.timeout())
		return f, 0
	case count:
		f.Size = f.BytesRead // a lower bound: the body goes on
	}
	if resp.StatusCode == http.StatusPartialContent && !f.SizeKnown {
		f.Size = f.BytesRead
	}
	s := Sniff(head)
	f.Format, f.Width, f.Height, f.HasAlpha = s.Format, s.Width, s.Height, s.HasAlpha
	f.Duration, f.DurationKnown, f.DurationNote = s.Duration, s.DurationKnown, s.DurationNote
	return f, 0
}

// contentRangeTotal reads the complete length from "bytes 0-65535/1234567"
// or "bytes */0"; "*" means unknown.
func contentRangeTotal(h string) (int64, bool) {
	_, total, ok := strings.Cut(h, "/")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(total), 10, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// retryAfter reads a Retry-After header in seconds or as an HTTP date.
func retryAfter(h string) time.Duration {
	if h == "" {
		return 0
	}
	if s, err := strconv.Atoi(strings.TrimSpace(h)); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(min(s, 86400)) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// classify sorts a request error into what the API would also suffer
// (ErrDownload), what the dialer refused (ErrNotPublic), and what may pass on
// a later try (ErrTransient), with a short cause.
func classify(ctx context.Context, err error, timeout time.Duration) (ErrKind, string) {
	var ue *URLError
	var npe *NotPublicError
	var dns *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var rec tls.RecordHeaderError
	var alert tls.AlertError
	switch {
	case errors.As(err, &ue):
		return ErrNotPublic, ue.Error()
	case errors.As(err, &npe):
		return ErrNotPublic, npe.Error()
	case errors.Is(err, errTooManyRedirects):
		return ErrDownload, errTooManyRedirects.Error()
	case errors.Is(err, context.Canceled):
		return ErrTransient, "check canceled"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		if ctx.Err() != nil {
			return ErrTransient, fmt.Sprintf("timed out after %s", timeout)
		}
		return ErrTransient, "timed out: " + rootCause(err)
	case errors.As(err, &dns):
		if dns.IsNotFound {
			return ErrDownload, fmt.Sprintf("DNS: no such host %s", dns.Name)
		}
		return ErrTransient, "DNS lookup failed: " + dns.Err
	case errors.Is(err, syscall.ECONNREFUSED):
		return ErrDownload, "connection refused"
	case errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalid),
		errors.As(err, &verify), errors.As(err, &rec), errors.As(err, &alert):
		return ErrDownload, "TLS: " + rootCause(err)
	}
	return ErrTransient, rootCause(err)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// rootCause drops the "Get \"url\": " prefix that net/http adds, since
// messages already name the URL.
func rootCause(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err.Error()
	}
	return err.Error()
}
