package environments

import (
	"strings"
	"testing"

	"github.com/castle-aws/castle/steps/castlefile"
	se "github.com/castle-aws/castle/steps/environments"
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
