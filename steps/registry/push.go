package registry

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/dustin/go-humanize"
	"github.com/moby/moby/api/pkg/authconfig"
	"github.com/moby/moby/api/types/jsonstream"
	"github.com/moby/moby/api/types/registry"
	"github.com/moby/moby/client"

	"github.com/castle-aws/castle/steps"
)

// login is the registry login from GetAuthorizationToken. It is kept in
// memory only and never printed: String hides the password.
type login struct {
	user, password, endpoint string
}

func (l login) String() string { return "login to " + l.endpoint + " as " + l.user }

// host is the registry host without the scheme.
func (l login) host() string {
	return strings.TrimPrefix(strings.TrimPrefix(l.endpoint, "https://"), "http://")
}

// getLogin asks ECR for a registry login.
func getLogin(ctx context.Context, c *ecr.Client, env *steps.Env) (login, error) {
	out, err := c.GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
	if err != nil {
		return login{}, steps.Explain(err, env)
	}
	if len(out.AuthorizationData) == 0 {
		return login{}, &steps.UserError{Message: "ECR gave castle no registry login.", Next: "Retry in a minute."}
	}
	d := out.AuthorizationData[0]
	raw, err := base64.StdEncoding.DecodeString(aws.ToString(d.AuthorizationToken))
	user, pw, ok := strings.Cut(string(raw), ":")
	if err != nil || !ok {
		return login{}, &steps.UserError{Message: "ECR's registry login was not in the expected form.", Next: "Retry; if it persists, report it with `castle --debug`."}
	}
	return login{user: user, password: pw, endpoint: aws.ToString(d.ProxyEndpoint)}, nil
}

// check tries the login on the registry's /v2/ before a push, because the
// engine retries a refused login for about a minute before it says so.
func (l login) check(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(l.endpoint, "/")+"/v2/", nil)
	if err != nil {
		return &steps.UserError{Message: "ECR's registry address " + l.endpoint + " is not valid.", Err: err}
	}
	req.SetBasicAuth(l.user, l.password)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return &steps.UserError{Message: "castle cannot reach the registry at " + l.endpoint + ".", Next: "Check your network connection, then retry.", Err: err}
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	if res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusForbidden {
		return &steps.UserError{
			Message: "The registry " + l.host() + " refused the login ECR gave castle.",
			Next:    "Check that your identity may push to ECR in this account (ecr:GetAuthorizationToken and the push permissions), then retry.",
			Err:     fmt.Errorf("registry answered %s", res.Status),
		}
	}
	return nil
}

// auth is the X-Registry-Auth value for the engine.
func (l login) auth() (string, error) {
	return authconfig.Encode(registry.AuthConfig{Username: l.user, Password: l.password, ServerAddress: l.host()})
}

// layerState is one layer's upload.
type layerState struct {
	current, total int64
	status         string
	lastPct        float64
	lastEmit       time.Time
}

// pushTracker turns the engine's push stream into per-layer and total events.
type pushTracker struct {
	emit   func(steps.Event)
	layers map[string]*layerState
	order  []string
	start  time.Time
	last   time.Time
}

func newTracker(emit func(steps.Event)) *pushTracker {
	return &pushTracker{emit: emit, layers: map[string]*layerState{}, start: time.Now()}
}

// handle takes one message; it returns the digest when the stream names it.
func (t *pushTracker) handle(m jsonstream.Message) (digest string) {
	if m.Aux != nil {
		var aux struct{ Digest string }
		if json.Unmarshal(*m.Aux, &aux) == nil && aux.Digest != "" {
			return aux.Digest
		}
	}
	if m.ID == "" || strings.Contains(m.Status, "digest:") {
		return ""
	}
	l := t.layers[m.ID]
	if l == nil {
		l = &layerState{lastPct: -1}
		t.layers[m.ID] = l
		t.order = append(t.order, m.ID)
	}
	changed := l.status != m.Status
	l.status = m.Status
	if m.Progress != nil && m.Progress.Total > 0 {
		l.total = m.Progress.Total
		l.current = min(m.Progress.Current, m.Progress.Total) // tiny layers report more than their size
	}
	switch m.Status {
	case "Pushed", "Layer already exists", "Mounted from":
		l.current = l.total
		changed = true
	}
	pct := -1.0
	if l.total > 0 {
		pct = float64(l.current) / float64(l.total)
	}
	now := time.Now()
	if !changed && pct-l.lastPct < 0.01 && now.Sub(l.lastEmit) < 250*time.Millisecond {
		return ""
	}
	l.lastPct, l.lastEmit = pct, now
	detail := m.Status
	if l.total > 0 {
		detail = fmt.Sprintf("%s %s of %s", m.Status, humanize.Bytes(uint64(l.current)), humanize.Bytes(uint64(l.total)))
	}
	t.emit(steps.Event{Step: "push/layer:" + m.ID, Kind: steps.EventProgress, Message: "Layer " + m.ID, Percent: pct, Detail: detail})
	t.total(now, changed)
	return ""
}

