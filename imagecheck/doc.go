// Package imagecheck finds, before a request is sent, the media URLs that
// would make an APIXO generation task fail after it was accepted
// (INVALID_IMAGE_URL, IMAGE_DOWNLOAD_FAILED, IMAGE_TOO_LARGE,
// UNSUPPORTED_FORMAT). It imports no other preflight package.
//
// # Offline
//
// CheckURL rejects strings that can never be a publicly accessible http(s)
// URL: other schemes, credentials, non-public IP literals (IsPublicAddr),
// localhost and single-label hosts. It returns a *URLError.
//
// # Network probe
//
// A Checker makes one GET per unique URL with "Range: bytes=0-65535" and
// reads at most HeadBytes (64 KiB) when the server honours the range or
// states Content-Length, and at most limit+1 bytes when it does neither. From
// those bytes it records Facts: size, format by magic bytes (Sniff), image
// dimensions and alpha from the header, and MP4 (mvhd) or WAV duration.
// Evaluate judges Facts against the Spec of the field the URL appears in and
// returns a Verdict and Problems, each with a stable rule ID (Rule*), the
// failCode it predicts (Fail*) and a fix.
//
//	c := &imagecheck.Checker{Cache: &imagecheck.DirCache{}}
//	r := c.Check(ctx, url, imagecheck.Spec{Media: "image", NoAlpha: true})
//	switch r.Verdict { case imagecheck.OK, imagecheck.Failed, imagecheck.Unverified: … }
//	for _, p := range r.Problems { fmt.Println(p.Severity, p.Rule, p.Message, p.Fix) }
//
// Verdicts are tri-state. A failure rests on what the far side said:
// 404/410/403/401, a TLS failure the host presented, and DNS "no such host"
// or a refused connection once this run has seen the network work (a
// public address answered, or the resolver found the API's own host) are
// Failed (image-download-failed), since the API's download would fail the
// same way. What this machine could not do (no resolver, no route, a proxy
// down or refusing) is Unverified with ErrNoNetwork, counted once per URL
// in Checker.Stats. 429, 5xx and timeouts are retried with backoff
// (Retry-After honoured) and then give Unverified; so do bodies cut short of
// their length and image dimensions that could not be read. Each comes
// with a url-unverified warning; Checker.RequireNetwork makes it an error.
//
// Security: the default client resolves names itself (Checker.Resolver) and
// refuses, at dial time and again at the socket, any non-public address, so
// DNS rebinding and redirects (followed up to 5, each re-checked) cannot
// reach private ranges; such URLs fail with url-not-public and no connection
// is made. Checker.AllowHosts exempts named hosts, e.g. test servers; hosts
// and entries compare as NormalizeHost spells them, offline and at dial
// time alike. A proxy (Checker.Proxy, by default the environment's) is used
// only after the same rules: a non-public literal, or a name that resolves
// locally to a non-public address, never reaches it.
//
// One Checker per run: it fetches each URL once (concurrent callers share
// one fetch), bounds concurrency overall and per host, and keeps facts in
// memory. Checker.Cache (a DirCache, or nil for none) keeps facts between
// runs; facts, not verdicts, are cached, so every Spec is evaluated locally
// and every hop the facts record is judged again under the run's policy.
package imagecheck
