package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The parts of an OpenAPI document the tests check.
type (
	oaDoc struct {
		OpenAPI    string                `yaml:"openapi"`
		Security   []map[string][]string `yaml:"security"`
		Paths      map[string]map[string]yaml.Node
		Components struct {
			Parameters      map[string]oaParam `yaml:"parameters"`
			SecuritySchemes map[string]any     `yaml:"securitySchemes"`
		} `yaml:"components"`
	}
	oaOp struct {
		OperationID string `yaml:"operationId"`
		Summary     string `yaml:"summary"`
		Description string `yaml:"description"`
		Parameters  []oaParam
		Responses   map[string]yaml.Node
		// Security is nil when the operation inherits the document's.
		Security *[]map[string][]string `yaml:"security"`
	}
	oaParam struct {
		Ref      string `yaml:"$ref"`
		Name     string `yaml:"name"`
		In       string `yaml:"in"`
		Required bool   `yaml:"required"`
	}
	// oaOperation is one operation with its path item's parameters.
	oaOperation struct {
		method, path string
		op           oaOp
		pathParams   []oaParam
	}
)

var oaMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// oaPublicRoutes take no token.
var oaPublicRoutes = []string{"GET /healthz", "GET /readyz", "GET /api/v1/openapi.yaml"}

const idempotencyKeyRef = "#/components/parameters/IdempotencyKey"

func readOpenAPI(t *testing.T) ([]byte, oaDoc, []oaOperation) {
	t.Helper()
	raw, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc oaDoc
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("openapi.yaml: %v", err)
	}
	var ops []oaOperation
	for path, item := range doc.Paths {
		var params []oaParam
		if n, ok := item["parameters"]; ok {
			if err := n.Decode(&params); err != nil {
				t.Fatalf("openapi.yaml: %s parameters: %v", path, err)
			}
		}
		for key, n := range item {
			switch {
			case slices.Contains(oaMethods, key):
				var op oaOp
				if err := n.Decode(&op); err != nil {
					t.Fatalf("openapi.yaml: %s %s: %v", key, path, err)
				}
				ops = append(ops, oaOperation{method: strings.ToUpper(key), path: path, op: op, pathParams: params})
			case key == "parameters", key == "summary", key == "description", strings.HasPrefix(key, "x-"):
			default:
				t.Errorf("openapi.yaml: path %s: unexpected key %q", path, key)
			}
		}
	}
	slices.SortFunc(ops, func(a, b oaOperation) int { return strings.Compare(a.path+" "+a.method, b.path+" "+b.method) })
	return raw, doc, ops
}

// openAPIPath turns a ServeMux pattern into an OpenAPI path template.
func openAPIPath(pattern string) (string, error) {
	if !strings.HasPrefix(pattern, "/") {
		return "", fmt.Errorf("pattern %q: a host or no leading slash has no OpenAPI path", pattern)
	}
	if strings.Contains(pattern, "...}") {
		return "", fmt.Errorf("pattern %q: a {name...} wildcard has no OpenAPI path template", pattern)
	}
	return strings.TrimSuffix(pattern, "{$}"), nil
}

