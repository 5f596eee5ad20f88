package events

// AccessRefused: an attempt refused by authorisation, recorded so that a
// refusal leaves a trace (auditors write nothing, and their attempts show).
type AccessRefused struct {
	Action string `json:"action"`
	Target string `json:"target"`
	Reason string `json:"reason"`
}

func (AccessRefused) EventType() string { return "access.refused" }
func (AccessRefused) sealed()           {}
