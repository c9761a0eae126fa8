package validate

import "context"

// URLChecker checks media URLs over the network. imagecheck provides one;
// it is an interface so tests and callers can substitute their own.
type URLChecker interface {
	CheckURLs(ctx context.Context, jobs []URLJob) []URLResult
}

// URLJob is one media URL and what its field requires of it.
type URLJob struct {
	URL  string
	Spec *FieldSpec
}

// URLResult is what a URLChecker found for one job: zero or more problems,
// each reported as a finding at the URL.
type URLResult struct {
	Problems   []URLProblem
	Unverified bool
}

// URLProblem is one network finding about a URL.
type URLProblem struct {
	Rule     string
	Severity Severity
	FailCode string
	Message  string
	Fix      string
}

func (r *run) checkNetwork(ctx context.Context) error {
	jobs := make([]URLJob, len(r.urls))
	for i, u := range r.urls {
		jobs[i] = URLJob{URL: u.url, Spec: u.spec}
	}
	results := r.v.Network.CheckURLs(ctx, jobs)
	for i, res := range results {
		u := r.urls[i]
		for _, p := range res.Problems {
			ru, ok := RuleByID(p.Rule)
			if !ok {
				ru = Rule{ID: p.Rule, Severity: p.Severity, FailCode: p.FailCode, Fix: p.Fix}
			}
			ru.FailCode = p.FailCode
			if p.Fix != "" {
				ru.Fix = p.Fix
			}
			r.addAt(ru, p.Severity, int(r.d.nodes[u.node].start), r.d.pointer(u.node), u.spec.Source, p.Message)
		}
	}
	return ctx.Err()
}
