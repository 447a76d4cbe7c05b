package ec2

import (
	"github.com/castle-aws/castle/sandbox/wire"
)

// filters reads Filter.N.Name / Filter.N.Value.M.
func filters(r *wire.Request) map[string][]string {
	out := map[string][]string{}
	for _, f := range r.Structs("Filter") {
		name := f["Name"]
		for i := 1; ; i++ {
			v, ok := f["Value."+itoa(i)]
			if !ok {
				break
			}
			out[name] = append(out[name], v)
		}
	}
	return out
}

// match reports whether a resource's attributes pass every filter (a filter
// matches when any of its values equals any of the attribute's values).
// Filters the sandbox does not know match nothing, so a typo shows.
func match(fs map[string][]string, attrs map[string][]string) bool {
	for name, want := range fs {
		have, ok := attrs[name]
		if !ok {
			return false
		}
		found := false
		for _, w := range want {
			for _, h := range have {
				if w == h {
					found = true
				}
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// ids reads a flat id list (VpcId.1, VpcId.2 ...) into a set; nil when absent.
func ids(r *wire.Request, prefix string) map[string]bool {
	l := r.List(prefix)
	if len(l) == 0 {
		return nil
	}
	m := map[string]bool{}
	for _, id := range l {
		m[id] = true
	}
	return m
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

func boolStr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}
