package handlers

import (
	"context"

	"github.com/gradelog/gradelog/auth"
	"github.com/gradelog/gradelog/sheetfile"
)

// SheetTemplate is a sheet as a file to download, fill and upload back.
func (hs *Handlers) SheetTemplate(ctx context.Context, id auth.Identity, ref SheetRef) (sheetfile.Template, error) {
	s, err := hs.Sheet(ctx, id, ref)
	if err != nil {
		return sheetfile.Template{}, err
	}
	t := sheetfile.Template{Year: s.Year, Session: s.Session, UE: s.UE, UETitle: s.Title, Version: s.Version, Deadline: s.Deadline,
		Decimals: s.Decimals, Max: s.Max}
	for _, c := range s.Columns {
		t.Columns = append(t.Columns, sheetfile.Column{Key: c.Key, Label: c.Label})
	}
	for _, c := range s.Codes {
		t.Codes = append(t.Codes, sheetfile.Code{Code: c.Code, Label: c.Label})
	}
	for _, r := range s.Rows {
		row := sheetfile.Row{Matricule: r.Matricule, LastName: r.LastName, FirstName: r.FirstName, Email: r.Email,
			Deadline: r.Deadline, Values: map[string]string{}, Locked: r.Locked}
		for k, e := range r.Entries {
			row.Values[k] = e.Entry.String()
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}
