// Package castlefile reads and writes castle.yaml: a user's answers to every
// question the wizard asks, so a rerun or a teammate can replay them. Every key
// maps to one question in the wizard and back. Each section's answers live in
// their own file of this package.
package castlefile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"go.yaml.in/yaml/v3"
)

// File is the whole of castle.yaml.
type File struct {
	// Profile is the AWS profile (empty: the default credential chain).
	Profile string `yaml:"profile,omitempty"`
	// Region is the region castle works in; the landing zone's home region.
	Region string `yaml:"region,omitempty"`

	LandingZone  LandingZone `yaml:"landingZone,omitempty"`
	People       []User      `yaml:"people,omitempty"`
	Environments []Account   `yaml:"environments,omitempty"`
	Access       Access      `yaml:"access,omitempty"`
	Workload     Workload    `yaml:"workload,omitempty"`
	Registry     Registry    `yaml:"registry,omitempty"`
	Network      Network     `yaml:"network,omitempty"`
	Service      Service     `yaml:"service,omitempty"`
	Pipeline     Pipeline    `yaml:"pipeline,omitempty"`
}

// Load reads a castle.yaml. Unknown keys are an error, so a typo is caught
// instead of silently ignored.
func Load(path string) (*File, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// Parse decodes castle.yaml content.
func Parse(data []byte) (*File, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if err.Error() == "EOF" {
			return &f, nil
		}
		return nil, fmt.Errorf("castle.yaml: %w", err)
	}
	return &f, nil
}

// Clone returns a deep copy (nil for nil).
func (f *File) Clone() *File {
	if f == nil {
		return nil
	}
	data, err := json.Marshal(f)
	if err != nil {
		panic("castlefile: " + err.Error()) // plain data: cannot fail
	}
	var c File
	if err := json.Unmarshal(data, &c); err != nil {
		panic("castlefile: " + err.Error())
	}
	return &c
}

// Marshal encodes the answers as YAML.
func (f *File) Marshal() ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Save writes the answers to path (0600: emails are personal data).
func (f *File) Save(path string) error {
	data, err := f.Marshal()
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o600)
}
