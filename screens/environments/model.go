package environments

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
	se "github.com/castle-aws/castle/steps/environments"
)

// ui is the Environments section's contribution to the wizard.
type ui struct{}

// UI returns the Environments screen.
func UI() screens.SectionUI { return ui{} }

// Form is nil: the custom screen adds accounts one at a time.
func (ui) Form(screens.FormContext) *huh.Form { return nil }

// NewModel returns the Environments screen.
func (ui) NewModel(ctx screens.FormContext) screens.SectionModel { return newModel(ctx) }

type mode int

const (
	modeLoading mode = iota
	modeList
	modeAccount // its name
	modeDetails // its email, OU and owner
	modeWorkload
)

type loadedMsg struct {
	inv  se.Inventory
	self string // the signed-in account's id
	err  error
}

type model struct {
	ctx     screens.FormContext
	mode    mode
	inv     se.Inventory
	self    string
	err     error
	form    *huh.Form
	draft   *castlefile.Account
	wdraft  *castlefile.Workload
	done    bool
	width   int
	addKey  key.Binding
	dropKey key.Binding
	workKey key.Binding
	nextKey key.Binding
	backKey key.Binding
	bold    lipgloss.Style
	faint   lipgloss.Style
}

func newModel(ctx screens.FormContext) *model {
	return &model{ctx: ctx, width: max(ctx.Width, 40),
		addKey:  key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "add an account")),
		dropKey: key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "remove the last")),
		workKey: key.NewBinding(key.WithKeys("w"), key.WithHelp("w", "choose the workload account")),
		nextKey: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue")),
		backKey: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		bold:    lipgloss.NewStyle().Bold(true),
		faint:   lipgloss.NewStyle().Faint(true),
	}
}

func (m *model) Init() tea.Cmd {
	env := m.ctx.Env
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		msg := loadedMsg{}
		if id, err := env.Caller(ctx); err == nil {
			msg.self = id.Account
		}
		_ = env.OpenJournal(ctx) // for the remembered workload choice
		if inv, ok := se.Known(env); ok {
			msg.inv = inv
			return msg
		}
		msg.inv, msg.err = se.Load(ctx, env)
		return msg
	}
}

func (m *model) Done() bool { return m.done }

// pending are the answers whose account does not exist yet.
func (m *model) pending() []castlefile.Account {
	var out []castlefile.Account
	for _, a := range m.ctx.Answers.Environments {
		if ex, ok := m.inv.AccountByEmail(a.Email); ok && strings.EqualFold(ex.Name, a.Name) {
			continue
		}
		out = append(out, a)
	}
	return out
}

func (m *model) Keys() []key.Binding {
	switch m.mode {
	case modeList:
		m.dropKey.SetEnabled(len(m.pending()) > 0)
		m.addKey.SetEnabled(m.err == nil)
		m.workKey.SetEnabled(m.err == nil)
		return []key.Binding{m.addKey, m.nextKey, m.workKey, m.dropKey} // enter before the extras: it must not fall off an 80-column footer
	case modeAccount, modeDetails, modeWorkload:
		var ks []key.Binding
		if m.form != nil {
			ks = m.form.KeyBinds() // the form's own keys (move, pick, next) come first
		}
		return append(ks, m.backKey)
	}
	return nil
}

func (m *model) Update(msg tea.Msg) (screens.SectionModel, tea.Cmd) {
	switch msg := msg.(type) {
	case loadedMsg:
		m.inv, m.err, m.self, m.mode = msg.inv, msg.err, msg.self, modeList
		if m.ctx.Env.Journal != nil {
			se.Remembered(m.ctx.Env)
		}
		return m, nil
	case tea.WindowSizeMsg:
		m.width = msg.Width
		if m.form != nil {
			m.form = m.form.WithWidth(msg.Width) // huh sizes its groups only once
		}
	}
	if m.mode == modeAccount || m.mode == modeDetails || m.mode == modeWorkload {
		return m, m.updateForm(msg)
	}
	k, ok := msg.(tea.KeyPressMsg)
	if !ok || m.mode != modeList {
		return m, nil
	}
	switch {
	case key.Matches(k, m.addKey) && m.err == nil:
		if m.draft == nil {
			m.draft = &castlefile.Account{}
		} // else: the account left half typed with esc comes back as typed
		m.form = NameForm(m.draft, m.inv, m.ctx.Answers.Environments).WithWidth(m.width)
		m.mode = modeAccount
		return m, m.form.Init()
	case key.Matches(k, m.workKey) && m.err == nil:
		w := m.ctx.Answers.Workload
		m.wdraft = &w
		m.form = WorkloadForm(m.wdraft, m.withoutShared(), m.pending(), m.self).WithWidth(m.width)
		m.mode = modeWorkload
		return m, m.form.Init()
	case key.Matches(k, m.dropKey):
		envs := m.ctx.Answers.Environments
		for i := len(envs) - 1; i >= 0; i-- {
			if ex, ok := m.inv.AccountByEmail(envs[i].Email); !ok || !strings.EqualFold(ex.Name, envs[i].Name) {
				m.ctx.Answers.Environments = append(envs[:i:i], envs[i+1:]...)
				break
			}
		}
	case key.Matches(k, m.nextKey):
		m.done = true
	}
	return m, nil
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
		if m.mode == modeAccount {
			m.draft.Name = strings.TrimSpace(m.draft.Name)
			m.form = DetailsForm(m.draft, m.inv, m.ctx.Answers.Environments, m.ctx.Answers.People).WithWidth(m.width)
			m.mode = modeDetails
			return m.form.Init()
		}
		if m.mode == modeDetails {
			finishAccount(m.draft, m.inv)
			m.ctx.Answers.Environments = append(m.ctx.Answers.Environments, *m.draft)
			m.draft = nil
		} else {
			if m.wdraft.Via != se.ViaProfile {
				m.wdraft.Profile = ""
			}
			if m.wdraft.Account == "" || m.wdraft.Account == m.self {
				m.wdraft.Via, m.wdraft.Profile = "", ""
			}
			m.ctx.Answers.Workload = *m.wdraft
		}
		m.form, m.mode = nil, modeList
		return nil
	case huh.StateAborted:
		m.form, m.mode = nil, modeList
		return nil
	}
	return cmd
}

