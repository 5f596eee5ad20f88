package eventlog

import "context"

// Source is what a mirror reads: every stored record in log order, as the
// store holds it. Every Log is a Source.
type Source interface {
	Scan(ctx context.Context, after uint64, live bool, fn func(Stored) error) error
	LastPosition(ctx context.Context) (uint64, error)
}

// Sink is a log a mirror copies into. It stores records copied from
// another log as they are (the same bytes, hence the same hashes and
// chains), in the source's order, and remembers, with each record, the
// source position it came from, so that a mirror interrupted at any point
// resumes exactly after the last record the sink holds: the progress is
// stored with the data, never beside it.
type Sink interface {
	// Import stores recs, in order, after what the sink holds. recs are
	// records of the source in its log order, each with its source
	// Position, Aggregate, Type, Schema, Hash and exact Data; the sink
	// assigns its own positions and versions. Each record must be the
	// next link of its aggregate's chain in the sink (its envelope's prev
	// is the hash of the aggregate's last record there, "" for a new
	// one), and its source position must follow Mirrored; otherwise
	// Import refuses with ErrBadRequest and stores nothing of recs.
	// Import is all or nothing where the backend can make it so (one
	// atomic batch); a sink that cannot says so in its doc comment.
	Import(ctx context.Context, recs []Stored) error

	// Mirrored is the source position of the last record the sink holds,
	// 0 for an empty sink. A sink holding records that were not imported
	// (written by Append) is an error: a mirror never writes into a live
	// log.
	Mirrored(ctx context.Context) (uint64, error)
}
