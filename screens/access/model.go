// Package access is the Access section's screen: give people a permission
// set on accounts (read-only preselected, administrator asked twice), and
// take access away from a user × account table, where everything a person
// has is two keys away from their name.
package access

import (
	"context"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"charm.land/lipgloss/v2"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/steps"
	sa "github.com/castle-aws/castle/steps/access"
)

// UI is the Access section's contribution to the wizard.
type UI struct{}

// Form is nil: the custom screen does the asking.
func (UI) Form(screens.FormContext) *huh.Form { return nil }

// NewModel returns the Access screen.
func (UI) NewModel(ctx screens.FormContext) screens.SectionModel { return newModel(ctx) }

type mode int

const (
	modeLoading mode = iota
	modeMenu
	modeGrant
	modeRevoke
)

type loadedMsg struct {
	c   sa.Catalog
	err error
}

type model struct {
	ctx    screens.FormContext
	mode   mode
	cat    sa.Catalog
	err    error
	form   *huh.Form
	ch     *choice
	tab    *table
	note   string
	done   bool
	width  int
	height int
	keys   keys
	bold   lipgloss.Style
	faint  lipgloss.Style
}

type keys struct {
	grant, revoke, next, back, up, down, toggle, person, review key.Binding
}

func newModel(ctx screens.FormContext) *model {
	return &model{ctx: ctx, width: max(ctx.Width, 40), height: 20,
		keys: keys{
			grant:  key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "give access")),
			revoke: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "take access away")),
			next:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "review the plan")),
			back:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
			up:     key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
			down:   key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
			toggle: key.NewBinding(key.WithKeys("space"), key.WithHelp("space", "pick this one")),
			person: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "all of this person")),
			review: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "take away picked")),
		},
		bold: lipgloss.NewStyle().Bold(true), faint: lipgloss.NewStyle().Faint(true),
	}
}

func (m *model) Init() tea.Cmd {
	env := m.ctx.Env
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		c, err := sa.Load(ctx, env)
		return loadedMsg{c: c, err: err}
	}
}

func (m *model) Done() bool { return m.done }

func (m *model) Keys() []key.Binding {
	k := m.keys
	switch m.mode {
	case modeMenu:
		k.grant.SetEnabled(m.err == nil && len(m.cat.Users) > 0)
		k.revoke.SetEnabled(m.err == nil && len(m.cat.Assignments) > 0)
		return []key.Binding{k.grant, k.revoke, k.next}
	case modeGrant:
		var ks []key.Binding
		if m.form != nil {
			ks = m.form.KeyBinds() // the form's own keys (pick, move, next) come first
		}
		return append(ks, k.back)
	case modeRevoke:
		k.review.SetEnabled(len(m.tab.selected()) > 0)
		return []key.Binding{k.toggle, k.person, k.review, k.up, k.down, k.back} // picking first: ↑/↓ are the ones people guess
	}
	return nil
}

func (m *model) Update(msg tea.Msg) (screens.SectionModel, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		m.cat, m.err, m.mode = msg.c, msg.err, modeMenu
		return m, nil
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		if m.form != nil {
			m.form = m.form.WithWidth(msg.Width) // huh sizes its groups only once
		}
	}
	if m.mode == modeGrant {
		return m, m.updateForm(msg)
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch m.mode {
	case modeMenu:
		switch {
		case key.Matches(k, m.keys.grant) && m.err == nil && len(m.cat.Users) > 0:
			if m.ch == nil {
				m.ch = &choice{}
			} // else: the picks left with esc come back
			m.form = grantForm(m.cat, m.ch).WithWidth(m.width)
			m.mode, m.note = modeGrant, ""
			return m, m.form.Init()
		case key.Matches(k, m.keys.revoke) && m.err == nil && len(m.cat.Assignments) > 0:
			m.tab = newTable(m.cat)
			m.mode, m.note = modeRevoke, ""
		case key.Matches(k, m.keys.next):
			m.done = true
		}
	case modeRevoke:
		switch {
		case key.Matches(k, m.keys.up):
			m.tab.move(-1)
		case key.Matches(k, m.keys.down):
			m.tab.move(1)
		case key.Matches(k, m.keys.toggle):
			m.tab.toggle()
		case key.Matches(k, m.keys.person):
			m.tab.person()
		case key.Matches(k, m.keys.review) && len(m.tab.selected()) > 0:
			addRevokes(m.ctx.Answers, m.cat, m.tab.selected())
			m.done = true
		case key.Matches(k, m.keys.back):
			m.mode = modeMenu
		}
	}
	return m, nil
}

