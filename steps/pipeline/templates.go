package pipeline

import (
	"bytes"
	"encoding/json"
	"text/template"

	"github.com/castle-aws/castle/assets"
)

// render fills an assets/pipeline template with the inputs.
func render(name string, in inputs) (string, error) {
	t, err := template.New(name).Option("missingkey=error").Parse(string(assets.MustRead("pipeline/" + name)))
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := t.Execute(&b, in); err != nil {
		return "", err
	}
	return b.String(), nil
}

// policy renders a JSON policy template, compacted the way IAM stores it.
func policy(name string, in inputs) (string, error) {
	doc, err := render(name, in)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(doc)); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Buildspec is the buildspec CodeBuild runs (shown in the plan).
func Buildspec() string { return string(assets.MustRead("pipeline/buildspec.yml")) }

// sameJSON reports whether two JSON documents say the same thing.
func sameJSON(a, b string) bool {
	var x, y any
	if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
		return false
	}
	ja, _ := json.Marshal(x)
	jb, _ := json.Marshal(y)
	return bytes.Equal(ja, jb)
}

// The roles castle makes: name, trust template, policy template.
type roleSpec struct {
	name, trust, policy, policyName, why string
}

func (in inputs) roles() []roleSpec {
	return []roleSpec{
		{in.BuildRole, "codebuild-trust.json", "codebuild-policy.json", "castle-build",
			"CodeBuild uses it to write build logs, read the source and push the image to " + in.RepositoryName + ", nothing else."},
		{in.PipelineRole, "codepipeline-trust.json", "codepipeline-policy.json", "castle-pipeline",
			"CodePipeline uses it to fetch " + in.GitHubRepository + ", start the build and deploy to " + in.Service + ", nothing else."},
	}
}

// CostText is what the pipeline costs, in plain words (for the form).
func CostText() string { return string(assets.MustRead("pipeline/costs.md")) }
