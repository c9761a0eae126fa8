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

	"github.com/preflight-dev/preflight/internal/digits"
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
	// The budget bounds the attempt in flight too, not only the waits.
	ctx, cancel := context.WithTimeout(ctx, c.retryBudget())
	defer cancel()
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

// dnsNotFound starts the message of an authoritative "no such host".
const dnsNotFound = "DNS: no such host "

// maxErrText bounds the cause quoted in a message: a status reason or an
// error can carry up to a whole header's worth of the server's bytes.
const maxErrText = 300

// fetchOnce makes one GET and reads as little as it can: HeadBytes when the
// server honours Range or states Content-Length, at most countLimit bytes
// otherwise. It also returns the server's Retry-After, if any.
func (c *Checker) fetchOnce(ctx context.Context, raw string, countLimit int64) (f Facts, wait time.Duration) {
	f = Facts{URL: raw}
	ctx, cancel := context.WithTimeout(ctx, c.timeout())
	defer cancel()
	tr := &fetchTrace{}
	tr.addHop(raw)
	ctx = c.traced(ctx, tr)
	defer func() { f.Hops = tr.snapshot() }()
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
		f.ErrKind, f.Err, f.NeedsNetwork = c.classifyFetch(ctx, tr, err)
		return f, 0
	}
	defer resp.Body.Close()
	f.Status = resp.StatusCode
	f.FinalURL = resp.Request.URL.String()
	if f.FinalURL == raw {
		f.FinalURL = ""
	}
	f.ContentType = resp.Header.Get("Content-Type")
	if tr.proxied() {
		switch code := resp.StatusCode; {
		case code == http.StatusProxyAuthRequired:
			f.ErrKind, f.Err = ErrNoNetwork, "the proxy asks for credentials (HTTP "+resp.Status+")"
			return f, 0
		case code < 500:
			c.netOK.Store(true) // the proxy reached the outside and relayed an answer
		}
	}

	count := false
	want := int64(HeadBytes) // bytes the response promises, up to HeadBytes
	switch code := resp.StatusCode; {
	case code == http.StatusPartialContent:
		f.Size, f.SizeKnown = contentRangeTotal(resp.Header.Get("Content-Range"))
		switch first, last, ok := contentRangeSpan(resp.Header.Get("Content-Range")); {
		case ok && first != 0:
			// Not the start of the file: its bytes say nothing about the format.
			f.ErrKind, f.Err = ErrTransient, "the server answered another range than the one asked for ("+resp.Header.Get("Content-Range")+")"
			f.Size, f.SizeKnown = 0, false
			return f, 0
		case resp.ContentLength >= 0:
			want = min(want, resp.ContentLength)
		case ok:
			want = min(want, last-first+1)
		case f.SizeKnown:
			want = min(want, f.Size)
		}
	case code == http.StatusOK:
		if resp.ContentLength >= 0 {
			f.Size, f.SizeKnown = resp.ContentLength, true
			want = min(want, resp.ContentLength)
		} else {
			count = true
			want = 0
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

	body := &errTap{r: resp.Body}
	head := make([]byte, HeadBytes)
	n, err := io.ReadFull(body, head)
	head = head[:n]
	f.BytesRead = int64(n)
	if err == nil && count {
		// No length and no range: count the rest, stopping one byte past
		// the limit, so a 2 GB file costs at most limit+1 bytes.
		m, cerr := io.Copy(io.Discard, io.LimitReader(body, countLimit-int64(n)))
		f.BytesRead += m
		err = cerr
		if err == nil && f.BytesRead < countLimit {
			err = io.EOF
		}
	}
	switch {
	case body.err != nil && !errors.Is(body.err, io.ErrUnexpectedEOF):
		f.ErrKind, f.Err, _ = c.classifyFetch(ctx, tr, body.err)
		return f, 0
	case body.err != nil || int64(n) < want:
		// The framing promised more than came: what was read is not the
		// file, so nothing about it is known.
		f.ErrKind = ErrTransient
		f.Err = fmt.Sprintf("the response was cut short: %s of %s promised bytes arrived", digits.Commas(f.BytesRead), digits.Commas(promised(resp, want)))
		f.Size, f.SizeKnown = 0, false
		return f, 0
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		if count {
			f.Size, f.SizeKnown = f.BytesRead, true
		}
	case err != nil:
		f.ErrKind, f.Err, _ = c.classifyFetch(ctx, tr, err)
		return f, 0
	case count:
		f.Size = f.BytesRead // a lower bound: the body goes on
	}
	if resp.StatusCode == http.StatusPartialContent && !f.SizeKnown {
		f.Size = f.BytesRead
	}
	size := int64(-1)
	if f.SizeKnown {
		size = f.Size
	}
	s, need := sniff(head, size)
	switch {
	case imageFormat(s.Format) && (s.Width == 0 || s.Height == 0):
		s, f.DimsNote = c.sniffFurther(ctx, raw, head, f)
	case s.Format == "webp":
		// A VP8X canvas is only a claim until the frame header agrees.
		s, f.DimsNote = c.confirmWebPCanvas(ctx, raw, head, s, f)
	case need.Len > 0 && resp.StatusCode == http.StatusPartialContent:
		// A media duration past the head (moov at the end of an MP4).
		c.readFurther(ctx, raw, &s, need, size, &f.BytesRead)
	}
	f.Format, f.Width, f.Height, f.HasAlpha = s.Format, s.Width, s.Height, s.HasAlpha
	f.Duration, f.DurationKnown, f.DurationNote = s.Duration, s.DurationKnown, s.DurationNote
	f.TracksNote = s.TracksNote
	return f, 0
}

// promised is the body length the response stated, for messages.
func promised(resp *http.Response, want int64) int64 {
	if resp.ContentLength >= 0 {
		return resp.ContentLength
	}
	return want
}

// errTap remembers the first error other than io.EOF that a body returned:
// io.ReadFull turns a short read into io.ErrUnexpectedEOF, and the
// transport's own io.ErrUnexpectedEOF (a body cut short of its length or
// its last chunk) must not be mistaken for a small file.
type errTap struct {
	r   io.Reader
	err error
}

func (t *errTap) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err != nil && err != io.EOF && t.err == nil {
		t.err = err
	}
	return n, err
}

