package people

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/identitystore"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/ssoadmin"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

type recorder struct {
	mu     sync.Mutex
	events []steps.Event
}

func (r *recorder) emit(e steps.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

func (r *recorder) kinds(kind steps.EventKind) []steps.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []steps.Event
	for _, e := range r.events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}

func withInstance(t *testing.T) (*sandboxtest.Sandbox, *steps.Env, string, string) {
	t.Helper()
	sb := sandboxtest.Start(t, sandbox.Options{})
	sb.World.Lock()
	arn, store := ssoadmin.From(sb.World).EnableInstance(sb.World, world.ManagementAccount, sandboxtest.Region)
	sb.World.Unlock()
	return sb, sb.Env(), arn, store
}

var alice = castlefile.User{UserName: "alice.dev", GivenName: "Alice", FamilyName: "Doe", Email: "alice@example.com"}
var bob = castlefile.User{UserName: "BobBuilds", GivenName: "Bob", FamilyName: "Roe", Email: "bob@example.com"}

func TestBlockedWithoutIdentityCenter(t *testing.T) {
	sb := sandboxtest.Start(t, sandbox.Options{})
	env := sb.Env()
	st, err := New().Discover(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != steps.StateBlocked || st.Blocker != "Landing zone" || !strings.Contains(st.Summary, "Landing zone") {
		t.Fatalf("status %+v", st)
	}
	env.Answers.People = []castlefile.User{alice}
	_, err = New().Plan(context.Background(), env)
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Next, "Landing zone") {
		t.Fatalf("plan error %v", err)
	}
}

func TestAddSeveralUsersThenRerunChangesNothing(t *testing.T) {
	sb, env, arn, store := withInstance(t)
	ctx := context.Background()
	env.Answers.People = []castlefile.User{alice, bob}
	s := New()
	p, err := s.Plan(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Actions) != 2 || p.Actions[0].Skip || p.Actions[1].Skip {
		t.Fatalf("plan %+v", p.Actions)
	}
	if !strings.Contains(p.Actions[0].Commands[0], "identitystore create-user --identity-store-id "+store+" --user-name alice.dev") {
		t.Fatalf("command %q", p.Actions[0].Commands[0])
	}
	if env.Answers.People[0].DisplayName != "Alice Doe" {
		t.Fatalf("display name default not written back: %+v", env.Answers.People[0])
	}
	rec := &recorder{}
	if err := s.Apply(ctx, env, rec.emit); err != nil {
		t.Fatal(err)
	}
	if n := len(rec.kinds(steps.EventDone)); n != 2 {
		t.Fatalf("want 2 users added, events %+v", rec.events)
	}
	sb.World.Lock()
	count := identitystore.From(sb.World).UserCount(store)
	_, aliceOK := identitystore.From(sb.World).UserByName(store, "alice.dev")
	sb.World.Unlock()
	if count != 2 || !aliceOK {
		t.Fatalf("sandbox has %d users", count)
	}

	// The hand-off: console page, the switch, and the message for each new person.
	hand := rec.kinds(steps.EventHandOff)
	if len(hand) != 1 {
		t.Fatalf("want one hand-off, got %+v", hand)
	}
	portal := "https://" + store + ".awsapps.com/start"
	h := hand[0]
	id := strings.TrimPrefix(arn[strings.LastIndexByte(arn, '/')+1:], "ssoins-")
	wantURL := "https://console.aws.amazon.com/singlesignon/home?region=eu-west-1#/instances/" + id + "/settings"
	for _, want := range []string{wantURL, "Send email OTP for users created from API", "Standard authentication", portal, `"alice.dev"`, `"BobBuilds"`, "bob@example.com"} {
		if !strings.Contains(h.Message+h.Detail, want) {
			t.Errorf("hand-off lacks %q:\n%s\n%s", want, h.Message, h.Detail)
		}
	}

	// Journal keys other sections read.
	if v, _ := env.Journal.Resource("people", "portalUrl"); v != portal {
		t.Fatalf("portalUrl %q", v)
	}
	if v, _ := env.Journal.Resource("people", "identityStoreId"); v != store {
		t.Fatalf("identityStoreId %q", v)
	}
	if v, ok := env.Journal.Resource("people", "user:alice.dev"); !ok || v == "" {
		t.Fatal("no user id for alice in the journal")
	}

	// Rerun: nothing pending, nothing created, no second hand-off.
	p, err = s.Plan(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if p.Pending() {
		t.Fatalf("rerun plan still pending: %+v", p.Actions)
	}
	rec2 := &recorder{}
	if err := s.Apply(ctx, env, rec2.emit); err != nil {
		t.Fatal(err)
	}
	if len(rec2.kinds(steps.EventSkipped)) != 2 || len(rec2.kinds(steps.EventDone)) != 0 || len(rec2.kinds(steps.EventHandOff)) != 0 {
		t.Fatalf("rerun events %+v", rec2.events)
	}
	sb.World.Lock()
	count = identitystore.From(sb.World).UserCount(store)
	sb.World.Unlock()
	if count != 2 {
		t.Fatalf("rerun made users: %d", count)
	}
	st, err := s.Discover(ctx, env)
	if err != nil {
		t.Fatal(err)
	}
	if st.State != steps.StateDone || !strings.Contains(strings.Join(st.Details, "\n"), portal) {
		t.Fatalf("status %+v", st)
	}
}

func TestDiscoverListsUsersWithTheirAccess(t *testing.T) {
	sb, env, _, store := withInstance(t)
	sb.World.Lock()
	id, err := identitystore.From(sb.World).EnsureUser(sb.World, store, "carol", "carol@example.com", "Carol", "Poe")
	if err == nil {
		err = ssoadmin.From(sb.World).AssignNow(sb.World, "AWSReadOnlyAccess", id, world.ManagementAccount)
	}
	sb.World.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	st, err := New().Discover(context.Background(), env)
	if err != nil {
		t.Fatal(err)
	}
	details := strings.Join(st.Details, "\n")
	if !strings.Contains(details, "carol (Carol Poe): AWSReadOnlyAccess on "+world.ManagementAccount) {
		t.Fatalf("details:\n%s", details)
	}
}

func TestDuplicateEmailIsRefusedInPlainWords(t *testing.T) {
	sb, env, _, store := withInstance(t)
	ctx := context.Background()
	sb.World.Lock()
	_, err := identitystore.From(sb.World).EnsureUser(sb.World, store, "bobby", "bob@example.com", "Bob", "Old")
	sb.World.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	// Caught before any call, as the form does.
	env.Answers.People = []castlefile.User{bob}
	_, err = New().Plan(ctx, env)
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "bobby already uses bob@example.com") {
		t.Fatalf("plan: %v", err)
	}
	// And answered by AWS's ConflictException when castle did not know.
	fillDefaults(env)
	_, err = createUser(ctx, env, store, env.Answers.People[0], nil)
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "AWS refused to add BobBuilds") || ue.Next == "" {
		t.Fatalf("create: %v", err)
	}
	// With the list, the message names the user who has the email.
	_, err = createUser(ctx, env, store, env.Answers.People[0], []User{{UserName: "bobby", Email: "bob@example.com"}})
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "already belongs to the user bobby") {
		t.Fatalf("create: %v", err)
	}
}