// TestOpenAPIMatchesRoutes checks that openapi.yaml describes exactly the
// routes of routes(), and that each operation is complete.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	_, doc, ops := readOpenAPI(t)
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi: %q, want 3.1.0", doc.OpenAPI)
	}

	code := map[string]bool{}
	for _, r := range (&api{}).routes() {
		path, err := openAPIPath(r.pattern)
		if err != nil {
			t.Error(err)
			continue
		}
		k := r.method + " " + path
		if code[k] {
			t.Errorf("routes(): %s listed twice", k)
		}
		code[k] = true
	}
	documented := map[string]bool{}
	for _, o := range ops {
		documented[o.method+" "+o.path] = true
	}
	for _, k := range oaSortedKeys(code) {
		if !documented[k] {
			t.Errorf("route %s is missing from openapi.yaml", k)
		}
	}
	for _, k := range oaSortedKeys(documented) {
		if !code[k] {
			t.Errorf("openapi.yaml documents %s, which routes() does not serve", k)
		}
	}

	resolve := func(p oaParam) (oaParam, bool) {
		if p.Ref == "" {
			return p, true
		}
		name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/")
		if !ok {
			return p, false
		}
		c, ok := doc.Components.Parameters[name]
		return c, ok && c.Ref == ""
	}
	if len(doc.Security) == 0 {
		t.Error("openapi.yaml: no global security requirement")
	}
	for _, req := range doc.Security {
		for scheme := range req {
			if _, ok := doc.Components.SecuritySchemes[scheme]; !ok {
				t.Errorf("security: scheme %q is not in components.securitySchemes", scheme)
			}
		}
	}

	ids := map[string]string{}
	template := regexp.MustCompile(`\{([^{}]+)\}`)
	for _, o := range ops {
		name := o.method + " " + o.path
		op := o.op
		switch prev, dup := ids[op.OperationID]; {
		case op.OperationID == "":
			t.Errorf("%s: no operationId", name)
		case dup:
			t.Errorf("%s: operationId %q is also that of %s", name, op.OperationID, prev)
		default:
			ids[op.OperationID] = name
		}
		if s := strings.TrimSpace(op.Summary); s == "" || strings.Contains(s, "\n") {
			t.Errorf("%s: summary %q, want one line", name, op.Summary)
		}
		if strings.TrimSpace(op.Description) == "" {
			t.Errorf("%s: no description", name)
		}

		var codes []int
		for c := range op.Responses {
			n, err := strconv.Atoi(c)
			if err != nil {
				t.Errorf("%s: response %q is not a status code", name, c)
				continue
			}
			codes = append(codes, n)
		}
		if !slices.ContainsFunc(codes, func(c int) bool { return c >= 200 && c < 300 }) {
			t.Errorf("%s: no 2xx response", name)
		}

		public := slices.Contains(oaPublicRoutes, name)
		switch {
		case public && (op.Security == nil || len(*op.Security) != 0):
			t.Errorf("%s takes no token: want security: []", name)
		case !public && op.Security != nil:
			t.Errorf("%s takes a token: want the global security, not its own", name)
		case !public && !slices.Contains(codes, http.StatusUnauthorized):
			t.Errorf("%s takes a token: no 401 response", name)
		}

		var refs []string
		declared := map[string]bool{}
		for _, p := range append(slices.Clone(o.pathParams), op.Parameters...) {
			refs = append(refs, p.Ref)
			ref := p.Ref
			p, ok := resolve(p)
			if !ok {
				t.Errorf("%s: parameter %q does not resolve to components.parameters", name, ref)
				continue
			}
			if p.In != "path" {
				continue
			}
			declared[p.Name] = true
			if !p.Required {
				t.Errorf("%s: path parameter %q is not required", name, p.Name)
			}
			if !strings.Contains(o.path, "{"+p.Name+"}") {
				t.Errorf("%s: path parameter %q is not in the path", name, p.Name)
			}
		}
		for _, m := range template.FindAllStringSubmatch(o.path, -1) {
			if !declared[m[1]] {
				t.Errorf("%s: path parameter %q is not declared", name, m[1])
			}
		}

		if o.method == "POST" || o.method == "PUT" || o.method == "PATCH" || o.method == "DELETE" {
			if !slices.Contains(refs, idempotencyKeyRef) {
				t.Errorf("%s: a write without the Idempotency-Key parameter (%s)", name, idempotencyKeyRef)
			}
			for _, c := range []int{http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusInsufficientStorage} {
				if !slices.Contains(codes, c) {
					t.Errorf("%s: a write without a %d response", name, c)
				}
			}
		}
	}
}

