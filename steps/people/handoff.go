package people

import (
	"fmt"
	"strings"

	"github.com/castle-aws/castle/steps/castlefile"
)

// SettingsURL is the Identity Center console page with the authentication
// settings of the instance.
func SettingsURL(region, instanceARN string) string {
	id := instanceARN[strings.LastIndexByte(instanceARN, '/')+1:]
	id = strings.TrimPrefix(id, "ssoins-")
	return fmt.Sprintf("https://console.aws.amazon.com/singlesignon/home?region=%s#/instances/%s/settings", region, id)
}

// HandOffTitle is the one line of the manual step.
const HandOffTitle = "Turn on sign-in code emails for the people castle added"

// ConsoleURL is the Identity Center console's start page in a region (short
// enough to show whole on an 80-column screen).
func ConsoleURL(region string) string {
	return "https://console.aws.amazon.com/singlesignon/home?region=" + region
}

// HandOffSteps says what to click, in the console, for AWS to email a
// one-time password to users created through the API (AWS has no API for it).
func HandOffSteps(region string) string {
	return strings.Join([]string{
		"AWS sends no invitation to people added by a program, so they cannot sign in yet.",
		"1. Open IAM Identity Center, signed in as an administrator:",
		"   " + ConsoleURL(region),
		"2. Settings → Authentication tab → Standard authentication → Configure.",
		"3. Tick \"Send email OTP for users created from API\", then Save.",
		"From then on AWS emails each new person a one-time code when they first sign in.",
	}, "\n")
}

// Welcome is the message to send a new person.
func Welcome(portalURL string, u castlefile.User) string {
	name := u.GivenName
	if name == "" {
		name = u.UserName
	}
	return fmt.Sprintf("Hi %s, you now have your own AWS sign-in. Open %s and sign in with the user name %q. "+
		"AWS emails a one-time code to %s the first time; then you choose a password and set up MFA.",
		name, portalURL, u.UserName, u.Email)
}
