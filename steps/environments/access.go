package environments

import (
	"context"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	sc "github.com/aws/aws-sdk-go-v2/service/servicecatalog"
	sctypes "github.com/aws/aws-sdk-go-v2/service/servicecatalog/types"

	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/poll"
)

// principalFor is what to associate with the portfolio for the caller: for
// an IAM Identity Center role the pattern matching every AWSReservedSSO
// role, for an IAM user its ARN, for another assumed role the role's ARN.
func principalFor(ctx context.Context, env *steps.Env, callerARN string) (string, sctypes.PrincipalType, error) {
	parts := strings.SplitN(callerARN, ":", 6)
	if len(parts) != 6 {
		return callerARN, sctypes.PrincipalTypeIam, nil
	}
	res := parts[5]
	if !strings.HasPrefix(res, "assumed-role/") {
		return callerARN, sctypes.PrincipalTypeIam, nil
	}
	role := strings.TrimPrefix(res, "assumed-role/")
	if i := strings.IndexByte(role, '/'); i >= 0 {
		role = role[:i]
	}
	if strings.HasPrefix(role, "AWSReservedSSO_") {
		return SSOPattern, sctypes.PrincipalTypeIamPattern, nil
	}
	out, err := iam.NewFromConfig(env.Config).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role)})
	if err != nil {
		return "", "", explain(err, env)
	}
	return aws.ToString(out.Role.Arn), sctypes.PrincipalTypeIam, nil
}

// canLaunch reports whether the caller has a launch path to the product.
func canLaunch(ctx context.Context, c *sc.Client, productID string) (bool, error) {
	out, err := c.ListLaunchPaths(ctx, &sc.ListLaunchPathsInput{ProductId: aws.String(productID)})
	if err != nil {
		if strings.Contains(err.Error(), "No launch paths found") {
			return false, nil
		}
		return false, err
	}
	return len(out.LaunchPathSummaries) > 0, nil
}

// ensureAccess associates the caller with the Account Factory portfolio
// when it has no launch path yet.
func (r *runner) ensureAccess(ctx context.Context) error {
	const step = "portfolio-access"
	r.send(steps.Event{Step: step, Kind: steps.EventStarted, Message: "Checking you may use Account Factory"})
	ok, err := canLaunch(ctx, r.sc, r.inv.Product.ID)
	if err != nil {
		return explain(err, r.env)
	}
	if ok {
		r.send(steps.Event{Step: step, Kind: steps.EventSkipped, Message: "You may already use Account Factory"})
		return nil
	}
	id, err := r.env.Caller(ctx)
	if err != nil {
		return err
	}
	principal, kind, err := principalFor(ctx, r.env, id.ARN)
	if err != nil {
		return err
	}
	ports, err := r.sc.ListPortfoliosForProduct(ctx, &sc.ListPortfoliosForProductInput{ProductId: aws.String(r.inv.Product.ID)})
	if err != nil {
		return explain(err, r.env)
	}
	if len(ports.PortfolioDetails) == 0 {
		return &steps.UserError{Message: "Account Factory has no portfolio, so nobody can launch it.",
			Next: "Repair the landing zone in the Control Tower console (Landing zone settings → Repair), then try again."}
	}
	port := ports.PortfolioDetails[0]
	for _, p := range ports.PortfolioDetails {
		if strings.Contains(aws.ToString(p.DisplayName), "Account Factory") {
			port = p
		}
	}
	if _, err := r.sc.AssociatePrincipalWithPortfolio(ctx, &sc.AssociatePrincipalWithPortfolioInput{
		PortfolioId: port.Id, PrincipalARN: aws.String(principal), PrincipalType: kind}); err != nil {
		return explain(err, r.env)
	}
	// The association takes a moment to reach launch paths.
	op := steps.Operation{Key: step, Name: "Waiting for access to Account Factory", Expected: 10 * time.Second}
	err = poll.Until(ctx, r.env.TheClock(), op, func(ctx context.Context) (bool, error) {
		return canLaunch(ctx, r.sc, r.inv.Product.ID)
	})
	if err != nil {
		return explain(err, r.env)
	}
	r.send(steps.Event{Step: step, Kind: steps.EventDone, Message: "Added " + principal + " to " + aws.ToString(port.DisplayName)})
	return nil
}
