package landingzone

import "testing"

func TestCostRangesInWords(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   string
	}{
		{0, 0, "free"},
		{0, 2, "up to about $2 a month"},
		{0.5, 3, "up to about $3 a month"},
		{2, 10, "about $2 to $10 a month"},
		{3, 3, "about $3 a month"},
	} {
		if got := rangeWords(c.lo, c.hi); got != c.want {
			t.Errorf("rangeWords(%g, %g) = %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
}
