// Package demo loads a generated, living cohort of the seed programme (the
// MIAS master, 2025-2026) into an empty log through the real command
// handlers, for `gradelog serve --demo`: a newcomer signs in as each role
// and finds a year under way.
//
// Load registers and admits the students, constitutes the joint jury,
// schedules the three sessions, recognises bloc 1 for the bloc-2 students
// and validates every PAE; then it runs Q1 and Q2 (teachers fill and
// submit every grade sheet, the secretariat records the justified
// absences, the jury opens with its quorum, decides every student, closes
// and publishes), an appeal upheld with a corrected mark and a new
// decision, an appeal rejected, and the Q3 re-sits: every Q3 sheet is
// submitted but one, which waits, empty, for the newcomer to fill as its
// teacher. The Q3 deliberation is not opened. The clock then runs in real
// time from Present (Monday 7 September 2026, 09:00 in Brussels), in the
// Q3 encoding period.
//
// Everything is deterministic for a seed: the names, the matricules, the
// marks, the times of the facts. Loaded recognises a log that already
// holds the demo and describes it without writing anything, so that a
// restart just serves it.
package demo
