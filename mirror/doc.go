// Package mirror copies gradelog's whole event log from one backend to
// another (a JetStream stream, a file bundle, EventStoreDB), verifying the
// hash chains on both sides, and resumes an interrupted copy where it
// stopped.
//
// Copy reads the source from its first record, recomputing every chain
// (events.Verifier), and imports the records the destination does not
// hold yet, in batches, into an eventlog.Sink; the sink stores each
// record's exact bytes with the position it had in the source, so the
// progress is kept with the data: after an interruption, at any point,
// Copy starts again after the destination's last record (Sink.Mirrored),
// and nothing is copied twice. A break in the source's chains stops the
// copy before the broken record. Then Copy reads the destination back from
// its first record with a fresh verifier and compares both sides: the same
// number of records, the same records in the same order (a digest of
// their hashes), the same chain heads; positions too where the destination
// keeps the source's.
package mirror