func imageFormat(f string) bool {
	switch f {
	case "jpeg", "png", "webp", "gif", "bmp", "tiff":
		return true
	}
	return false
}

// MoreBytes bounds the second range request made when an image's
// dimensions are not in the first HeadBytes (a JPEG whose EXIF or ICC
// profile pushes the frame header further): 1 MiB in all.
const MoreBytes = 1 << 20

// sniffFurther reads up to MoreBytes of the file with a second bounded
// range request (readRange) and sniffs again; it returns the first sniff
// and why the dimensions stay unknown when that does not help.
func (c *Checker) sniffFurther(ctx context.Context, raw string, head []byte, f Facts) (Facts, string) {
	s := Sniff(head)
	if f.SizeKnown && f.Size <= int64(len(head)) {
		return s, fmt.Sprintf("the header is not in the whole file of %s bytes", digits.Commas(f.Size))
	}
	more, err := c.readOn(ctx, raw, head)
	if err != nil {
		return s, fmt.Sprintf("not in the first %s bytes; reading further failed: %s", digits.Commas(int64(len(head))), cleanText(err.Error(), maxErrText))
	}
	s2 := Sniff(more)
	if s2.Format != s.Format || s2.Width == 0 || s2.Height == 0 {
		return s, fmt.Sprintf("not in the first %s bytes", digits.Commas(int64(len(more))))
	}
	return s2, ""
}

