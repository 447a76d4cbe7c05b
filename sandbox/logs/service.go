// Package logs simulates Amazon CloudWatch Logs (awsJson1_1, target
// Logs_20140328) for castle's sandbox: log groups and their retention.
package logs

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// Group is a log group.
type Group struct {
	Name      string    `json:"name"`
	Created   time.Time `json:"created"`
	Retention int       `json:"retention,omitempty"`
}

// Service is the simulated CloudWatch Logs.
type Service struct {
	Groups map[string]map[string]*Group `json:"groups"` // "account/region" → name → group
}

// New returns the simulated CloudWatch Logs.
func New() *Service { return &Service{Groups: map[string]map[string]*Group{}} }

func (s *Service) Name() string            { return "logs" }
func (s *Service) Protocol() wire.Protocol { return wire.JSON11 }
func (s *Service) Snapshot() any           { return s }
func (s *Service) Restore(data json.RawMessage) error {
	if err := json.Unmarshal(data, s); err != nil {
		return err
	}
	if s.Groups == nil {
		s.Groups = map[string]map[string]*Group{}
	}
	return nil
}

// From returns the service of a world, or nil when it is not registered.
func From(w *world.World) *Service {
	s, _ := w.Service("logs").(*Service)
	return s
}

func (s *Service) region(account, region string) map[string]*Group {
	k := account + "/" + region
	if s.Groups[k] == nil {
		s.Groups[k] = map[string]*Group{}
	}
	return s.Groups[k]
}

// HasGroup reports whether a log group exists (ECS's awslogs driver checks).
func (s *Service) HasGroup(account, region, name string) bool {
	_, ok := s.region(account, region)[name]
	return ok
}

var retentions = map[int]bool{1: true, 3: true, 5: true, 7: true, 14: true, 30: true, 60: true, 90: true, 120: true, 150: true, 180: true, 365: true, 400: true, 545: true, 731: true, 1096: true, 1827: true, 2192: true, 2557: true, 2922: true, 3288: true, 3653: true}

func (s *Service) Handle(w *world.World, r *wire.Request) (any, error) {
	var in struct {
		LogGroupName       string `json:"logGroupName"`
		LogGroupNamePrefix string `json:"logGroupNamePrefix"`
		RetentionInDays    int    `json:"retentionInDays"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	groups := s.region(r.Account, r.Region)
	arn := func(name string) string {
		return "arn:aws:logs:" + r.Region + ":" + r.Account + ":log-group:" + name
	}
	switch r.Operation {
	case "CreateLogGroup":
		if in.LogGroupName == "" || len(in.LogGroupName) > 512 {
			return nil, wire.Errorf(400, "InvalidParameterException", "1 validation error detected: Value at 'logGroupName' failed to satisfy constraint: Member must have length between 1 and 512")
		}
		if _, ok := groups[in.LogGroupName]; ok {
			return nil, wire.Errorf(400, "ResourceAlreadyExistsException", "The specified log group already exists")
		}
		groups[in.LogGroupName] = &Group{Name: in.LogGroupName, Created: w.Now()}
		return nil, nil
	case "PutRetentionPolicy":
		g, ok := groups[in.LogGroupName]
		if !ok {
			return nil, wire.Errorf(400, "ResourceNotFoundException", "The specified log group does not exist.")
		}
		if !retentions[in.RetentionInDays] {
			return nil, wire.Errorf(400, "InvalidParameterException", "1 validation error detected: Value '%d' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set", in.RetentionInDays)
		}
		g.Retention = in.RetentionInDays
		return nil, nil
	case "DescribeLogGroups":
		type out struct {
			LogGroupName    string `json:"logGroupName"`
			Arn             string `json:"arn"`
			LogGroupArn     string `json:"logGroupArn"`
			CreationTime    int64  `json:"creationTime"`
			RetentionInDays *int   `json:"retentionInDays,omitempty"`
			StoredBytes     int64  `json:"storedBytes"`
			LogGroupClass   string `json:"logGroupClass"`
		}
		names := make([]string, 0, len(groups))
		for n := range groups {
			if strings.HasPrefix(n, in.LogGroupNamePrefix) {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		list := []out{}
		for _, n := range names {
			g := groups[n]
			o := out{LogGroupName: n, Arn: arn(n) + ":*", LogGroupArn: arn(n), CreationTime: g.Created.UnixMilli(), LogGroupClass: "STANDARD"}
			if g.Retention > 0 {
				days := g.Retention
				o.RetentionInDays = &days
			}
			list = append(list, o)
		}
		return map[string]any{"logGroups": list}, nil
	}
	return nil, wire.Errorf(400, "UnknownOperationException", "The sandbox does not implement %s", r.Operation)
}
