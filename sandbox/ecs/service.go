// Package ecs simulates the AWS service of that name for castle's sandbox.
package ecs

import "github.com/castle-aws/castle/sandbox/world"

// New returns the simulated service, or nil while it is not built yet.
func New(dockerHost string) world.Service { return nil }
