package steps

import (
	"context"
	"io"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/logging"
)

// ConnectOptions say how castle reaches AWS.
type ConnectOptions struct {
	Profile     string
	Region      string
	EndpointURL string // every call goes here (the sandbox, or an emulator)
	// Credentials, when set, replace the default chain (the in-process sandbox).
	Credentials aws.CredentialsProvider
	// DebugLog receives the SDK's request log (signatures and secrets redacted by the caller's writer).
	DebugLog   io.Writer
	HTTPClient *http.Client
	// MaxBackoff caps the retryer's wait between attempts (default 5s).
	// Tests against the sandbox's fault injection shorten it.
	MaxBackoff time.Duration
	// Isolated ignores the user's ~/.aws files (tests, the in-process sandbox).
	Isolated bool
}

// MaxAttempts is how often the SDK's standard retryer tries a call. Higher than
// the SDK's 3 because castle's calls are few, cheap to repeat, and an hour-long
// wait must not end on one throttled poll.
const MaxAttempts = 8

// LoadConfig builds the AWS configuration from the standard chain (env,
// profiles, SSO), with castle's retry policy.
func LoadConfig(ctx context.Context, o ConnectOptions) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(so *retry.StandardOptions) {
				so.MaxAttempts = MaxAttempts
				so.MaxBackoff = 5 * time.Second
				if o.MaxBackoff > 0 {
					so.MaxBackoff = o.MaxBackoff
				}
				so.Backoff = retry.NewExponentialJitterBackoff(so.MaxBackoff)
				// Injected or real throttling must slow castle down, not
				// exhaust a client-side retry budget and fail the wait.
				so.RateLimiter = ratelimit.None
			})
		}),
	}
	if o.Isolated {
		opts = append(opts, config.WithSharedConfigFiles([]string{}), config.WithSharedCredentialsFiles([]string{}))
	}
	if o.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.Profile))
	}
	if o.Region != "" {
		opts = append(opts, config.WithRegion(o.Region))
	}
	if o.EndpointURL != "" {
		opts = append(opts, config.WithBaseEndpoint(o.EndpointURL))
	}
	if o.Credentials != nil {
		opts = append(opts, config.WithCredentialsProvider(o.Credentials))
	}
	if o.HTTPClient != nil {
		opts = append(opts, config.WithHTTPClient(o.HTTPClient))
	}
	if o.DebugLog != nil {
		opts = append(opts,
			config.WithLogger(logging.NewStandardLogger(o.DebugLog)),
			config.WithClientLogMode(aws.LogRequest|aws.LogResponse|aws.LogRetries))
	}
	return config.LoadDefaultConfig(ctx, opts...)
}

// StaticCredentials is a provider for fixed keys (the sandbox's).
func StaticCredentials(id, secret, session string) aws.CredentialsProvider {
	return credentials.NewStaticCredentialsProvider(id, secret, session)
}

// Reconnect points the env at another profile or region and forgets the
// remembered identity.
func (e *Env) Reconnect(ctx context.Context, o ConnectOptions) error {
	cfg, err := LoadConfig(ctx, o)
	if err != nil {
		return Explain(err, e)
	}
	e.Config = cfg
	e.Profile = o.Profile
	e.Region = cfg.Region
	e.ForgetCaller()
	return nil
}
