package servicecatalog

import (
	"github.com/castle-aws/castle/sandbox/iam"
	"github.com/castle-aws/castle/sandbox/world"
)

// The functions of other simulated services Account Factory relies on, as
// agreed in docs/SECTION-GUIDE.md. They are reached through interfaces so
// that this package works (and degrades) while a service is not registered.

type orgs interface {
	AddAccount(w *world.World, name, email, parentID string, vended bool) (*world.Account, error)
	OUByName(name string) (id, arn string, ok bool)
	EmailInUse(email string) bool
}

type tower interface {
	LandingZoneActive() bool
	HomeRegion() string
	OURegistered(ouID string) bool
}

type ssoAdmin interface {
	Instance() (arn, storeID string, ok bool)
	AssignNow(w *world.World, permissionSetName, principalID, accountID string) error
}

type identityStore interface {
	EnsureUser(w *world.World, storeID, userName, email, given, family string) (userID string, err error)
	UserByEmail(storeID, email string) (userID string, ok bool)
}

func orgsOf(w *world.World) orgs {
	o, _ := w.Service("organizations").(orgs)
	return o
}

func towerOf(w *world.World) tower {
	t, _ := w.Service("controltower").(tower)
	return t
}

func ssoOf(w *world.World) ssoAdmin {
	s, _ := w.Service("sso").(ssoAdmin)
	if s == nil {
		s, _ = w.Service("ssoadmin").(ssoAdmin)
	}
	return s
}

func idStoreOf(w *world.World) identityStore {
	s, _ := w.Service("identitystore").(identityStore)
	return s
}

// executionTrust is the trust policy of AWSControlTowerExecution: the
// management account may assume it.
const executionTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + world.ManagementAccount + `:root"},"Action":"sts:AssumeRole"}]}`

// vendAccount creates the account the way Control Tower does: through
// organizations when it is simulated, otherwise directly in the world with
// its AWSControlTowerExecution role.
func vendAccount(w *world.World, name, email, ouID string) (*world.Account, error) {
	if o := orgsOf(w); o != nil {
		return o.AddAccount(w, name, email, ouID, true)
	}
	a := w.NewAccount(name, email, true)
	if im, ok := w.Service("iam").(*iam.Service); ok {
		im.PutRole(w, a.ID, "/", "AWSControlTowerExecution", executionTrust, "arn:aws:iam::aws:policy/AdministratorAccess")
	}
	return a, nil
}

// emailInUse reports whether an account already has the email.
func emailInUse(w *world.World, email string) bool {
	if o := orgsOf(w); o != nil && o.EmailInUse(email) {
		return true
	}
	for _, a := range w.Accounts {
		if equalFold(a.Email, email) {
			return true
		}
	}
	return false
}
