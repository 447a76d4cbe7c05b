// Package ecs simulates Amazon ECS on Fargate (awsJson1_1, target
// AmazonEC2ContainerServiceV20141113) for castle's sandbox: clusters, task
// definitions, services with rolling deployments and the deployment circuit
// breaker, and tasks that move PROVISIONING → PENDING → RUNNING on the
// virtual clock.
//
// # Tasks on a real Docker engine
//
// When a Docker engine answers (New(dockerHost)), a task in PENDING really
// runs: the image is pulled from the sandbox ECR registry (credentials from
// ecr.IssueToken), started as a local container named castle-ecs-<task id>
// with the container port published on 127.0.0.1:<random>, and the task
// becomes RUNNING once the container has started. Its network interface's
// public IP (ec2 DescribeNetworkInterfaces) is then 127.0.0.1; the published
// port is not an AWS concept, so clients ask the sandbox for it:
//
//	GET /_sandbox/ecs/task-address?task=<task ARN>
//	→ {"docker":true,"host":"127.0.0.1","port":49153,"containerPort":8080}
//
// ({"docker":false} without an engine: tasks still run on the virtual clock
// and castle skips its HTTP check.) An image whose architecture differs from
// the task definition's runtime platform stops the task with an exec format
// error, as on Fargate; a container that exits stops its task with "Essential
// container in task exited". Docker work runs in goroutines, never inside
// Handle; Close stops every container the sandbox started.
package ecs

import (
	"encoding/json"

	"time"

	"github.com/castle-aws/castle/sandbox/wire"
	"github.com/castle-aws/castle/sandbox/world"
)

// Timings of the simulated Fargate, in virtual time.
const (
	ProvisionTime = 15 * time.Second // PROVISIONING → PENDING (ENI attached)
	PullTime      = 20 * time.Second // PENDING → RUNNING without an engine (at least)
	StopTime      = 10 * time.Second // desired STOPPED → STOPPED
	SteadyTime    = 20 * time.Second // running tasks before a deployment completes
	RelaunchDelay = 10 * time.Second // after a failed task
	StoppedKept   = time.Hour        // DescribeTasks still knows a stopped task
)

// Cluster is an ECS cluster.
type Cluster struct {
	Name     string            `json:"name"`
	ARN      string            `json:"arn"`
	Status   string            `json:"status"`
	Settings map[string]string `json:"settings,omitempty"`
	Created  time.Time         `json:"created"`
}

// Container is one container definition (the fields the sandbox acts on).
type Container struct {
	Name      string            `json:"name"`
	Image     string            `json:"image"`
	Essential *bool             `json:"essential,omitempty"`
	Ports     []int             `json:"ports,omitempty"`
	LogDriver string            `json:"logDriver,omitempty"`
	LogOpts   map[string]string `json:"logOptions,omitempty"`
}

// TaskDef is a task definition revision.
type TaskDef struct {
	Family     string         `json:"family"`
	Revision   int            `json:"revision"`
	ARN        string         `json:"arn"`
	Status     string         `json:"status"`
	Arch       string         `json:"arch"` // X86_64 | ARM64
	Cpu        string         `json:"cpu"`
	Memory     string         `json:"memory"`
	Exec       string         `json:"executionRoleArn,omitempty"`
	Containers []Container    `json:"containers"`
	Raw        map[string]any `json:"raw"` // the request, echoed by DescribeTaskDefinition
	At         time.Time      `json:"registeredAt"`
}

// Event is a service event.
type Event struct {
	ID      string    `json:"id"`
	At      time.Time `json:"at"`
	Message string    `json:"message"`
}

// Deployment is one rollout of a service.
type Deployment struct {
	ID            string    `json:"id"`
	Status        string    `json:"status"` // PRIMARY | ACTIVE
	TaskDef       string    `json:"taskDefinition"`
	Desired       int       `json:"desired"`
	Failed        int       `json:"failed"`
	Rollout       string    `json:"rolloutState"` // IN_PROGRESS | COMPLETED | FAILED
	RolloutReason string    `json:"rolloutStateReason"`
	Created       time.Time `json:"created"`
	Updated       time.Time `json:"updated"`
	NextLaunch    time.Time `json:"nextLaunch"`
	SteadySince   time.Time `json:"steadySince"`
}