// TestOpenAPIRefs checks that every $ref of openapi.yaml names an existing
// component.
func TestOpenAPIRefs(t *testing.T) {
	raw, _, _ := readOpenAPI(t)
	var root yaml.Node
	if err := yaml.Unmarshal(raw, &root); err != nil {
		t.Fatal(err)
	}
	n := 0
	var walk func(*yaml.Node)
	walk = func(node *yaml.Node) {
		if node.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(node.Content); i += 2 {
				k, v := node.Content[i], node.Content[i+1]
				if k.Value != "$ref" {
					continue
				}
				n++
				switch {
				case v.Kind != yaml.ScalarNode:
					t.Errorf("line %d: $ref is not a string", v.Line)
				case !strings.HasPrefix(v.Value, "#/components/"):
					t.Errorf("line %d: $ref %q does not name a component", v.Line, v.Value)
				case oaLookup(&root, v.Value) == nil:
					t.Errorf("line %d: $ref %q does not resolve", v.Line, v.Value)
				}
			}
		}
		for _, c := range node.Content {
			walk(c)
		}
	}
	walk(&root)
	if n == 0 {
		t.Error("openapi.yaml has no $ref at all")
	}
}

// oaLookup returns the node a local JSON pointer ("#/a/b") names, or nil.
func oaLookup(root *yaml.Node, ref string) *yaml.Node {
	node := root
	if node.Kind == yaml.DocumentNode && len(node.Content) == 1 {
		node = node.Content[0]
	}
	for _, tok := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		tok = strings.NewReplacer("~1", "/", "~0", "~").Replace(tok)
		var next *yaml.Node
		switch node.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(node.Content); i += 2 {
				if node.Content[i].Value == tok {
					next = node.Content[i+1]
				}
			}
		case yaml.SequenceNode:
			if i, err := strconv.Atoi(tok); err == nil && i >= 0 && i < len(node.Content) {
				next = node.Content[i]
			}
		}
		if next == nil {
			return nil
		}
		node = next
	}
	return node
}

// TestOpenAPIServed checks that the API serves openapi.yaml as it is in
// the repository, without a token.
func TestOpenAPIServed(t *testing.T) {
	want, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(Deps{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/api/v1/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.yaml: %s: %s", resp.Status, got)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/yaml") {
		t.Errorf("Content-Type %q, want application/yaml", ct)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("served %d bytes, not the %d bytes of openapi.yaml", len(got), len(want))
	}
	var doc struct {
		OpenAPI string `yaml:"openapi"`
	}
	if err := yaml.Unmarshal(got, &doc); err != nil {
		t.Fatalf("served document: %v", err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("served document: openapi %q, want 3.1.0", doc.OpenAPI)
	}
}

// TestOpenAPISecurity checks the document's security against the server:
// without a token, every operation the document secures answers 401 with a
// Problem, and the public ones answer 200.
func TestOpenAPISecurity(t *testing.T) {
	_, _, ops := readOpenAPI(t)
	srv := httptest.NewServer(New(Deps{Ready: func(context.Context) error { return nil }}))
	defer srv.Close()
	param := regexp.MustCompile(`\{[^{}]+\}`)
	for _, o := range ops {
		name := o.method + " " + o.path
		req, err := http.NewRequest(o.method, srv.URL+param.ReplaceAllString(o.path, "X1"), nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if o.op.Security != nil && len(*o.op.Security) == 0 {
			if resp.StatusCode != http.StatusOK {
				t.Errorf("%s without a token: %s, want 200 (security: [])", name, resp.Status)
			}
			continue
		}
		var p problemBody
		if resp.StatusCode != http.StatusUnauthorized || json.Unmarshal(body, &p) != nil || p.Error == "" {
			t.Errorf("%s without a token: %s %s, want 401 with a Problem", name, resp.Status, body)
		}
		if resp.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("%s without a token: no WWW-Authenticate header", name)
		}
	}
}

func oaSortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
