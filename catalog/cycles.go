package catalog

import (
	"slices"
	"strings"
)

// What counts as a cycle. A prerequisite must be acquired in an earlier
// year than the UE that needs it (strictly before); a co-requisite must be
// followed in the same year or earlier (no later). A loop made only of
// co-requisites is satisfiable, by taking its UEs together: 1/11 <-> 1/12
// is the seed's own example, and is allowed. A loop that contains at least
// one prerequisite asks some UE to come strictly before itself, which no
// student can satisfy: that is the error requisite.cycle. Every code named
// in an expression counts, alternatives of an OR included: an alternative
// that closes a loop can never be used, which is a mistake in the data.
// A UE naming itself is reported as requisite.self instead.

type edge struct {
	to     string
	prereq bool
}

func (k *checker) cycles() {
	graph := map[string][]edge{}
	for _, u := range k.c.UEs {
		for _, c := range u.Prerequisites.Codes() {
			graph[u.Code] = append(graph[u.Code], edge{c, true})
		}
		for _, c := range u.Corequisites.Codes() {
			graph[u.Code] = append(graph[u.Code], edge{c, false})
		}
	}
	reported := map[string]bool{}
	for _, u := range k.c.UEs {
		for _, e := range graph[u.Code] {
			if !e.prereq || e.to == u.Code {
				continue
			}
			path := shortestPath(graph, e.to, u.Code)
			if path == nil {
				continue
			}
			loop := append([]string{u.Code}, path...) // u requires e.to ... requires u
			key := loopKey(loop)
			if reported[key] {
				continue
			}
			reported[key] = true
			k.errorf(lineOr(u.Prerequisites.Line, u.Line), "requisite.cycle", "UE "+u.Code,
				"UE %s: requisite cycle through a prerequisite, which no student can satisfy: %s",
				u.Code, strings.Join(loop, " requires "))
		}
	}
}

// shortestPath returns the codes from "from" to "to" (both included) along
// requisite edges, or nil when "to" cannot be reached. Breadth-first over
// edges in catalog order, so the result is deterministic.
func shortestPath(graph map[string][]edge, from, to string) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if n == to {
			var path []string
			for x := to; x != ""; x = prev[x] {
				path = append(path, x)
			}
			slices.Reverse(path)
			return path
		}
		for _, e := range graph[n] {
			if _, seen := prev[e.to]; !seen {
				prev[e.to] = n
				queue = append(queue, e.to)
			}
		}
	}
	return nil
}

func loopKey(loop []string) string {
	s := slices.Clone(loop[:len(loop)-1])
	slices.Sort(s)
	return strings.Join(s, ",")
}

func lineOr(line, fallback int) int {
	if line != 0 {
		return line
	}
	return fallback
}
