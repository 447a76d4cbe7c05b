package environments

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
)

// Ways to reach the workload account (castlefile.Workload.Via).
const (
	ViaAssumeRole = "assume-role"
	ViaProfile    = "profile"
)

// ExecutionRole is the role Control Tower puts in every account it vends,
// trusted by the management account.
const ExecutionRole = "AWSControlTowerExecution"

var accountIDRE = regexp.MustCompile(`^\d{12}$`)

// Workload resolves the account the Registry, Network, Service and Pipeline
// sections work in, from env.Answers.Workload, and remembers the choice in
// the journal. main sets it as env.Workload.
//
// With Via "assume-role" (the default) castle assumes AWSControlTowerExecution
// in the account from the signed-in management account, with the session
// name castle-<user>; the credentials refresh by themselves. With Via
// "profile" it uses an AWS profile the user already has for that account.
// An empty Account means the signed-in account.
func Workload(ctx context.Context, env *steps.Env) (steps.WorkloadAccount, error) {
	if err := env.OpenJournal(ctx); err != nil {
		return steps.WorkloadAccount{}, err
	}
	w := Remembered(env)
	if w.Account == "" {
		id, err := env.Caller(ctx)
		if err != nil {
			return steps.WorkloadAccount{}, err
		}
		if err := remember(env, id.Account, "", ""); err != nil {
			return steps.WorkloadAccount{}, err
		}
		return steps.WorkloadAccount{AccountID: id.Account, Name: "the signed-in account", Config: env.Config}, nil
	}
	id, name, err := resolveAccount(ctx, env, w.Account)
	if err != nil {
		return steps.WorkloadAccount{}, err
	}
	caller, err := env.Caller(ctx)
	if err != nil {
		return steps.WorkloadAccount{}, err
	}
	if id == caller.Account { // the signed-in account: nothing to assume
		if err := remember(env, id, "", ""); err != nil {
			return steps.WorkloadAccount{}, err
		}
		return steps.WorkloadAccount{AccountID: id, Name: "the signed-in account", Config: env.Config}, nil
	}
	ck := cacheKey{env: env.Origin(), w: w, id: id, region: env.Region}
	if wa, ok := cached(ck, env); ok {
		return wa, nil
	}
	var cfg aws.Config
	via := w.Via
	switch via {
	case ViaProfile:
		if w.Profile == "" {
			return steps.WorkloadAccount{}, &steps.UserError{Message: "You chose to reach the workload account with a profile, but named none.",
				Next: "Pick the profile in the Environments section, or set workload.profile in castle.yaml (create one with `aws configure sso`)."}
		}
		cfg, err = steps.LoadConfig(ctx, steps.ConnectOptions{Profile: w.Profile, Region: env.Region, EndpointURL: env.EndpointURL})
		if err != nil {
			return steps.WorkloadAccount{}, steps.Explain(err, env)
		}
	case "", ViaAssumeRole:
		via = ViaAssumeRole
		arn := "arn:aws:iam::" + id + ":role/" + ExecutionRole
		provider := stscreds.NewAssumeRoleProvider(sts.NewFromConfig(env.Config), arn, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = SessionName(caller.ARN)
		})
		cfg = env.Config.Copy()
		cfg.Credentials = aws.NewCredentialsCache(clocked{provider, env.Clock})
	default:
		return steps.WorkloadAccount{}, &steps.UserError{Message: fmt.Sprintf("castle does not know the way %q to reach an account.", w.Via),
			Next: "Set workload.via to assume-role or profile in castle.yaml."}
	}
	// One call proves the way works and that it lands in the right account.
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return steps.WorkloadAccount{}, workloadError(err, env, via, name, id, w.Profile)
	}
	if got := aws.ToString(who.Account); got != id {
		return steps.WorkloadAccount{}, &steps.UserError{
			Message: fmt.Sprintf("Profile %s signs in to account %s, not to %s (%s).", w.Profile, got, name, id),
			Next:    "Pick the profile of that account, or create one with `aws configure sso`."}
	}
	if err := remember(env, id, via, w.Profile); err != nil {
		return steps.WorkloadAccount{}, err
	}
	wa := steps.WorkloadAccount{AccountID: id, Name: name, Config: cfg}
	workloads.Store(ck, cachedWorkload{wa: wa, base: env.Config.Credentials})
	return wa, nil
}

// Every section asks for the workload account, often; the answer (and its
// credentials cache, which refreshes itself) is kept per env and choice, so
// castle assumes the role once rather than on every call.
var workloads sync.Map // cacheKey → cachedWorkload

type cacheKey struct {
	env    *steps.Env
	w      castlefile.Workload
	id     string
	region string
}

type cachedWorkload struct {
	wa   steps.WorkloadAccount
	base aws.CredentialsProvider // the signed-in credentials it was made from
}

// cached returns the workload made earlier for the same choice, unless the
// signed-in credentials changed since (another profile in Preflight).
func cached(k cacheKey, env *steps.Env) (steps.WorkloadAccount, bool) {
	v, ok := workloads.Load(k)
	if !ok {
		return steps.WorkloadAccount{}, false
	}
	c := v.(cachedWorkload)
	if !sameProvider(c.base, env.Config.Credentials) {
		workloads.Delete(k)
		return steps.WorkloadAccount{}, false
	}
	return c.wa, true
}

