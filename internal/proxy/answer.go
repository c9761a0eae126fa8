package proxy

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// PreflightHeader marks answers the proxy gave itself: "rejected" (from the
// check, set by validate.NewTransport) or "error" (body too large, busy,
// upstream unreachable).
const PreflightHeader = "X-Preflight"

// apiError is the APIXO error envelope, {"code":N,"message":...,"data":null},
// so clients handle the proxy's own errors as they handle the API's.
type apiError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	b, err := json.Marshal(apiError{Code: status, Message: msg})
	if err != nil {
		http.Error(w, msg, status) // unreachable: a struct of string and int
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set(PreflightHeader, "error")
	w.WriteHeader(status)
	w.Write(b)
}
