package access

import (
	"fmt"
	"strings"

	sa "github.com/castle-aws/castle/steps/access"
	"github.com/castle-aws/castle/steps/castlefile"
	sp "github.com/castle-aws/castle/steps/people"
)

// table is the user × account list of assignments to pick from.
type table struct {
	rows     []sp.Assignment
	picked   map[int]bool
	cursor   int
	scrolled int
}

func newTable(c sa.Catalog) *table {
	return &table{rows: c.Assignments, picked: map[int]bool{}}
}

func (t *table) move(d int) {
	if len(t.rows) == 0 {
		return
	}
	t.cursor = min(max(t.cursor+d, 0), len(t.rows)-1)
}

func (t *table) toggle() {
	if len(t.rows) > 0 {
		t.picked[t.cursor] = !t.picked[t.cursor]
	}
}

// person picks every row of the person under the cursor (or unpicks them
// when all are picked already).
func (t *table) person() {
	if len(t.rows) == 0 {
		return
	}
	id := t.rows[t.cursor].UserID
	all := true
	for i, r := range t.rows {
		if r.UserID == id && !t.picked[i] {
			all = false
		}
	}
	for i, r := range t.rows {
		if r.UserID == id {
			t.picked[i] = !all
		}
	}
}

func (t *table) selected() []sp.Assignment {
	var out []sp.Assignment
	for i, r := range t.rows {
		if t.picked[i] {
			out = append(out, r)
		}
	}
	return out
}

func (t *table) view(width, height int, mark func(bool) string) string {
	if len(t.rows) == 0 {
		return "Nobody has access to any account yet, so there is nothing to take away.\n"
	}
	wUser, wAcct := 6, 7
	for _, r := range t.rows {
		wUser = max(wUser, len(r.UserName))
		wAcct = max(wAcct, len(r.AccountName))
	}
	wUser, wAcct = min(wUser, 24), min(wAcct, 28)
	var b strings.Builder
	fmt.Fprintf(&b, "      %-*s  %-*s  %s\n", wUser, "PERSON", wAcct, "ACCOUNT", "ACCESS")
	rows := max(height-1, 3)
	if t.cursor < t.scrolled {
		t.scrolled = t.cursor
	}
	if t.cursor >= t.scrolled+rows {
		t.scrolled = t.cursor - rows + 1
	}
	for i := t.scrolled; i < len(t.rows) && i < t.scrolled+rows; i++ {
		r := t.rows[i]
		cur := "  "
		if i == t.cursor {
			cur = "› "
		}
		name := r.UserName
		if i > 0 && t.rows[i-1].UserID == r.UserID && i != t.scrolled {
			name = ""
		}
		line := fmt.Sprintf("%s%s %-*s  %-*s  %s", cur, mark(t.picked[i]), wUser, clip(name, wUser), wAcct, clip(r.AccountName, wAcct), r.PermissionSet)
		b.WriteString(clip(line, max(width, 20)) + "\n")
	}
	return b.String()
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// addRevokes records the picked assignments as revokes and drops any grant
// of the same pair, so the plan does not both give and take it.
func addRevokes(a *castlefile.File, c sa.Catalog, picked []sp.Assignment) {
	for _, r := range picked {
		g := castlefile.Grant{User: r.UserName, Account: r.AccountID, PermissionSet: r.PermissionSet}
		if !contains(a.Access.Revokes, g) {
			a.Access.Revokes = append(a.Access.Revokes, g)
		}
		kept := a.Access.Grants[:0:0]
		for _, x := range a.Access.Grants {
			p, err := c.Resolve(x)
			if err == nil && p.User.ID == r.UserID && p.AccountID == r.AccountID && p.Set.ARN == r.SetARN {
				continue
			}
			kept = append(kept, x)
		}
		a.Access.Grants = kept
	}
}
