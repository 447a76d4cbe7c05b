package registry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/castle-aws/castle/steps"
)

// fakeEngine answers /_ping with an API version and /build with a canned
// JSON stream, to check castle against engines this machine does not run.
func fakeEngine(t *testing.T, api, buildStream string) *steps.Env {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/_ping"):
			w.Header().Set("Api-Version", api)
			w.Header().Set("Ostype", "linux")
			w.Write([]byte("OK"))
		case strings.HasSuffix(r.URL.Path, "/build"):
			io.Copy(io.Discard, r.Body)
			if r.URL.Query().Get("platform") != "linux/arm64" {
				http.Error(w, `{"message":"wrong platform"}`, 400)
				return
			}
			w.Write([]byte(buildStream))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return &steps.Env{DockerHost: "tcp://" + srv.Listener.Addr().String()}
}

func TestOldEngineIsRefusedInWords(t *testing.T) {
	env := fakeEngine(t, "1.38", "")
	_, _, err := connect(context.Background(), env)
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "too old") {
		t.Errorf("engine API 1.38 = %v, want too old", err)
	}
}

func TestBaseImageDownloadShowsProgress(t *testing.T) {
	stream := `{"status":"Pulling from library/node","id":"20-alpine"}
{"status":"Downloading","id":"abc123","progressDetail":{"current":5000000,"total":10000000}}
{"stream":"Step 1/2 : FROM node:20-alpine\n"}
{"stream":"Step 2/2 : CMD [\"node\"]\n"}
{"aux":{"ID":"sha256:feed"}}
`
	env := fakeEngine(t, "1.41", stream)
	c, p, err := connect(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if p.APIVersion != "1.41" || c.ClientVersion() != "1.41" {
		t.Errorf("negotiated %s / %s, want 1.41", p.APIVersion, c.ClientVersion())
	}
	var evs []steps.Event
	b, err := build(context.Background(), c, folder(t, map[string]string{"Dockerfile": "FROM node:20-alpine\nCMD [\"node\"]\n"}), "linux/arm64", "x:y", "", func(ev steps.Event) { evs = append(evs, ev) })
	if err != nil || b.ID != "sha256:feed" {
		t.Fatalf("build = %+v, %v", b, err)
	}
	all := ""
	for _, ev := range evs {
		all += ev.Message + " | " + ev.Detail + "\n"
	}
	if !strings.Contains(all, "downloading the base image | 20-alpine Pulling from library/node") || !strings.Contains(all, "Building: step 2 of 2") {
		t.Errorf("events:\n%s", all)
	}
}
