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
	return fmt.Sprintf("https://%s.console.aws.amazon.com/singlesignon/home?region=%s#/instances/%s/settings", region, region, id)
}

// HandOffTitle is the one line of the manual step.
const HandOffTitle = "Turn on sign-in code emails for the people castle added"

// HandOffSteps says what to click, in the console, for AWS to email a
// one-time password to users created through the API (AWS has no API for it).
func HandOffSteps(region, instanceARN string) string {
	return strings.Join([]string{
		"AWS does not send an invitation to users created by castle (or any other program), so they could not sign in yet.",
		"1. Signed in to the AWS console as an administrator, open IAM Identity Center → Settings:",
		"   " + SettingsURL(region, instanceARN),
		"2. On the Authentication tab, under Standard authentication, choose Configure.",
		"3. Tick \"Send email OTP for users created from API\" and save.",
		"From then on, the first time a new person signs in AWS emails them a one-time code, and they choose their own password.",
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
