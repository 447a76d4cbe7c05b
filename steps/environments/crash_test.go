package environments_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	sc "github.com/aws/aws-sdk-go-v2/service/servicecatalog"
	sctypes "github.com/aws/aws-sdk-go-v2/service/servicecatalog/types"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/world"
	"github.com/castle-aws/castle/steps/castlefile"
	"github.com/castle-aws/castle/steps/environments"
	"github.com/castle-aws/castle/steps/journal"
)

// A castle that stopped right after saving the provision token: before the
// call (AWS has nothing) or after AWS took it (the answer was lost).
func TestStoppedBetweenTokenAndAnswer(t *testing.T) {
	for _, reached := range []bool{false, true} {
		t.Run(map[bool]string{false: "call never made", true: "answer lost"}[reached], func(t *testing.T) {
			sb, env, lz := start(t, sandbox.Options{})
			ctx := context.Background()
			a := acct("crash.dev", "crash@example.com")
			env.Answers.Environments = []castlefile.Account{a}
			if err := env.OpenJournal(ctx); err != nil {
				t.Fatal(err)
			}
			const token = "castle-0123456789abcdef"
			if err := env.Journal.SaveOperation(environments.Section, "account-crash.dev", journal.Operation{
				Kind: "servicecatalog:ProvisionProduct", Token: token, StartedAt: env.Now(), Expected: environments.Expected,
				Extra: map[string]string{"name": a.Name, "email": a.Email, "ou": a.OU, "pp": "crash.dev"}}); err != nil {
				t.Fatal(err)
			}
			if reached {
				c := sc.NewFromConfig(env.Config)
				if _, err := c.AssociatePrincipalWithPortfolio(ctx, &sc.AssociatePrincipalWithPortfolioInput{PortfolioId: aws.String(lz.Product.PortfolioID),
					PrincipalARN: aws.String(world.AdminARN), PrincipalType: sctypes.PrincipalTypeIam}); err != nil {
					t.Fatal(err)
				}
				p := func(k, v string) sctypes.ProvisioningParameter {
					return sctypes.ProvisioningParameter{Key: aws.String(k), Value: aws.String(v)}
				}
				if _, err := c.ProvisionProduct(ctx, &sc.ProvisionProductInput{ProductId: aws.String(lz.Product.ID),
					ProvisioningArtifactId: aws.String(lz.Product.ArtifactID), ProvisionedProductName: aws.String("crash.dev"),
					ProvisionToken: aws.String(token), ProvisioningParameters: []sctypes.ProvisioningParameter{
						p("AccountName", a.Name), p("AccountEmail", a.Email), p("ManagedOrganizationalUnit", "Sandbox"),
						p("SSOUserEmail", a.Email), p("SSOUserFirstName", "A"), p("SSOUserLastName", "B")}}); err != nil {
					t.Fatal(err)
				}
			}
			// Resume starts nothing new; it follows what AWS has.
			if err := sectionUnderTest.Resume(ctx, env, (&recorder{}).emit); err != nil {
				t.Fatal(err)
			}
			want := map[bool]int{false: 0, true: 1}[reached]
			if n := len(records(sb)); n != want {
				t.Fatalf("after Resume: %d records, want %d", n, want)
			}
			if err := apply(t, env, &recorder{}); err != nil {
				t.Fatal(err)
			}
			if n, v := len(records(sb)), len(vended(sb)); n != 1 || v != 1 {
				t.Fatalf("after Apply: %d records, %d accounts", n, v)
			}
		})
	}
}
