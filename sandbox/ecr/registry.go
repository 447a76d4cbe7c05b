package ecr

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"

	ggcr "github.com/google/go-containerregistry/pkg/registry"

	"github.com/castle-aws/castle/sandbox/world"
)

// SideHandler is the registry: go-containerregistry's handler behind ECR's
// basic auth and per-account namespaces (see the package comment).
func (s *Service) SideHandler(w *world.World) http.Handler {
	blobs := ggcr.NewInMemoryBlobHandler()
	if dir := w.Dir(); dir != "" {
		dir = filepath.Join(dir, "ecr-blobs")
		if err := os.MkdirAll(dir, 0o700); err == nil {
			blobs = ggcr.NewDiskBlobHandler(dir)
		}
	}
	w.Lock()
	defer w.Unlock()
	s.reg = ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0)), ggcr.WithBlobHandler(blobs))
	// Manifests live in the registry's memory: put back what was pushed.
	for k, repo := range s.Repos {
		for _, img := range repo.sortedImages() {
			s.putManifest(k, img.Digest, img)
			for _, t := range img.Tags {
				s.putManifest(k, t, img)
			}
		}
	}
	return http.HandlerFunc(func(rw http.ResponseWriter, req *http.Request) {
		// A bug here must not print a stack trace over the wizard's screen.
		defer func() {
			if v := recover(); v != nil {
				regError(rw, http.StatusInternalServerError, "INTERNAL_ERROR", fmt.Sprintf("the sandbox registry failed: %v", v))
			}
		}()
		s.serve(w, rw, req)
	})
}

// putManifest stores a manifest in the inner registry (world locked).
func (s *Service) putManifest(ns, ref string, img *Image) int {
	req := httptest.NewRequest(http.MethodPut, "/v2/"+ns+"/manifests/"+ref, bytes.NewReader(img.Manifest))
	req.Header.Set("Content-Type", img.MediaType)
	rec := httptest.NewRecorder()
	s.reg.ServeHTTP(rec, req)
	return rec.Code
}

func regError(rw http.ResponseWriter, status int, code, msg string) {
	body, _ := json.Marshal(map[string]any{"errors": []map[string]string{{"code": code, "message": msg}}})
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	rw.Write(body)
}

func challenge(rw http.ResponseWriter, msg string) {
	rw.Header().Set("WWW-Authenticate", `Basic realm="castle sandbox ECR"`)
	regError(rw, http.StatusUnauthorized, "DENIED", msg)
}

func (s *Service) serve(w *world.World, rw http.ResponseWriter, req *http.Request) {
	user, pw, ok := req.BasicAuth()
	if !ok {
		challenge(rw, "Not Authorized")
		return
	}
	w.Lock()
	tok, known := s.tokens[pw]
	expired := known && w.Now().After(tok.expires)
	w.Unlock()
	switch {
	case user != "AWS" || !known:
		challenge(rw, "Not Authorized")
		return
	case expired:
		challenge(rw, "Your authorization token has expired. Reauthenticate and try again.")
		return
	}
	p := req.URL.Path
	if p == "/v2" || p == "/v2/" {
		rw.Header().Set("Docker-Distribution-API-Version", "registry/2.0")
		rw.WriteHeader(http.StatusOK)
		rw.Write([]byte("{}"))
		return
	}
	name, rest, ok := splitPath(p)
	if !ok {
		regError(rw, http.StatusNotFound, "UNSUPPORTED", "The operation is unsupported.")
		return
	}
	w.Lock()
	repo := s.repoFor(tok.account, tok.region, name)
	var ns, mutability string
	if repo != nil {
		ns, mutability = key(repo.Account, repo.Region, repo.Name), repo.Mutability
	}
	w.Unlock()
	if repo == nil {
		regError(rw, http.StatusNotFound, "NAME_UNKNOWN", fmt.Sprintf("The repository with name '%s' does not exist in the registry with id '%s'", name, tok.account))
		return
	}
	req.URL.Path, req.URL.RawPath = "/v2/"+ns+rest, ""
	out := &locationRewriter{ResponseWriter: rw, from: "/v2/" + ns + "/", to: "/v2/" + name + "/"}
	if req.Method == http.MethodPut && strings.HasPrefix(rest, "/manifests/") {
		s.pushManifest(w, out, req, ns, strings.TrimPrefix(rest, "/manifests/"), mutability)
		return
	}
	s.reg.ServeHTTP(out, req)
}

// splitPath cuts /v2/<name>/<manifests|blobs|tags>/... into name and the rest.
func splitPath(p string) (name, rest string, ok bool) {
	if !strings.HasPrefix(p, "/v2/") {
		return "", "", false
	}
	p = strings.TrimPrefix(p, "/v2/")
	best := -1
	for _, seg := range []string{"/manifests/", "/blobs/", "/tags/"} {
		if i := strings.LastIndex(p, seg); i > best {
			best = i
		}
	}
	if best <= 0 {
		return "", "", false
	}
	return p[:best], p[best:], true
}

