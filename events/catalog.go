package events

import (
	"encoding/json"
	"time"
)

// CatalogPublished: a version of a programme's catalog came into force for
// an academic year. Catalog is the canonical JSON of the catalog; Digest its
// SHA-256. Changes lists the differences from the previous version.
type CatalogPublished struct {
	Year      string          `json:"year"`
	Programme string          `json:"programme"`
	Version   int             `json:"version"`
	Digest    string          `json:"digest"`
	Changes   []string        `json:"changes,omitempty"`
	Catalog   json.RawMessage `json:"catalog"`
}

// RulesetPublished: a version of the regulation (scale, rounding, codes,
// aggregation, mentions, calendar, ...) came into force for a year.
type RulesetPublished struct {
	Year    string          `json:"year"`
	Version int             `json:"version"`
	Digest  string          `json:"digest"`
	Changes []string        `json:"changes,omitempty"`
	Ruleset json.RawMessage `json:"ruleset"`
}

// SessionScheduled: an evaluation session of a year with its calendar.
type SessionScheduled struct {
	Year             string    `json:"year"`
	Session          string    `json:"session"` // Q1, Q2, Q3
	Starts           time.Time `json:"starts"`
	Ends             time.Time `json:"ends"`
	EncodingDeadline time.Time `json:"encoding_deadline"`
	DeliberationAt   time.Time `json:"deliberation_at"`
	PublicationAt    time.Time `json:"publication_at"`
}

// JuryMember is one member of a jury.
type JuryMember struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Institution string `json:"institution"`
	// Teaches lists the UEs the member teaches (for the quorum rule).
	Teaches []string `json:"teaches,omitempty"`
}

// JuryConstituted: the jury of a programme's cycle for a year.
type JuryConstituted struct {
	Programme string       `json:"programme"`
	Year      string       `json:"year"`
	President string       `json:"president"`
	Secretary string       `json:"secretary"`
	Members   []JuryMember `json:"members"`
}

func (CatalogPublished) EventType() string { return "catalog.published" }
func (RulesetPublished) EventType() string { return "ruleset.published" }
func (SessionScheduled) EventType() string { return "session.scheduled" }
func (JuryConstituted) EventType() string  { return "jury.constituted" }

func (CatalogPublished) sealed() {}
func (RulesetPublished) sealed() {}
func (SessionScheduled) sealed() {}
func (JuryConstituted) sealed()  {}
