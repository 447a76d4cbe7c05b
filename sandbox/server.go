package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// handler routes AWS requests to services by the service name in the SigV4
// credential scope, the way AWS's own front doors do by host name.
type handler struct {
	w      *world.World
	faults Faults
	mu     sync.Mutex // guards rnd
	rnd    *rand.Rand
	seq    uint64
}

func (h *handler) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	if strings.HasPrefix(req.URL.Path, "/_sandbox/") && req.Header.Get("Authorization") == "" {
		h.control(rw, req)
		return
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		plainError(rw, "IncompleteBody", "the sandbox could not read the request body: "+err.Error())
		return
	}
	r := &wire.Request{HTTP: req, Body: body, RequestID: h.requestID()}
	keyID, region, service := credentialScope(req)
	r.AccessKeyID, r.Region, r.Service = keyID, region, service
	svc := h.w.Service(service)
	if svc == nil {
		plainError(rw, "UnknownService", fmt.Sprintf("the castle sandbox does not simulate the %q service (%s %s, key %q)", service, req.Method, req.URL.Path, keyID))
		return
	}
	proto := svc.Protocol()
	xmlns := ""
	if n, ok := svc.(world.XMLNamespaced); ok {
		xmlns = n.XMLNamespace()
	}
	fail := func(e error) { wire.WriteError(rw, proto, r, xmlns, e) }

	switch proto {
	case wire.JSON10, wire.JSON11:
		target := req.Header.Get("X-Amz-Target")
		r.Operation = target[strings.LastIndexByte(target, '.')+1:]
	case wire.Query, wire.EC2Query:
		form, err := url.ParseQuery(string(body))
		if err != nil {
			fail(wire.Errorf(400, "MalformedQueryString", "%v", err))
			return
		}
		r.Form = form
		r.Operation = form.Get("Action")
	case wire.RestJSON, wire.RestXML:
		router, ok := svc.(wire.RestRouter)
		if !ok {
			fail(wire.UnknownOperation(req.Method + " " + req.URL.Path))
			return
		}
		op, params, ok := router.Route(req)
		if !ok {
			fail(wire.UnknownOperation(req.Method + " " + req.URL.Path))
			return
		}
		r.Operation, r.PathParams = op, params
	}

	if e := h.injectFault(svc); e != nil {
		fail(e)
		return
	}

	h.w.Lock()
	defer h.w.Unlock()
	key, ok := h.w.Keys[keyID]
	if !ok {
		fail(authError(proto, false))
		return
	}
	if !key.Expires.IsZero() && h.w.Now().After(key.Expires) {
		fail(authError(proto, true))
		return
	}
	r.Account, r.Principal = key.Account, key.ARN
	for _, s := range h.w.Services() {
		if t, ok := s.(world.Ticker); ok {
			t.Tick(h.w)
		}
	}
	result, err := svc.Handle(h.w, r)
	if serr := h.w.Save(); serr != nil && err == nil {
		err = &wire.Error{Status: 500, Code: "InternalFailure", Message: "the sandbox could not save its state: " + serr.Error(), Server: true}
	}
	if err != nil {
		fail(err)
		return
	}
	wire.WriteResult(rw, proto, r, xmlns, result)
}

// plainError answers a request the sandbox cannot route to a service. The
// error code travels in the header every JSON protocol reads first, and the
// body is JSON, so the SDK reports the sandbox's words instead of "Bad Request".
func plainError(rw http.ResponseWriter, code, msg string) {
	rw.Header().Set("X-Amzn-ErrorType", code)
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(400)
	json.NewEncoder(rw).Encode(map[string]string{"__type": code, "message": msg})
}

func (h *handler) requestID() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	return fmt.Sprintf("sandbox-%08x-%04x", h.rnd.Uint32(), h.seq&0xffff)
}

// credentialScope reads "Credential=AKID/20261204/us-east-1/sts/aws4_request"
// from the Authorization header (or X-Amz-Credential of a presigned URL).
func credentialScope(req *http.Request) (keyID, region, service string) {
	cred := ""
	auth := req.Header.Get("Authorization")
	if i := strings.Index(auth, "Credential="); i >= 0 {
		cred = auth[i+len("Credential="):]
		if j := strings.IndexAny(cred, ", "); j >= 0 {
			cred = cred[:j]
		}
	} else {
		cred = req.URL.Query().Get("X-Amz-Credential")
	}
	parts := strings.Split(cred, "/")
	if len(parts) < 5 {
		return "", "", ""
	}
	return parts[0], parts[2], parts[3]
}

func authError(p wire.Protocol, expired bool) *wire.Error {
	switch {
	case expired && (p == wire.Query || p == wire.EC2Query):
		return wire.Errorf(403, "ExpiredToken", "The security token included in the request is expired")
	case expired && p == wire.RestXML:
		return wire.Errorf(400, "ExpiredToken", "The provided token has expired.")
	case expired:
		return wire.Errorf(403, "ExpiredTokenException", "The security token included in the request is expired")
	case p == wire.Query:
		return wire.Errorf(403, "InvalidClientTokenId", "The security token included in the request is invalid.")
	case p == wire.EC2Query:
		return wire.Errorf(401, "AuthFailure", "AWS was not able to validate the provided access credentials")
	case p == wire.RestXML:
		return wire.Errorf(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
	}
	return wire.Errorf(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
}

// control answers the sandbox's own endpoints (no AWS signature):
//
//	GET  /_sandbox/clock               {"now": ..., "speed": ...}
//	POST /_sandbox/advance?by=1h       moves the virtual clock
//	POST /_sandbox/<service>/<action>  a service's Controller
func (h *handler) control(rw http.ResponseWriter, req *http.Request) {
	path := strings.Trim(strings.TrimPrefix(req.URL.Path, "/_sandbox/"), "/")
	reply := func(v any, err error) {
		rw.Header().Set("Content-Type", "application/json")
		if err != nil {
			rw.WriteHeader(400)
			json.NewEncoder(rw).Encode(map[string]string{"error": err.Error()})
			return
		}
		json.NewEncoder(rw).Encode(v)
	}
	switch {
	case path == "clock":
		reply(ClockInfo{Now: h.w.Clock.Now(), Speed: h.w.Clock.Speed()}, nil)
	case path == "advance":
		d, err := time.ParseDuration(req.URL.Query().Get("by"))
		if err != nil {
			reply(nil, fmt.Errorf("advance needs ?by=DURATION: %w", err))
			return
		}
		h.w.Clock.Advance(d)
		reply(ClockInfo{Now: h.w.Clock.Now(), Speed: h.w.Clock.Speed()}, nil)
	default:
		name, action, _ := strings.Cut(path, "/")
		c, ok := h.w.Service(name).(world.Controller)
		if !ok {
			reply(nil, fmt.Errorf("no sandbox control %q", path))
			return
		}
		req.ParseForm()
		h.w.Lock()
		defer h.w.Unlock()
		v, err := c.Control(h.w, action, req.Form)
		if err == nil {
			err = h.w.Save()
		}
		reply(v, err)
	}
}

// ClockInfo is the answer of GET /_sandbox/clock.
type ClockInfo struct {
	Now   time.Time `json:"now"`
	Speed float64   `json:"speed"`
}
