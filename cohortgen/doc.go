// Package cohortgen generates a federation-sized dataset of the seed
// programme (the MIAS master) through the real command handlers, for
// `gradelog bench` and its tests: N students enrolled in each of Y academic
// years from 2025-2026, every fact written by a handlers.Handlers method,
// so every rule the handlers enforce is checked on the way in.
//
// Each year publishes the shipped catalog and ruleset moved to that year
// (Documents), constitutes the joint jury and schedules the three
// sessions. New students are registered and admitted (most with a
// matching bachelor; some by VAE with the admission complements; some
// entering bloc 2 with bloc 1 recognised by the jury); every student gets
// a PAE: bloc 1, or what a continuing student has not acquired yet and,
// with 45 bloc-1 credits or more, bloc 2. In each session (Q1 for the
// quadrimester UEs, Q2 for the annual ones and the Q1 re-sits, Q3 for the
// re-sits of June) the secretariat records the justified absences (CM),
// then each teacher downloads the sheet's template, fills it (marks from a
// per-student ability, a per-UE difficulty and per-sitting noise, in half
// points, some ABS and PP) and uploads it as CSV files of at most
// eventlog.MaxBatch events each (one atomic append per file; the 5000-row
// cap of an upload never binds), and submits it. The jury opens each
// deliberation with its quorum, decides every student from the dossier
// (granting most UEs proposed to deliberate, at 8 or 9, with a motivation;
// refusing some in Q1 and Q2; granting a few outside the criteria in Q3),
// closes it and the secretariat publishes the results. After each
// publication a few students appeal: half are upheld (the president
// corrects the mark and the jury decides again, superseding the first
// decision), the others rejected; the results are published again. A
// student who passed a year continues the next with their acquired
// credits; some leave; new students fill the cohort back to N.
//
// Generation is concurrent where aggregates differ: students are
// registered, admitted and given their PAE by a pool of workers, the
// sheets of a session are filled side by side, and the jury's dossiers
// are read in parallel (the decisions of one deliberation, a single
// aggregate, are appended one after the other). Everything is
// deterministic for a seed: which facts are recorded, not the order in
// which concurrent commands reach the log (positions differ from run to
// run; Fingerprint compares what the views hold).
//
// A generated dataset needs no fsync per write: open its log on a server
// started with FastSync (natsembed.Options{FastSync: true}); the benchmark
// then restarts the server on it with the durability it measures.
package cohortgen
