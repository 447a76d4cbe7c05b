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

// Resume follows the journaled connection approval and run; it starts nothing.
func (sec) Resume(ctx context.Context, env *steps.Env, emit steps.Emit) error {
	if err := env.OpenJournal(ctx); err != nil {
		return err
	}
	ops := env.Journal.Operations(section)
	if len(ops) == 0 {
		return nil
	}
	in, wl, err := loadInputs(ctx, env)
	if err != nil {
		return err
	}
	em := emitter{env: env, emit: emit}
	c := newClients(env, wl.Config)
	if op, ok := ops[opConnection]; ok {
		in.setConnection(op.ID)
		handOff(env, in, em)
		if err := waitConnection(ctx, env, c, in, em); err != nil {
			return explain(err, env, in)
		}
	}
	if op, ok := ops[opRun]; ok && op.ID != "" {
		if p := op.Extra["pipeline"]; p != "" {
			in.Pipeline = p
		}
		return explain(follow(ctx, env, c, in, op, em), env, in)
	}
	return nil
}
