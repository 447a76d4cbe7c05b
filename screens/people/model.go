package people

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
	"github.com/castle-aws/castle/steps/castlefile"
	sp "github.com/castle-aws/castle/steps/people"
)

// UI is the People section's contribution to the wizard.
type UI struct{}

// Form is nil: the custom screen asks for people one at a time, as many as needed.
func (UI) Form(screens.FormContext) *huh.Form { return nil }

// NewModel returns the People screen.
func (UI) NewModel(ctx screens.FormContext) screens.SectionModel { return newModel(ctx) }

type mode int

const (
	modeLoading mode = iota
	modeList
	modeForm
	modeHandOff
)

type loadedMsg struct {
	inst  sp.Instance
	users []sp.User
	err   error
}

type model struct {
	ctx     screens.FormContext
	mode    mode
	inst    sp.Instance
	users   []sp.User
	err     error
	form    *huh.Form
	draft   *castlefile.User
	copied  string
	done    bool
	width   int
	addKey  key.Binding
	dropKey key.Binding
	copyKey key.Binding
	linkKey key.Binding
	msgKey  key.Binding
	nextKey key.Binding
	backKey key.Binding
	bold    lipgloss.Style
	faint   lipgloss.Style
}

func newModel(ctx screens.FormContext) *model {
	return &model{ctx: ctx, width: max(ctx.Width, 40),
		addKey:  key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add a person")),
		dropKey: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "remove the last")),
		copyKey: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy portal URL")),
		linkKey: key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "copy settings link")),
		msgKey:  key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "copy messages")),
		nextKey: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue")),
		backKey: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		bold:    lipgloss.NewStyle().Bold(true),
		faint:   lipgloss.NewStyle().Faint(true),
	}
}

func (m *model) Init() tea.Cmd {
	env := m.ctx.Env
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		inst, err := sp.FindInstance(ctx, env)
		if err != nil {
			return loadedMsg{err: err}
		}
		users, err := sp.ListUsers(ctx, env, inst.StoreID)
		return loadedMsg{inst: inst, users: users, err: err}
	}
}

func (m *model) Done() bool { return m.done }

func (m *model) pending() []castlefile.User {
	var out []castlefile.User
	for _, u := range m.ctx.Answers.People {
		if _, ok := sp.FindUser(m.users, u.UserName); !ok {
			out = append(out, u)
		}
	}
	return out
}

func (m *model) Keys() []key.Binding {
	switch m.mode {
	case modeList:
		m.dropKey.SetEnabled(len(m.pending()) > 0)
		m.copyKey.SetEnabled(m.inst.PortalURL != "")
		m.addKey.SetEnabled(m.err == nil)
		return []key.Binding{m.addKey, m.nextKey, m.dropKey, m.copyKey} // enter before the extras: it must not fall off an 80-column footer
	case modeForm:
		var ks []key.Binding
		if m.form != nil {
			ks = m.form.KeyBinds() // the form's own keys (next, back a field) come first
		}
		return append(ks, m.backKey)
	case modeHandOff:
		done := m.nextKey
		done.SetHelp("enter", "done, it is on")
		return []key.Binding{m.linkKey, m.msgKey, done, m.backKey}
	}
	return nil
}

func (m *model) Update(msg tea.Msg) (screens.SectionModel, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		m.inst, m.users, m.err = msg.inst, msg.users, msg.err
		m.mode = modeList
		return m, nil
	case tea.WindowSizeMsg:
		m.width = msg.Width
		if m.form != nil {
			m.form = m.form.WithWidth(msg.Width) // huh sizes its groups only once
		}
	}
	if m.mode == modeForm {
		return m, m.updateForm(msg)
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return m, nil
	}
	switch m.mode {
	case modeList:
		return m, m.listKey(k)
	case modeHandOff:
		switch {
		case key.Matches(k, m.linkKey):
			m.copied = "console link"
			return m, tea.SetClipboard(sp.SettingsURL(m.region(), m.inst.ARN))
		case key.Matches(k, m.msgKey):
			m.copied = "messages"
			return m, tea.SetClipboard(m.messages())
		case key.Matches(k, m.nextKey):
			m.done = true
		case key.Matches(k, m.backKey):
			m.mode = modeList
		}
	}
	return m, nil
}

func (m *model) listKey(k tea.KeyPressMsg) tea.Cmd {
	switch {
	case key.Matches(k, m.addKey) && m.err == nil:
		if m.draft == nil {
			m.draft = &castlefile.User{}
		} // else: the person left half typed with esc comes back as typed
		m.form = PersonForm(m.draft, m.users, m.ctx.Answers.People).WithWidth(m.width)
		m.mode = modeForm
		return m.form.Init()
	case key.Matches(k, m.dropKey):
		for i := len(m.ctx.Answers.People) - 1; i >= 0; i-- {
			if _, exists := sp.FindUser(m.users, m.ctx.Answers.People[i].UserName); !exists {
				m.ctx.Answers.People = append(m.ctx.Answers.People[:i], m.ctx.Answers.People[i+1:]...)
				break
			}
		}
	case key.Matches(k, m.copyKey) && m.inst.PortalURL != "":
		m.copied = "portal address"
		return tea.SetClipboard(m.inst.PortalURL)
	case key.Matches(k, m.nextKey):
		if len(m.pending()) > 0 && m.err == nil {
			m.mode, m.copied = modeHandOff, ""
			return nil
		}
		m.done = true
	}
	return nil
}

