package pipeline

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/castle-aws/castle/screens"
	sp "github.com/castle-aws/castle/steps/pipeline"
)

// NewModel shows what a person must do for a connection still waiting for
// its approval, with a key to copy the console link. Nothing to show
// otherwise.
func (UI) NewModel(ctx screens.FormContext) screens.SectionModel {
	arn, ok := sp.PendingConnection(ctx.Env)
	if !ok {
		return nil
	}
	region := ctx.Answers.Region
	if ctx.Env != nil && ctx.Env.Region != "" {
		region = ctx.Env.Region
	}
	if parts := strings.Split(arn, ":"); len(parts) > 3 && parts[3] != "" {
		region = parts[3]
	}
	msg, detail := sp.HandOff(region, ctx.Answers.Pipeline.Repository, "castle-github")
	return &model{arn: arn, link: sp.ConsoleConnectionsURL(region), msg: msg, detail: detail,
		copyKey: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy the console link")),
		nextKey: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue")),
	}
}

type model struct {
	arn, link, msg, detail string
	copied, done           bool
	copyKey, nextKey       key.Binding
}

func (m *model) Init() tea.Cmd { return nil }

func (m *model) Update(msg tea.Msg) (screens.SectionModel, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, m.copyKey):
			m.copied = true
			return m, tea.SetClipboard(m.link)
		case key.Matches(k, m.nextKey):
			m.done = true
		}
	}
	return m, nil
}

func (m *model) View(width, height int) string {
	bold := lipgloss.NewStyle().Bold(true)
	faint := lipgloss.NewStyle().Faint(true)
	var b strings.Builder
	b.WriteString(bold.Render(m.msg) + "\n\n")
	b.WriteString(m.detail + "\n\n")
	b.WriteString("  " + bold.Render(m.link) + "\n")
	b.WriteString("  " + faint.Render(m.arn) + "\n\n")
	if m.copied {
		b.WriteString("Copied the link to the clipboard (if your terminal allows it). ")
	} else {
		b.WriteString("Press c to copy the link. ")
	}
	b.WriteString("Press enter to go on: castle keeps checking and continues once it is approved.")
	return wrapAtSpaces(b.String(), width)
}

// wrapAtSpaces fits text to width, breaking only between words, so the
// console link and the ARN stay whole for the terminal to copy or open.
func wrapAtSpaces(s string, width int) string {
	width = max(width, 20)
	var lines []string
	for _, para := range strings.Split(s, "\n") {
		lead := para[:len(para)-len(strings.TrimLeft(para, " "))]
		line := ""
		for _, word := range strings.Fields(para) {
			if line != "" && lipgloss.Width(line)+1+lipgloss.Width(word) > width {
				lines = append(lines, line)
				line = ""
			}
			if line == "" {
				line = lead + word
			} else {
				line += " " + word
			}
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func (m *model) Keys() []key.Binding { return []key.Binding{m.copyKey, m.nextKey} }

func (m *model) Done() bool { return m.done }
