package events

// StudentRegistered: a person became a student of the institution.
type StudentRegistered struct {
	Matricule string `json:"matricule"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
}

// StudentAdmitted: a student was admitted to a programme, with the basis of
// admission and the admission complements required (UEs outside the 120
// credits, such as 1/1 to 1/3).
type StudentAdmitted struct {
	Programme   string   `json:"programme"`
	Basis       string   `json:"basis"`
	HasBachelor bool     `json:"has_bachelor"` // a matching bachelor title (decides (q) eligibility)
	Complements []string `json:"complements,omitempty"`
}

// Waiver turns a prerequisite into a co-requisite for one UE (end of cycle).
type Waiver struct {
	UE           string `json:"ue"`
	Prerequisite string `json:"prerequisite"`
	Reason       string `json:"reason"`
}

// PAEValidated: the student's annual programme for a year, validated
// against the catalog and their acquired credits.
type PAEValidated struct {
	Programme string   `json:"programme"`
	Year      string   `json:"year"`
	UEs       []string `json:"ues"`
	Waivers   []Waiver `json:"waivers,omitempty"`
}

// PAEAmended: UEs added to or removed from a validated PAE.
type PAEAmended struct {
	Year    string   `json:"year"`
	Added   []string `json:"added,omitempty"`
	Removed []string `json:"removed,omitempty"`
	Reason  string   `json:"reason"`
}

// CreditsRecognised: the jury recognised a UE from prior studies or
// experience (valorisation); the UE is acquired without a mark.
type CreditsRecognised struct {
	Year   string `json:"year"`
	UE     string `json:"ue"`
	Basis  string `json:"basis"`
	Reason string `json:"reason"`
}

// DegreeConferred: the student completed the cycle. It is recorded by the
// deliberation that decided so, beside the decision, and names the student.
type DegreeConferred struct {
	Student   string `json:"student,omitempty"`
	Programme string `json:"programme"`
	Year      string `json:"year"`
	Average   string `json:"average"` // credit-weighted cycle average, decimal
	Mention   string `json:"mention,omitempty"`
	Decision  string `json:"decision"` // the deliberation record that conferred it
}

func (StudentRegistered) EventType() string { return "student.registered" }
func (StudentAdmitted) EventType() string   { return "student.admitted" }
func (PAEValidated) EventType() string      { return "pae.validated" }
func (PAEAmended) EventType() string        { return "pae.amended" }
func (CreditsRecognised) EventType() string { return "credits.recognised" }
func (DegreeConferred) EventType() string   { return "degree.conferred" }

func (StudentRegistered) sealed() {}
func (StudentAdmitted) sealed()   {}
func (PAEValidated) sealed()      {}
func (PAEAmended) sealed()        {}
func (CreditsRecognised) sealed() {}
func (DegreeConferred) sealed()   {}

// AboutStudent names the student an event recorded on a grade sheet or a
// deliberation is about ("" for an event about no one student). Events on
// a student's own aggregate name them in the aggregate instead.
func AboutStudent(e Event) string {
	switch e := e.(type) {
	case MarkRecorded:
		return e.Student
	case MarkCorrected:
		return e.Student
	case MarkCarriedOver:
		return e.Student
	case DeadlineExtended:
		return e.Student
	case DecisionRecorded:
		return e.Student
	case DecisionSuperseded:
		return e.Student
	case AppealFiled:
		return e.Student
	case AppealDecided:
		return e.Student
	case DegreeConferred:
		return e.Student
	}
	return ""
}