func (m *model) updateForm(msg tea.Msg) tea.Cmd {
	if k, ok := msg.(tea.KeyPressMsg); ok && key.Matches(k, m.backKey) {
		m.form, m.mode = nil, modeList
		return nil
	}
	fm, cmd := m.form.Update(msg)
	if f, ok := fm.(*huh.Form); ok {
		m.form = f
	}
	switch m.form.State {
	case huh.StateCompleted:
		u := *m.draft
		u.DisplayName = strings.TrimSpace(u.GivenName + " " + u.FamilyName)
		m.ctx.Answers.People = append(m.ctx.Answers.People, u)
		m.form, m.mode, m.draft = nil, modeList, nil
		return nil
	case huh.StateAborted:
		m.form, m.mode = nil, modeList
		return nil
	}
	return cmd
}

func (m *model) region() string {
	if m.ctx.Env != nil && m.ctx.Env.Region != "" {
		return m.ctx.Env.Region
	}
	return m.ctx.Answers.Region
}

func (m *model) View(width, height int) string {
	var b strings.Builder
	switch m.mode {
	case modeLoading:
		return "Looking up IAM Identity Center…"
	case modeForm:
		b.WriteString(m.bold.Render("Add a person") + "\n\n")
		b.WriteString(m.form.View())
		return b.String()
	case modeHandOff:
		return m.handOffView(width, height)
	}
	if m.err != nil {
		b.WriteString(wrap(errText(m.err), width) + "\n\n")
		b.WriteString(m.faint.Render("Press enter to go on.") + "\n")
		return b.String()
	}
	b.WriteString(m.bold.Render("Access portal") + "  " + m.inst.PortalURL + "\n")
	b.WriteString(m.faint.Render("Everyone signs in here. Press c to copy the address.") + "\n")
	if m.copied != "" {
		b.WriteString("Copied the " + m.copied + " to the clipboard.\n")
	}
	b.WriteString("\n" + m.bold.Render(fmt.Sprintf("Have a sign-in (%d)", len(m.users))) + "\n")
	if len(m.users) == 0 {
		b.WriteString("  nobody yet\n")
	}
	for _, u := range m.users {
		b.WriteString("  ✓ " + u.UserName + m.faint.Render("  "+u.DisplayName+" · "+u.Email) + "\n")
	}
	pending := m.pending()
	b.WriteString("\n" + m.bold.Render(fmt.Sprintf("To add (%d)", len(pending))) + "\n")
	if len(pending) == 0 {
		b.WriteString("  nobody: press a to add a person\n")
	}
	for _, u := range pending {
		b.WriteString("  + " + u.UserName + m.faint.Render("  "+strings.TrimSpace(u.GivenName+" "+u.FamilyName)+" · "+u.Email) + "\n")
	}
	return b.String()
}

func (m *model) handOffView(width, height int) string {
	var b strings.Builder
	b.WriteString(m.bold.Render("Your turn: one switch in the AWS console") + "\n")
	b.WriteString(wrap(sp.HandOffSteps(m.region()), width) + "\n")
	b.WriteString(m.faint.Render("o copies a direct link to the settings page. Once the switch is on, press enter.") + "\n")
	if m.copied != "" {
		b.WriteString("Copied the " + m.copied + " to the clipboard.\n")
	}
	b.WriteString("\n" + m.bold.Render("Then send each new person (m copies the messages):") + "\n")
	head := b.String()
	left := height - strings.Count(head, "\n")
	var msgs []string
	for _, u := range m.pending() {
		msgs = append(msgs, wrap(sp.Welcome(m.inst.PortalURL, u), width))
	}
	body := strings.Join(msgs, "\n\n") // a blank line between two people's messages
	if lines := strings.Split(body, "\n"); len(lines) > left && left > 1 {
		body = strings.Join(lines[:left-1], "\n") + "\n" + m.faint.Render("… press m to copy them all")
	}
	return head + body
}

func (m *model) messages() string {
	var msgs []string
	for _, u := range m.pending() {
		msgs = append(msgs, sp.Welcome(m.inst.PortalURL, u))
	}
	return strings.Join(msgs, "\n\n")
}

// wrap breaks text at spaces to fit width, never inside a word, so links
// stay whole and can be clicked or copied from the terminal.
func wrap(s string, width int) string {
	width = max(width, 30)
	var out []string
	for _, line := range strings.Split(s, "\n") {
		indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
		cur := ""
		for _, w := range strings.Fields(line) {
			switch {
			case cur == "":
				cur = indent + w
			case len([]rune(cur))+1+len([]rune(w)) > width:
				out = append(out, cur)
				cur = indent + w
			default:
				cur += " " + w
			}
		}
		out = append(out, cur)
	}
	return strings.Join(out, "\n")
}

func errText(err error) string {
	if ue, ok := err.(*steps.UserError); ok {
		return ue.Message + "\n" + ue.Next
	}
	return err.Error()
}
