package environments

import "testing"

func TestCostRangeReadsLikeTheOtherSections(t *testing.T) {
	if got := (Range{Low: 1, High: 4}).String(); got != "about $1 to $4 a month" {
		t.Errorf("range reads %q", got)
	}
	if got := (Range{Low: 2, High: 2}).String(); got != "about $2 a month" {
		t.Errorf("single price reads %q", got)
	}
	if got := plural(1, "account", "accounts"); got != "1 account" {
		t.Errorf("plural(1) = %q", got)
	}
}
