// Package landingzone is the Landing zone section: an organization with all
// features, the Security and Sandbox OUs, the roles Control Tower needs, the
// Log Archive and Audit accounts, and a Control Tower landing zone (about an
// hour of AWS work that castle follows, and picks up again after any exit),
// then the Sandbox OU registered so new accounts can be placed there.
package landingzone

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/castle-aws/castle/assets"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

type section struct{}

// New returns the Landing zone section.
func New() steps.Section { return section{} }

func (section) ID() steps.SectionID { return steps.LandingZone }
func (section) Title() string       { return "Landing zone" }
func (section) About() string {
	return "Turn your account into the top of an organization that AWS Control Tower governs: " +
		"two shared accounts keep the logs and the security tools, guardrails apply everywhere, " +
		"and new accounts for your projects go into a Sandbox group. AWS needs about an hour for it; you can leave and come back."
}
func (section) Cost() string { return costLine(loadCosts()) }

// Section name in the journal.
const sec = string(steps.LandingZone)

// Names of the shared accounts.
const (
	LogArchiveName = "Log Archive"
	AuditName      = "Audit"
)

// Expected durations.
const (
	AccountExpected     = 4 * time.Minute
	LandingZoneExpected = 60 * time.Minute
	BaselineExpected    = 5 * time.Minute
)

// Journal keys of operations.
const (
	opLog         = "account:log-archive"
	opAudit       = "account:audit"
	opLandingZone = "landing-zone"
	opRegister    = "register-sandbox"
)

// Action keys of the long steps (also the Key of their steps.Operation).
const (
	stepLandingZone = "create-landing-zone"
	stepRegister    = "register-sandbox"
)

// ConfirmWord must be typed before Apply: the section changes the whole organization.
const ConfirmWord = "organization"

type versions struct {
	LandingZone string            `json:"landingZone"`
	Baseline    map[string]string `json:"baselineForLandingZone"`
}

func loadVersions() versions {
	var v versions
	if err := json.Unmarshal(assets.MustRead("landingzone/versions.json"), &v); err != nil {
		panic(err)
	}
	return v
}

// Version is the landing-zone version castle asks for: castle.yaml's, or the
// newest castle knows.
func Version(a castlefile.LandingZone) string {
	if a.Version != "" {
		return a.Version
	}
	return loadVersions().LandingZone
}

// baselineVersion is the AWSControlTowerBaseline version for a landing-zone version.
func baselineVersion(lz string) string {
	v := loadVersions()
	if b, ok := v.Baseline[lz]; ok {
		return b
	}
	return v.Baseline[v.LandingZone]
}

type costs struct {
	Source string `json:"source"`
	Items  []struct {
		Name string  `json:"name"`
		Low  float64 `json:"low"`
		High float64 `json:"high"`
	} `json:"items"`
}

func loadCosts() costs {
	var c costs
	if err := json.Unmarshal(assets.MustRead("landingzone/costs.json"), &c); err != nil {
		panic(err)
	}
	return c
}

func costLine(c costs) string {
	lo, hi := 0.0, 0.0
	for _, it := range c.Items {
		lo += it.Low
		hi += it.High
	}
	return rangeWords(lo, hi) + " (Config, CloudTrail, S3 logs)"
}

// rangeWords is a monthly cost range the way every section says it: "free",
// "about $3 a month" or "about $2 to $15 a month".
func rangeWords(lo, hi float64) string {
	switch {
	case hi < 0.5:
		return "free"
	case fmt.Sprintf("%.0f", lo) == fmt.Sprintf("%.0f", hi):
		return fmt.Sprintf("about $%.0f a month", hi)
	case fmt.Sprintf("%.0f", lo) == "0":
		return fmt.Sprintf("up to about $%.0f a month", hi)
	}
	return fmt.Sprintf("about $%.0f to $%.0f a month", lo, hi)
}

// fillDefaults applies the defaults of empty answers, writing them back.
func fillDefaults(env *steps.Env) *castlefile.LandingZone {
	a := &env.Answers.LandingZone
	applyDefaults(a, env.Answers.Region, env.Region)
	return a
}

func applyDefaults(a *castlefile.LandingZone, regions ...string) {
	for _, r := range regions {
		if a.HomeRegion == "" {
			a.HomeRegion = r
		}
	}
	if a.SecurityOU == "" {
		a.SecurityOU = "Security"
	}
	if a.SandboxOU == "" {
		a.SandboxOU = "Sandbox"
	}
	// The home region is always governed.
	if a.HomeRegion != "" && !slices.Contains(a.GovernedRegions, a.HomeRegion) {
		a.GovernedRegions = append([]string{a.HomeRegion}, a.GovernedRegions...)
	}
}

func event(env *steps.Env, step string, kind steps.EventKind, msg string) steps.Event {
	return steps.Event{Time: env.Now(), Section: steps.LandingZone, Step: step, Kind: kind, Message: msg, Percent: -1}
}