// total emits the whole upload's progress, at most four times a second.
func (t *pushTracker) total(now time.Time, force bool) {
	if !force && now.Sub(t.last) < 250*time.Millisecond {
		return
	}
	t.last = now
	var cur, tot int64
	for _, l := range t.layers {
		cur += l.current
		tot += l.total
	}
	pct := -1.0
	if tot > 0 {
		pct = float64(cur) / float64(tot)
	}
	rate := ""
	if secs := now.Sub(t.start).Seconds(); secs > 0.5 {
		rate = fmt.Sprintf(", %s/s", humanize.Bytes(uint64(float64(cur)/secs)))
	}
	t.emit(steps.Event{Step: "push", Kind: steps.EventProgress, Message: "Uploading the image",
		Percent: pct, Detail: fmt.Sprintf("%d layers, %s of %s%s", len(t.layers), humanize.Bytes(uint64(cur)), humanize.Bytes(uint64(tot)), rate)})
}

// finish marks every layer done once the push succeeded.
func (t *pushTracker) finish() {
	for _, id := range t.order {
		l := t.layers[id]
		msg := "uploaded"
		if l.status == "Layer already exists" {
			msg = "already in the registry"
		} else if l.total > 0 {
			msg = "uploaded " + humanize.Bytes(uint64(l.total))
		}
		t.emit(steps.Event{Step: "push/layer:" + id, Kind: steps.EventDone, Message: msg, Percent: -1})
	}
}

// push pushes ref and returns the manifest digest.
func push(ctx context.Context, c *client.Client, ref string, l login, emit func(steps.Event)) (string, error) {
	auth, err := l.auth()
	if err != nil {
		return "", err
	}
	res, err := c.ImagePush(ctx, ref, client.ImagePushOptions{RegistryAuth: auth})
	if err != nil {
		return "", &steps.UserError{Message: "Docker refused to start the upload of " + ref + ": " + err.Error(), Next: "Retry the apply.", Err: err}
	}
	defer res.Close()
	t := newTracker(emit)
	digest := ""
	for m, err := range res.JSONMessages(ctx) {
		if err != nil {
			if ctx.Err() != nil {
				return "", ctx.Err()
			}
			return "", &steps.UserError{Message: "The upload stopped unexpectedly: " + err.Error(), Next: "Apply again: layers already uploaded are skipped.", Err: err}
		}
		if m.Error != nil {
			return "", pushFailed(ref, m.Error.Message)
		}
		if d := t.handle(m); d != "" {
			digest = d
		}
	}
	t.total(time.Now(), true)
	t.finish()
	if digest == "" {
		return "", &steps.UserError{Message: "Docker finished the upload of " + ref + " without naming its digest.", Next: "Apply again.", Err: fmt.Errorf("no digest in the push output")}
	}
	return digest, nil
}

func pushFailed(ref, why string) error {
	ue := &steps.UserError{Message: "Docker could not upload " + ref + ": " + why, Err: fmt.Errorf("push: %s", why), Next: "Apply again: layers already uploaded are skipped."}
	low := strings.ToLower(why)
	switch {
	case strings.Contains(low, "immutable") || strings.Contains(low, "tag_invalid"):
		ue.Next = "This tag is already in the repository and the repository keeps tags unchangeable. Commit your change (the tag follows the git commit) or choose another tag, then apply again."
	case strings.Contains(low, "unauthorized") || strings.Contains(low, "denied") || strings.Contains(low, "no basic auth"):
		ue.Next = "Check that your identity may push to ECR in this account, then apply again (castle fetches a fresh login each time)."
	case strings.Contains(low, "name_unknown") || strings.Contains(low, "does not exist"):
		ue.Next = "The repository is gone. Apply again and castle creates it."
	}
	return ue
}
