package steps

import (
	"context"
	"errors"
)

// ErrNotBuilt is returned by sections whose issue has not landed yet.
var ErrNotBuilt = errors.New("castle does not do this section yet")

// NotBuilt is a placeholder section: it shows in the checklist as "not built yet".
type NotBuilt struct {
	SectionID SectionID
	Name      string
	Text      string
}

func (n NotBuilt) ID() SectionID { return n.SectionID }
func (n NotBuilt) Title() string { return n.Name }
func (n NotBuilt) About() string { return n.Text }
func (n NotBuilt) Cost() string  { return "" }
func (n NotBuilt) Discover(context.Context, *Env) (Status, error) {
	return Status{Section: n.SectionID, State: StateNotBuilt, Summary: "not built yet"}, nil
}
func (n NotBuilt) Plan(context.Context, *Env) (Plan, error) {
	return Plan{Section: n.SectionID}, ErrNotBuilt
}
func (n NotBuilt) Apply(context.Context, *Env, Emit) error  { return ErrNotBuilt }
func (n NotBuilt) Resume(context.Context, *Env, Emit) error { return nil }
