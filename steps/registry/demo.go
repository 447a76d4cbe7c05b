package registry

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"github.com/castle-aws/castle/assets"
)

const demoRoot = "registry/demo"

// demoName maps an embedded name to the file written (embed skips dot files).
func demoName(name string) string {
	if name == "dockerignore" {
		return ".dockerignore"
	}
	return name
}

// writeDemo writes castle's demo app into dir (created if needed). Files that
// already hold the same content are left alone.
func writeDemo(dir string) (written []string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	entries, err := fs.ReadDir(assets.FS(), demoRoot)
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data := assets.MustRead(path.Join(demoRoot, e.Name()))
		target := filepath.Join(dir, demoName(e.Name()))
		if old, err := os.ReadFile(target); err == nil && bytes.Equal(old, data) {
			continue
		}
		if err := os.WriteFile(target, data, 0o644); err != nil {
			return written, err
		}
		written = append(written, target)
	}
	return written, nil
}

// isDemo reports whether dir holds castle's demo app (its Dockerfile and app).
func isDemo(dir string) bool {
	for _, name := range []string{"Dockerfile", "app.js"} {
		have, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(have, assets.MustRead(path.Join(demoRoot, name))) {
			return false
		}
	}
	return true
}

// demoHash is a short hash of the demo app's files.
func demoHash() string {
	h := sha256.New()
	entries, _ := fs.ReadDir(assets.FS(), demoRoot)
	for _, e := range entries {
		h.Write([]byte(e.Name()))
		h.Write(assets.MustRead(path.Join(demoRoot, e.Name())))
	}
	return hex.EncodeToString(h.Sum(nil))[:7]
}
