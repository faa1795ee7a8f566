package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/s3link/s3link/awsops"
	"github.com/s3link/s3link/awsops/setup"
	"github.com/s3link/s3link/awsops/transfer/download"
)

// proofWait is how long the headless proof keeps trying credentials that
// AWS refuses: IAM takes seconds, rarely a minute, to spread a new key, a
// new role or its trust policy.
const proofWait = 2 * time.Minute

// roleSummary is a role link's role in the setup summary.
type roleSummary struct {
	Name           string `json:"name"`
	ARN            string `json:"arn"`
	ExternalID     string `json:"externalId"`
	TrustedAccount string `json:"trustedAccount"`
}

// proofSummary is what the proof download did.
type proofSummary struct {
	// With says which credentials signed it: "new access key KEYID" or
	// "role ARN (assumed with the external id)".
	With       string `json:"with"`
	Dest       string `json:"dest"`
	Downloaded int64  `json:"downloaded"`
	Skipped    int64  `json:"skipped"`
	Failed     int64  `json:"failed"`
	Bytes      int64  `json:"bytes"`
}

// validateAccess checks the flags of the chosen access kind and fills the
// spec's role fields; spec is what validateSetup made of the rest.
func validateAccess(o *setupOptions, spec *setup.Spec) error {
	access, err := setup.ParseAccess(o.Access)
	if err != nil {
		return usageError("%v", err)
	}
	spec.Access = access
	if access != setup.AccessRole {
		if o.TrustedAccount != "" {
			return usageError("--trusted-account names the account that assumes a role; add --access role, or leave it out")
		}
		return nil
	}
	if err := awsops.ValidateAccountID(o.TrustedAccount); err != nil {
		if o.TrustedAccount == "" {
			return usageError("--access role needs --trusted-account: the platform's 12-digit AWS account id, which alone may assume the role")
		}
		return usageError("%v", err)
	}
	if err := awsops.ValidateRoleName(o.RoleName); err != nil {
		return usageError("%v", err)
	}
	for _, f := range []struct {
		set  bool
		flag string
	}{
		{o.CSVPath != "", "--csv"}, {o.EncryptTo != "", "--encrypt-to"}, {o.WriteProfile != "", "--write-profile"},
		{o.PrintSecret, "--print-secret"}, {o.RotateOldest, "--rotate-oldest-key"}, {o.NewKey, "--new-key"},
		{o.ExistingUser, "--existing-user"}, {len(o.Tags) > 0, "--tag"},
	} {
		if f.set {
			return usageError("%s is for an access key; a role link (--access role) has no user and no secret, so leave it out", f.flag)
		}
	}
	spec.TrustedAccount, spec.RoleName, spec.UserName, spec.Tags = o.TrustedAccount, o.RoleName, "", nil
	return nil
}

// proofConfig is what the proof signs with: only the new key, so the
// caller's own credentials cannot stand in for it; or, for a role, the
// caller's credentials assuming the role with its external id.
func proofConfig(g *Globals, region string, plan *setup.Plan, st setup.State) (awsops.Config, string) {
	c := awsops.Config{Region: region, EndpointURL: g.AWSConfig().EndpointURL}
	if plan.Spec.Role() {
		c = g.AWSConfig()
		c.Region = region
		arn := plan.RoleARN(st)
		c.AssumeRole = &awsops.AssumeRole{ARN: arn, ExternalID: plan.ExternalID, SessionName: "s3link-proof-" + plan.SetupID}
		return c, "role " + arn + " (assumed with the external id)"
	}
	c.Static = &awsops.StaticCredentials{AccessKeyID: st.Key.ID, Secret: st.Key.Secret}
	return c, "new access key " + st.Key.ID
}

// runProof downloads the location into dest with the platform's
// credentials, retrying while IAM spreads them (at most proofWait).
func runProof(ctx context.Context, f *Factory, w io.Writer, cfg awsops.Config, with, bucket, prefix, dest string, concurrency int) (proofSummary, error) {
	sum := proofSummary{With: with, Dest: dest}
	store, err := f.Download(ctx, cfg, bucket, concurrency)
	if err != nil {
		return sum, err
	}
	deadline := time.Now().Add(proofWait)
	for attempt := 1; ; attempt++ {
		c, cancel := context.WithTimeout(ctx, awsops.CallTimeout)
		err = download.Probe(c, store, bucket, prefix)
		cancel()
		if err == nil {
			break
		}
		if !errors.Is(err, awsops.ErrAccessDenied) && !errors.Is(err, awsops.ErrInvalidCredentials) || time.Now().After(deadline) {
			return sum, err
		}
		if attempt == 1 {
			fmt.Fprintf(w, "· Waiting for IAM to accept the %s (up to %s)\n", strings.SplitN(with, " (", 2)[0], proofWait)
		}
		select {
		case <-ctx.Done():
			return sum, ctx.Err()
		case <-time.After(min(time.Second<<min(attempt-1, 4), 10*time.Second)):
		}
	}
	eng, err := download.New(store, download.Options{Bucket: bucket, Prefix: prefix, Dest: dest, Concurrency: concurrency})
	if err != nil {
		return sum, err
	}
	res, err := runSyncHeadless(ctx, eng, w)
	sum.Downloaded, sum.Skipped, sum.Failed, sum.Bytes = res.Done, res.Skipped, res.FailedCount, res.Bytes
	if err == nil && res.FailedCount > 0 {
		err = fmt.Errorf("%d files could not be downloaded", res.FailedCount)
	}
	return sum, err
}

// recipientsNote names who the key file is encrypted for.
func recipientsNote(arg string, n int) string {
	if strings.HasPrefix(strings.TrimSpace(arg), "age1") {
		return strings.TrimSpace(arg)
	}
	if n == 1 {
		return "the recipient in " + arg
	}
	return fmt.Sprintf("the %d recipients in %s", n, arg)
}
