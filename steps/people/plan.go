package people

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

// fillDefaults applies defaults to the answers (display name) and writes
// them back, so castle.yaml is saved with them.
func fillDefaults(env *steps.Env) {
	for i := range env.Answers.People {
		u := &env.Answers.People[i]
		u.UserName = strings.TrimSpace(u.UserName)
		u.Email = strings.TrimSpace(u.Email)
		if strings.TrimSpace(u.DisplayName) == "" {
			u.DisplayName = strings.TrimSpace(u.GivenName + " " + u.FamilyName)
		}
	}
}

// checkAnswers validates the people to add, as the form does.
func checkAnswers(env *steps.Env, existing []User) error {
	seen := map[string]bool{}
	for _, u := range env.Answers.People {
		if err := ValidateNew(u, existing); err != nil {
			return &steps.UserError{Message: fmt.Sprintf("The person %q in castle.yaml cannot be added: %v.", u.UserName, err),
				Next: "Fix the people list in castle.yaml (or in the People form), then run castle again."}
		}
		k := strings.ToLower(u.UserName)
		if seen[k] {
			return &steps.UserError{Message: fmt.Sprintf("The user name %q appears twice in the people list.", u.UserName),
				Next: "Give each person their own user name."}
		}
		seen[k] = true
	}
	return nil
}

func createCommand(env *steps.Env, storeID string, u castlefile.User) string {
	return env.AWSCommand("identitystore create-user --identity-store-id %s --user-name %s --display-name %q --name GivenName=%q,FamilyName=%q --emails Value=%s,Type=work,Primary=true",
		storeID, u.UserName, u.DisplayName, u.GivenName, u.FamilyName, u.Email)
}

// Plan lists the users to add, skipping those that exist.
func (section) Plan(ctx context.Context, env *steps.Env) (steps.Plan, error) {
	p := steps.Plan{Section: steps.People, MonthlyCost: "free", Duration: 10 * time.Second}
	fillDefaults(env)
	inst, err := FindInstance(ctx, env)
	if err != nil {
		return p, err
	}
	users, err := ListUsers(ctx, env, inst.StoreID)
	if err != nil {
		return p, err
	}
	if err := checkAnswers(env, users); err != nil {
		return p, err
	}
	adding := 0
	for _, u := range env.Answers.People {
		a := steps.Action{Key: "user:" + u.UserName, Title: "Add " + u.UserName + " (" + u.DisplayName + ", " + u.Email + ")",
			Why:      "Their own sign-in at the access portal.",
			Commands: []string{createCommand(env, inst.StoreID, u)}}
		if have, ok := FindUser(users, u.UserName); ok {
			a.Skip, a.SkipReason = true, "user "+have.UserName+" exists"
		} else {
			adding++
		}
		p.Actions = append(p.Actions, a)
	}
	switch {
	case len(env.Answers.People) == 0:
		p.Summary = "Nobody to add: type the people in the form (or list them under people: in castle.yaml)."
	case adding == 0:
		p.Summary = "Everyone listed already has a sign-in."
	default:
		p.Summary = fmt.Sprintf("Add %s to IAM Identity Center.", plural(adding, "person"))
		p.Summary = strings.Replace(p.Summary, "persons", "people", 1)
		p.Notes = append(p.Notes, "AWS sends no invitation to people added by a program: one console switch makes it email them a sign-in code, and each person needs the portal address and their user name (castle shows both).")
	}
	p.Notes = append(p.Notes, "Access portal: "+inst.PortalURL)
	return p, nil
}
