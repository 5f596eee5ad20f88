package httpapi

import (
	_ "embed"
	"net/http"
)

// openAPI documents the API; TestOpenAPIMatchesRoutes keeps it equal to
// the routes.
//
//go:embed openapi.yaml
var openAPI []byte

func handleOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	_, _ = w.Write(openAPI)
}