// readOn returns the first MoreBytes of raw (fewer when the file is
// shorter), given that head holds its first len(head) bytes: head and one
// readRange for the rest.
func (c *Checker) readOn(ctx context.Context, raw string, head []byte) ([]byte, error) {
	rest, err := c.readRange(ctx, raw, byteRange{Off: int64(len(head)), Len: int64(MoreBytes - len(head))})
	if err != nil {
		return nil, err
	}
	return append(head[:len(head):len(head)], rest...), nil
}

// contentRangeStart reads the first byte position of "bytes 65536-1048575/N".
func contentRangeStart(h string) (int64, bool) {
	first, _, ok := contentRangeSpan(h)
	return first, ok
}

// contentRangeSpan reads the byte positions of "bytes 0-65535/N".
func contentRangeSpan(h string) (first, last int64, ok bool) {
	h, ok = strings.CutPrefix(strings.TrimSpace(h), "bytes ")
	if !ok {
		return 0, 0, false
	}
	h, _, _ = strings.Cut(h, "/")
	a, b, ok := strings.Cut(h, "-")
	if !ok {
		return 0, 0, false
	}
	first, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || first < 0 || last < first {
		return 0, 0, false
	}
	return first, last, true
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

// classifyFetch sorts a request error (see classify) and accounts for
// where it happened: a proxy that refused or could not be reached is this
// side's failure, and so is everything "local" before this run has seen
// the outside network answer.
func (c *Checker) classifyFetch(ctx context.Context, tr *fetchTrace, err error) (ErrKind, string, bool) {
	kind, msg, local := classify(ctx, err, c.timeout())
	if tr.proxied() {
		var op *net.OpError
		switch {
		case errors.As(err, &op) && op.Op == "proxyconnect":
			return ErrNoNetwork, "the proxy could not be reached: " + rootCause(err), false
		case tr.connectStatus() != 0:
			return ErrNoNetwork, fmt.Sprintf("the proxy refused the connection (CONNECT answered %d)", tr.connectStatus()), false
		}
	}
	switch {
	case kind == ErrNoNetwork:
		return kind, msg, false
	case !local:
		return kind, msg, false
	case kind == ErrDownload:
		return kind, msg, true // judged by the Checker against this run's netOK
	case !c.netOK.Load():
		return ErrNoNetwork, msg, false
	}
	return kind, msg, false
}

// classify sorts a request error into what the API would also suffer
// (ErrDownload), what the dialer refused (ErrNotPublic), what this machine
// could not do (ErrNoNetwork), and what may pass on a later try
// (ErrTransient), with a short cause. local says the failure may be this
// machine's (its resolver, its route, its firewall) rather than the far
// side's; the caller decides with what it knows about the network.
func classify(ctx context.Context, err error, timeout time.Duration) (kind ErrKind, msg string, local bool) {
	var ue *URLError
	var npe *NotPublicError
	var dns *net.DNSError
	var op *net.OpError
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	var rec tls.RecordHeaderError
	var alert tls.AlertError
	dial := errors.As(err, &op) && op.Op == "dial"
	switch {
	case errors.As(err, &ue):
		return ErrNotPublic, ue.Error(), false
	case errors.As(err, &npe):
		return ErrNotPublic, npe.Error(), false
	case errors.Is(err, errTooManyRedirects):
		return ErrDownload, errTooManyRedirects.Error(), false
	case errors.Is(err, context.Canceled):
		return ErrTransient, "check canceled", false
	case errors.As(err, &dns):
		if dns.IsNotFound {
			return ErrDownload, dnsNotFound + dns.Name, true
		}
		if dns.IsTimeout {
			return ErrTransient, "DNS lookup timed out: " + dns.Err, true
		}
		return ErrTransient, "DNS lookup failed: " + dns.Err, true
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		if ctx.Err() != nil {
			return ErrTransient, fmt.Sprintf("timed out after %s", timeout), dial
		}
		return ErrTransient, "timed out: " + rootCause(err), dial
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EADDRNOTAVAIL), errors.Is(err, syscall.ENETDOWN):
		return ErrNoNetwork, "no route from this machine: " + rootCause(err), true
	case errors.Is(err, syscall.EHOSTUNREACH):
		return ErrTransient, "host unreachable: " + rootCause(err), true
	case errors.Is(err, syscall.ECONNREFUSED):
		return ErrDownload, "connection refused", true
	case dial && errors.Is(err, syscall.ECONNRESET):
		return ErrDownload, "connection reset", true
	case errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalid),
		errors.As(err, &verify), errors.As(err, &rec), errors.As(err, &alert):
		return ErrDownload, "TLS: " + rootCause(err), false
	}
	return ErrTransient, rootCause(err), false
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

