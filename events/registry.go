package events

// The closed set of event types with their current schema versions. Adding a
// type: a struct, a line in each switch and in Types, a frozen sample in
// testdata/. Changing a type's shape: bump its version here and add the
// upgrade from the old version in upgrade.go; never edit a frozen sample.

// Types lists every event type ever defined, by wire name.
func Types() []string {
	return []string{
		"catalog.published", "ruleset.published", "session.scheduled", "jury.constituted",
		"student.registered", "student.admitted", "pae.validated", "pae.amended",
		"credits.recognised", "degree.conferred",
		"mark.recorded", "mark.corrected", "mark.carried_over", "sheet.submitted", "sheet.reopened", "sheet.deadline_extended",
		"deliberation.opened", "decision.recorded", "decision.superseded", "deliberation.closed",
		"results.published", "appeal.filed", "appeal.decided",
		"access.refused",
	}
}

// CurrentSchema returns the schema version this build writes for typ, or 0
// if typ is unknown.
func CurrentSchema(typ string) int {
	switch typ {
	case "catalog.published", "ruleset.published", "session.scheduled", "jury.constituted",
		"student.registered", "student.admitted", "pae.validated", "pae.amended",
		"credits.recognised", "degree.conferred",
		"mark.recorded", "mark.corrected", "mark.carried_over", "sheet.submitted", "sheet.reopened", "sheet.deadline_extended",
		"deliberation.opened", "decision.recorded", "decision.superseded", "deliberation.closed",
		"results.published", "appeal.filed", "appeal.decided",
		"access.refused":
		return 1
	}
	return 0
}

// decodeCurrent decodes data written at typ's current schema version.
func decodeCurrent(typ string, data []byte) (Event, error) {
	switch typ {
	case "catalog.published":
		return decodeAs[CatalogPublished](data)
	case "ruleset.published":
		return decodeAs[RulesetPublished](data)
	case "session.scheduled":
		return decodeAs[SessionScheduled](data)
	case "jury.constituted":
		return decodeAs[JuryConstituted](data)
	case "student.registered":
		return decodeAs[StudentRegistered](data)
	case "student.admitted":
		return decodeAs[StudentAdmitted](data)
	case "pae.validated":
		return decodeAs[PAEValidated](data)
	case "pae.amended":
		return decodeAs[PAEAmended](data)
	case "credits.recognised":
		return decodeAs[CreditsRecognised](data)
	case "degree.conferred":
		return decodeAs[DegreeConferred](data)
	case "mark.recorded":
		return decodeAs[MarkRecorded](data)
	case "mark.corrected":
		return decodeAs[MarkCorrected](data)
	case "mark.carried_over":
		return decodeAs[MarkCarriedOver](data)
	case "sheet.submitted":
		return decodeAs[SheetSubmitted](data)
	case "sheet.reopened":
		return decodeAs[SheetReopened](data)
	case "sheet.deadline_extended":
		return decodeAs[DeadlineExtended](data)
	case "deliberation.opened":
		return decodeAs[DeliberationOpened](data)
	case "decision.recorded":
		return decodeAs[DecisionRecorded](data)
	case "decision.superseded":
		return decodeAs[DecisionSuperseded](data)
	case "deliberation.closed":
		return decodeAs[DeliberationClosed](data)
	case "results.published":
		return decodeAs[ResultsPublished](data)
	case "appeal.filed":
		return decodeAs[AppealFiled](data)
	case "appeal.decided":
		return decodeAs[AppealDecided](data)
	case "access.refused":
		return decodeAs[AccessRefused](data)
	}
	return nil, ErrUnknownType
}
