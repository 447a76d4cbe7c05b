// Package environments_test measures how long the Environments section takes
// to create one account and five accounts against the sandbox. Control Tower
// works on up to five accounts at once, so five should take about as long
// as one. See README.md for the command and the figures.
package environments_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/castle-aws/castle/sandbox"
	"github.com/castle-aws/castle/sandbox/sandboxtest"
	"github.com/castle-aws/castle/sandbox/servicecatalog/sctest"
	"github.com/castle-aws/castle/steps"
	"github.com/castle-aws/castle/steps/castlefile"
	"github.com/castle-aws/castle/steps/environments"
)

// speed: 20 virtual minutes of Account Factory in 2 s of wall time.
const speed = 600

func run(b *testing.B, n int) {
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		sb := sandboxtest.Start(b, sandbox.Options{Speed: speed})
		sctest.Setup(b, sb)
		env := sb.Env()
		for k := 0; k < n; k++ {
			env.Answers.Environments = append(env.Answers.Environments, castlefile.Account{
				Name: fmt.Sprintf("bench%d.dev", k), Email: fmt.Sprintf("bench%d@example.com", k), OU: "Sandbox"})
		}
		b.StartTimer()
		if err := environments.New().Apply(context.Background(), env, func(steps.Event) {}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		env.Journal.Close()
		sb.Close()
	}
}

func BenchmarkOneAccount(b *testing.B)   { run(b, 1) }
func BenchmarkFiveAccounts(b *testing.B) { run(b, 5) }
func BenchmarkSixAccounts(b *testing.B)  { run(b, 6) }