// readFurther makes up to maxFurtherReads more bounded range requests for
// the bytes a media parser asks for (an MP4's moov box at the end), within
// the same deadline, and leaves s's duration and tracks notes saying why
// they stay unknown, if they do.
func (c *Checker) readFurther(ctx context.Context, raw string, s *Facts, need byteRange, size int64, read *int64) {
	for range maxFurtherReads {
		b, err := c.readRange(ctx, raw, need)
		*read += int64(len(b))
		if err != nil {
			why := " (reading further failed: " + cleanText(err.Error(), maxErrText) + ")"
			s.DurationNote += why
			if s.TracksNote != "" {
				s.TracksNote += why
			}
			return
		}
		if need = s.further(b, need.Off, size); need.Len == 0 {
			return
		}
	}
}

// readRange is the one second-range reader: one GET of r.Len bytes from
// r.Off through the same guarded client, reading at most that many. A 206
// must start at r.Off. A server that ignores ranges answers 200 with the
// file from its start: that is used only when r ends within the first
// maxFurtherBytes (the bytes before r.Off are skipped), so a far range
// never streams the file.
func (c *Checker) readRange(ctx context.Context, raw string, r byteRange) ([]byte, error) {
	if r.Off < 0 || r.Len <= 0 || r.Len > maxFurtherBytes {
		return nil, fmt.Errorf("range %d+%d out of bounds", r.Off, r.Len)
	}
	resp, err := c.getRange(ctx, raw, r.Off, r.Off+r.Len-1)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body := &errTap{r: resp.Body}
	switch {
	case resp.StatusCode == http.StatusPartialContent:
		if err := rangeStartsAt(resp, r.Off); err != nil {
			return nil, err
		}
	case resp.StatusCode == http.StatusOK && r.Off+r.Len <= maxFurtherBytes:
		if n, err := io.CopyN(io.Discard, body, r.Off); err != nil {
			if body.err != nil {
				return nil, fmt.Errorf("the response was cut short: %w", body.err)
			}
			if err == io.EOF && n < r.Off {
				return nil, nil // the whole file is shorter than r.Off
			}
			return nil, err
		}
	case resp.StatusCode == http.StatusOK:
		return nil, fmt.Errorf("HTTP %s for a range request", resp.Status)
	default:
		return nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(body, r.Len))
	if body.err != nil {
		return b, fmt.Errorf("the response was cut short: %w", body.err)
	}
	return b, err
}

// getRange sends one GET for bytes first to last of raw through the
// guarded client; the facts' hops stay those of the first request.
func (c *Checker) getRange(ctx context.Context, raw string, first, last int64) (*http.Response, error) {
	ctx = context.WithValue(ctx, traceKey{}, (*fetchTrace)(nil))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", first, last))
	req.Header.Set("Accept-Encoding", "identity")
	req.Header.Set("User-Agent", c.userAgent())
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, errors.New(rootCause(err))
	}
	return resp, nil
}

// rangeStartsAt checks that a 206 answer holds the bytes from off: a
// server may answer another range than the one asked for.
func rangeStartsAt(resp *http.Response, off int64) error {
	if start, ok := contentRangeStart(resp.Header.Get("Content-Range")); !ok || start != off {
		return fmt.Errorf("the server answered another range (%q)", shorten(resp.Header.Get("Content-Range"), 80))
	}
	return nil
}
