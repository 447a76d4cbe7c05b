package service

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"

	"github.com/castle-aws/castle/steps"
)

// check finds a running task's public IP and asks it for a page.
func (st *state) check(ctx context.Context, env *steps.Env, e emitter) error {
	s := st.set
	task, ip, err := st.publicIP(ctx)
	if err != nil {
		err = explain(err, env, s)
		e.say("check", steps.EventFailed, err.Error())
		return err
	}
	u := fmt.Sprintf("http://%s:%d/", ip, s.Port)
	if env.Sandbox {
		addr, err := sandboxAddress(ctx, env, aws.ToString(task.TaskArn))
		switch {
		case err != nil:
			e.say("check", steps.EventInfo, "the sandbox could not say where the task listens ("+err.Error()+"); HTTP check skipped")
			return env.Journal.SetResource(sec, KeyURL, u)
		case !addr.Docker:
			e.say("check", steps.EventInfo, "the task runs at "+u+" (the sandbox has no Docker engine, so nothing listens there; HTTP check skipped)")
			return env.Journal.SetResource(sec, KeyURL, u)
		case addr.Port == 0:
			e.say("check", steps.EventInfo, "the sandbox has not published the task's port yet; HTTP check skipped")
			return env.Journal.SetResource(sec, KeyURL, u)
		}
		u = fmt.Sprintf("http://%s:%d/", addr.Host, addr.Port)
	}
	e.say("check", steps.EventStarted, "asking "+u+" for a page")
	status, err := httpCheck(ctx, u)
	if err != nil {
		ue := &steps.UserError{Message: "The service runs, but nothing answered at " + u + ".",
			Next: fmt.Sprintf("Check that your app listens on port %d on all addresses (0.0.0.0), not only localhost; change the port in the Service form if it is another one.", s.Port), Err: err}
		e.say("check", steps.EventFailed, ue.Error())
		return ue
	}
	if err := env.Journal.SetResource(sec, KeyURL, u); err != nil {
		return err
	}
	e.say("check", steps.EventDone, fmt.Sprintf("%s answered %s", u, status))
	return nil
}

// publicIP is ListTasks → DescribeTasks → network interface → its public IP.
func (st *state) publicIP(ctx context.Context) (ecstypes.Task, string, error) {
	s := st.set
	list, err := st.ecs.ListTasks(ctx, &ecs.ListTasksInput{Cluster: aws.String(s.Cluster), ServiceName: aws.String(s.Name), DesiredStatus: ecstypes.DesiredStatusRunning})
	if err != nil {
		return ecstypes.Task{}, "", err
	}
	if len(list.TaskArns) == 0 {
		return ecstypes.Task{}, "", &steps.UserError{Message: "The service has no running task right now.", Next: "Open the Service section again in a minute; ECS replaces stopped tasks by itself."}
	}
	out, err := st.ecs.DescribeTasks(ctx, &ecs.DescribeTasksInput{Cluster: aws.String(s.Cluster), Tasks: list.TaskArns})
	if err != nil {
		return ecstypes.Task{}, "", err
	}
	for _, t := range out.Tasks {
		if aws.ToString(t.LastStatus) != "RUNNING" {
			continue
		}
		eni := ""
		for _, a := range t.Attachments {
			if aws.ToString(a.Type) != "ElasticNetworkInterface" {
				continue
			}
			for _, d := range a.Details {
				if aws.ToString(d.Name) == "networkInterfaceId" {
					eni = aws.ToString(d.Value)
				}
			}
		}
		if eni == "" {
			continue
		}
		nis, err := st.ec2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{eni}})
		if err != nil {
			return t, "", err
		}
		if len(nis.NetworkInterfaces) > 0 && nis.NetworkInterfaces[0].Association != nil && aws.ToString(nis.NetworkInterfaces[0].Association.PublicIp) != "" {
			return t, aws.ToString(nis.NetworkInterfaces[0].Association.PublicIp), nil
		}
		return t, "", &steps.UserError{Message: "The task has no public IP address.", Next: "Make sure the service's subnets are the Network section's public ones, then apply Service again."}
	}
	return ecstypes.Task{}, "", &steps.UserError{Message: "No task of the service is running right now.", Next: "Open the Service section again in a minute."}
}

// TaskAddress is the sandbox's answer about where a task listens.
type TaskAddress struct {
	Docker bool   `json:"docker"`
	Host   string `json:"host"`
	Port   int    `json:"port"`
}

// sandboxAddress asks the sandbox which local port a task's container has
// (GET /_sandbox/ecs/task-address?task=ARN; see sandbox/ecs).
func sandboxAddress(ctx context.Context, env *steps.Env, task string) (TaskAddress, error) {
	var a TaskAddress
	if env.EndpointURL == "" {
		return a, fmt.Errorf("no sandbox endpoint")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(env.EndpointURL, "/")+"/_sandbox/ecs/task-address?task="+url.QueryEscape(task), nil)
	if err != nil {
		return a, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return a, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return a, fmt.Errorf("the sandbox answered %s", resp.Status)
	}
	return a, json.NewDecoder(resp.Body).Decode(&a)
}

// httpCheck GETs the URL a few times over about 20 seconds (an app can take
// a moment to listen after its container starts).
func httpCheck(ctx context.Context, u string) (string, error) {
	client := &http.Client{Timeout: 5 * time.Second}
	var last error
	for i := 0; i < 10; i++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
		if err != nil {
			return "", err
		}
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			return resp.Status, nil
		}
		last = err
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(2 * time.Second):
		}
	}
	return "", last
}
