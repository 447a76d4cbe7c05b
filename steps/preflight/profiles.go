package preflight

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Profile is one way to sign in: a profile in the user's AWS files, or the
// default credential chain (Name "").
type Profile struct {
	Name   string
	SSO    bool   // signs in through IAM Identity Center (aws sso login)
	Region string // the profile's configured region
}

// Label is how the profile is shown in a list.
func (p Profile) Label() string {
	if p.Name == "" {
		return "default credential chain (environment, default profile, instance role)"
	}
	l := p.Name
	if p.SSO {
		l += " (SSO)"
	}
	if p.Region != "" {
		l += " · " + p.Region
	}
	return l
}

// ListProfiles reads the profiles from the user's AWS config and credentials
// files (AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE are honoured), SSO
// profiles included. The default credential chain comes first. Missing files
// are not an error: a fresh machine has none.
func ListProfiles() ([]Profile, error) {
	home, _ := os.UserHomeDir()
	configPath := os.Getenv("AWS_CONFIG_FILE")
	if configPath == "" {
		configPath = filepath.Join(home, ".aws", "config")
	}
	credPath := os.Getenv("AWS_SHARED_CREDENTIALS_FILE")
	if credPath == "" {
		credPath = filepath.Join(home, ".aws", "credentials")
	}
	byName := map[string]*Profile{}
	if err := readINI(configPath, func(section, key, value string) {
		name, ok := configProfileName(section)
		if !ok {
			return
		}
		p := ensure(byName, name)
		switch key {
		case "sso_session", "sso_start_url":
			p.SSO = true
		case "region":
			p.Region = value
		}
	}); err != nil {
		return nil, err
	}
	if err := readINI(credPath, func(section, key, value string) {
		ensure(byName, section)
	}); err != nil {
		return nil, err
	}
	out := []Profile{{Name: "", Region: os.Getenv("AWS_REGION")}}
	if d, ok := byName["default"]; ok && out[0].Region == "" {
		out[0].Region = d.Region
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		out = append(out, *byName[n])
	}
	return out, nil
}

func ensure(m map[string]*Profile, name string) *Profile {
	p, ok := m[name]
	if !ok {
		p = &Profile{Name: name}
		m[name] = p
	}
	return p
}

// configProfileName maps a config-file section to a profile name:
// "default" and "profile NAME" are profiles; "sso-session X" and others are not.
func configProfileName(section string) (string, bool) {
	if section == "default" {
		return "default", true
	}
	if name, ok := strings.CutPrefix(section, "profile "); ok {
		return strings.TrimSpace(name), true
	}
	return "", false
}

// readINI calls fn for every key of every section; a missing file is empty.
// Sections with no keys still call fn once with an empty key.
func readINI(path string, fn func(section, key, value string)) error {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	section := ""
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' && strings.HasSuffix(line, "]") {
			section = strings.TrimSpace(line[1 : len(line)-1])
			fn(section, "", "")
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok && section != "" {
			fn(section, strings.TrimSpace(k), strings.TrimSpace(v))
		}
	}
	return sc.Err()
}
