// Package assets holds the files castle embeds: policy documents, the
// buildspec, the demo app and the cost tables, one folder per section.
package assets

import (
	"embed"
	"io/fs"
)

//go:embed landingzone people environments access registry network service pipeline example
var files embed.FS

// FS returns the embedded files, rooted at this folder ("registry/demo/app.js").
func FS() fs.FS { return files }

// Read returns one embedded file, e.g. Read("service/costs.yaml").
func Read(name string) ([]byte, error) { return files.ReadFile(name) }

// MustRead is Read for files that are part of the build: a missing one is a
// programming error caught by any test.
func MustRead(name string) []byte {
	b, err := files.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return b
}
