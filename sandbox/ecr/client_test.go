package ecr_test

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// A minimal registry client for the tests (go-containerregistry's remote
// needs modules castle does not carry): enough to push and read an image.

type testImage struct {
	config, layer, manifest []byte
}

func digestOf(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

func (i testImage) Digest() string { return digestOf(i.manifest) }

// randomImage makes an image with one random layer of n bytes.
func randomImage(n int) testImage {
	layer := make([]byte, n)
	rand.Read(layer)
	config := []byte(fmt.Sprintf(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["%s"]}}`, digestOf(layer)))
	m, _ := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     "application/vnd.docker.distribution.manifest.v2+json",
		"config":        map[string]any{"mediaType": "application/vnd.docker.container.image.v1+json", "size": len(config), "digest": digestOf(config)},
		"layers":        []map[string]any{{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": n, "digest": digestOf(layer)}},
	})
	return testImage{config: config, layer: layer, manifest: m}
}

type regError struct {
	status int
	body   string
}

func (e *regError) Error() string { return fmt.Sprintf("registry answered %d: %s", e.status, e.body) }

func call(method, url, pw string, body []byte, ctype string) (*http.Response, []byte, error) {
	req, _ := http.NewRequest(method, url, bytes.NewReader(body))
	if pw != "" {
		req.SetBasicAuth("AWS", pw)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		return res, b, &regError{res.StatusCode, string(b)}
	}
	return res, b, nil
}

// push uploads the blobs (monolithic POST+PUT) and the manifest to host/repo:tag.
func push(t *testing.T, ref, pw string, img testImage) error {
	t.Helper()
	host, rest, _ := strings.Cut(ref, "/")
	repo, tag, _ := strings.Cut(rest, ":")
	for _, blob := range [][]byte{img.config, img.layer} {
		res, _, err := call("POST", "http://"+host+"/v2/"+repo+"/blobs/uploads/", pw, nil, "")
		if err != nil {
			return err
		}
		loc := res.Header.Get("Location")
		if !strings.HasPrefix(loc, "/v2/"+repo+"/") {
			t.Errorf("upload location %q does not name the repository the client used", loc)
		}
		sep := "?"
		if strings.Contains(loc, "?") {
			sep = "&"
		}
		if _, _, err := call("PUT", "http://"+host+loc+sep+"digest="+digestOf(blob), pw, blob, "application/octet-stream"); err != nil {
			return err
		}
	}
	_, _, err := call("PUT", "http://"+host+"/v2/"+repo+"/manifests/"+tag, pw, img.manifest, "application/vnd.docker.distribution.manifest.v2+json")
	return err
}

// manifest reads a manifest back and returns its digest.
func manifest(ref, pw string) (string, error) {
	host, rest, _ := strings.Cut(ref, "/")
	i := strings.LastIndex(rest, ":")
	_, b, err := call("GET", "http://"+host+"/v2/"+rest[:i]+"/manifests/"+rest[i+1:], pw, nil, "")
	if err != nil {
		return "", err
	}
	return digestOf(b), nil
}

// blob reads a blob back.
func blob(ref, pw, digest string) ([]byte, error) {
	host, rest, _ := strings.Cut(ref, "/")
	repo, _, _ := strings.Cut(rest, ":")
	_, b, err := call("GET", "http://"+host+"/v2/"+repo+"/blobs/"+digest, pw, nil, "")
	return b, err
}
