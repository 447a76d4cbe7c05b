// Package sctest sets up, directly in a sandbox's world, what the Landing
// zone and People sections would have made, so Account Factory tests start
// from an active landing zone without waiting an hour of virtual time.
package sctest

import (
	"testing"

	"github.com/castle-aws/castle/sandbox/controltower"
	"github.com/castle-aws/castle/sandbox/organizations"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/servicecatalog"
	"github.com/castle-aws/castle/sandbox/ssoadmin"
	"github.com/castle-aws/castle/sandbox/world"
)

// LandingZone is what the fixture made.
type LandingZone struct {
	OrgID, RootID string
	// OUs by name: Security and Sandbox are registered, Workloads is not.
	OUs     map[string]string
	Product *servicecatalog.Product
	StoreID string
}

// Setup makes an organization with OUs Security, Sandbox (both registered
// with Control Tower) and Workloads (not registered), an ACTIVE landing
// zone in sandboxtest.Region, Identity Center, and the Account Factory
// product. It is idempotent for a sandbox restarted on the same StateDir.
func Setup(t testing.TB, sb *sandboxtest.Sandbox) LandingZone {
	t.Helper()
	w := sb.World
	w.Lock()
	defer w.Unlock()
	org := organizations.From(w)
	ct := controltower.From(w)
	if org == nil || ct == nil {
		t.Fatal("sctest: organizations and controltower must be simulated")
	}
	mgmt := world.ManagementAccount
	if org.Org == nil {
		org.Org = &organizations.Org{ID: "o-" + w.AlnumID(10), Management: mgmt, FeatureSet: "ALL", RootID: "r-" + w.AlnumID(4), Created: w.Now()}
		org.Members[mgmt] = &organizations.Member{ID: mgmt, Email: w.Accounts[mgmt].Email, Parent: org.Org.RootID, Joined: w.Now(), Method: "INVITED"}
	}
	lz := LandingZone{OrgID: org.Org.ID, RootID: org.Org.RootID, OUs: map[string]string{}}
	region := sandboxtest.Region
	if ct.LZ == nil {
		ct.LZ = &controltower.LandingZone{ID: w.AlnumID(16), Account: mgmt, Region: region, Version: controltower.DefaultLatestVersion, Status: "ACTIVE"}
		ct.LZ.ARN = "arn:aws:controltower:" + region + ":" + mgmt + ":landingzone/" + ct.LZ.ID
	}
	for _, name := range []string{"Security", "Sandbox", "Workloads"} {
		id, _, ok := org.OUByName(name)
		if !ok {
			id = "ou-" + org.Org.RootID[2:] + "-" + w.AlnumID(8)
			org.OUs[id] = &organizations.OU{ID: id, Name: name, Parent: org.Org.RootID}
			if name != "Workloads" {
				ct.Enabled = append(ct.Enabled, &controltower.EnabledBaseline{
					ARN:      "arn:aws:controltower:" + region + ":" + mgmt + ":enabledbaseline/" + w.AlnumID(16),
					Baseline: "arn:aws:controltower:" + region + "::baseline/" + controltower.ControlTowerBaselineID,
					Version:  "4.0", Target: "arn:aws:organizations::" + mgmt + ":ou/" + org.Org.ID + "/" + id, Status: "SUCCEEDED"})
			}
		}
		lz.OUs[name] = id
	}
	if sso := ssoadmin.From(w); sso != nil {
		_, lz.StoreID = sso.EnableInstance(w, mgmt, region)
	}
	lz.Product = servicecatalog.From(w).EnsureAccountFactory(w, region)
	return lz
}
