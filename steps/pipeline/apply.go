package pipeline

import (
	"context"

	"github.com/castle-aws/castle/steps"
)

// Apply sets up the pipeline, skipping what exists, and follows its run.
func (sec) Apply(ctx context.Context, env *steps.Env, emit steps.Emit) error {
	in, wl, err := loadInputs(ctx, env)
	if err != nil {
		return err
	}
	if err := env.Journal.SetAnswers(section, env.Answers.Pipeline); err != nil {
		return err
	}
	em := emitter{env: env, emit: emit}
	c := newClients(env, wl.Config)
	fail := func(err error) error { return explain(err, env, in) }
	f, err := discover(ctx, env, c, &in)
	if err != nil {
		return fail(err)
	}
	wasAvailable := f.connAvailable()
	// The connection first: a person approves it while castle builds the rest.
	if err := ensureConnection(ctx, env, c, &in, &f, em); err != nil {
		return fail(err)
	}
	if err := ensureBucket(ctx, c, in, f, em); err != nil {
		return fail(err)
	}
	// Policies name the connection, so they are checked again now it is known.
	for _, r := range in.roles() {
		rf, err := findRole(ctx, c, r, in)
		if err != nil {
			return fail(err)
		}
		f.roles[r.name] = rf
	}
	if err := ensureRoles(ctx, c, in, f, em); err != nil {
		return fail(err)
	}
	if err := ensureProject(ctx, env, c, in, f, em); err != nil {
		return fail(err)
	}
	if !wasAvailable {
		if err := waitConnection(ctx, env, c, in, em); err != nil {
			return fail(err)
		}
	}
	run, err := ensurePipeline(ctx, env, c, in, f, em)
	if err != nil {
		return fail(err)
	}
	if run.ID == "" {
		em.skipped("run", "the pipeline runs on every push to "+in.Branch)
		return nil
	}
	return fail(follow(ctx, env, c, in, run, em))
}

// Resume follows the journaled run; it starts nothing. A connection
// waiting for its approval is left to Apply, which goes on once a person
// approved it.
func (sec) Resume(ctx context.Context, env *steps.Env, emit steps.Emit) error {
	if err := env.OpenJournal(ctx); err != nil {
		return err
	}
	op, ok := env.Journal.Operations(section)[opRun]
	if !ok || op.ID == "" {
		return nil
	}
	in, wl, err := loadInputs(ctx, env)
	if err != nil {
		return err
	}
	if p := op.Extra["pipeline"]; p != "" {
		in.Pipeline = p
	}
	c := newClients(env, wl.Config)
	return explain(follow(ctx, env, c, in, op, emitter{env: env, emit: emit}), env, in)
}
