// Package events is gradelog's vocabulary of facts: one Go type per event, a
// closed set, and the Record envelope that carries the metadata outside the
// event (identity, aggregate, position, time, actor, causation, idempotency
// key and the hash chain).
//
// Wire names are dotted and stable ("mark.recorded"): a type string is never
// reused or renamed, and a schema version only ever grows. Every version ever
// written has a frozen sample under testdata/; older versions are upgraded on
// read in exactly one place (upgrade.go).
package events
