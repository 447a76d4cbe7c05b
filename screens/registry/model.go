package registry

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/castle-aws/castle/screens"
	sr "github.com/castle-aws/castle/steps/registry"
)

// NewModel shows the image castle last pushed, with a key to copy its URI,
// before the plan. With no image pushed yet there is nothing to show.
func (UI) NewModel(ctx screens.FormContext) screens.SectionModel {
	image, digest, ok := sr.Pushed(ctx.Env)
	if !ok {
		return nil
	}
	return &model{image: image, digest: digest,
		copyKey: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "copy image URI")),
		nextKey: key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue to the plan")),
	}
}

type model struct {
	image, digest string
	copied        bool
	done          bool
	copyKey       key.Binding
	nextKey       key.Binding
}

func (m *model) Init() tea.Cmd { return nil }

func (m *model) Update(msg tea.Msg) (screens.SectionModel, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		switch {
		case key.Matches(k, m.copyKey):
			m.copied = true
			return m, tea.SetClipboard(m.image)
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
	b.WriteString("Your image is in ECR:\n\n")
	b.WriteString("  " + bold.Render(m.image) + "\n")
	if m.digest != "" {
		b.WriteString("  " + faint.Render("digest "+m.digest) + "\n")
	}
	b.WriteString("\nThe Service section runs this image. ")
	if m.copied {
		b.WriteString("Copied the image URI to the clipboard (if your terminal allows it).")
	} else {
		b.WriteString("Press c to copy its URI, or enter to build and upload again if your app changed.")
	}
	return lipgloss.NewStyle().Width(max(width, 20)).Render(b.String())
}

func (m *model) Keys() []key.Binding { return []key.Binding{m.copyKey, m.nextKey} }

func (m *model) Done() bool { return m.done }
