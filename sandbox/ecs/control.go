package ecs

import (
	"net/url"

	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// TaskAddress is the answer of GET /_sandbox/ecs/task-address?task=ARN.
type TaskAddress struct {
	// Docker is false when tasks do not run on an engine (nothing listens).
	Docker        bool   `json:"docker"`
	Status        string `json:"status,omitempty"`
	Host          string `json:"host,omitempty"`
	Port          int    `json:"port,omitempty"`
	ContainerPort int    `json:"containerPort,omitempty"`
}

// Control answers the sandbox-only commands:
//
//	GET /_sandbox/ecs/task-address?task=ARN  where a task's container listens
func (s *Service) Control(w *world.World, action string, p url.Values) (any, error) {
	switch action {
	case "task-address":
		arn := p.Get("task")
		for _, g := range s.Regions {
			t := g.Tasks[arn]
			if t == nil {
				continue
			}
			out := TaskAddress{Docker: s.rt.enabled(), Status: t.LastStatus}
			if out.Docker && t.LastStatus == "RUNNING" {
				out.Port, out.ContainerPort = s.rt.address(arn)
				if out.Port > 0 {
					out.Host = "127.0.0.1"
				}
			}
			return out, nil
		}
		return nil, wire.Errorf(400, "InvalidParameterException", "no task %s", arn)
	}
	return nil, wire.UnknownOperation(action)
}
