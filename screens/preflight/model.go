package preflight

import (
	"context"
	"errors"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/steps"
	pf "github.com/castle-aws/castle/steps/preflight"
)

// model switches to the chosen profile and region, checks who is signed in,
// and shows it. Done once the user has read it and pressed enter.
type model struct {
	u   UI
	ctx screens.FormContext

	gen      int
	checking bool
	res      *pf.Result
	err      error
	command  string
	done     bool

	next, retry key.Binding
	st          looks
}

// checkMsg is the answer of one check.
type checkMsg struct {
	gen         int
	res         pf.Result
	err         error
	command     string
	reconnected bool
	profile     string
	region      string
}

func newModel(u UI, ctx screens.FormContext) *model {
	return &model{
		u: u, ctx: ctx,
		next:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue")),
		retry: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "check again")),
		st:    newLooks(ctx.NoColor),
	}
}

func (m *model) Init() tea.Cmd { return m.check() }

// check reconnects with the chosen profile and region, then asks AWS who is
// signed in, in a Cmd.
func (m *model) check() tea.Cmd {
	m.gen++
	m.checking = true
	gen, u, env, reconnect := m.gen, m.u, m.ctx.Env, m.ctx.Reconnect
	profile, region := m.ctx.Answers.Profile, m.ctx.Answers.Region
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
		defer cancel()
		msg := checkMsg{gen: gen, profile: profile, region: region}
		if reconnect != nil {
			if err := reconnect(ctx, profile, region); err != nil {
				msg.err = err
				return msg
			}
			msg.reconnected = true
		} else {
			env.ForgetCaller()
		}
		msg.res, msg.err = u.Check(ctx, env)
		msg.command = env.AWSCommand("sts get-caller-identity")
		return msg
	}
}

func (m *model) Update(msg tea.Msg) (screens.SectionModel, tea.Cmd) {
	switch msg := msg.(type) {
	case checkMsg:
		if msg.gen != m.gen {
			return m, nil
		}
		m.checking = false
		m.err, m.command = msg.err, msg.command
		m.res = nil
		if msg.err == nil {
			res := msg.res
			m.res = &res
		}
		if msg.reconnected {
			p, r := msg.profile, msg.region
			return m, func() tea.Msg { return screens.ReconnectedMsg{Profile: p, Region: r} }
		}
	case tea.KeyPressMsg:
		switch {
		case m.checking:
		case key.Matches(msg, m.retry):
			return m, m.check()
		case m.res != nil && key.Matches(msg, m.next):
			m.done = true
		}
	}
	return m, nil
}

func (m *model) Done() bool { return m.done }

func (m *model) Keys() []key.Binding {
	next, retry := m.next, m.retry
	next.SetEnabled(!m.checking && m.res != nil)
	retry.SetEnabled(!m.checking)
	return []key.Binding{next, retry}
}

func (m *model) View(width, height int) string {
	w := min(width, 100)
	st := m.st
	var b strings.Builder
	switch {
	case m.checking:
		b.WriteString("Asking AWS who you are signed in as…")
	case m.err != nil:
		msg, next := m.err.Error(), ""
		var ue *steps.UserError
		if errors.As(m.err, &ue) {
			msg, next = ue.Message, ue.Next
		}
		b.WriteString(st.bad.Render(wrap("Could not check: "+msg, w)) + "\n")
		if next != "" {
			b.WriteString("\n" + wrap("Next: "+next, w) + "\n")
		}
		b.WriteString("\n" + st.faint.Render("Press r to check again once you have done that."))
	default:
		b.WriteString(m.resultView(w))
	}
	return b.String()
}

func (m *model) resultView(w int) string {
	st, r := m.st, m.res
	var b strings.Builder
	row := func(k, v string) {
		v = strings.ReplaceAll(lipgloss.Wrap(v, max(w-15, 20), "/:"), "\n", "\n"+strings.Repeat(" ", 15))
		b.WriteString(st.faint.Render(pad(k, 15)) + v + "\n")
	}
	row("Account", r.Identity.Account)
	row("Signed in as", r.Identity.ARN)
	row("Region", m.ctx.Answers.Region)
	if r.RootMFA != nil {
		if *r.RootMFA {
			row("Root user MFA", st.ok.Render("on"))
		} else {
			row("Root user MFA", st.bad.Render("OFF"))
		}
	}
	if r.Root {
		b.WriteString("\n" + st.loud.Render(" ROOT USER ") + "\n")
		b.WriteString(st.bad.Render(wrap(pf.RootWarning, w)) + "\n")
		b.WriteString(wrap("Landing zone, People, Environments and Access will refuse to run as root. "+
			"Press esc to choose another profile, or sign in as root only to turn on MFA and create an administrator.", w) + "\n")
	}
	linked := false // a warning gives the MFA link already
	warned := false
	for _, warn := range r.Warnings {
		if warn == pf.RootWarning {
			continue
		}
		warned = true
		linked = linked || (r.MFAConsoleURL != "" && strings.Contains(warn, r.MFAConsoleURL))
		text := strings.ReplaceAll(wrap(warn, w-2), "\n", "\n  ")
		b.WriteString("\n" + st.warn.Render("! "+text) + "\n")
	}
	if r.RootMFA != nil && !*r.RootMFA && r.MFAConsoleURL != "" && !linked {
		b.WriteString("Turn on MFA here: " + r.MFAConsoleURL + "\n")
	}
	if m.command != "" {
		b.WriteString("\n" + st.faint.Render("The same question with the aws CLI:") + "\n" + screens.WrapCommand(m.command, w) + "\n")
	}
	switch {
	case r.Root:
	case warned:
		b.WriteString("\n" + st.ok.Render("You can go on.") + " Press enter; the warning above does not stop castle.")
	default:
		b.WriteString("\n" + st.ok.Render("All good.") + " Press enter to go on.")
	}
	return strings.TrimRight(b.String(), "\n")
}

// looks are the few styles of this screen.
type looks struct{ faint, ok, bad, warn, loud lipgloss.Style }

func newLooks(noColor bool) looks {
	base := lipgloss.NewStyle()
	if noColor {
		return looks{faint: base.Faint(true), ok: base.Bold(true), bad: base.Bold(true), warn: base.Bold(true), loud: base.Bold(true).Reverse(true)}
	}
	return looks{
		faint: base.Foreground(lipgloss.Color("245")),
		ok:    base.Foreground(lipgloss.Color("42")),
		bad:   base.Bold(true).Foreground(lipgloss.Color("203")),
		warn:  base.Foreground(lipgloss.Color("214")),
		loud:  base.Bold(true).Background(lipgloss.Color("160")).Foreground(lipgloss.Color("15")),
	}
}

func wrap(s string, w int) string { return lipgloss.Wrap(s, max(w, 20), "") }

func pad(s string, n int) string {
	if len(s) >= n {
		return s + " "
	}
	return s + strings.Repeat(" ", n-len(s))
}