func (m *model) View(width, height int) string {
	var b strings.Builder
	switch m.mode {
	case modeLoading:
		return "Looking at your organization and Account Factory…"
	case modeAccount, modeDetails:
		b.WriteString(m.bold.Render("A new account") + "\n\n" + m.form.View())
		return b.String()
	case modeWorkload:
		b.WriteString(m.bold.Render("Where your service will live") + "\n\n" + m.form.View())
		return b.String()
	}
	if m.err != nil {
		b.WriteString(lipgloss.NewStyle().Width(max(width, 20)).Render(errText(m.err)) + "\n\n" + m.faint.Render("Press enter to go on.") + "\n")
		return b.String()
	}
	b.WriteString(m.bold.Render(fmt.Sprintf("Accounts in your organization (%d)", len(m.inv.Accounts))) + "\n")
	for _, a := range m.inv.Accounts {
		b.WriteString("  ✓ " + a.Name + m.faint.Render("  "+a.ID) + "\n")
		b.WriteString(m.faint.Render("    "+a.Email+" · in "+a.OU) + "\n")
	}
	for _, p := range m.inv.Provisioned {
		if p.InFlight() {
			b.WriteString("  … " + p.Name + m.faint.Render("  being created by Account Factory") + "\n")
		}
	}
	pending := m.pending()
	b.WriteString("\n" + m.bold.Render(fmt.Sprintf("To create (%d)", len(pending))) + "\n")
	if len(pending) == 0 {
		b.WriteString("  none: press a to add an account\n")
	}
	for _, a := range pending {
		owner := a.Owner
		if owner == "" {
			owner = "a new sign-in for " + a.Email
		}
		b.WriteString("  + " + a.Name + m.faint.Render("  in "+a.OU) + "\n")
		b.WriteString(m.faint.Render("    "+a.Email+" · owner "+owner) + "\n")
	}
	if len(pending) > se.MaxConcurrent {
		b.WriteString(m.faint.Render(fmt.Sprintf("  Control Tower makes %d at a time; castle queues the rest.", se.MaxConcurrent)) + "\n")
	}
	w := m.ctx.Answers.Workload
	b.WriteString("\n" + m.bold.Render("Workload account") + "  ")
	switch {
	case w.Account == "" || w.Account == m.self:
		b.WriteString("the account you are signed in to" + m.faint.Render("  (press w to choose another)") + "\n")
	case w.Via == se.ViaProfile:
		b.WriteString(m.accountLabel(w.Account) + "\n" + m.faint.Render("  reached with profile "+w.Profile) + "\n")
	default:
		b.WriteString(m.accountLabel(w.Account) + "\n" + m.faint.Render("  reached through "+se.ExecutionRole+" from this sign-in") + "\n")
	}
	return b.String()
}

func errText(err error) string {
	if ue, ok := err.(*steps.UserError); ok {
		return ue.Message + "\n" + ue.Next
	}
	return err.Error()
}

// accountLabel is "name (id)" for an account castle knows, else the answer.
func (m *model) accountLabel(nameOrID string) string {
	if a, ok := m.inv.AccountByName(nameOrID); ok {
		return a.Name + " (" + a.ID + ")"
	}
	return nameOrID
}

// withoutShared is the inventory without the landing zone's Log Archive and
// Audit accounts (whatever their OU is called): they are not for workloads.
func (m *model) withoutShared() se.Inventory {
	inv := m.inv
	env := m.ctx.Env
	if env == nil || env.Journal == nil {
		return inv
	}
	shared := map[string]bool{}
	for _, name := range []string{"logArchiveAccount", "auditAccount"} {
		if id, ok := env.Journal.Resource(string(steps.LandingZone), name); ok && id != "" {
			shared[id] = true
		}
	}
	inv.Accounts = nil
	for _, a := range m.inv.Accounts {
		if !shared[a.ID] {
			inv.Accounts = append(inv.Accounts, a)
		}
	}
	return inv
}
