package environments

import (
	"strings"
	"testing"

	"github.com/castle-aws/castle/screens"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	se "github.com/castle-aws/castle/steps/environments"
	"github.com/castle-aws/castle/steps/journal"
	sp "github.com/castle-aws/castle/steps/people"
)

func TestOwnersPeopleAddedAlreadyAreNotToBeAdded(t *testing.T) {
	inv := se.Inventory{Users: []sp.User{{UserName: "emily", Email: "emily@example.com"}}}
	people := []castlefile.User{{UserName: "emily", Email: "emily@example.com"}, {UserName: "jack", Email: "jack@example.com"}}
	opts := ownerOptions(inv, people)
	labels := map[string]string{}
	for _, o := range opts {
		labels[o.Value] = o.Key
	}
	if strings.Contains(labels["emily"], "to be added") {
		t.Errorf("emily has a sign-in already, yet reads %q", labels["emily"])
	}
	if !strings.Contains(labels["jack"], "to be added in People") {
		t.Errorf("jack is still to add, yet reads %q", labels["jack"])
	}
}

func TestWorkloadChoicesLeaveOutTheSharedAccounts(t *testing.T) {
	j, err := journal.Open(t.TempDir(), "111122223333")
	if err != nil {
		t.Fatal(err)
	}
	if err := j.SetResource(string(steps.LandingZone), "logArchiveAccount", "222222222222"); err != nil {
		t.Fatal(err)
	}
	if err := j.SetResource(string(steps.LandingZone), "auditAccount", "333333333333"); err != nil {
		t.Fatal(err)
	}
	m := &model{ctx: screens.FormContext{Env: &steps.Env{Journal: j}}}
	m.inv.Accounts = []se.Account{{ID: "222222222222", Name: "Log Archive", OU: "Shared"}, {ID: "333333333333", Name: "Audit", OU: "Shared"},
		{ID: "444444444444", Name: "game-api.dev", OU: "Sandbox"}}
	got := m.withoutShared().Accounts
	if len(got) != 1 || got[0].ID != "444444444444" {
		t.Fatalf("workload choices %+v", got)
	}
}