func sameProvider(a, b aws.CredentialsProvider) bool {
	if a == nil || b == nil {
		return a == b
	}
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if va.Type() != vb.Type() {
		return false
	}
	if va.Kind() == reflect.Pointer {
		return va.Pointer() == vb.Pointer()
	}
	return va.Type().Comparable() && va.Interface() == vb.Interface()
}

// Remembered is the workload choice: the answers when they name an
// account, else what the journal remembers from an earlier run (so a
// returning user without castle.yaml keeps working in the same account).
// It fills env.Answers.Workload from the journal, so castle.yaml saves it.
func Remembered(env *steps.Env) castlefile.Workload {
	w := env.Answers.Workload
	if w.Account != "" || env.Journal == nil {
		return w
	}
	id, ok := env.Journal.Resource(Section, "workloadAccount")
	via, _ := env.Journal.Resource(Section, "workloadVia")
	if !ok || via == "" { // none, or the signed-in account
		return w
	}
	profile, _ := env.Journal.Resource(Section, "workloadProfile")
	w = castlefile.Workload{Account: id, Via: via, Profile: profile}
	env.Answers.Workload = w
	return w
}

// remember journals the workload choice; via "" is the signed-in account.
func remember(env *steps.Env, id, via, profile string) error {
	for k, v := range map[string]string{"workloadAccount": id, "workloadVia": via, "workloadProfile": profile} {
		if cur, _ := env.Journal.Resource(Section, k); cur != v {
			if err := env.Journal.SetResource(Section, k, v); err != nil {
				return err
			}
		}
	}
	return nil
}

// resolveAccount turns a name or id into the account's id and name, from
// the journal first, then the organization.
func resolveAccount(ctx context.Context, env *steps.Env, nameOrID string) (id, name string, err error) {
	if !accountIDRE.MatchString(nameOrID) {
		if id, ok := env.Journal.Resource(Section, "account:"+nameOrID); ok {
			return id, nameOrID, nil
		}
	}
	inv, ok := Known(env)
	if a, found := inv.AccountByName(nameOrID); ok && found {
		return a.ID, a.Name, nil
	}
	inv, err = inventory(ctx, env)
	if err != nil && accountIDRE.MatchString(nameOrID) {
		return nameOrID, nameOrID, nil // no organization to ask: trust the id
	}
	if errors.Is(err, errNoOrganization) {
		return "", "", &steps.UserError{Message: fmt.Sprintf("The workload account %q does not exist yet: there is no organization.", nameOrID),
			Next: "Do the Landing zone section, then create the account in Environments; or clear workload.account in castle.yaml to use the signed-in account."}
	}
	if err != nil {
		return "", "", err
	}
	if a, found := inv.AccountByName(nameOrID); found {
		return a.ID, a.Name, nil
	}
	if accountIDRE.MatchString(nameOrID) {
		return nameOrID, nameOrID, nil
	}
	return "", "", &steps.UserError{Message: fmt.Sprintf("Your organization has no account called %q.", nameOrID),
		Next: "Pick the workload account in the Environments section, or create it there first."}
}

// SessionName is the role session name castle uses: castle-<user>, so
// CloudTrail in the workload account shows who did what through castle.
func SessionName(callerARN string) string {
	user := callerARN[strings.LastIndexAny(callerARN, "/:")+1:]
	b := []byte("castle-" + user)
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("+=,.@_-", c) >= 0
		if !ok {
			b[i] = '-'
		}
	}
	if len(b) > 64 {
		b = b[:64]
	}
	return string(b)
}

func workloadError(err error, env *steps.Env, via, name, id, profile string) error {
	if via == ViaAssumeRole && strings.Contains(err.Error(), "AccessDenied") {
		return &steps.UserError{
			Message: fmt.Sprintf("castle could not take the %s role in %s (%s).", ExecutionRole, name, id),
			Next:    "Sign in to the management account (the role trusts only it), or choose \"use a profile\" for this account in the Environments section.",
			Err:     err,
		}
	}
	return steps.Explain(err, env)
}

// clocked reads the expiry of temporary credentials by castle's clock. The
// credentials cache compares Expires with the wall clock; against the
// sandbox, whose virtual clock runs faster, the expiry is moved to the
// matching wall time so the cache refreshes them in time.
type clocked struct {
	inner aws.CredentialsProvider
	clock steps.Clock
}

func (c clocked) Retrieve(ctx context.Context) (aws.Credentials, error) {
	creds, err := c.inner.Retrieve(ctx)
	if err != nil || !creds.CanExpire || c.clock == nil {
		return creds, err
	}
	if _, wall := c.clock.(steps.WallClock); wall {
		return creds, nil
	}
	left := creds.Expires.Sub(c.clock.Now())
	if s, ok := c.clock.(interface{ Speed() float64 }); ok && s.Speed() > 0 {
		left = time.Duration(float64(left) / s.Speed())
	} else {
		left = min(left, time.Minute) // an unknown clock: refresh often
	}
	creds.Expires = time.Now().Add(left)
	return creds, nil
}