// pushManifest records a pushed manifest for DescribeImages, after checking
// tag immutability.
func (s *Service) pushManifest(w *world.World, rw http.ResponseWriter, req *http.Request, ns, ref, mutability string) {
	body, err := io.ReadAll(io.LimitReader(req.Body, 4<<20))
	if err != nil {
		regError(rw, http.StatusBadRequest, "MANIFEST_INVALID", err.Error())
		return
	}
	sum := sha256.Sum256(body)
	digest := "sha256:" + hex.EncodeToString(sum[:])
	isTag := !strings.HasPrefix(ref, "sha256:")
	w.Lock()
	defer w.Unlock()
	repo := s.Repos[ns]
	if repo == nil {
		regError(rw, http.StatusNotFound, "NAME_UNKNOWN", "The repository was deleted.")
		return
	}
	if isTag && mutability == "IMMUTABLE" {
		if old := repo.find(ref); old != nil && old.Digest != digest {
			regError(rw, http.StatusBadRequest, "TAG_INVALID", fmt.Sprintf("The image tag '%s' already exists in the '%s' repository and cannot be overwritten because the repository is immutable.", ref, repo.Name))
			return
		}
	}
	img := &Image{Digest: digest, MediaType: req.Header.Get("Content-Type"), Manifest: body, Size: manifestSize(body), PushedAt: w.Now()}
	if code := s.putManifest(ns, ref, img); code != http.StatusCreated {
		regError(rw, code, "MANIFEST_INVALID", "The manifest was refused.")
		return
	}
	if isTag {
		s.tag(repo, img, ref)
	} else if repo.Images[digest] == nil {
		if repo.Images == nil {
			repo.Images = map[string]*Image{}
		}
		repo.Images[digest] = img
	}
	w.Save()
	rw.Header().Set("Docker-Content-Digest", digest)
	rw.Header().Set("Location", "/v2/"+repo.Name+"/manifests/"+digest)
	rw.WriteHeader(http.StatusCreated)
}

// tag points tag at img (adding img if new), taking it off any other image.
func (s *Service) tag(repo *Repository, img *Image, tag string) {
	if repo.Images == nil {
		repo.Images = map[string]*Image{}
	}
	for _, other := range repo.Images {
		for i, t := range other.Tags {
			if t == tag && other.Digest != img.Digest {
				other.Tags = append(other.Tags[:i:i], other.Tags[i+1:]...)
				break
			}
		}
	}
	cur := repo.Images[img.Digest]
	if cur == nil {
		cur = img
		repo.Images[img.Digest] = img
	} else {
		cur.PushedAt = img.PushedAt
	}
	for _, t := range cur.Tags {
		if t == tag {
			return
		}
	}
	cur.Tags = append(cur.Tags, tag)
}

// manifestSize is what ECR reports as the image size: config and layers.
func manifestSize(body []byte) int64 {
	var m struct {
		Config struct {
			Size int64 `json:"size"`
		} `json:"config"`
		Layers []struct {
			Size int64 `json:"size"`
		} `json:"layers"`
		Manifests []struct {
			Size int64 `json:"size"`
		} `json:"manifests"`
	}
	if json.Unmarshal(body, &m) != nil {
		return int64(len(body))
	}
	n := m.Config.Size
	for _, l := range m.Layers {
		n += l.Size
	}
	for _, l := range m.Manifests {
		n += l.Size
	}
	return n
}

// TagImage points toTag at the image fromRef (a tag or digest) names, as a
// push of the same manifest under a new tag would (the simulated CodeBuild).
// Call it with the world locked.
func (s *Service) TagImage(w *world.World, account, region, repo, fromRef, toTag string) error {
	k := key(account, region, repo)
	r := s.Repos[k]
	if r == nil {
		return fmt.Errorf("ecr: no repository %s in %s/%s", repo, account, region)
	}
	img := r.find(fromRef)
	if img == nil {
		return fmt.Errorf("ecr: no image %s in repository %s", fromRef, repo)
	}
	if r.Mutability == "IMMUTABLE" {
		if old := r.find(toTag); old != nil && old.Digest != img.Digest {
			return fmt.Errorf("ecr: tag %s already exists in the immutable repository %s", toTag, repo)
		}
	}
	if s.reg != nil {
		if code := s.putManifest(k, toTag, img); code != http.StatusCreated {
			return fmt.Errorf("ecr: the registry refused the manifest (%d)", code)
		}
	}
	s.tag(r, img, toTag)
	return nil
}

// locationRewriter turns the registry's internal upload locations back into
// the names the client used.
type locationRewriter struct {
	http.ResponseWriter
	from, to string
}

func (l *locationRewriter) WriteHeader(code int) {
	if loc := l.Header().Get("Location"); strings.HasPrefix(loc, l.from) {
		l.Header().Set("Location", l.to+strings.TrimPrefix(loc, l.from))
	}
	l.ResponseWriter.WriteHeader(code)
}

func (l *locationRewriter) Write(b []byte) (int, error) {
	return l.ResponseWriter.Write(b)
}
