package events

import "strings"

// A record's causation is either the command that appended it or the
// record that caused it. A command's causation is its id followed by what
// it was, "<id> <description>" (for example "6f1c… POST /api/v1/…"); a
// record's is the causing record's id alone.

// CommandCausation is the causation of a record appended by command id,
// described by what.
func CommandCausation(id, what string) string {
	return strings.TrimSpace(id + " " + what)
}

// Causation reads a record's causation: the command (its id and
// description) or the causing record's id.
func Causation(s string) (commandID, command, causedBy string) {
	id, what, ok := strings.Cut(s, " ")
	if !ok {
		return "", "", s
	}
	return id, what, ""
}
