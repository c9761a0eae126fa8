package proxy

import (
	"log/slog"
	"net/http"
	"time"
)

// logRequest writes one record per proxied request. It names the method,
// the path (never the query, never a header: Authorization stays out of
// logs), the model, the outcome and the rules; at Info for refusals and
// failures, at Debug for plain forwards so a busy gateway logs only news.
func (p *Proxy) logRequest(r *http.Request, st *state, status int, outcome string, d time.Duration) {
	level := slog.LevelInfo
	if outcome == outcomeForwarded && len(st.report.Findings) == 0 {
		level = slog.LevelDebug
	}
	ctx := r.Context()
	if !p.log.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", sanitize(r.Method)),
		slog.String("path", sanitize(r.URL.Path)),
		slog.Int("status", status),
		slog.String("outcome", outcome),
		slog.Duration("duration", d),
	}
	if st.model != "" {
		attrs = append(attrs, slog.String("model", sanitize(st.model)))
	}
	if st.upstream > 0 {
		attrs = append(attrs, slog.Duration("upstream", st.upstream))
	}
	if len(st.report.Findings) > 0 {
		attrs = append(attrs, slog.Any("rules", ruleList(st.report.Findings)))
	}
	if st.report.Unverified > 0 {
		attrs = append(attrs, slog.Int("unverified", st.report.Unverified))
	}
	p.log.LogAttrs(ctx, level, "request", attrs...)
}
