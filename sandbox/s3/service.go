// Package s3 simulates the bucket operations of Amazon S3 (restXml) that
// castle's pipeline needs: an artifact bucket with default encryption and
// the public access block. Bucket names are global across accounts.
package s3

import (
	"encoding/json"
	"encoding/xml"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// Bucket is one bucket.
type Bucket struct {
	Name    string    `json:"name"`
	Owner   string    `json:"owner"`
	Region  string    `json:"region"`
	Created time.Time `json:"created"`
	// Encryption and PublicAccessBlock are the XML documents last put.
	Encryption        string `json:"encryption,omitempty"`
	PublicAccessBlock string `json:"publicAccessBlock,omitempty"`
}

// Service is the simulated S3.
type Service struct {
	Buckets map[string]*Bucket `json:"buckets"`
}

// New returns the simulated service.
func New() world.Service { return &Service{Buckets: map[string]*Bucket{}} }

// From returns the service of a world, or nil when it is not registered.
func From(w *world.World) *Service {
	s, _ := w.Service("s3").(*Service)
	return s
}

func (s *Service) Name() string            { return "s3" }
func (s *Service) Protocol() wire.Protocol { return wire.RestXML }
func (s *Service) XMLNamespace() string    { return "http://s3.amazonaws.com/doc/2006-03-01/" }
func (s *Service) Snapshot() any           { return s }
func (s *Service) Restore(data json.RawMessage) error {
	return json.Unmarshal(data, s)
}

// Bucket returns a bucket by name (the pipeline's artifact store).
func (s *Service) Bucket(name string) (*Bucket, bool) {
	b, ok := s.Buckets[name]
	return b, ok
}

// bucketOf finds the bucket a request names: virtual-hosted style
// (bucket.localhost:port, bucket.s3.region.amazonaws.com) or path style
// (/bucket).
func bucketOf(r *http.Request) (bucket string, key string) {
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	path := strings.TrimPrefix(r.URL.Path, "/")
	if net.ParseIP(host) == nil && host != "localhost" {
		for _, suffix := range []string{".localhost", ".s3.amazonaws.com"} {
			if strings.HasSuffix(host, suffix) {
				return strings.TrimSuffix(host, suffix), path
			}
		}
		if i := strings.Index(host, ".s3."); i > 0 {
			return host[:i], path
		}
		if i := strings.Index(host, ".s3-"); i > 0 {
			return host[:i], path
		}
	}
	bucket, key, _ = strings.Cut(path, "/")
	return bucket, key
}

// Route names the operation of a request.
func (s *Service) Route(r *http.Request) (string, map[string]string, bool) {
	bucket, key := bucketOf(r)
	q := r.URL.Query()
	params := map[string]string{"bucket": bucket, "key": key}
	if bucket == "" {
		if r.Method == http.MethodGet {
			return "ListBuckets", params, true
		}
		return "", nil, false
	}
	if key != "" {
		return "", nil, false
	}
	_, enc := q["encryption"]
	_, pab := q["publicAccessBlock"]
	_, loc := q["location"]
	switch {
	case enc && r.Method == http.MethodPut:
		return "PutBucketEncryption", params, true
	case enc && r.Method == http.MethodGet:
		return "GetBucketEncryption", params, true
	case pab && r.Method == http.MethodPut:
		return "PutPublicAccessBlock", params, true
	case pab && r.Method == http.MethodGet:
		return "GetPublicAccessBlock", params, true
	case loc && r.Method == http.MethodGet:
		return "GetBucketLocation", params, true
	case r.Method == http.MethodPut && len(q) == 0:
		return "CreateBucket", params, true
	case r.Method == http.MethodHead:
		return "HeadBucket", params, true
	}
	return "", nil, false
}

var validName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

func (s *Service) Handle(w *world.World, r *wire.Request) (any, error) {
	name := r.PathParams["bucket"]
	switch r.Operation {
	case "CreateBucket":
		return s.create(w, r, name)
	case "ListBuckets":
		type entry struct {
			Name         string
			CreationDate string
		}
		var out struct {
			XMLName xml.Name `xml:"ListAllMyBucketsResult"`
			Buckets []entry  `xml:"Buckets>Bucket"`
		}
		for _, b := range s.Buckets {
			if b.Owner == r.Account {
				out.Buckets = append(out.Buckets, entry{b.Name, wire.ISO(b.Created)})
			}
		}
		return out, nil
	}
	b, ok := s.Buckets[name]
	if !ok {
		if r.Operation == "HeadBucket" {
			return nil, &wire.Error{Status: 404, Code: "NotFound", Message: "Not Found"}
		}
		return nil, wire.Errorf(404, "NoSuchBucket", "The specified bucket does not exist")
	}
	if b.Owner != r.Account {
		return nil, wire.Errorf(403, "AccessDenied", "Access Denied")
	}
	switch r.Operation {
	case "HeadBucket":
		return wire.Raw{Status: 200, Header: http.Header{"X-Amz-Bucket-Region": {b.Region}}}, nil
	case "GetBucketLocation":
		return struct {
			XMLName xml.Name `xml:"LocationConstraint"`
			Value   string   `xml:",chardata"`
		}{Value: locationOf(b.Region)}, nil
	case "PutBucketEncryption":
		var doc struct {
			Rules []struct {
				Algorithm string `xml:"ApplyServerSideEncryptionByDefault>SSEAlgorithm"`
			} `xml:"Rule"`
		}
		if err := xml.Unmarshal(r.Body, &doc); err != nil || len(doc.Rules) == 0 || doc.Rules[0].Algorithm == "" {
			return nil, wire.Errorf(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
		}
		b.Encryption = string(r.Body)
		return nil, nil
	case "GetBucketEncryption":
		if b.Encryption == "" {
			return nil, wire.Errorf(404, "ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found")
		}
		return wire.Raw{Status: 200, Header: http.Header{"Content-Type": {"application/xml"}}, Body: []byte(b.Encryption)}, nil
	case "PutPublicAccessBlock":
		var doc struct {
			XMLName xml.Name `xml:"PublicAccessBlockConfiguration"`
		}
		if err := xml.Unmarshal(r.Body, &doc); err != nil {
			return nil, wire.Errorf(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
		}
		b.PublicAccessBlock = string(r.Body)
		return nil, nil
	case "GetPublicAccessBlock":
		if b.PublicAccessBlock == "" {
			return nil, wire.Errorf(404, "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found")
		}
		return wire.Raw{Status: 200, Header: http.Header{"Content-Type": {"application/xml"}}, Body: []byte(b.PublicAccessBlock)}, nil
	}
	return nil, wire.UnknownOperation(r.Operation)
}

func (s *Service) create(w *world.World, r *wire.Request, name string) (any, error) {
	if !validName.MatchString(name) || strings.Contains(name, "..") || net.ParseIP(name) != nil {
		return nil, wire.Errorf(400, "InvalidBucketName", "The specified bucket is not valid.")
	}
	var conf struct {
		Location string `xml:"LocationConstraint"`
	}
	if len(r.Body) > 0 {
		if err := xml.Unmarshal(r.Body, &conf); err != nil {
			return nil, wire.Errorf(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema")
		}
	}
	if conf.Location != locationOf(r.Region) {
		if conf.Location == "" {
			return nil, wire.Errorf(400, "IllegalLocationConstraintException", "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.")
		}
		return nil, wire.Errorf(400, "IllegalLocationConstraintException", "The %s location constraint is incompatible for the region specific endpoint this request was sent to.", conf.Location)
	}
	if b, ok := s.Buckets[name]; ok {
		if b.Owner != r.Account {
			return nil, wire.Errorf(409, "BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.")
		}
		if r.Region != "us-east-1" {
			return nil, wire.Errorf(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.")
		}
	} else {
		// Since 2023 a new bucket has SSE-S3 encryption and the whole
		// public access block on until someone changes them.
		s.Buckets[name] = &Bucket{Name: name, Owner: r.Account, Region: r.Region, Created: w.Now(),
			Encryption: defaultEncryption, PublicAccessBlock: defaultPublicAccessBlock}
	}
	return wire.Raw{Status: 200, Header: http.Header{"Location": {"/" + name}}}, nil
}

// locationOf is the LocationConstraint of a region (us-east-1 has none).
func locationOf(region string) string {
	if region == "us-east-1" {
		return ""
	}
	return region
}

const (
	defaultEncryption        = `<ServerSideEncryptionConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault><BucketKeyEnabled>false</BucketKeyEnabled></Rule></ServerSideEncryptionConfiguration>`
	defaultPublicAccessBlock = `<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>true</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>true</RestrictPublicBuckets></PublicAccessBlockConfiguration>`
)

// Exists reports whether account owns the bucket (the pipeline's artifact store).
func (s *Service) Exists(account, name string) bool {
	b, ok := s.Buckets[name]
	return ok && b.Owner == account
}
