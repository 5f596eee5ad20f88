package httpapi

import "net/http"

// routes registers the whole HTTP surface of gradelog.
func routes(mux *http.ServeMux, d Deps) {
	mux.HandleFunc("GET /healthz", handleHealthz)
	mux.Handle("GET /readyz", handleReadyz(d.Ready))
}
