// Package filelog keeps a copy of gradelog's event log in one file, a
// "file bundle": what `gradelog mirror --to file:PATH` writes, for a
// backup or a move between backends, and what `--from file:PATH` reads
// back to restore it.
//
// # Format
//
// The file is text, one JSON object per line ("\n"), appended to only:
//
//	{"format":"gradelog-mirror/1"}
//	{"position":1,"version":1,"aggregate":"student.HE201001","type":"student.registered","schema":1,"hash":"…","envelope":"…"}
//	…
//	{"commit":{"records":500,"position":500,"sha256":"…"}}
//
// A record line holds a record as the source log stored it: its position
// and version there, the aggregate it was filed under, the type and schema
// the store named, the hash stored beside it, and its exact bytes in
// base64 (envelope), as audit bundles do. Positions are the source's, so
// that a copy restored from the file numbers its records as the original
// did. A commit line ends the lines of one Import: how many records, the
// last one's position and the SHA-256 of those record lines' bytes.
//
// # Crashes
//
// An Import writes its record lines and their commit line in one write,
// then syncs the file: it is stored whole or, after a crash, not at all.
// Opening the file reads it through: whatever follows the last valid
// commit line (a torn line, or the lines of an import whose commit line
// never reached the disk) is the remnant of an interrupted import; Create
// truncates it, Open ignores it, and both say so (Recovered). Anything
// wrong before the last commit line (a line that does not parse, lines
// that do not hash to their commit's sum, positions out of order) is not a
// crash and is an error naming the line: it is never accepted, and never
// cut away.
//
// A File implements eventlog.Sink (Import, Mirrored) and the read side of
// eventlog.Log (Scan, Load, ReadAt, LastPosition, CheckConfig); Scan
// delivers the records present when it is called and has no live mode,
// and Append is refused: only a mirror writes a bundle. The chains are
// not verified on open; the mirror verifies them when it reads or writes
// a bundle, and eventlog.Verify works on a File like on any Log.
package filelog
