package access

import (
	"context"
	"fmt"
	"strings"

	"github.com/castle-aws/castle/steps"
)

// work is what Apply does: pairs to grant and to revoke.
type work struct {
	grants, revokes []Pair
	skipGrant       map[string]bool // by grant key: already assigned
	skipRevoke      map[string]bool // by revoke key: not assigned
}

// prepare fills defaults, resolves the answers and checks them.
func prepare(env *steps.Env, c Catalog) (work, error) {
	w := work{skipGrant: map[string]bool{}, skipRevoke: map[string]bool{}}
	for i := range env.Answers.Access.Grants {
		if env.Answers.Access.Grants[i].PermissionSet == "" {
			env.Answers.Access.Grants[i].PermissionSet = DefaultPermissionSet
		}
	}
	seen := map[string]bool{}
	for _, g := range env.Answers.Access.Grants {
		p, err := c.Resolve(g)
		if err != nil {
			return w, err
		}
		k := p.Key("grant")
		if seen[k] {
			continue
		}
		seen[k] = true
		w.grants = append(w.grants, p)
		w.skipGrant[k] = c.Has(p)
	}
	for _, g := range env.Answers.Access.Revokes {
		p, err := c.Resolve(g)
		if err != nil {
			return w, err
		}
		if seen[p.Key("grant")] {
			return w, &steps.UserError{Message: "castle.yaml both grants and revokes " + p.Words() + ".",
				Next: "Remove it from one of the two lists (grants or revokes)."}
		}
		k := p.Key("revoke")
		if seen[k] {
			continue
		}
		seen[k] = true
		w.revokes = append(w.revokes, p)
		w.skipRevoke[k] = !c.Has(p)
	}
	return w, nil
}

func command(env *steps.Env, verb string, c Catalog, p Pair) string {
	return env.AWSCommand("sso-admin %s-account-assignment --instance-arn %s --target-id %s --target-type AWS_ACCOUNT --permission-set-arn %s --principal-type USER --principal-id %s",
		verb, c.Instance.ARN, p.AccountID, p.Set.ARN, p.User.ID)
}

// Plan lists the assignments to make and to remove.
func (section) Plan(ctx context.Context, env *steps.Env) (steps.Plan, error) {
	p := steps.Plan{Section: steps.Access, MonthlyCost: "free", Duration: Expected}
	c, err := Load(ctx, env)
	if err != nil {
		return p, err
	}
	w, err := prepare(env, c)
	if err != nil {
		return p, err
	}
	add, remove := 0, 0
	for _, g := range w.grants {
		a := steps.Action{Key: g.Key("grant"), Title: "Give " + g.Words(), Why: PlainDescription(g.Set.Name, g.Set.Description),
			Commands: []string{command(env, "create", c, g)}}
		if w.skipGrant[a.Key] {
			a.Skip, a.SkipReason = true, "already assigned"
		} else {
			add++
			if g.Set.Name == AdminPermissionSet {
				p.Notes = append(p.Notes, fmt.Sprintf("%s gets full administrator access to %s: everything, including people, permissions and billing. "+
					"Least privilege keeps a leaked password or a slip of the keyboard small; read-only or power user is usually enough.", g.User.UserName, g.AccountName))
			}
		}
		p.Actions = append(p.Actions, a)
	}
	for _, r := range w.revokes {
		a := steps.Action{Key: r.Key("revoke"), Title: "Take away " + r.Words(), Why: "They lose this access as soon as AWS applies the change.",
			Commands: []string{command(env, "delete", c, r)}}
		if w.skipRevoke[a.Key] {
			a.Skip, a.SkipReason = true, "not assigned"
		} else {
			remove++
		}
		p.Actions = append(p.Actions, a)
	}
	var parts []string
	if add > 0 {
		parts = append(parts, fmt.Sprintf("give %d", add))
	}
	if remove > 0 {
		parts = append(parts, fmt.Sprintf("take away %d", remove))
	}
	if len(parts) == 0 {
		p.Summary = "Access is already as castle.yaml asks."
	} else {
		n := add + remove
		p.Summary = strings.ToUpper(parts[0][:1]) + strings.Join(parts, " and ")[1:] + " " + pick(n, "account assignment", "account assignments") + "; all run at once and take seconds."
	}
	return p, nil
}
