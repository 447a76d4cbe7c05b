package environments_test

import (
	"strings"
	"testing"

	"github.com/castle-aws/castle/steps/environments"
)

func TestSuggestEmailAndValidators(t *testing.T) {
	inv := environments.Inventory{
		Accounts: []environments.Account{{ID: "111122223333", Name: "mgmt", Email: "owner@studio.dev"},
			{ID: "222233334444", Name: "Log Archive", Email: "logs@studio.dev"}, {ID: "333344445555", Name: "x", Email: "x@other.io"}},
		OUs: []environments.OU{{ID: "ou-a", Name: "Sandbox", Registered: true, RegisteredKnown: true},
			{ID: "ou-b", Name: "Workloads", RegisteredKnown: true}},
	}
	if got := environments.SuggestEmail("Discord-Moderation-Bot.prod", inv); got != "discord-moderation-bot+prod@studio.dev" {
		t.Fatalf("suggestion %q", got)
	}
	if got := environments.SuggestEmail("Shop", inv); got != "shop@studio.dev" {
		t.Fatalf("suggestion %q", got)
	}
	if got := environments.SuggestEmail("Shop", environments.Inventory{}); got != "" {
		t.Fatalf("suggestion without a domain %q", got)
	}
	cases := []struct {
		err  error
		want string
	}{
		{environments.ValidateEmail("nope", inv), "type an email"},
		{environments.ValidateEmail("LOGS@studio.dev", inv), "already uses this email"},
		{environments.ValidateEmail("bot+prod@studio.dev", inv), ""},
		{environments.ValidateName("", inv), "1 to 50"},
		{environments.ValidateName("Log Archive", inv), "already has this name"},
		{environments.ValidateName("Bot.prod", inv), ""},
		{environments.ValidateOU("Nowhere", inv), "pick one of: Sandbox, Workloads"},
		{environments.ValidateOU("Workloads", inv), "not registered"},
		{environments.ValidateOU("sandbox", inv), ""},
	}
	for i, c := range cases {
		switch {
		case c.want == "" && c.err != nil:
			t.Errorf("case %d: unexpected %v", i, c.err)
		case c.want != "" && (c.err == nil || !strings.Contains(c.err.Error(), c.want)):
			t.Errorf("case %d: got %v, want %q", i, c.err, c.want)
		}
	}
	if environments.ProvisionedName("My Bot/prod") != "My-Bot-prod" || environments.SessionName("arn:aws:sts::1:assumed-role/AWSReservedSSO_X/ana@studio.dev") != "castle-ana@studio.dev" {
		t.Fatal("names")
	}
}
