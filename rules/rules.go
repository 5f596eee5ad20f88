// Package rules is the regulation of one academic year as data (Ruleset)
// and the pure functions that apply it: a UE's mark from its activity marks
// and codes, whether its credits are acquired and on what basis, the
// credit-weighted averages, the mention, carry-over between sessions, the
// proposal a jury sees, and a student's prerequisite readiness.
//
// Every function here is deterministic and does no I/O: the catalog, the
// ruleset, the student's results and the time are all passed in. What a
// jury decides is never computed here; a proposal is what the jury is
// shown beside its own decision.
//
// Where a rule is institutional or uncertain (rounding, what a code does,
// who may set it, aggregation, mention thresholds, deliberation criteria),
// it is a field of the Ruleset, loaded from seeds/ruleset-YYYY-YYYY.yaml
// with Load, never a constant of the code.
package rules
