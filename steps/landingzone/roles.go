package landingzone

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/castle-aws/castle/assets"
	"github.com/castle-aws/castle/steps"
)

// Role is one IAM role Control Tower needs, from assets/landingzone/roles.json.
type Role struct {
	Name       string          `json:"name"`
	Service    string          `json:"service"`
	Managed    []string        `json:"managed"`
	InlineName string          `json:"inlineName"`
	Inline     json.RawMessage `json:"inline"`
}

// RolePath is the path of Control Tower's roles.
const RolePath = "/service-role/"

func loadRoles() []Role {
	var rs []Role
	if err := json.Unmarshal(assets.MustRead("landingzone/roles.json"), &rs); err != nil {
		panic(err)
	}
	return rs
}

// Trust is the role's trust policy: the service may assume it.
func (r Role) Trust() string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"` + r.Service + `"},"Action":"sts:AssumeRole"}]}`
}

// createRoles creates the missing roles and waits until IAM shows them.
func createRoles(ctx context.Context, env *steps.Env, have map[string]bool) error {
	c := iam.NewFromConfig(env.Config)
	var made []string
	for _, r := range loadRoles() {
		if have[r.Name] {
			continue
		}
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(r.Name), Path: aws.String(RolePath),
			AssumeRolePolicyDocument: aws.String(r.Trust()), Description: aws.String("Used by AWS Control Tower (created by castle)")})
		var exists *iamtypes.EntityAlreadyExistsException
		if err != nil && !errors.As(err, &exists) {
			return explain(err, env)
		}
		for _, arn := range r.Managed {
			if _, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String(r.Name), PolicyArn: aws.String(arn)}); err != nil {
				return explain(err, env)
			}
		}
		if r.InlineName != "" {
			if _, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(r.Name), PolicyName: aws.String(r.InlineName),
				PolicyDocument: aws.String(string(r.Inline))}); err != nil {
				return explain(err, env)
			}
		}
		made = append(made, r.Name)
	}
	// IAM is eventually consistent: wait until each new role can be read.
	w := iam.NewRoleExistsWaiter(c)
	for _, name := range made {
		if err := w.Wait(ctx, &iam.GetRoleInput{RoleName: aws.String(name)}, 2*time.Minute); err != nil {
			return &steps.UserError{Message: "IAM has not shown the new role " + name + " after two minutes.", Next: "Run castle again in a few minutes; the roles already made are kept.", Err: err}
		}
	}
	return nil
}
