// Package audit lets an auditor check gradelog's records without trusting
// the operator: the chain heads a verification publishes, and the offline
// bundle of one student's history, which Verify checks with nothing but
// the bundle (and, to trust it, published heads).
//
// A bundle holds, for one student, every aggregate that may hold a fact
// about them (Scope), whole, from its first record: the hash chains can
// only be checked whole, and an aggregate that is left out cannot be
// proved absent unless its name can be derived from the student's own
// records. See docs/adr/0011-audit-bundles.md.
package audit