// Svc is an ECS service.
type Svc struct {
	Name          string        `json:"name"`
	ARN           string        `json:"arn"`
	Cluster       string        `json:"cluster"`
	Status        string        `json:"status"`
	TaskDef       string        `json:"taskDefinition"`
	Desired       int           `json:"desired"`
	Subnets       []string      `json:"subnets"`
	Groups        []string      `json:"securityGroups"`
	PublicIP      bool          `json:"publicIp"`
	Breaker       bool          `json:"circuitBreaker"`
	Rollback      bool          `json:"rollback"`
	Token         string        `json:"clientToken,omitempty"`
	Request       string        `json:"request,omitempty"` // for the idempotency check
	Created       time.Time     `json:"created"`
	Deployments   []*Deployment `json:"deployments"`
	Events        []Event       `json:"events,omitempty"` // newest first
	LastCompleted string        `json:"lastCompletedTaskDefinition,omitempty"`
}

// Task is a Fargate task.
type Task struct {
	ARN        string    `json:"arn"`
	Cluster    string    `json:"cluster"`
	Group      string    `json:"group"` // service:<name>
	Service    string    `json:"service"`
	Deployment string    `json:"deployment"`
	TaskDef    string    `json:"taskDefinition"`
	LastStatus string    `json:"lastStatus"`
	Desired    string    `json:"desiredStatus"`
	Created    time.Time `json:"created"`
	PendingAt  time.Time `json:"pendingAt,omitempty"`
	StartedAt  time.Time `json:"startedAt,omitempty"`
	StoppingAt time.Time `json:"stoppingAt,omitempty"`
	StoppedAt  time.Time `json:"stoppedAt,omitempty"`
	StopCode   string    `json:"stopCode,omitempty"`
	Reason     string    `json:"stoppedReason,omitempty"`
	CReason    string    `json:"containerReason,omitempty"`
	ExitCode   *int      `json:"exitCode,omitempty"`
	Subnet     string    `json:"subnet"`
	ENI        string    `json:"eni,omitempty"`
	PrivateIP  string    `json:"privateIp,omitempty"`
	Counted    bool      `json:"counted,omitempty"` // counted as a failure
	AZ         string    `json:"az,omitempty"`
	// ready is set by the Docker runner once the container runs (not saved:
	// after a restart the runner starts the container again).
	ready bool
}

// Region is one account's ECS in one region.
type Region struct {
	Account  string                `json:"account"`
	Region   string                `json:"region"`
	Clusters map[string]*Cluster   `json:"clusters"`
	TaskDefs map[string][]*TaskDef `json:"taskDefinitions"` // family → revisions (index = revision-1)
	Services map[string]*Svc       `json:"services"`        // cluster/name
	Tasks    map[string]*Task      `json:"tasks"`           // by ARN
}

// Service is the simulated ECS.
type Service struct {
	Regions map[string]*Region `json:"regions"`

	rt *runtime
}

// New returns the simulated ECS. With a Docker engine at dockerHost ("" →
// DOCKER_HOST or the default socket) answering, tasks run as containers.
func New(dockerHost string) *Service {
	return &Service{Regions: map[string]*Region{}, rt: newRuntime(dockerHost)}
}

// From returns the ECS service of a world, or nil when it is not registered.
func From(w *world.World) *Service {
	s, _ := w.Service("ecs").(*Service)
	return s
}

func (s *Service) Name() string            { return "ecs" }
func (s *Service) Protocol() wire.Protocol { return wire.JSON11 }
func (s *Service) Snapshot() any           { return s }
func (s *Service) Restore(data json.RawMessage) error {
	if err := json.Unmarshal(data, s); err != nil {
		return err
	}
	if s.Regions == nil {
		s.Regions = map[string]*Region{}
	}
	return nil
}

// Close stops every container the sandbox started.
func (s *Service) Close() { s.rt.close() }

// Docker reports whether tasks run on a Docker engine.
func (s *Service) Docker() bool { return s.rt.enabled() }

func (s *Service) region(account, region string) *Region {
	k := account + "/" + region
	g := s.Regions[k]
	if g == nil {
		g = &Region{Account: account, Region: region, Clusters: map[string]*Cluster{}, TaskDefs: map[string][]*TaskDef{}, Services: map[string]*Svc{}, Tasks: map[string]*Task{}}
		s.Regions[k] = g
	}
	return g
}

func (g *Region) arn(kind, rest string) string {
	return "arn:aws:ecs:" + g.Region + ":" + g.Account + ":" + kind + "/" + rest
}