func (m *model) updateForm(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, m.keys.back) {
		m.form, m.mode = nil, modeMenu
		return nil
	}
	fm, cmd := m.form.Update(msg)
	if f, ok := fm.(*huh.Form); ok {
		m.form = f
	}
	switch m.form.State {
	case huh.StateCompleted:
		ch := m.ch
		m.form, m.mode, m.ch = nil, modeMenu, nil
		if len(ch.users) == 0 || len(ch.accounts) == 0 {
			m.note = "Nothing was added: pick at least one person and one account with space. Press g to try again."
			return nil
		}
		if ch.set == sa.AdminPermissionSet && !ch.adminOK {
			ch.set, m.ch = "", ch // g again keeps the picks, back on read-only
			m.note = "Administrator access not given; nothing was added. Press g to choose a smaller set for the same people and accounts."
			return nil
		}
		n := addGrants(m.ctx.Answers, m.cat, *ch)
		m.note = fmt.Sprintf("Added %s to the plan. Press enter to review it, or g to give more.", plural(n, "change", "changes"))
		if n == 0 {
			m.note = "They have that already: nothing new in the plan. Press g to give something else."
		}
		return nil
	case huh.StateAborted:
		m.form, m.mode = nil, modeMenu
		return nil
	}
	return cmd
}

func (m *model) View(width, height int) string {
	switch m.mode {
	case modeLoading:
		return "Looking up people, accounts and permission sets…"
	case modeGrant:
		return m.bold.Render("Give access") + "\n\n" + m.form.View()
	case modeRevoke:
		mark := func(on bool) string {
			if on {
				return "[x]"
			}
			return "[ ]"
		}
		head := m.bold.Render("Take access away") + "\n" +
			m.faint.Render("space picks a line · a picks all this person has · enter goes on") + "\n\n"
		return head + m.tab.view(width, height-4, mark)
	}
	var b strings.Builder
	if m.err != nil {
		b.WriteString(wrapTo(errText(m.err), width) + "\n\n" + m.faint.Render("Press enter to go on.") + "\n")
		return b.String()
	}
	b.WriteString(m.bold.Render(fmt.Sprintf("Who has access now (%d)", len(m.cat.Assignments))) + "\n")
	if len(m.cat.Assignments) == 0 {
		b.WriteString("  nobody yet\n")
	}
	for i, a := range m.cat.Assignments {
		if i == max(height-12, 4) {
			b.WriteString(fmt.Sprintf("  … and %d more (r shows them all)\n", len(m.cat.Assignments)-i))
			break
		}
		b.WriteString("  " + a.UserName + ": " + a.PermissionSet + " on " + a.AccountName + "\n")
	}
	if len(m.cat.Users) == 0 {
		b.WriteString("\n" + wrapTo("Nobody has a sign-in yet: add people in the People section first.", width) + "\n")
	}
	g, r := m.ctx.Answers.Access.Grants, m.ctx.Answers.Access.Revokes
	if len(g)+len(r) > 0 {
		b.WriteString("\n" + m.bold.Render("In the plan") + "\n")
		for _, x := range g {
			b.WriteString("  + " + x.User + ": " + x.PermissionSet + " on " + x.Account + "\n")
		}
		for _, x := range r {
			b.WriteString("  - " + x.User + ": " + x.PermissionSet + " on " + x.Account + "\n")
		}
	}
	if m.note != "" {
		b.WriteString("\n" + wrapTo(m.note, width) + "\n")
	}
	return b.String()
}

// wrapTo breaks text at spaces to fit width.
func wrapTo(s string, width int) string {
	return lipgloss.NewStyle().Width(max(width, 20)).Render(s)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func errText(err error) string {
	if ue, ok := err.(*steps.UserError); ok {
		return ue.Message + "\n" + ue.Next
	}
	return err.Error()
}
