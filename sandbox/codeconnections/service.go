// Package codeconnections simulates AWS CodeConnections (awsJson1_0) for
// castle's sandbox: connections to GitHub that stay PENDING until a person
// approves the GitHub app (the sandbox's "approve" control, or automatically
// a few virtual minutes after creation when auto-approve is on).
package codeconnections

import (
	"encoding/json"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// AutoApproveAfter is how long a pending connection waits before the sandbox
// approves it by itself (with auto-approve on).
const AutoApproveAfter = 3 * time.Minute

// Statuses, as AWS spells them.
const (
	Pending   = "PENDING"
	Available = "AVAILABLE"
	Error     = "ERROR"
)

// Connection is one connection.
type Connection struct {
	Name     string    `json:"name"`
	ARN      string    `json:"arn"`
	Provider string    `json:"provider"`
	Owner    string    `json:"owner"`
	Region   string    `json:"region"`
	Status   string    `json:"status"`
	Created  time.Time `json:"created"`
}

// Service is the simulated CodeConnections.
type Service struct {
	AutoApprove bool                   `json:"-"`
	Connections map[string]*Connection `json:"connections"` // by ARN
}

// New returns the simulated service.
func New(autoApprove bool) world.Service {
	return &Service{AutoApprove: autoApprove, Connections: map[string]*Connection{}}
}

// From returns the service of a world, or nil when it is not registered.
func From(w *world.World) *Service {
	s, _ := w.Service("codeconnections").(*Service)
	return s
}

func (s *Service) Name() string            { return "codeconnections" }
func (s *Service) Protocol() wire.Protocol { return wire.JSON10 }
func (s *Service) Snapshot() any           { return s }
func (s *Service) Restore(data json.RawMessage) error {
	return json.Unmarshal(data, s)
}

// Tick approves connections old enough when auto-approve is on.
func (s *Service) Tick(w *world.World) {
	if !s.AutoApprove {
		return
	}
	now := w.Now()
	for _, c := range s.Connections {
		if c.Status == Pending && !now.Before(c.Created.Add(AutoApproveAfter)) {
			c.Status = Available
		}
	}
}

// Status returns a connection's status ("" when it does not exist), for the
// pipeline's Source action.
func (s *Service) Status(arn string) string {
	if c, ok := s.Connections[arn]; ok {
		return c.Status
	}
	return ""
}

// Control: POST /_sandbox/codeconnections/approve?arn=ARN (the person
// finished the GitHub handshake), or reject?arn=ARN (ERROR).
func (s *Service) Control(w *world.World, action string, p url.Values) (any, error) {
	c, ok := s.Connections[p.Get("arn")]
	switch action {
	case "approve", "reject":
		if !ok {
			return nil, wire.NotFound("ResourceNotFoundException", "Connection %s not found", p.Get("arn"))
		}
		c.Status = Available
		if action == "reject" {
			c.Status = Error
		}
		return s.view(c), nil
	}
	return nil, wire.UnknownOperation(action)
}

func (s *Service) Handle(w *world.World, r *wire.Request) (any, error) {
	switch r.Operation {
	case "CreateConnection":
		return s.create(w, r)
	case "GetConnection":
		var in struct{ ConnectionArn string }
		if err := r.DecodeJSON(&in); err != nil {
			return nil, err
		}
		c, ok := s.Connections[in.ConnectionArn]
		if !ok || c.Owner != r.Account {
			return nil, wire.NotFound("ResourceNotFoundException", "Connection %s not found", in.ConnectionArn)
		}
		return map[string]any{"Connection": s.view(c)}, nil
	case "ListConnections":
		var in struct {
			ProviderTypeFilter string
			MaxResults         int
			NextToken          string
		}
		if err := r.DecodeJSON(&in); err != nil {
			return nil, err
		}
		list := []any{}
		for _, c := range s.sorted() {
			if c.Owner != r.Account || c.Region != r.Region {
				continue
			}
			if in.ProviderTypeFilter != "" && in.ProviderTypeFilter != c.Provider {
				continue
			}
			list = append(list, s.view(c))
		}
		return map[string]any{"Connections": list}, nil
	}
	return nil, wire.UnknownOperation(r.Operation)
}

func (s *Service) create(w *world.World, r *wire.Request) (any, error) {
	var in struct {
		ConnectionName string
		ProviderType   string
		HostArn        string
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if in.ConnectionName == "" || len(in.ConnectionName) > 32 {
		return nil, wire.Validation("1 validation error detected: Value at 'connectionName' failed to satisfy constraint: Member must have length less than or equal to 32")
	}
	if in.ProviderType == "" && in.HostArn == "" {
		return nil, wire.Validation("ProviderType or HostArn must be specified")
	}
	n := 0
	for _, c := range s.Connections {
		if c.Owner == r.Account && c.Region == r.Region {
			n++
		}
	}
	if n >= 250 {
		return nil, wire.Errorf(400, "LimitExceededException", "Exceeded the maximum number of connections in this account")
	}
	c := &Connection{
		Name: in.ConnectionName, Provider: in.ProviderType, Owner: r.Account, Region: r.Region,
		Status: Pending, Created: w.Now(),
		ARN: "arn:aws:codeconnections:" + r.Region + ":" + r.Account + ":connection/" + w.UUID(),
	}
	s.Connections[c.ARN] = c
	return map[string]any{"ConnectionArn": c.ARN}, nil
}

func (s *Service) view(c *Connection) map[string]any {
	return map[string]any{
		"ConnectionName": c.Name, "ConnectionArn": c.ARN, "ProviderType": c.Provider,
		"OwnerAccountId": c.Owner, "ConnectionStatus": c.Status,
	}
}

func (s *Service) sorted() []*Connection {
	out := make([]*Connection, 0, len(s.Connections))
	for _, c := range s.Connections {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Created.Equal(out[j].Created) {
			return out[i].Created.Before(out[j].Created)
		}
		return strings.Compare(out[i].ARN, out[j].ARN) < 0
	})
	return out
}
