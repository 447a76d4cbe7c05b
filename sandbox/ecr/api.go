package ecr

import (
	"encoding/base64"
	"fmt"
	"regexp"
	"sort"
	"strconv"

	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// nameRule is ECR's repository name pattern (2 to 256 characters).
var nameRule = regexp.MustCompile(`^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$`)

const namePattern = `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`

// ValidName reports whether ECR accepts a repository name.
func ValidName(name string) bool {
	return len(name) >= 2 && len(name) <= 256 && nameRule.MatchString(name)
}

func (s *Service) Handle(w *world.World, r *wire.Request) (any, error) {
	switch r.Operation {
	case "CreateRepository":
		return s.createRepository(w, r)
	case "DescribeRepositories":
		return s.describeRepositories(r)
	case "DescribeImages":
		return s.describeImages(r)
	case "GetAuthorizationToken":
		pw := s.issue(w, r.Account, r.Region)
		return map[string]any{"authorizationData": []map[string]any{{
			"authorizationToken": base64.StdEncoding.EncodeToString([]byte("AWS:" + pw)),
			"expiresAt":          wire.Epoch(w.Now().Add(TokenTTL)),
			"proxyEndpoint":      "http://" + s.host,
		}}}, nil
	case "DeleteRepository":
		return s.deleteRepository(r)
	}
	return nil, wire.UnknownOperation(r.Operation)
}

func invalidParam(format string, args ...any) *wire.Error {
	return wire.Errorf(400, "InvalidParameterException", format, args...)
}

func repoNotFound(name, account string) *wire.Error {
	return wire.NotFound("RepositoryNotFoundException", "The repository with name '%s' does not exist in the registry with id '%s'", name, account)
}

func (s *Service) repoJSON(r *Repository) map[string]any {
	return map[string]any{
		"repositoryArn":              fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", r.Region, r.Account, r.Name),
		"registryId":                 r.Account,
		"repositoryName":             r.Name,
		"repositoryUri":              s.URI(r.Name),
		"createdAt":                  wire.Epoch(r.Created),
		"imageTagMutability":         r.Mutability,
		"imageScanningConfiguration": map[string]any{"scanOnPush": r.ScanOnPush},
		"encryptionConfiguration":    map[string]any{"encryptionType": r.Encryption},
	}
}

func (s *Service) createRepository(w *world.World, r *wire.Request) (any, error) {
	var in struct {
		RepositoryName     string `json:"repositoryName"`
		ImageTagMutability string `json:"imageTagMutability"`
		Scanning           *struct {
			ScanOnPush bool `json:"scanOnPush"`
		} `json:"imageScanningConfiguration"`
		Encryption *struct {
			EncryptionType string `json:"encryptionType"`
		} `json:"encryptionConfiguration"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	if !ValidName(in.RepositoryName) {
		return nil, invalidParam("Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '%s' and have a length between 2 and 256'", namePattern)
	}
	switch in.ImageTagMutability {
	case "":
		in.ImageTagMutability = "MUTABLE"
	case "MUTABLE", "IMMUTABLE":
	default:
		return nil, invalidParam("Invalid parameter at 'imageTagMutability' failed to satisfy constraint: 'Member must satisfy enum value set: [MUTABLE, IMMUTABLE]'")
	}
	k := key(r.Account, r.Region, in.RepositoryName)
	if _, ok := s.Repos[k]; ok {
		return nil, wire.Errorf(400, "RepositoryAlreadyExistsException", "The repository with name '%s' already exists in the registry with id '%s'", in.RepositoryName, r.Account)
	}
	repo := &Repository{Name: in.RepositoryName, Account: r.Account, Region: r.Region, Created: w.Now(),
		Mutability: in.ImageTagMutability, Encryption: "AES256", Images: map[string]*Image{}}
	if in.Scanning != nil {
		repo.ScanOnPush = in.Scanning.ScanOnPush
	}
	if in.Encryption != nil && in.Encryption.EncryptionType != "" {
		repo.Encryption = in.Encryption.EncryptionType
	}
	s.Repos[k] = repo
	return map[string]any{"repository": s.repoJSON(repo)}, nil
}

// page cuts a list by maxResults/nextToken (an opaque offset).
func page(n int, maxResults int, next string, limit int) (from, to int, token string, err error) {
	if maxResults == 0 {
		maxResults = limit
	}
	if maxResults < 1 || maxResults > 1000 {
		return 0, 0, "", invalidParam("Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'")
	}
	if next != "" {
		from, err = strconv.Atoi(next)
		if err != nil || from < 0 || from > n {
			return 0, 0, "", invalidParam("Invalid parameter at 'nextToken': the token is not valid")
		}
	}
	to = min(from+maxResults, n)
	if to < n {
		token = strconv.Itoa(to)
	}
	return from, to, token, nil
}

func (s *Service) describeRepositories(r *wire.Request) (any, error) {
	var in struct {
		RepositoryNames []string `json:"repositoryNames"`
		MaxResults      int      `json:"maxResults"`
		NextToken       string   `json:"nextToken"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	var repos []*Repository
	if len(in.RepositoryNames) > 0 {
		for _, n := range in.RepositoryNames {
			repo := s.Repos[key(r.Account, r.Region, n)]
			if repo == nil {
				return nil, repoNotFound(n, r.Account)
			}
			repos = append(repos, repo)
		}
	} else {
		for _, repo := range s.Repos {
			if repo.Account == r.Account && repo.Region == r.Region {
				repos = append(repos, repo)
			}
		}
		sort.Slice(repos, func(i, j int) bool { return repos[i].Name < repos[j].Name })
	}
	from, to, next, err := page(len(repos), in.MaxResults, in.NextToken, 100)
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for _, repo := range repos[from:to] {
		out = append(out, s.repoJSON(repo))
	}
	res := map[string]any{"repositories": out}
	if next != "" {
		res["nextToken"] = next
	}
	return res, nil
}

func (s *Service) describeImages(r *wire.Request) (any, error) {
	var in struct {
		RepositoryName string `json:"repositoryName"`
		ImageIds       []struct {
			ImageDigest string `json:"imageDigest"`
			ImageTag    string `json:"imageTag"`
		} `json:"imageIds"`
		Filter *struct {
			TagStatus string `json:"tagStatus"`
		} `json:"filter"`
		MaxResults int    `json:"maxResults"`
		NextToken  string `json:"nextToken"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	repo := s.Repos[key(r.Account, r.Region, in.RepositoryName)]
	if repo == nil {
		return nil, repoNotFound(in.RepositoryName, r.Account)
	}
	var imgs []*Image
	if len(in.ImageIds) > 0 {
		for _, id := range in.ImageIds {
			ref := id.ImageDigest
			if ref == "" {
				ref = id.ImageTag
			}
			img := repo.find(ref)
			if img == nil {
				return nil, wire.NotFound("ImageNotFoundException", "The image with imageId {imageDigest:'%s', imageTag:'%s'} does not exist within the repository with name '%s' in the registry with id '%s'", id.ImageDigest, id.ImageTag, repo.Name, repo.Account)
			}
			imgs = append(imgs, img)
		}
	} else {
		for _, img := range repo.sortedImages() {
			if in.Filter != nil && in.Filter.TagStatus == "TAGGED" && len(img.Tags) == 0 ||
				in.Filter != nil && in.Filter.TagStatus == "UNTAGGED" && len(img.Tags) > 0 {
				continue
			}
			imgs = append(imgs, img)
		}
	}
	from, to, next, err := page(len(imgs), in.MaxResults, in.NextToken, 100)
	if err != nil {
		return nil, err
	}
	out := []map[string]any{}
	for _, img := range imgs[from:to] {
		d := map[string]any{
			"registryId":             repo.Account,
			"repositoryName":         repo.Name,
			"imageDigest":            img.Digest,
			"imageSizeInBytes":       img.Size,
			"imagePushedAt":          wire.Epoch(img.PushedAt),
			"imageManifestMediaType": img.MediaType,
		}
		if len(img.Tags) > 0 {
			d["imageTags"] = img.Tags
		}
		if repo.ScanOnPush {
			d["imageScanStatus"] = map[string]any{"status": "COMPLETE", "description": "The scan was completed successfully."}
		}
		out = append(out, d)
	}
	res := map[string]any{"imageDetails": out}
	if next != "" {
		res["nextToken"] = next
	}
	return res, nil
}

func (s *Service) deleteRepository(r *wire.Request) (any, error) {
	var in struct {
		RepositoryName string `json:"repositoryName"`
		Force          bool   `json:"force"`
	}
	if err := r.DecodeJSON(&in); err != nil {
		return nil, err
	}
	k := key(r.Account, r.Region, in.RepositoryName)
	repo := s.Repos[k]
	if repo == nil {
		return nil, repoNotFound(in.RepositoryName, r.Account)
	}
	if len(repo.Images) > 0 && !in.Force {
		return nil, wire.Errorf(400, "RepositoryNotEmptyException", "The repository with name '%s' in registry with id '%s' cannot be deleted because it still contains images", repo.Name, repo.Account)
	}
	delete(s.Repos, k)
	return map[string]any{"repository": s.repoJSON(repo)}, nil
}
