// Package identitystore simulates the AWS service of that name for castle's sandbox.
package identitystore

import "github.com/castle-aws/castle/sandbox/world"

// New returns the simulated service, or nil while it is not built yet.
func New() world.Service { return nil }
