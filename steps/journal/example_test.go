package journal_test

import (
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/castle-aws/castle/steps/journal"
)

// The reconcile pattern: after discovery, a section asks AWS about every
// operation the journal still calls in flight, and forgets the ones AWS no
// longer knows, so Apply starts them again instead of waiting forever.
func Example_reconcile() {
	dir, _ := os.MkdirTemp("", "castle-example")
	defer os.RemoveAll(dir)
	j, err := journal.Open(dir, "123456789012")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer j.Close()

	// Earlier, Apply saved each handle before its first poll.
	for key, id := range map[string]string{"account-dev": "car-111", "account-prod": "car-222"} {
		j.SaveOperation("environments", key, journal.Operation{
			Kind: "organizations:CreateAccount", ID: id, StartedAt: time.Now(), Expected: 2 * time.Minute,
		})
	}

	// Discovery: what AWS says about each handle (DescribeCreateAccountStatus
	// in the real section; car-222 answers CreateAccountStatusNotFoundException).
	awsKnows := func(id string) bool { return id == "car-111" }
	for key, op := range j.Operations("environments") {
		if !awsKnows(op.ID) {
			j.Forget("environments", key)
		}
	}

	var left []string
	for key := range j.Operations("environments") {
		left = append(left, key)
	}
	slices.Sort(left)
	fmt.Println(left)
	// Output: [account-dev]
}