func TestRootIsRefused(t *testing.T) {
	sb, _, _, _ := withInstance(t)
	env := sb.EnvWith(sb.Root())
	env.Answers.People = []castlefile.User{alice}
	err := New().Apply(context.Background(), env, func(steps.Event) {})
	var ue *steps.UserError
	if !errors.As(err, &ue) || !strings.Contains(ue.Message, "root") {
		t.Fatalf("want root refusal, got %v", err)
	}
}

func TestPaginatedUsers(t *testing.T) {
	sb, env, _, store := withInstance(t)
	sb.World.Lock()
	for _, n := range []string{"u1", "u2", "u3", "u4", "u5", "u6", "u7", "u8", "u9", "u10", "u11", "u12"} {
		if _, err := identitystore.From(sb.World).EnsureUser(sb.World, store, n, n+"@example.com", "G", "F"); err != nil {
			t.Fatal(err)
		}
	}
	sb.World.Unlock()
	users, err := ListUsers(context.Background(), env, store)
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != 12 {
		t.Fatalf("got %d users over pages", len(users))
	}
	id, ok, err := UserID(context.Background(), env, store, "U7")
	if err != nil || !ok || id == "" {
		t.Fatalf("GetUserId: %q %v %v", id, ok, err)
	}
	if _, ok, err := UserID(context.Background(), env, store, "nobody"); ok || err != nil {
		t.Fatalf("missing user: %v %v", ok, err)
	}
}

func TestValidators(t *testing.T) {
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"alice", true}, {"jane.doe", true}, {"Roblox_Builder-42", true}, {"élodie", true},
		{"", false}, {"jane doe", false}, {"Administrator", false}, {"awsadministrators", false}, {strings.Repeat("a", 129), false},
	} {
		if err := ValidateUserName(c.name); (err == nil) != c.ok {
			t.Errorf("ValidateUserName(%q) = %v", c.name, err)
		}
	}
	for _, c := range []struct {
		email string
		ok    bool
	}{{"a@example.com", true}, {"a@b", false}, {"nope", false}, {"", false}, {"Alice <a@example.com>", false}} {
		if err := ValidateEmail(c.email); (err == nil) != c.ok {
			t.Errorf("ValidateEmail(%q) = %v", c.email, err)
		}
	}
	if err := ValidateUserName("jane doe"); err == nil || !strings.Contains(err.Error(), "spaces") {
		t.Fatalf("message should say what to type instead: %v", err)
	}
	if PortalURL("d-1234567890") != "https://d-1234567890.awsapps.com/start" {
		t.Fatal(PortalURL("d-1234567890"))
	}
}
